// Collections at portfolio scale: the seeded simulation of src/testing/collections-simulation (the one
// src/testing/collections-simulation/collections-simulation.test.ts checks at 10 000 accounts) over N accounts and D
// days of fake time on PostgreSQL, timed.
//
// 1. A throwaway PostgreSQL server (scripts/pg-server.mjs), or with DATABASE_URL=postgres://… a fresh
//    database on that server (dropped afterwards). A fresh, migrated database; the real finflow server
//    on it (startServer(), HTTP on 127.0.0.1) with no worker of its own, a manual clock, a pooled SMTP
//    sink and a Twilio-shaped SMS provider on 127.0.0.1 (src/testing/collections-simulation/world.ts).
// 2. simulatePortfolio(): N customers and N receivables loaded through the bulk sync in chunks of
//    2 000, the payments made ahead posted through the sync; then D days, each: the worker run at
//    02:00, 09:00, 13:00 and 19:00 UTC, the day's payments in one sync at 13:00, the open call and
//    approval tasks worked through the engine's task API, close of business at 23:00 and the worker
//    run again. Everything runs one step after another in this process, as the test runs it.
// 3. Counted afterwards in the database: collection cases opened, messages sent (channel_messages
//    sent or delivered), tasks created (wf_tasks), engine transitions (wf_history steps completed).
//    Rates are per second of the days phase (the load is reported apart): simulated days/s,
//    messages/s, tasks/s, transitions/s.
// 4. Baseline, same run, same server, a fresh database: single-row INSERT transactions
//    (BEGIN; INSERT INTO bench_raw …; COMMIT) over one pg connection for 5 s after a warm-up, as
//    bench/engine.ts measures them. ratio = engine transitions/s in the days phase ÷ raw INSERT tx/s:
//    the share of the database's plain write rate left once a transition is a step of the real
//    collections workflow (its case, stage, message, task, audit and events in the same transaction).
//
//   node --import tsx bench/collections.ts [--accounts N] [--days D] [--seed S] [--concurrency C] [--pglite]   (npm run bench:collections)
//
// --concurrency: the worker's claim loops (default 4, as `finflow serve` on PostgreSQL).
// --pglite: embedded PGlite in a temp data folder instead (one worker loop, as finflow runs it there);
//   the baseline is then the same single-row INSERT transactions on a PGlite data folder of its own.
//
// Defaults: 100 000 accounts, 120 days, seed 20260302. Prints progress lines, then as its very last
// stdout line one JSON object {"bench":"collections",…}.
import { startSimulationWorld, type SimulationWorld } from '../src/testing/collections-simulation/world.js';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { simulatePortfolio } from '../src/testing/collections-simulation/simulate.js';
import { DEFAULT_PG_WORKER_CONCURRENCY } from '../src/server.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import { freshPgDatabase, startBenchPgServer, type PgServer } from './pg-databases.js';

const DEFAULT_ACCOUNTS = 100_000;
const DEFAULT_DAYS = 120;
const DEFAULT_SEED = 20_260_302;
const RAW_WARMUP_TX = 500;
const RAW_MS = 5000;

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const seconds = (ms: number): number => Math.round(ms) / 1000;

