// graphile-worker 0.17.3 as the job-queue yardstick of bench/engine.ts: no-op jobs drained per
// second on a fresh database of the bench's PostgreSQL server, by runner processes
// (bench/graphile-worker.ts) with the "tuned" settings the issue names: concurrentJobs 10,
// localQueue size 500, completeJobBatchDelay 0 (and failJobBatchDelay 0): batched completion, i.e.
// one statement completes (deletes) every job finished while the previous one ran.
//
// Method, like the engine's: the runners are started and warmed up; then N jobs are enqueued with one
// WorkerUtils.addJobs call (one statement, one transaction: they become visible together at its
// commit; graphile's NOTIFY wakes the runners) and the clock runs from that commit until the
// parent's 100 ms poll finds graphile_worker._private_jobs empty (0.17 deletes a job on completion).
// The runners' own counts of jobs run are checked against N afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Logger, makeWorkerUtils, runMigrations, type AddJobsJobSpec } from 'graphile-worker';
import pg from 'pg';
import { freshPgDatabase } from './pg-databases.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TASK = 'bench_noop'; // the task bench/graphile-worker.ts runs
const APP_PREFIX = 'finflow-bench-graphile';
const READY_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 15_000;
const WARMUP_PER_PROCESS = 1_000;

export const GRAPHILE_VERSION = '0.17.3';

export interface GraphileSettings {
  processes: number;
  concurrentJobs: number;
  localQueueSize: number;
  completeJobBatchDelay: number;
}

/** The "graphile-worker tuned". */
export const GRAPHILE_TUNED: Omit<GraphileSettings, 'processes'> = {
  concurrentJobs: 10,
  localQueueSize: 500,
  completeJobBatchDelay: 0,
};

export interface GraphileResult extends GraphileSettings {
  n: number;
  /** Jobs the runners report having run during the measurement (warm-up excluded). */
  ran: number;
  ms: number;
  jobsPerSec: number;
  enqueueMs: number;
  cutShort: boolean;
  /** CPU seconds used during the drain by the runner processes and their PostgreSQL backends. */
  cpu: { workersS: number; backendsS: number };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const CLOCK_TICKS = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** utime + stime of a process in seconds (Linux /proc); 0 when unreadable. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // fields 14 and 15 of stat(5)
  } catch {
    return 0;
  }
}

const quiet = new Logger(() => (level, message) => {
  const name = String(level); // LogLevel is a const enum: compare its string values
  if (name === 'error' || name === 'warning') process.stderr.write(`graphile-worker ${name}: ${message}\n`);
});

interface Runner {
  child: ChildProcess;
  app: string;
  output: string[];
  ready: Promise<void>;
}

