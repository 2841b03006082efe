// Engine throughput: workflow step transitions per second for a 5-step workflow (five `context.set`
// action steps, then the implicit end), beside three baselines measured in the same run on the same
// database server:
//   - raw inserts: one single-row INSERT per transaction (BEGIN/INSERT/COMMIT), 1 and 4 clients;
//   - graphile-worker 0.17.3 "tuned" (the headline job-queue yardstick, PostgreSQL only): no-op jobs
//     per second, 4 runner processes with concurrentJobs 10, localQueue size 500,
//     completeJobBatchDelay 0 (bench/graphile-bench.ts);
//   - pg-boss 10.4.2: no-op jobs per second with 4 workers (PostgreSQL only; a secondary line).
// A worker transaction runs the whole synchronous chain of an instance, so one claim = 5 transitions;
// transitions are counted as steps completed (instances × 5, checked against wf_history).
//
//   node --import tsx bench/engine.ts [--n-pglite N] [--n-pg N] [--n-pg4 N] [--timers N] [--no-timers]
//                                     [--n-graphile N] [--graphile-processes N] [--no-graphile]
//                                     [--no-pglite] [--no-pg]   (npm run bench:engine)
//
// PGlite (embedded, a data folder): N instances created up front, then drained by one in-process
// worker. PostgreSQL (a throwaway server from scripts/pg-server.mjs): for each measurement a fresh
// database; 1, then 4 worker processes (`finflow worker` if the CLI has it, else bench/engine-worker.ts)
// are started and warmed up, N instances are committed in one transaction, and the clock runs from
// that commit until the parent's 100 ms poll sees all N `completed`.
//
// Timer lateness (PostgreSQL, 4 workers): 200 instances of `bench-timer` (a 3 s `wait`, then an end
// step) are started first in the transaction that creates the N, so the workers claim them first and
// their timers fall due about 3 s into the drain. Lateness per timer = wf_history `at` of the wait's
// `completed` row (the claiming worker's clock at its transaction start) − the `waiting` row's
// data.until. Only `bench-five-steps` instances count towards the drain and its transitions.
//
// Prints human lines, then as its very last stdout line one JSON object {"bench":"engine",…} with,
// for the engine's transitions/s on PostgreSQL with 4 workers:
//   ratioVsGraphileTuned = ÷ graphile-worker tuned jobs/s (target ≥ 1.0);
//   ratioVsRawInserts = ÷ raw single-row INSERT tx/s with 4 clients (target ≥ 1.0);
//   ratio = ÷ pg-boss jobs/s (batch 50, 4 workers), kept for continuity.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { Engine } from '../src/engine/engine.js';
import { startInstance } from '../src/engine/runtime/start-instance.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import {
  cpuSeconds,
  GRAPHILE_TUNED,
  GRAPHILE_VERSION,
  runGraphileWorker,
  type GraphileResult,
} from './graphile-bench.js';
import { BENCH_PG_DURABILITY, BENCH_PG_DURABLE, startBenchPgServer } from './pg-databases.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const STEPS = 5;
const WORKFLOW_KEY = 'bench-five-steps';
const WORKFLOW = `
key: ${WORKFLOW_KEY}
name: Bench, five action steps
steps:
${Array.from({ length: STEPS }, (_, i) => `  - { id: s${i + 1}, type: action, action: context.set, with: { n: ${i + 1} } }`).join('\n')}
`;

const DEFAULT_N_PGLITE = 600;
const DEFAULT_N_PG = 2000;
const MAX_N = 50_000;
const MIN_MEASURE_MS = 5_000; // a measurement shorter than this is flagged
const RAW_MS = 5_000; // each raw-insert measurement
const RAW_WARMUP_TX = 200;
const DRAIN_TIMEOUT_MS = 90_000; // a drain that takes longer is cut short and says so
const POLL_MS = 100; // the parent's completion poll
const WORKER_POLL_MS = 200; // the engine worker's idle poll (its default)
const WARMUP_PER_WORKER = 25; // instances run (not timed) before each PostgreSQL measurement
const READY_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 15_000;
const PG_WORKERS = 4;
const APP_PREFIX = 'finflow-bench-w';

const TIMER_KEY = 'bench-timer';
const TIMER_MS = 3_000; // the wait's duration: PT3S
const TIMER_WORKFLOW = `
key: ${TIMER_KEY}
name: Bench, one 3 s timer
steps:
  - { id: nap, type: wait, duration: PT${TIMER_MS / 1000}S }
  - { id: done, type: end, outcome: rested }
`;
const DEFAULT_TIMERS = 200;
const TIMER_LIMIT_MS = 1_000; // the requirement: fire within a second of the due time under load
const TIMER_SETTLE_MS = 30_000; // after the drain, how long the parent waits for the last timers

const BOSS_QUEUE = 'bench';
const BOSS_POLL_S = 0.5; // pg-boss 10's minimum polling interval
const BOSS_BATCH = 50; // the headline job-queue setting
const BOSS_BATCH_TUNED = 1000; // throughput-tuned setting, reported beside it
const BOSS_TARGET_MS = 6_000; // N for pg-boss = its theoretical rate × this…
const BOSS_MAX_N = 20_000; // …but no more than this (batch 1000 rarely reaches its theoretical 8 000 jobs/s)

