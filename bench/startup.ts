// Cold-start benchmark: how long `finflow serve` takes from spawn to its first healthy answer, on an
// empty data folder (initdb + migrations + bootstrap key) and again on the same folder, and how long
// a clean SIGTERM shutdown takes. The baseline, measured in the same run and in the same way (a
// fresh `node` process, spawn to exit), is a bare `PGlite.create(emptyDir)` + close: what the
// embedded PostgreSQL alone costs; a second bare PGlite.create on that now initialised folder is the
// baseline for the second start. ratio = first-start ms / baseline ms (medians over the rounds).
//
//   node --import tsx bench/startup.ts [--rounds N]      (npm run bench:startup)
//
// A round costs roughly two PGlite initdb runs plus two re-opens; rounds after the first only start
// when the time budget leaves room for one more (a slow or busy machine gets a single round).
//
// Prints human lines, then as its very last stdout line one JSON object {"bench":"startup",…}.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

const DEFAULT_ROUNDS = 3;
const MAX_ROUNDS = 10;
const TOTAL_BUDGET_MS = 50_000; // no new round unless it is expected to finish within this (one always runs)
const READY_TIMEOUT_MS = 30_000; // spawn → healthy, per start
const EXIT_TIMEOUT_MS = 15_000; // SIGTERM → exit, per stop
const BASELINE_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 10;

interface StartFigures {
  /** spawn → first line on stdout (node + module loading). */
  firstLogMs: number;
  /** spawn → the 'finflow listening' log line. */
  listeningMs: number;
  /** spawn → first 200 from /api/v1/health. */
  healthyMs: number;
  /** SIGTERM → process exit. */
  shutdownMs: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  migrationsApplied: number;
  bootstrapKey: boolean;
}

interface BaselineFigures {
  /** spawn → exit of `node -e 'PGlite.create(dir); close()'`. */
  processMs: number;
  /** PGlite.create + close as measured inside the child. */
  createMs: number;
  closeMs: number;
}

function parseRounds(): number {
  const i = process.argv.indexOf('--rounds');
  const raw = i >= 0 ? process.argv[i + 1] : process.env.FINFLOW_BENCH_ROUNDS;
  if (raw === undefined) return DEFAULT_ROUNDS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_ROUNDS) throw new Error(`--rounds must be 1..${MAX_ROUNDS}, got ${raw}`);
  return n;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The environment for a child: no inherited DATABASE_URL/PORT/config file may change what is measured. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'PORT', 'FINFLOW_HOST', 'FINFLOW_CONFIG', 'FINFLOW_SHUTDOWN_TIMEOUT_MS']) {
    delete env[name];
  }
  return { ...env, FINFLOW_HOST: '127.0.0.1', ...extra };
}

function ensureBuilt(): void {
  if (existsSync(CLI)) return;
  console.log(`${path.relative(ROOT, CLI)} is missing: running npm run build`);
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(CLI)) throw new Error(`npm run build failed (exit ${result.status})`);
}

function waitForExit(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`process ${child.pid} did not exit within ${timeoutMs} ms (killed)`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Spawns `finflow serve --port 0` on dataDir, waits until healthy, then SIGTERMs it and waits for the exit. */
async function measureStart(dataDir: string): Promise<StartFigures> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: ROOT,
    env: childEnv({ FINFLOW_DATA_DIR: dataDir, FINFLOW_LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // stderr carries the banner with the one-time bootstrap key: keep it (for an error report) but never print it.
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 20_000) stderr += chunk;
  });

  let firstLogMs: number | undefined;
  let listeningMs: number | undefined;
  let url: string | undefined;
  let migrationsApplied = 0;
  const logTail: string[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const now = performance.now() - t0;
    firstLogMs ??= now;
    logTail.push(line);
    if (logTail.length > 20) logTail.shift();
    let entry: { msg?: unknown; url?: unknown };
    try {
      entry = JSON.parse(line) as { msg?: unknown; url?: unknown };
    } catch {
      return;
    }
    if (entry.msg === 'migration applied') migrationsApplied++;
    if (entry.msg === 'finflow listening' && typeof entry.url === 'string' && url === undefined) {
      url = entry.url;
      listeningMs = now;
    }
  });
  const exited = waitForExit(child, READY_TIMEOUT_MS + EXIT_TIMEOUT_MS + 5_000);
  exited.catch(() => {}); // observed below

  const failure = (why: string) =>
    new Error(`${why}\n--- stdout (last lines)\n${logTail.join('\n')}\n--- stderr\n${redact(stderr).slice(-4_000)}`);

  try {
    let healthyMs: number | undefined;
    while (healthyMs === undefined) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw failure(`finflow serve exited early (code ${child.exitCode}, signal ${child.signalCode})`);
      }
      if (performance.now() - t0 > READY_TIMEOUT_MS) throw failure(`finflow not healthy within ${READY_TIMEOUT_MS} ms`);
      if (url !== undefined && (await healthy(url))) {
        healthyMs = performance.now() - t0;
        break;
      }
      await sleep(POLL_INTERVAL_MS);
    }

    const tStop = performance.now();
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    const shutdownMs = performance.now() - tStop;
    return {
      firstLogMs: firstLogMs!,
      listeningMs: listeningMs!,
      healthyMs,
      shutdownMs,
      exitCode: code,
      signal,
      migrationsApplied,
      bootstrapKey: /admin API key was created/.test(stderr),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    lines.close();
  }
}

function redact(text: string): string {
  return text.replace(/ff_key_[A-Za-z0-9_-]+/g, 'ff_key_…(redacted)');
}

