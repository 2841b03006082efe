// The test command (`npm test`): runs every src/**/*.test.ts with node's test runner. With
// FINFLOW_TEST_PG=1 it first starts a throwaway PostgreSQL server and every test database is
// created on it instead of on embedded PGlite. Extra arguments are test files or runner flags.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startPgServer } from './pg-server.mjs';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
// The server's tests (src/) and the console's browser tests (console/e2e/); a folder argument runs
// the tests under it.
const testsUnder = (dir) =>
  readdirSync(path.join(root, dir), { recursive: true })
    .filter((f) => String(f).endsWith('.test.ts'))
    .map((f) => path.join(dir, String(f)))
    .sort();
// The browser tests run on embedded PGlite; on the PostgreSQL run (which CI does second) only when
// FINFLOW_TEST_CONSOLE=1 — they test the console, and the API under them is tested on both.
const withConsole = process.env.FINFLOW_TEST_PG !== '1' || process.env.FINFLOW_TEST_CONSOLE === '1';
// The whole suite runs in two passes: the server's tests two files at a time, then the browser
// tests one at a time (each drives a Chromium; beside other tests on 2 cores they would only wait).
const named = files.flatMap((f) => (f.endsWith('.ts') ? [f] : testsUnder(f)));
const isBrowserTest = (f) => path.relative(root, path.resolve(root, f)).startsWith(`console${path.sep}e2e`);
const passes = files.length
  ? [
      { files: named.filter((f) => !isBrowserTest(f)), concurrency: 2 },
      { files: named.filter(isBrowserTest), concurrency: 1, perFile: true },
    ].filter((pass) => pass.files.length > 0)
  : [
      { files: testsUnder('src'), concurrency: 2 },
      ...(withConsole ? [{ files: testsUnder('console/e2e'), concurrency: 1, perFile: true }] : []),
    ];

const env = {
  ...process.env,
  FINFLOW_LOG_LEVEL: process.env.FINFLOW_LOG_LEVEL ?? 'silent',
};
// One folder per run, so two test runs in the same checkout never delete each other's data.
const tmp = path.join(root, '.test-tmp', `run-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
env.FINFLOW_TEST_TMP = tmp;

// The CLI tests start `finflow` dozens of times: from dist/, as users run it, rather than compiling
// the sources through tsx in every child. The build is incremental: seconds when nothing changed.
// FINFLOW_TEST_NO_BUILD=1 skips it (the CLI tests then run the sources through tsx): for a tree that
// does not build as a whole yet, while one part of it is being worked on.
if (process.env.FINFLOW_TEST_NO_BUILD !== '1') {
  const built = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: root, stdio: 'inherit' },
  );
  const copied =
    built.status === 0 && spawnSync(process.execPath, ['scripts/copy-assets.mjs'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0 || copied.status !== 0) {
    console.error('# the server did not build (tsc -p tsconfig.build.json): the tests need dist/ for the CLI');
    process.exit(1);
  }
  env.FINFLOW_TEST_CLI_BUILT = '1';
}

let server;
if (process.env.FINFLOW_TEST_PG === '1') {
  server = await startPgServer();
  env.FINFLOW_TEST_PG_URL = server.url;
  console.log(`# tests on PostgreSQL server ${server.url}`);
} else {
  console.log('# tests on embedded PGlite');
}

let child;
// Stopped by a signal (Ctrl-C, `timeout`, a CI cancel): pass it on and still stop the PostgreSQL
// server below — dying at once would leave it running with its temporary folder.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child?.kill(signal));
const run = (files, concurrency) => {
  child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...flags, ...files],
    { stdio: 'inherit', env, cwd: root },
  );
  return new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
};

// The browser tests run file by file, and a file that fails runs once more: a real browser on a busy
// machine sometimes misses a moment the same steps catch on the next run (an animation, a slow
// list). A file that fails twice fails the suite; one that passed on its second run is named at the
// end as flaky, with its first run's failure in the output above, to be fixed rather than ignored.
// FINFLOW_TEST_NO_RETRY=1 runs each file once.
const flaky = [];
let code = 0;
for (const pass of passes) {
  if (!pass.perFile) {
    const exit = await run(pass.files, pass.concurrency);
    if (exit !== 0) code = exit;
    continue;
  }
  for (const file of pass.files) {
    let exit = await run([file], 1);
    if (exit !== 0 && process.env.FINFLOW_TEST_NO_RETRY !== '1') {
      console.log(`# ${file} failed (exit ${exit}): running it once more`);
      exit = await run([file], 1);
      if (exit === 0) flaky.push(file);
    }
    if (exit !== 0) code = exit;
  }
}
for (const file of flaky) console.log(`# FLAKY: ${file} failed on its first run and passed on its second`);
server?.stop();
rmSync(tmp, { recursive: true, force: true });
process.exit(code);