function intOption(name: string, fallback: number, min: number, max: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number ${min}..${max}`);
  return n;
}

interface RawClient {
  query(text: string, params?: unknown[]): Promise<unknown>;
  end(): Promise<void>;
}

/** A PostgreSQL database's URL, or a PGlite data folder. */
async function rawClient(target: { url: string } | { dataDir: string }): Promise<RawClient> {
  if ('url' in target) {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    return client;
  }
  const pglite = await PGlite.create({ dataDir: target.dataDir });
  return { query: (text, params) => pglite.query(text, params), end: () => pglite.close() };
}

/** Single-row INSERT transactions over one connection for RAW_MS, after a warm-up (bench/engine.ts). */
async function rawInserts(
  target: { url: string } | { dataDir: string },
): Promise<{ tx: number; ms: number; txPerSec: number }> {
  const client = await rawClient(target);
  try {
    await client.query('CREATE TABLE bench_raw (id bigserial PRIMARY KEY, payload text)');
    const insert = async (n: number) => {
      await client.query('BEGIN');
      await client.query('INSERT INTO bench_raw (payload) VALUES ($1)', [`row ${n}`]);
      await client.query('COMMIT');
    };
    for (let i = 0; i < RAW_WARMUP_TX; i++) await insert(i);
    let tx = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < RAW_MS) await insert(tx++);
    const ms = performance.now() - t0;
    return { tx, ms: round1(ms), txPerSec: round1((tx * 1000) / ms) };
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const began = performance.now();
  const accounts = intOption('--accounts', DEFAULT_ACCOUNTS, 100, 1_000_000);
  const days = intOption('--days', DEFAULT_DAYS, 1, 730);
  const seed = intOption('--seed', DEFAULT_SEED, 0, 2 ** 31 - 1);
  const onPglite = process.argv.includes('--pglite');
  const workerConcurrency = onPglite ? 1 : intOption('--concurrency', DEFAULT_PG_WORKER_CONCURRENCY, 1, 64);
  const externalPg = onPglite ? undefined : process.env.DATABASE_URL || undefined;
  const tmp = onPglite ? mkdtempSync(path.join(os.tmpdir(), 'ff-collections-bench-')) : undefined;
  let pgServer: PgServer | undefined;
  let world: SimulationWorld | undefined;
  const dropAfter: Array<() => Promise<void>> = [];
  try {
    const adminUrl = tmp ? undefined : (externalPg ?? (pgServer = await startBenchPgServer()).url);
    console.log(
      `collections bench: ${accounts} accounts, ${days} days, seed ${seed} on ${tmp ? 'embedded PGlite (a data folder in a temp dir)' : externalPg ? 'PostgreSQL (DATABASE_URL, a fresh database)' : 'a throwaway PostgreSQL server'}`,
    );
    /** A fresh database for the raw baseline: its URL, or a PGlite data folder. */
    const freshRaw = async (): Promise<{ url: string } | { dataDir: string }> => {
      if (tmp) return { dataDir: mkdtempSync(path.join(tmp, 'raw-')) };
      const rawDb = await freshPgDatabase(adminUrl!, 'raw');
      dropAfter.push(rawDb.drop);
      return rawDb;
    };

    const rawBefore = await rawInserts(await freshRaw());
    console.log(`  baseline: ${rawBefore.txPerSec} single-row INSERT tx/s (${rawBefore.tx} in ${rawBefore.ms} ms)`);

    let database: Database;
    if (tmp) {
      database = await openDatabase({ dataDir: path.join(tmp, 'data') });
    } else {
      const simDb = await freshPgDatabase(adminUrl!, 'collections');
      dropAfter.push(simDb.drop);
      // The worker's claim loops, their call-outs and the HTTP calls of the simulated world share this pool.
      database = await openDatabase({ databaseUrl: simDb.url, poolSize: 12 });
    }
    await migrate(database);
    world = await startSimulationWorld(database);
    const sim = await simulatePortfolio(
      { database, engine: world.server.engine, clock: world.clock },
      {
        seed,
        accounts,
        days,
        log: (line) => console.log(`  ${line}`),
        logEvery: Math.max(1, Math.round(days / 12)),
        workerConcurrency,
      },
    );

    const counts = (
      await sql<{
        cases: number;
        messages: number;
        emails: number;
        sms: number;
        tasks: number;
        transitions: number;
        instances: number;
        failed: number;
      }>`SELECT
        (SELECT count(*)::int FROM collection_cases) AS cases,
        (SELECT count(*)::int FROM channel_messages WHERE status IN ('sent', 'delivered')) AS messages,
        (SELECT count(*)::int FROM channel_messages WHERE status IN ('sent', 'delivered') AND channel = 'email') AS emails,
        (SELECT count(*)::int FROM channel_messages WHERE status IN ('sent', 'delivered') AND channel = 'sms') AS sms,
        (SELECT count(*)::int FROM wf_tasks) AS tasks,
        (SELECT count(*)::int FROM wf_history WHERE event = 'completed') AS transitions,
        (SELECT count(*)::int FROM wf_instances) AS instances,
        (SELECT count(*)::int FROM wf_instances WHERE status = 'failed') AS failed`.execute(database.db)
    ).rows[0]!;
    await world.close();
    world = undefined;

    const rawAfter = await rawInserts(await freshRaw());
    const raw = rawAfter.txPerSec > rawBefore.txPerSec ? rawAfter : rawBefore;
    const t = sim.timings;
    const daysSec = t.daysMs / 1000;
    const perSec = (n: number) => round1(n / daysSec);
    const transitionsPerSec = counts.transitions / daysSec;
    const ratio = transitionsPerSec / raw.txPerSec;
    const delinquent = sim.accounts.filter((a) => a.behaviour !== 'on_time').length;

    console.log(`  baseline again: ${rawAfter.txPerSec} INSERT tx/s; the faster run counts`);
    console.log(
      `  load: ${accounts} receivables of ${new Set(sim.accounts.map((a) => a.customerExternalId)).size} customers and ${sim.payments.filter((p) => p.reason === 'ahead').length} payments ahead in ${seconds(t.loadMs)} s (the payments ${seconds(t.aheadMs)} s)`,
    );
    console.log(
      `  days: ${days} in ${seconds(t.daysMs)} s = ${round3(days / daysSec)} days/s (payments ${seconds(t.paymentsMs)} s, worker ${seconds(t.workerMs)} s, tasks ${seconds(t.tasksMs)} s, close of business ${seconds(t.cobMs)} s)`,
    );
    console.log(
      `  ${counts.cases} cases (${delinquent} accounts meant to fall overdue), ${counts.messages} messages (${perSec(counts.messages)}/s), ${counts.tasks} tasks (${perSec(counts.tasks)}/s), ${counts.transitions} transitions (${round1(transitionsPerSec)}/s), ${sim.payments.length} payments, ${counts.failed} failed instances`,
    );
    console.log(
      `  ratio = transitions/s ÷ raw INSERT tx/s = ${round1(transitionsPerSec)} ÷ ${raw.txPerSec} = ${round3(ratio)}; wall ${seconds(performance.now() - began)} s`,
    );
    console.log(
      JSON.stringify({
        bench: 'collections',
        database: tmp ? 'pglite' : 'postgres',
        accounts,
        customers: new Set(sim.accounts.map((a) => a.customerExternalId)).size,
        days,
        seed,
        workerConcurrency,
        wallSeconds: seconds(performance.now() - began),
        simulationSeconds: seconds(t.totalMs),
        loadSeconds: seconds(t.loadMs),
        aheadPaymentsSeconds: seconds(t.aheadMs),
        daysSeconds: seconds(t.daysMs),
        phases: {
          paymentsSeconds: seconds(t.paymentsMs),
          workerSeconds: seconds(t.workerMs),
          tasksSeconds: seconds(t.tasksMs),
          closeOfBusinessSeconds: seconds(t.cobMs),
        },
        daysPerSec: round3(days / daysSec),
        casesOpened: counts.cases,
        messagesSent: counts.messages,
        emails: counts.emails,
        sms: counts.sms,
        messagesPerSec: perSec(counts.messages),
        tasksCreated: counts.tasks,
        tasksPerSec: perSec(counts.tasks),
        transitions: counts.transitions,
        transitionsPerSec: round1(transitionsPerSec),
        instances: counts.instances,
        failedInstances: counts.failed,
        payments: sim.payments.length,
        promises: sim.promises.length,
        plans: sim.plans.length,
        rawInsertTxPerSec: raw.txPerSec,
        rawInsertRuns: [rawBefore.txPerSec, rawAfter.txPerSec],
        ratio: round3(ratio),
      }),
    );
    if (counts.failed > 0) process.exitCode = 1;
  } finally {
    await world?.close().catch(() => undefined);
    for (const drop of dropAfter) {
      await drop().catch((error: unknown) => console.error(`could not drop a bench database: ${String(error)}`));
    }
    pgServer?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`collections bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