// The baseline child: import PGlite, create it on an empty folder, close it. Runs from the repo root
// so that the bare specifier resolves to the same @electric-sql/pglite finflow uses.
const BASELINE_SCRIPT = `
import { PGlite } from '@electric-sql/pglite';
const t0 = performance.now();
const db = await PGlite.create({ dataDir: process.env.BENCH_PGLITE_DIR });
const t1 = performance.now();
await db.close();
const t2 = performance.now();
process.stdout.write(JSON.stringify({ createMs: t1 - t0, closeMs: t2 - t1 }) + '\\n');
`;

async function measureBaseline(dataDir: string): Promise<BaselineFigures> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', BASELINE_SCRIPT], {
    cwd: ROOT,
    env: childEnv({ BENCH_PGLITE_DIR: dataDir }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const { code, signal } = await waitForExit(child, BASELINE_TIMEOUT_MS);
  const processMs = performance.now() - t0;
  if (code !== 0) throw new Error(`baseline PGlite child failed (code ${code}, signal ${signal}):\n${stderr}`);
  const inner = JSON.parse(stdout.trim().split('\n').at(-1)!) as { createMs: number; closeMs: number };
  return { processMs, createMs: inner.createMs, closeMs: inner.closeMs };
}

async function main(): Promise<void> {
  const rounds = parseRounds();
  ensureBuilt();
  console.log(
    `startup bench: ${rounds} round(s); node ${process.version}, ${os.cpus().length} CPU(s), ${os.platform()}`,
  );
  console.log(
    `  each round: baseline PGlite.create+close, finflow first start (empty folder), second start (same folder)`,
  );

  const firsts: StartFigures[] = [];
  const seconds: StartFigures[] = [];
  const baselines: BaselineFigures[] = [];
  const reopens: BaselineFigures[] = [];
  let slowestRoundMs = 0;
  const began = performance.now();
  const dirs: string[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const elapsed = performance.now() - began;
      if (round > 1 && elapsed + slowestRoundMs > TOTAL_BUDGET_MS) {
        console.log(
          `  time budget (${TOTAL_BUDGET_MS / 1000} s) leaves no room for another ${round1(slowestRoundMs / 1000)} s round: stopping after ${round - 1}`,
        );
        break;
      }
      const roundStart = performance.now();
      const baselineDir = tempDir('finflow-bench-pglite-');
      const dataDir = tempDir('finflow-bench-data-');
      dirs.push(baselineDir, dataDir);

      const baseline = await measureBaseline(baselineDir); // empty folder: initdb
      const first = await measureStart(dataDir);
      const reopen = await measureBaseline(baselineDir); // same folder again: open only
      const second = await measureStart(dataDir);
      baselines.push(baseline);
      reopens.push(reopen);
      firsts.push(first);
      seconds.push(second);
      slowestRoundMs = Math.max(slowestRoundMs, performance.now() - roundStart);
      console.log(
        `  round ${round}: baseline ${round1(baseline.processMs)} ms (create ${round1(baseline.createMs)}, close ${round1(baseline.closeMs)}), reopen ${round1(reopen.processMs)} ms` +
          ` | first start ${round1(first.healthyMs)} ms (listening at ${round1(first.listeningMs)}, ${first.migrationsApplied} migration(s), bootstrap key ${first.bootstrapKey ? 'yes' : 'no'})` +
          ` | second start ${round1(second.healthyMs)} ms` +
          ` | shutdown ${round1(first.shutdownMs)} / ${round1(second.shutdownMs)} ms, exit ${first.exitCode} / ${second.exitCode}`,
      );
      rmSync(baselineDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }

  const all = [...firsts, ...seconds];
  const badExits = all.filter((s) => s.exitCode !== 0);
  const firstStartMs = median(firsts.map((s) => s.healthyMs));
  const secondStartMs = median(seconds.map((s) => s.healthyMs));
  const baselineMs = median(baselines.map((b) => b.processMs));
  const reopenMs = median(reopens.map((b) => b.processMs));
  const ratio = firstStartMs / baselineMs;

  console.log('');
  console.log(`  baseline (node + PGlite.create on an empty folder + close): ${round1(baselineMs)} ms (median)`);
  console.log(
    `  finflow first start  (spawn → healthy): ${round1(firstStartMs)} ms (median) = ${round2(ratio)} × baseline`,
  );
  console.log(
    `  baseline reopen (node + PGlite.create on that initialised folder + close): ${round1(reopenMs)} ms (median)`,
  );
  console.log(
    `  finflow second start (spawn → healthy): ${round1(secondStartMs)} ms (median) = ${round2(secondStartMs / reopenMs)} × reopen baseline`,
  );
  console.log(`  shutdown (SIGTERM → exit): ${round1(median(all.map((s) => s.shutdownMs)))} ms (median)`);
  if (badExits.length > 0) {
    console.log(
      `  WARNING: ${badExits.length} shutdown(s) did not exit 0: ${badExits.map((s) => s.exitCode ?? s.signal).join(', ')}`,
    );
    process.exitCode = 1;
  }

  const result = {
    bench: 'startup',
    rounds: firsts.length,
    baselineMs: round1(baselineMs),
    baselineCreateMs: round1(median(baselines.map((b) => b.createMs))),
    firstStartMs: round1(firstStartMs),
    firstStartListeningMs: round1(median(firsts.map((s) => s.listeningMs))),
    firstStartFirstLogMs: round1(median(firsts.map((s) => s.firstLogMs))),
    baselineReopenMs: round1(reopenMs),
    secondStartMs: round1(secondStartMs),
    secondStartRatio: round2(secondStartMs / reopenMs),
    shutdownMs: round1(median(all.map((s) => s.shutdownMs))),
    shutdownMaxMs: round1(Math.max(...all.map((s) => s.shutdownMs))),
    exitCodes: all.map((s) => s.exitCode),
    elapsedMs: Math.round(performance.now() - began),
    ratio: round2(ratio),
  };
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(`startup bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