function spawnRunner(url: string, app: string, settings: GraphileSettings, env: NodeJS.ProcessEnv): Runner {
  const withApp = new URL(url);
  withApp.searchParams.set('application_name', app);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join('bench', 'graphile-worker.ts'),
      '--database-url',
      withApp.toString(),
      '--concurrent-jobs',
      String(settings.concurrentJobs),
      '--local-queue-size',
      String(settings.localQueueSize),
      '--complete-job-batch-delay',
      String(settings.completeJobBatchDelay),
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 40) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${app} not ready within ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      if (/^ready$/m.test(chunk.toString('utf8'))) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${app} exited (code ${code}):\n${output.join('')}`));
    });
  });
  ready.catch(() => {}); // observed by the caller; no unhandled rejection after a later exit
  return { child, app, output, ready };
}

/** SIGTERM, wait for exit; returns the jobs each runner says it ran (null if it did not say). */
async function stopRunners(runners: Runner[]): Promise<Array<number | null>> {
  for (const r of runners) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
  await Promise.all(
    runners.map(
      (r) =>
        new Promise<void>((resolve) => {
          if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
          const timer = setTimeout(() => {
            r.child.kill('SIGKILL');
            resolve();
          }, EXIT_TIMEOUT_MS);
          r.child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
  return runners.map((r) => {
    const match = /stopped on \w+ after (\d+) job/.exec(r.output.join(''));
    return match ? Number(match[1]) : null;
  });
}

const jobs = (from: number, count: number): AddJobsJobSpec[] =>
  Array.from({ length: count }, (_, i) => ({ identifier: TASK, payload: { i: from + i } }));

/**
 * One measurement on a fresh database of the server at `serverUrl`: `settings.processes` runner
 * processes drain n no-op jobs. Returns jobs/s from the enqueue's commit until the jobs table is empty.
 */
export async function runGraphileWorker(
  serverUrl: string,
  settings: GraphileSettings,
  n: number,
  options: { env: NodeJS.ProcessEnv; pollMs: number; timeoutMs: number },
): Promise<GraphileResult> {
  const database = await freshPgDatabase(serverUrl, 'graphile');
  const runners: Runner[] = [];
  const monitor = new pg.Client({ connectionString: database.url });
  await monitor.connect();
  const utils = await makeWorkerUtils({ connectionString: database.url, logger: quiet });
  try {
    // Schema first, so the runners do not race to migrate.
    await runMigrations({ connectionString: database.url, logger: quiet });
    for (let i = 1; i <= settings.processes; i++) {
      runners.push(spawnRunner(database.url, `${APP_PREFIX}${i}`, settings, options.env));
    }
    await Promise.all(runners.map((r) => r.ready));

    const pending = async (): Promise<number> => {
      const result = await monitor.query<{ n: number }>('select count(*)::int as n from graphile_worker._private_jobs');
      return result.rows[0]!.n;
    };
    const dead = () => runners.find((r) => r.child.exitCode !== null || r.child.signalCode !== null);

    // Warm-up (not timed): JIT, prepared statements, pools, local queues.
    const warm = WARMUP_PER_PROCESS * settings.processes;
    await utils.addJobs(jobs(0, warm));
    const tw = performance.now();
    while ((await pending()) > 0) {
      if (performance.now() - tw > READY_TIMEOUT_MS) throw new Error('graphile-worker warm-up jobs did not complete');
      await sleep(options.pollMs);
    }

    const specs = jobs(warm, n);
    const te = performance.now();
    await utils.addJobs(specs); // one statement: all n visible at its commit
    const enqueueMs = performance.now() - te;

    const t0 = performance.now();
    const pids = (
      await monitor.query<{ pid: number }>('select pid from pg_stat_activity where application_name like $1', [
        `${APP_PREFIX}%`,
      ])
    ).rows.map((r) => r.pid);
    const cpuNow = () => ({
      workers: runners.reduce((s, r) => s + cpuSeconds(r.child.pid), 0),
      backends: pids.reduce((s, pid) => s + cpuSeconds(pid), 0),
    });
    const cpu0 = cpuNow();
    let left = n;
    let ms = 0;
    for (;;) {
      left = await pending();
      ms = performance.now() - t0;
      if (left === 0 || ms > options.timeoutMs) break;
      const gone = dead();
      if (gone) throw new Error(`${gone.app} exited (code ${gone.child.exitCode}):\n${gone.output.join('')}`);
      await sleep(options.pollMs);
    }
    const cpu1 = cpuNow();
    const counts = await stopRunners(runners);
    const reported = counts.every((c) => c !== null);
    const ran = reported ? counts.reduce<number>((s, c) => s + (c ?? 0), 0) - warm : n - left;
    if (left === 0 && reported && ran !== n) {
      throw new Error(`graphile-worker runners report ${ran} jobs run for ${n} enqueued`);
    }
    const done = n - left;
    return {
      ...settings,
      n,
      ran,
      ms: round1(ms),
      jobsPerSec: round1((done * 1000) / ms),
      enqueueMs: round1(enqueueMs),
      cutShort: left > 0,
      cpu: { workersS: round2(cpu1.workers - cpu0.workers), backendsS: round2(cpu1.backends - cpu0.backends) },
    };
  } finally {
    await stopRunners(runners);
    await utils.release();
    await monitor.end();
    await database.drop().catch(() => {});
  }
}