const DEFAULT_N_GRAPHILE = 150_000; // ~6 s at the ~24 000 jobs/s the issue measured for graphile-worker tuned
const MAX_N_GRAPHILE = 1_000_000;

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const began = performance.now();

function flag(name: string): boolean {
  return process.argv.includes(name);
}

function intOption(name: string, min = 10, max = MAX_N): number | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be ${min}..${max}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Results

interface Drain {
  database: 'pglite' | 'postgres';
  workers: number;
  n: number;
  completed: number;
  transitions: number;
  ms: number;
  instancesPerSec: number;
  transitionsPerSec: number;
  createMs: number;
  cutShort: boolean;
  /** PostgreSQL: where the workers' backends were at each poll (share of samples). */
  backendStates?: Record<string, number>;
  /** PostgreSQL: CPU seconds used during the measurement by the worker processes and their backends. */
  cpu?: { workersS: number; backendsS: number };
  /** PostgreSQL, 4 workers: lateness of the bench-timer timers that fell due during the drain. */
  timers?: TimerLateness;
}

interface TimerLateness {
  /** Timer instances started. */
  n: number;
  /** Timers whose wait completed (the rest never fired within the settle time). */
  fired: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Fired more than TIMER_LIMIT_MS after the due time (unfired timers count too). */
  over1s: number;
  /** Due times relative to the drain's start (the commit of the N instances), ms: earliest, latest. */
  dueAfterStartMs: [number, number];
  /** Median number of bench-five-steps instances not yet run to completion at a timer's due time. */
  backlogAtDueP50: number;
}

interface Raw {
  clients: number;
  tx: number;
  ms: number;
  txPerSec: number;
}

interface Boss {
  workers: number;
  batchSize: number;
  pollingIntervalSeconds: number;
  n: number;
  ms: number;
  jobsPerSec: number;
  enqueueMs: number;
  cutShort: boolean;
}

function drainFigures(ms: number, completed: number): Pick<Drain, 'instancesPerSec' | 'transitionsPerSec'> {
  return {
    instancesPerSec: round1((completed * 1000) / ms),
    transitionsPerSec: round1((completed * STEPS * 1000) / ms),
  };
}

// ---------------------------------------------------------------------------------------------
// Engine: setup shared by both databases

async function prepareEngine(database: Database): Promise<Engine> {
  await migrate(database);
  const engine = new Engine({ database });
  await engine.deploy({ source: WORKFLOW, actor: 'system:bench' });
  await engine.deploy({ source: TIMER_WORKFLOW, actor: 'system:bench' });
  return engine;
}

/**
 * n instances in one transaction (the way a bulk import would start them); visible to workers at commit.
 * With `first`, that many instances of another workflow are started first in the same transaction:
 * their next_run_at is the earliest, so the workers claim them first once it commits.
 */
async function createInstances(
  database: Database,
  engine: Engine,
  n: number,
  first?: { workflowKey: string; n: number },
): Promise<void> {
  await database.transaction(async (tx) => {
    const start = (workflowKey: string, i: number) =>
      startInstance(tx, engine.services, { workflowKey, input: { i }, actor: 'system:bench' });
    if (first) for (let i = 0; i < first.n; i++) await start(first.workflowKey, i);
    for (let i = 0; i < n; i++) await start(WORKFLOW_KEY, i);
  });
}

/** Completed instances of one workflow (by default the measured one: timer instances never count). */
async function countCompleted(db: Database['db'], workflowKey = WORKFLOW_KEY): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*)::int as n from wf_instances where status = 'completed' and workflow_key = ${workflowKey}`.execute(
    db,
  );
  return result.rows[0]!.n;
}

/** Steps completed must be instances × 5: the figure counts what the timeline recorded. */
async function checkTransitions(db: Database['db'], expectedInstances: number): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*)::int as n from wf_history h join wf_instances i on i.id = h.instance_id
    where h.event = 'completed' and h.step_type = 'action' and i.workflow_key = ${WORKFLOW_KEY}`.execute(db);
  const steps = result.rows[0]!.n;
  if (steps !== expectedInstances * STEPS) {
    throw new Error(`expected ${expectedInstances * STEPS} completed action steps in wf_history, found ${steps}`);
  }
  return steps;
}

// ---------------------------------------------------------------------------------------------
// PGlite (embedded, one connection, in-process worker)

