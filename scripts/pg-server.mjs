// Starts and stops a throwaway PostgreSQL server for tests and benchmarks: initdb into a fresh
// temporary folder, listen on a free port on 127.0.0.1 only, trust auth. Tests run it with fsync,
// synchronous_commit and full_page_writes off (the data is thrown away); benchmarks with
// `{ durable: true }`, PostgreSQL's defaults, as a production server commits. Runs the server as the
// `postgres` user when we are root, since postgres refuses root.
//
// FINFLOW_PG_STATEMENT_LOG=FILE logs every statement with its duration (log_min_duration_statement=0)
// and copies the server's log to FILE when it stops: `node scripts/pg-log-summary.mjs FILE` then
// says where a benchmark's database time went, statement by statement.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function findPgBin() {
  const candidates = [];
  for (const dir of (process.env.PATH ?? '').split(':')) candidates.push(dir);
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  }
  const bin = candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
  if (!bin) {
    throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian\'s "postgresql" package');
  }
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(bin, args, asPostgres) {
  const [cmd, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${path.basename(bin)} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
}

/** @returns {Promise<{url: string, stop: () => void}>} */
export async function startPgServer({ durable = false } = {}) {
  const bin = findPgBin();
  const asPostgres = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'finflow-pg-'));
  const dataDir = path.join(dir, 'data');
  if (asPostgres) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  run(
    path.join(bin, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    asPostgres,
  );
  const port = await freePort();
  const fast = durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const statementLog = process.env.FINFLOW_PG_STATEMENT_LOG;
  const logging = statementLog ? ' -c log_min_duration_statement=0' : '';
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${fast} -c max_connections=200${logging}`;
  run(
    path.join(bin, 'pg_ctl'),
    ['-D', dataDir, '-o', options, '-l', path.join(dir, 'server.log'), '-w', 'start'],
    asPostgres,
  );
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      run(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop'], asPostgres);
    } finally {
      // The log, if the server got as far as writing one; a failed copy must not hide the stop's own error.
      if (statementLog && existsSync(path.join(dir, 'server.log')))
        copyFileSync(path.join(dir, 'server.log'), statementLog);
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}