async function runPGlite(n: number): Promise<{ engine: Drain; raw: Raw }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'finflow-bench-engine-'));
  try {
    let t = performance.now();
    const database = await openDatabase({ dataDir: path.join(dir, 'data') });
    try {
      const engine = await prepareEngine(database);
      console.log(
        `  PGlite data folder opened, migrated, workflow deployed in ${round1((performance.now() - t) / 1000)} s`,
      );

      // Warm-up (not timed): the same path, so JIT and caches are warm for both measurements.
      await createInstances(database, engine, 50);
      await engine.createWorker().runUntilIdle();
      await sql`CREATE TABLE bench_raw (id bigserial PRIMARY KEY, payload text)`.execute(database.db);
      await rawInsertsPGlite(database, RAW_WARMUP_TX, Infinity);
      const warm = await countCompleted(database.db);

      t = performance.now();
      await createInstances(database, engine, n);
      const createMs = performance.now() - t;

      const worker = engine.createWorker({ pollIntervalMs: WORKER_POLL_MS });
      const t0 = performance.now();
      worker.start();
      // One connection: watch the worker's own counter (no extra queries), then check the table.
      while (worker.processed < n && performance.now() - t0 < DRAIN_TIMEOUT_MS) await sleep(10);
      const ms = performance.now() - t0;
      await worker.stop();
      const completed = (await countCompleted(database.db)) - warm;
      const cutShort = completed < n;
      if (!cutShort) await checkTransitions(database.db, warm + n);
      const engineResult: Drain = {
        database: 'pglite',
        workers: 1,
        n,
        completed,
        transitions: completed * STEPS,
        ms: round1(ms),
        ...drainFigures(ms, completed),
        createMs: round1(createMs),
        cutShort,
      };

      const raw = await rawInsertsPGlite(database, Infinity, RAW_MS);
      return { engine: engineResult, raw };
    } finally {
      await database.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rawInsertsPGlite(database: Database, maxTx: number, ms: number): Promise<Raw> {
  let tx = 0;
  const t0 = performance.now();
  const deadline = t0 + ms;
  while (tx < maxTx && performance.now() < deadline) {
    await database.transaction(async (trx) => {
      await sql`INSERT INTO bench_raw (payload) VALUES (${`row ${tx}`})`.execute(trx);
    });
    tx++;
  }
  const elapsed = performance.now() - t0;
  return { clients: 1, tx, ms: round1(elapsed), txPerSec: round1((tx * 1000) / elapsed) };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL server

/** A fresh database on the server, so no measurement sees another's rows, dead tuples or locks. */
async function freshDatabase(serverUrl: string, label: string): Promise<string> {
  const name = `bench_${label}_${randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function rawInsertsPg(url: string, clients: number): Promise<Raw> {
  const pool = new pg.Pool({ connectionString: url, max: clients });
  try {
    await pool.query('CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, payload text)');
    const conns = await Promise.all(Array.from({ length: clients }, () => pool.connect()));
    try {
      let tx = 0;
      const insert = async (client: pg.PoolClient) => {
        await client.query('BEGIN');
        await client.query('INSERT INTO bench_raw (payload) VALUES ($1)', [`row ${tx}`]);
        await client.query('COMMIT');
      };
      for (const client of conns) for (let i = 0; i < RAW_WARMUP_TX / clients; i++) await insert(client);

      tx = 0;
      const t0 = performance.now();
      const deadline = t0 + RAW_MS;
      await Promise.all(
        conns.map(async (client) => {
          while (performance.now() < deadline) {
            await insert(client);
            tx++;
          }
        }),
      );
      const ms = performance.now() - t0;
      return { clients, tx, ms: round1(ms), txPerSec: round1((tx * 1000) / ms) };
    } finally {
      for (const client of conns) client.release();
    }
  } finally {
    await pool.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Engine worker processes

/** Clean environment: no inherited database settings may change what is measured. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'FINFLOW_DATA_DIR', 'FINFLOW_CONFIG', 'PORT', 'PGAPPNAME']) delete env[name];
  return { ...env, FINFLOW_LOG_LEVEL: 'warn' };
}

type WorkerCommand = { label: string; args: (url: string) => string[] };

/** `finflow worker` when the CLI has it (its --help exits 0), else bench/engine-worker.ts. */
function workerCommand(): WorkerCommand {
  const cli = path.join('src', 'cli', 'main.ts');
  const probe = spawnSync(process.execPath, ['--import', 'tsx', cli, 'worker', '--help'], {
    cwd: ROOT,
    env: childEnv(),
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (probe.status === 0 && /database-url/.test(probe.stdout)) {
    return {
      label: 'node --import tsx src/cli/main.ts worker',
      args: (url) => ['--import', 'tsx', cli, 'worker', '--database-url', url],
    };
  }
  const script = path.join('bench', 'engine-worker.ts');
  return {
    label: `node --import tsx ${script} (the CLI has no worker command)`,
    args: (url) => ['--import', 'tsx', script, '--database-url', url, '--poll-interval-ms', String(WORKER_POLL_MS)],
  };
}

interface WorkerProcess {
  child: ChildProcess;
  app: string;
  output: string[];
}

function spawnWorker(command: WorkerCommand, url: string, app: string): WorkerProcess {
  const withApp = new URL(url);
  withApp.searchParams.set('application_name', app);
  const child = spawn(process.execPath, command.args(withApp.toString()), {
    cwd: ROOT,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 40) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { child, app, output };
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function stopWorkers(workers: WorkerProcess[]): Promise<Array<number | null>> {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  return Promise.all(workers.map((w) => exited(w.child, EXIT_TIMEOUT_MS)));
}

async function backendPids(db: Database['db']): Promise<number[]> {
  const result = await sql<{ pid: number }>`
    select pid from pg_stat_activity where application_name like ${`${APP_PREFIX}%`}`.execute(db);
  return result.rows.map((r) => r.pid);
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;

/**
 * Per timer instance: due = the `waiting` row's data.until (else created_at + 3 s); fired = the
 * wait's `completed` row's `at`, i.e. the `now` of the worker transaction that ran it: the claiming
 * worker's clock when its claim began. That transaction commits after the rest of its batch (up to 16
 * instances; a batch takes no further instance after 250 ms), so visible completion is a little later.
 */
async function timerLateness(db: Database['db'], n: number, startWallMs: number): Promise<TimerLateness> {
  const result = await sql<{ due_ms: number; late_ms: number | null; backlog: number }>`
    select extract(epoch from t.due)::float8 * 1000 as due_ms,
           extract(epoch from c.at - t.due)::float8 * 1000 as late_ms,
           (select count(*)::int from wf_instances b
             where b.workflow_key = ${WORKFLOW_KEY} and b.created_at <= t.due
               and (b.ended_at is null or b.ended_at > t.due)) as backlog
    from (select i.id,
                 coalesce((w.data->>'until')::timestamptz, i.created_at + ${`${TIMER_MS} milliseconds`}::interval) as due
          from wf_instances i
          left join wf_history w on w.instance_id = i.id and w.step_id = 'nap' and w.event = 'waiting'
          where i.workflow_key = ${TIMER_KEY}) t
    left join wf_history c on c.instance_id = t.id and c.step_id = 'nap' and c.event = 'completed'`.execute(db);
  const rows = result.rows;
  const late = rows
    .map((r) => r.late_ms)
    .filter((x): x is number => x !== null)
    .sort((a, b) => a - b);
  const dues = rows.map((r) => r.due_ms - startWallMs);
  const backlog = rows.map((r) => r.backlog).sort((a, b) => a - b);
  const ms = (x: number) => Math.round(x);
  return {
    n,
    fired: late.length,
    p50: ms(percentile(late, 0.5)),
    p95: ms(percentile(late, 0.95)),
    p99: ms(percentile(late, 0.99)),
    max: ms(late[late.length - 1] ?? NaN),
    over1s: late.filter((x) => x > TIMER_LIMIT_MS).length + (n - late.length),
    dueAfterStartMs: [ms(Math.min(...dues)), ms(Math.max(...dues))],
    backlogAtDueP50: percentile(backlog, 0.5),
  };
}

/**
 * One PostgreSQL measurement on a fresh database: start `workers` processes, wait until each has
 * connected, warm them up, then commit n instances and time them to `completed`. With timers > 0,
 * that many bench-timer instances are committed with them and claimed first: the workers run them to
 * their 3 s wait in the drain's first moments, so they fall due about 3 s into it.
 */
async function runPostgresEngine(
  serverUrl: string,
  command: WorkerCommand,
  workers: number,
  n: number,
  timers = 0,
): Promise<Drain> {
  const url = await freshDatabase(serverUrl, `engine${workers}`);
  const database = await openDatabase({ databaseUrl: url, poolSize: 2 });
  const procs: WorkerProcess[] = [];
  try {
    const engine = await prepareEngine(database);
    for (let i = 1; i <= workers; i++) procs.push(spawnWorker(command, url, `${APP_PREFIX}${i}`));

    // Ready: every worker's application_name is connected.
    const t = performance.now();
    for (;;) {
      const dead = procs.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
      if (dead) throw new Error(`worker ${dead.app} exited (code ${dead.child.exitCode}):\n${dead.output.join('')}`);
      const result = await sql<{ n: number }>`
        select count(distinct application_name)::int as n from pg_stat_activity
        where datname = current_database() and application_name like ${`${APP_PREFIX}%`}`.execute(database.db);
      if (result.rows[0]!.n >= workers) break;
      if (performance.now() - t > READY_TIMEOUT_MS)
        throw new Error(`workers not connected within ${READY_TIMEOUT_MS} ms`);
      await sleep(50);
    }

    // Warm-up (not timed): JIT, definition caches, connection pools.
    const warm = WARMUP_PER_WORKER * workers;
    await createInstances(database, engine, warm);
    const tw = performance.now();
    while ((await countCompleted(database.db)) < warm) {
      if (performance.now() - tw > READY_TIMEOUT_MS) throw new Error('warm-up instances did not complete');
      await sleep(POLL_MS);
    }
    await sleep(WORKER_POLL_MS); // let the workers go idle again

    const tc = performance.now();
    // Timer instances go first in the same transaction (createMs includes them). Not in an earlier one:
    // this transaction holds the audit chain head for seconds, and a worker that ran a timer due
    // meanwhile would record a prompt `at` but block on that lock until the commit.
    await createInstances(database, engine, n, timers > 0 ? { workflowKey: TIMER_KEY, n: timers } : undefined);
    const createMs = performance.now() - tc;

    // The clock starts at the commit: from now on every instance is visible to the workers.
    const t0 = performance.now();
    const t0Wall = Date.now();
    const pids = await backendPids(database.db);
    const cpu0 = {
      workers: procs.reduce((s, p) => s + cpuSeconds(p.child.pid), 0),
      backends: pids.reduce((s, pid) => s + cpuSeconds(pid), 0),
    };
    const states = new Map<string, number>();
    let samples = 0;
    let completed = 0;
    let ms = 0;
    for (;;) {
      completed = (await countCompleted(database.db)) - warm;
      ms = performance.now() - t0;
      if (completed >= n || ms > DRAIN_TIMEOUT_MS) break;
      const dead = procs.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
      if (dead) throw new Error(`worker ${dead.app} exited (code ${dead.child.exitCode}):\n${dead.output.join('')}`);
      // Where each worker's backend is: running SQL, waiting on a lock, or waiting for its client (JS).
      // For a lock wait, the table of the statement that waits (all row locks the workers share).
      const activity = await sql<{ state: string | null; wait: string | null; target: string | null }>`
        select state, wait_event_type || ':' || wait_event as wait,
               case when wait_event_type = 'Lock' then substring(query from '(?:from|update|into)\\s+"?([a-z_]+)') end as target
        from pg_stat_activity
        where datname = current_database() and application_name like ${`${APP_PREFIX}%`}`.execute(database.db);
      for (const row of activity.rows) {
        const wait = row.wait === null ? '(on CPU)' : `${row.wait}${row.target ? ` on ${row.target}` : ''}`;
        const key = row.state === 'active' ? `active ${wait}` : (row.state ?? 'unknown');
        states.set(key, (states.get(key) ?? 0) + 1);
        samples++;
      }
      await sleep(POLL_MS);
    }
    const cpu = {
      workersS: round2(procs.reduce((s, p) => s + cpuSeconds(p.child.pid), 0) - cpu0.workers),
      backendsS: round2(pids.reduce((s, pid) => s + cpuSeconds(pid), 0) - cpu0.backends),
    };
    const cutShort = completed < n;
    // Timers left when the drain ends still get their chance to fire, then are measured.
    let timerResult: TimerLateness | undefined;
    if (timers > 0) {
      const ts = performance.now();
      while ((await countCompleted(database.db, TIMER_KEY)) < timers && performance.now() - ts < TIMER_SETTLE_MS) {
        await sleep(POLL_MS);
      }
      timerResult = await timerLateness(database.db, timers, t0Wall);
    }
    const codes = await stopWorkers(procs);
    if (codes.some((c) => c !== 0)) console.log(`    note: worker exit codes ${codes.join(', ')}`);
    if (!cutShort) await checkTransitions(database.db, warm + n);

    const backendStates: Record<string, number> = {};
    for (const [key, count] of [...states.entries()].sort((a, b) => b[1] - a[1])) {
      backendStates[key] = round2(count / Math.max(1, samples));
    }
    return {
      database: 'postgres',
      workers,
      n,
      completed,
      transitions: completed * STEPS,
      ms: round1(ms),
      ...drainFigures(ms, completed),
      createMs: round1(createMs),
      cutShort,
      backendStates,
      cpu,
      ...(timerResult ? { timers: timerResult } : {}),
    };
  } finally {
    await stopWorkers(procs);
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------
// pg-boss

async function runPgBoss(serverUrl: string, batchSize: number): Promise<Boss> {
  const url = await freshDatabase(serverUrl, `pgboss${batchSize}`);
  // Enough jobs to keep 4 workers busy for BOSS_TARGET_MS at their theoretical best (batch per poll).
  const n = Math.min(
    BOSS_MAX_N,
    Math.ceil((PG_WORKERS * batchSize * BOSS_TARGET_MS) / (BOSS_POLL_S * 1000) / 1000) * 1000,
  );
  const boss = new PgBoss({ connectionString: url, max: PG_WORKERS * 2 + 2 });
  const errors: string[] = [];
  boss.on('error', (error: Error) => {
    if (errors.length < 5) errors.push(error.message);
  });
  const monitor = new pg.Client({ connectionString: url });
  await monitor.connect();
  try {
    await boss.start();
    await boss.createQueue(BOSS_QUEUE);
    const te = performance.now();
    for (let i = 0; i < n; i += 1000) {
      const chunk = Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
        name: BOSS_QUEUE,
        data: { i: i + j },
      }));
      await boss.insert(chunk);
    }
    const enqueueMs = performance.now() - te;

    const t0 = performance.now();
    for (let w = 0; w < PG_WORKERS; w++) {
      await boss.work(BOSS_QUEUE, { batchSize, pollingIntervalSeconds: BOSS_POLL_S }, async () => {});
    }
    let completed = 0;
    let ms = 0;
    for (;;) {
      const result = await monitor.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where name = $1 and state = 'completed'`,
        [BOSS_QUEUE],
      );
      completed = result.rows[0]!.n;
      ms = performance.now() - t0;
      if (completed >= n || ms > DRAIN_TIMEOUT_MS) break;
      await sleep(POLL_MS);
    }
    if (errors.length) console.log(`    pg-boss errors: ${errors.join(' | ')}`);
    return {
      workers: PG_WORKERS,
      batchSize,
      pollingIntervalSeconds: BOSS_POLL_S,
      n,
      ms: round1(ms),
      jobsPerSec: round1((completed * 1000) / ms),
      enqueueMs: round1(enqueueMs),
      cutShort: completed < n,
    };
  } finally {
    await boss.stop({ graceful: false, wait: true, close: true, timeout: 5_000 });
    await monitor.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Output

function describeDrain(label: string, d: Drain): void {
  console.log(
    `  ${label.padEnd(34)} N=${String(d.n).padStart(5)}  ${String(round1(d.ms / 1000)).padStart(5)} s  ` +
      `${String(d.transitionsPerSec).padStart(8)} transitions/s  (${d.instancesPerSec} instances/s; created in ${round1(d.createMs / 1000)} s)` +
      `${d.cutShort ? `  [CUT SHORT: ${d.completed} completed]` : ''}${d.ms < MIN_MEASURE_MS ? '  [under 5 s: raise N]' : ''}`,
  );
  if (d.cpu) {
    const perK = (s: number) => round2((s * 1000) / Math.max(1, d.transitions));
    console.log(
      `      CPU during the drain: worker processes ${d.cpu.workersS} s, their PostgreSQL backends ${d.cpu.backendsS} s` +
        ` (${perK(d.cpu.workersS)} + ${perK(d.cpu.backendsS)} CPU-s per 1000 transitions; ${os.cpus().length} cores)`,
    );
  }
  if (d.backendStates) {
    const parts = Object.entries(d.backendStates).map(([k, v]) => `${k} ${Math.round(v * 100)}%`);
    console.log(`      worker backends sampled: ${parts.join(', ')}`);
  }
}

function describeTimers(label: string, t: TimerLateness, drain: Drain): void {
  console.log(
    `  ${label.padEnd(34)} n=${String(t.n).padStart(5)}  lateness p50 ${t.p50} ms, p95 ${t.p95} ms, p99 ${t.p99} ms, max ${t.max} ms; ` +
      `${t.over1s} over ${TIMER_LIMIT_MS} ms${t.fired < t.n ? ` (${t.n - t.fired} never fired)` : ''}`,
  );
  console.log(
    `      due ${round1(t.dueAfterStartMs[0] / 1000)}–${round1(t.dueAfterStartMs[1] / 1000)} s into the ${round1(drain.ms / 1000)} s drain;` +
      ` median backlog of unfinished ${WORKFLOW_KEY} instances at a timer's due time: ${t.backlogAtDueP50}`,
  );
}

function describeRaw(label: string, r: Raw): void {
  console.log(
    `  ${label.padEnd(34)} ${String(r.tx).padStart(7)} tx  ${String(round1(r.ms / 1000)).padStart(5)} s  ${String(r.txPerSec).padStart(8)} tx/s`,
  );
}

function describeBoss(label: string, b: Boss): void {
  console.log(
    `  ${label.padEnd(34)} N=${String(b.n).padStart(5)}  ${String(round1(b.ms / 1000)).padStart(5)} s  ` +
      `${String(b.jobsPerSec).padStart(8)} jobs/s  (batchSize ${b.batchSize}, polling ${b.pollingIntervalSeconds} s, ${b.workers} work() loops; ` +
      `enqueue ${round1(b.enqueueMs / 1000)} s)${b.cutShort ? '  [CUT SHORT]' : ''}`,
  );
}

function describeGraphile(label: string, g: GraphileResult): void {
  console.log(
    `  ${label.padEnd(34)} N=${String(g.n).padStart(5)}  ${String(round1(g.ms / 1000)).padStart(5)} s  ` +
      `${String(g.jobsPerSec).padStart(8)} jobs/s  (${g.processes} processes × concurrentJobs ${g.concurrentJobs}, ` +
      `localQueue ${g.localQueueSize}, completeJobBatchDelay ${g.completeJobBatchDelay}; enqueue ${round1(g.enqueueMs / 1000)} s)` +
      `${g.cutShort ? '  [CUT SHORT]' : ''}${g.ms < MIN_MEASURE_MS ? '  [under 5 s: raise --n-graphile]' : ''}`,
  );
  const perK = (x: number) => round2((x * 1000) / Math.max(1, g.n));
  console.log(
    `      CPU during the drain: runner processes ${g.cpu.workersS} s, their PostgreSQL backends ${g.cpu.backendsS} s` +
      ` (${perK(g.cpu.workersS)} + ${perK(g.cpu.backendsS)} CPU-s per 1000 jobs)`,
  );
}

const ratioOf = (a: number | undefined, b: number | undefined): number | null =>
  a !== undefined && b !== undefined && b > 0 ? round2(a / b) : null;

async function main(): Promise<void> {
  const withPGlite = !flag('--no-pglite');
  const withPg = !flag('--no-pg');
  const nPGlite = intOption('--n-pglite') ?? DEFAULT_N_PGLITE;
  const nPg = intOption('--n-pg') ?? DEFAULT_N_PG;
  const nTimers = flag('--no-timers') ? 0 : (intOption('--timers') ?? DEFAULT_TIMERS);
  const withGraphile = !flag('--no-graphile');
  const nGraphile = intOption('--n-graphile', 1_000, MAX_N_GRAPHILE) ?? DEFAULT_N_GRAPHILE;
  const graphileProcesses = intOption('--graphile-processes', 1, 16) ?? PG_WORKERS;
  const loadBefore = os.loadavg()[0]!;
  console.log(
    `engine bench: ${STEPS}-step workflow (${STEPS} × context.set, implicit end); node ${process.version}, ${os.cpus().length} CPU(s)`,
  );
  console.log(
    `  transitions = steps completed = instances × ${STEPS}; one worker transaction runs an instance's ${STEPS} steps`,
  );

  let pglite: { engine: Drain; raw: Raw } | undefined;
  if (withPGlite) {
    pglite = await runPGlite(nPGlite);
    describeDrain('PGlite engine, 1 in-process worker', pglite.engine);
    describeRaw('PGlite raw INSERT tx, 1 connection', pglite.raw);
  }

  let postgres:
    | {
        workerCommand: string;
        raw1: Raw;
        raw4: Raw;
        engine1: Drain;
        engine4: Drain;
        graphile: GraphileResult | undefined;
        boss: Boss;
        bossTuned: Boss;
      }
    | undefined;
  if (withPg) {
    const command = workerCommand();
    console.log(`  worker processes: ${command.label}`);
    const t = performance.now();
    const server = await startBenchPgServer();
    try {
      console.log(
        `  PostgreSQL server started in ${round1((performance.now() - t) / 1000)} s (scripts/pg-server.mjs); a fresh database per measurement`,
      );
      const rawUrl = await freshDatabase(server.url, 'raw');
      const raw1 = await rawInsertsPg(rawUrl, 1);
      describeRaw('PostgreSQL raw INSERT tx, 1 client', raw1);
      const raw4 = await rawInsertsPg(rawUrl, PG_WORKERS);
      describeRaw(`PostgreSQL raw INSERT tx, ${PG_WORKERS} clients`, raw4);

      const engine1 = await runPostgresEngine(server.url, command, 1, nPg);
      describeDrain('PostgreSQL engine, 1 worker process', engine1);
      // Enough work for ≥ 6 s even if 4 workers ran 1.5 × as fast as one (2 cores: they rarely do).
      const nPg4 =
        intOption('--n-pg4') ??
        Math.min(MAX_N, Math.max(nPg, Math.ceil((engine1.instancesPerSec * 1.5 * 6) / 100) * 100));
      const engine4 = await runPostgresEngine(server.url, command, PG_WORKERS, nPg4, nTimers);
      describeDrain(`PostgreSQL engine, ${PG_WORKERS} worker processes`, engine4);
      if (engine4.timers) describeTimers(`timers (PT${TIMER_MS / 1000}S) during that drain`, engine4.timers, engine4);

      let graphile: GraphileResult | undefined;
      if (withGraphile) {
        graphile = await runGraphileWorker(server.url, { processes: graphileProcesses, ...GRAPHILE_TUNED }, nGraphile, {
          env: childEnv(),
          pollMs: POLL_MS,
          timeoutMs: DRAIN_TIMEOUT_MS,
        });
        describeGraphile(`graphile-worker ${GRAPHILE_VERSION} tuned`, graphile);
      }

      const boss = await runPgBoss(server.url, BOSS_BATCH);
      describeBoss('pg-boss 10.4.2, 4 workers', boss);
      const bossTuned = await runPgBoss(server.url, BOSS_BATCH_TUNED);
      describeBoss('pg-boss 10.4.2, 4 workers (tuned)', bossTuned);
      postgres = { workerCommand: command.label, raw1, raw4, engine1, engine4, graphile, boss, bossTuned };
    } finally {
      server.stop();
    }
  }

  const ratio = ratioOf(postgres?.engine4.transitionsPerSec, postgres?.boss.jobsPerSec);
  const ratioVsGraphileTuned = ratioOf(postgres?.engine4.transitionsPerSec, postgres?.graphile?.jobsPerSec);
  const instanceRatioVsGraphileTuned = ratioOf(postgres?.engine4.instancesPerSec, postgres?.graphile?.jobsPerSec);
  const ratioVsRawInserts = ratioOf(postgres?.engine4.transitionsPerSec, postgres?.raw4.txPerSec);
  const ratio1Worker = ratioOf(postgres?.engine1.transitionsPerSec, postgres?.boss.jobsPerSec);
  const ratioVsRawInserts1Worker = ratioOf(postgres?.engine1.transitionsPerSec, postgres?.raw1.txPerSec);
  const ratioVsPgBossTuned = ratioOf(postgres?.engine4.transitionsPerSec, postgres?.bossTuned.jobsPerSec);
  const instanceRatioVsPgBoss = ratioOf(postgres?.engine4.instancesPerSec, postgres?.boss.jobsPerSec);
  const pgliteRatioVsRawInserts = ratioOf(pglite?.engine.transitionsPerSec, pglite?.raw.txPerSec);

  console.log('');
  console.log('  ratios (targets on PostgreSQL, 4 workers: ≥ 1.0 × graphile-worker tuned, ≥ 1.0 × raw inserts)');
  const show = (label: string, value: number | null, target?: number) =>
    console.log(
      `    ${label.padEnd(62)} ${value === null ? 'n/a' : `${value} ×`}${target !== undefined && value !== null ? (value >= target ? '  (target met)' : `  (BELOW target ${target})`) : ''}`,
    );
  show(`engine PG ${PG_WORKERS} workers ÷ graphile-worker tuned jobs/s`, ratioVsGraphileTuned, 1.0);
  show(`engine PG ${PG_WORKERS} workers ÷ raw inserts, ${PG_WORKERS} clients`, ratioVsRawInserts, 1.0);
  show(`engine PG ${PG_WORKERS} workers ÷ pg-boss (batch ${BOSS_BATCH}) jobs/s`, ratio, 1.0);
  show('engine PG 1 worker ÷ pg-boss (batch 50, 4 workers) jobs/s', ratio1Worker);
  show('engine PG 1 worker ÷ raw inserts, 1 client', ratioVsRawInserts1Worker);
  show(`engine PG ${PG_WORKERS} workers ÷ pg-boss tuned (batch ${BOSS_BATCH_TUNED}) jobs/s`, ratioVsPgBossTuned);
  show(`engine PG ${PG_WORKERS} workers instances/s ÷ graphile-worker tuned jobs/s`, instanceRatioVsGraphileTuned);
  show(`engine PG ${PG_WORKERS} workers instances/s ÷ pg-boss (batch ${BOSS_BATCH}) jobs/s`, instanceRatioVsPgBoss);
  show('engine PGlite ÷ raw inserts on PGlite (1 connection)', pgliteRatioVsRawInserts);
  console.log(`  note: PGlite runs with fsync off (no fsync at all); the PostgreSQL server: ${BENCH_PG_DURABILITY}`);
  const loadAfter = os.loadavg()[0]!;
  console.log(
    `  total ${round1((performance.now() - began) / 1000)} s; 1-min load average ${round2(loadBefore)} at start, ${round2(loadAfter)} at end` +
      ' (other work on this machine depresses every figure, not the ratios alone)',
  );

  const pick = (d: Drain | undefined) =>
    d && {
      n: d.n,
      ms: d.ms,
      transitionsPerSec: d.transitionsPerSec,
      instancesPerSec: d.instancesPerSec,
      cutShort: d.cutShort,
      ...(d.cpu ? { cpuWorkersS: d.cpu.workersS, cpuBackendsS: d.cpu.backendsS } : {}),
    };
  const pickBoss = (b: Boss | undefined) =>
    b && {
      n: b.n,
      ms: b.ms,
      jobsPerSec: b.jobsPerSec,
      workers: b.workers,
      batchSize: b.batchSize,
      pollingIntervalSeconds: b.pollingIntervalSeconds,
      cutShort: b.cutShort,
    };
  const result = {
    bench: 'engine',
    steps: STEPS,
    pgDurability: BENCH_PG_DURABLE ? 'default' : 'fsync-off',
    workerCommand: postgres?.workerCommand ?? null,
    pglite: pglite ? { engine: pick(pglite.engine), rawInsertsPerSec: pglite.raw.txPerSec } : null,
    postgres: postgres
      ? {
          engine1Worker: pick(postgres.engine1),
          engine4Workers: pick(postgres.engine4),
          rawInsertsPerSec1Client: postgres.raw1.txPerSec,
          rawInsertsPerSec4Clients: postgres.raw4.txPerSec,
          graphileTuned: postgres.graphile
            ? {
                n: postgres.graphile.n,
                ms: postgres.graphile.ms,
                jobsPerSec: postgres.graphile.jobsPerSec,
                processes: postgres.graphile.processes,
                concurrentJobs: postgres.graphile.concurrentJobs,
                localQueueSize: postgres.graphile.localQueueSize,
                completeJobBatchDelay: postgres.graphile.completeJobBatchDelay,
                cutShort: postgres.graphile.cutShort,
                cpuWorkersS: postgres.graphile.cpu.workersS,
                cpuBackendsS: postgres.graphile.cpu.backendsS,
              }
            : null,
          pgBoss: pickBoss(postgres.boss),
          pgBossTuned: pickBoss(postgres.bossTuned),
        }
      : null,
    engineTransitionsPerSecPglite: pglite?.engine.transitionsPerSec ?? null,
    engineTransitionsPerSecPg1: postgres?.engine1.transitionsPerSec ?? null,
    engineTransitionsPerSecPg4: postgres?.engine4.transitionsPerSec ?? null,
    rawInsertsPerSecPg1: postgres?.raw1.txPerSec ?? null,
    rawInsertsPerSecPg4: postgres?.raw4.txPerSec ?? null,
    graphileTunedJobsPerSec: postgres?.graphile?.jobsPerSec ?? null,
    pgBossJobsPerSec: postgres?.boss.jobsPerSec ?? null,
    pgBossTunedJobsPerSec: postgres?.bossTuned.jobsPerSec ?? null,
    ratio1Worker,
    ratioVsRawInserts1Worker,
    ratioVsPgBossTuned,
    instanceRatioVsGraphileTuned,
    instanceRatioVsPgBoss,
    pgliteRatioVsRawInserts,
    ratioVsGraphileTuned,
    ratioVsRawInserts,
    timerLatenessMs: postgres?.engine4.timers ?? null,
    loadAverage1m: [round2(loadBefore), round2(loadAfter)],
    elapsedMs: Math.round(performance.now() - began),
    ratio,
  };
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(`engine bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
