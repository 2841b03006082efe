// Credit decisioning under sustained load: applications submitted over HTTP and auto-decided by the
// shipped `credit-application` workflow, beside the raw rate of the same five GoRules decisions
// evaluated in-process, in the same run.
//
// 1. A real finflow server (startServer(), as `finflow serve`: HTTP on 127.0.0.1, a random port, its
//    in-process engine worker, the system clock) on a fresh database, and a real HTTP credit bureau
//    (src/testing/fake-bureau.ts) configured with PUT /api/v1/credit/settings. The bureau and the load
//    generator run in a worker thread ("the outside"), so neither shares the server's event loop.
// 2. Warm-up: CREDIT_BENCH_WARMUP applications (default 50), waited for until decided. Then autocannon
//    9 drives POST /api/v1/credit/applications for CREDIT_BENCH_SECONDS (default 20) over
//    CREDIT_BENCH_CONNECTIONS connections (default 8, closed loop: each connection sends its next
//    request when the last is answered). Every request has its own Idempotency-Key and its own applicant
//    (externalId, nationalId, email, phone) with the contract's GOOD persona, whose bureau file is
//    filed just before the request is sent (setupRequest), so every application is auto-approved and a
//    loan is booked. After the load the bench polls the database until every application is decided,
//    and fails unless every one is `approved` with outcome `approve` and the bureau answered 200 once
//    per application. (autocannon drops its connections when the time is up; the requests the server
//    was handling then still commit, so the bench waits until the count of stored applications has
//    been steady for 1.5 s before it waits for the decisions.)
//    Figures: applications submitted (rows in the database; autocannon's 2xx count beside it), HTTP
//    submit latency p50/p99 (autocannon), sustained auto-decisions/s = applications decided ÷ (last
//    decided_at − first created_at), and end-to-end decision latency p50/p99 (decided_at − created_at
//    per application, both stamped by the server's clock). Under a closed loop that submits faster than
//    the worker decides, that latency is mostly queueing, so the bench also submits CREDIT_BENCH_SOLO
//    applications (default 20) one at a time after the drain, each waited for until decided, and
//    reports their decision latency (no queue in front of them).
// 3. Raw rate, same process as the server, while it is idle (after the warm-up and again after the
//    drain; the faster run counts): the five decisions (credit.scorecard, .knockouts, .anomalies,
//    .terms, .routing) read with GET /api/v1/decisions/{key} at the versions the server used, compiled
//    once with `new ZenEngine().createDecision(content)`, then evaluated one chain after another for
//    CREDIT_BENCH_RAW_SECONDS (default 3) with the inputs src/domains/credit/decisioning.ts builds, taken from a
//    warm-up application's stored assessment; each step awaits the previous one as decideApplication
//    does (terms needs the grade, routing the counts). The bench checks that the chain gives the
//    server's score, grade and outcome.
// ratio = sustained auto-decisions/s over HTTP ÷ raw decision chains/s. Also reported: the decision
// rate while the load ran and in the drain after it, and the event-loop utilisation of the server's
// thread (HTTP, engine worker, database client; PGlite itself) from the start of the load to the last
// decision.
//
//   node --import tsx bench/credit.ts [--pg]   (npm run bench:credit)
//
// PGlite on a fresh data folder in a temporary directory by default. With DATABASE_URL=postgres://…
// a fresh database is created on that server (and dropped afterwards); with --pg (or
// FINFLOW_BENCH_PG=1) a throwaway server from scripts/pg-server.mjs is started. On PostgreSQL,
// CREDIT_BENCH_WORKER_CONCURRENCY sets the engine worker's claim loops (default 4, as `finflow serve`).
// Prints human lines, then as its very last stdout line one JSON object {"bench":"credit",…}.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ZenEngine, type ZenDecision } from '@gorules/zen-engine';
import autocannon, { type Result as AutocannonResult } from 'autocannon';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.js';
import { secretStore } from '../src/config/secrets.js';
import { createLogger } from '../src/observability/logger.js';
import { DEFAULT_PG_WORKER_CONCURRENCY, startServer, type RunningServer } from '../src/server.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import type { FakeBureau } from '../src/testing/fake-bureau.js';
import { freshPgDatabase, startBenchPgServer, type PgServer } from './pg-databases.js';
import { GOOD_APPLICATION_TERMS } from '../src/testing/credit-application-body.js';

const DECISION_KEYS = ['credit.scorecard', 'credit.knockouts', 'credit.anomalies', 'credit.terms', 'credit.routing'];
/** Warm-up chains before each raw measurement. */
const RAW_WARMUP_CHAINS = 200;
const POLL_MS = 250;
const DRAIN_LIMIT_MS = 30 * 60_000;
const PROGRESS_MS = 10_000;
const SETTLE_MS = 1_500;
/** Polling for the one-at-a-time applications. */
const SOLO_POLL_MS = 20;

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer ${min}..${max}`);
  return n;
}
const round1 = (x: number): number => Math.round(x * 10) / 10;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const seconds = (ms: number): number => Math.round(ms) / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;

// ---------------------------------------------------------------------------------------------
// The GOOD persona (the credit contract): age 40, employed 60 months, income 4 000/month, expenses
// 1 000, bureau 790 estimating 4 000 with 200 of debts; 5 000 EUR over 24 months → grade A, approved.

/** Born on 1 July 41 years before this year: 40 or 41 whatever the day, never near a band edge. */
const DATE_OF_BIRTH = `${new Date().getUTCFullYear() - 41}-07-01`;
const NAME = 'Ana Gómez';
const GOOD_BUREAU = { score: 790, estimatedMonthlyIncome: 400_000, monthlyDebtPayments: 20_000, recentDefault: false };
const GOOD_APPLICATION = GOOD_APPLICATION_TERMS;

function applicationBody(externalId: string, nationalId: string, n: number): string {
  return JSON.stringify({
    applicant: {
      externalId,
      name: NAME,
      dateOfBirth: DATE_OF_BIRTH,
      nationalId,
      email: `${externalId.toLowerCase()}@example.com`,
      phone: `+346${String(n % 100_000_000).padStart(8, '0')}`,
      language: 'es',
      timeZone: 'Europe/Madrid',
    },
    ...GOOD_APPLICATION,
  });
}

// ---------------------------------------------------------------------------------------------
// The outside: the bureau and the load generator, in a worker thread (this same file).

interface LoadCommand {
  type: 'load';
  url: string;
  token: string;
  /** Prefix of externalIds (WARM-…, LOAD-…); nationalIds and Idempotency-Keys derive from it. */
  prefix: string;
  connections: number;
  /** A fixed number of requests (warm-up) or a duration. */
  amount?: number;
  durationSeconds?: number;
}

interface LoadResult {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  latencyP50: number;
  latencyP99: number;
  latencyMean: number;
  latencyMax: number;
  requestsPerSec: number;
  firstFailure: { status: number; body: string } | null;
}

type OutsideMessage =
  | { type: 'ready'; bureauUrl: string }
  | { type: 'loaded'; result: LoadResult }
  | { type: 'failed'; message: string }
  | { type: 'bureau'; statuses: Record<string, number> }
  | { type: 'closed' };

async function outside(): Promise<void> {
  const port = parentPort!;
  const { startFakeBureau } = await import('../src/testing/fake-bureau.js');
  const bureau: FakeBureau = await startFakeBureau();
  let serial = 0;

  const load = async (command: LoadCommand): Promise<LoadResult> => {
    bureau.requests.length = 0;
    let firstFailure: LoadResult['firstFailure'] = null;
    let sent = 0;
    const options: autocannon.Options = {
      url: `${command.url}/api/v1/credit/applications`,
      method: 'POST',
      connections: command.connections,
      ...(command.amount !== undefined ? { amount: command.amount } : { duration: command.durationSeconds ?? 20 }),
      headers: { authorization: `Bearer ${command.token}`, 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            serial += 1;
            sent += 1;
            const externalId = `${command.prefix}-${String(serial).padStart(7, '0')}`;
            const nationalId = `NID-${externalId}`;
            bureau.setReport(nationalId, { ...GOOD_BUREAU, name: NAME, dateOfBirth: DATE_OF_BIRTH });
            return {
              ...request,
              headers: { ...request.headers, 'idempotency-key': `bench-credit-${externalId}` },
              body: applicationBody(externalId, nationalId, serial),
            };
          },
          onResponse: (status, body) => {
            if ((status < 200 || status > 299) && firstFailure === null) firstFailure = { status, body };
          },
        },
      ],
    };
    // In a worker thread autocannon answers its raw per-thread result (it expects to be one of its own
    // workers); aggregateResult turns that into the usual Result, as it does on the main thread.
    const raw: unknown = await autocannon(options);
    const result = (
      autocannon as unknown as { aggregateResult: (results: unknown[], opts: object) => AutocannonResult }
    ).aggregateResult([raw], options);
    return {
      sent,
      ok: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      durationSeconds: result.duration,
      latencyP50: result.latency.p50,
      latencyP99: result.latency.p99,
      latencyMean: result.latency.average,
      latencyMax: result.latency.max,
      requestsPerSec: result['2xx'] / Math.max(0.001, result.duration),
      firstFailure,
    };
  };

  port.on('message', (message: LoadCommand | { type: 'bureau' } | { type: 'close' }) => {
    if (message.type === 'load') {
      load(message).then(
        (result) => port.postMessage({ type: 'loaded', result } satisfies OutsideMessage),
        (error: unknown) => port.postMessage({ type: 'failed', message: String(error) } satisfies OutsideMessage),
      );
    } else if (message.type === 'bureau') {
      // The bureau's answers since the last load started (its drain runs on after the load returned).
      const statuses: Record<string, number> = {};
      for (const r of bureau.requests) statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
      bureau.requests.length = 0;
      port.postMessage({ type: 'bureau', statuses } satisfies OutsideMessage);
    } else if (message.type === 'close') {
      void bureau.close().then(() => port.postMessage({ type: 'closed' } satisfies OutsideMessage));
    }
  });
  port.postMessage({ type: 'ready', bureauUrl: bureau.url } satisfies OutsideMessage);
}

class Outside {
  readonly #worker: Worker;
  bureauUrl = '';

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /** This file again in a worker thread, with tsx registered there (workers do not inherit --import hooks). */
  static async start(): Promise<Outside> {
    const boot =
      `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
      `.then((api) => { api.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const outside = new Outside(new Worker(boot, { eval: true, workerData: { role: 'outside' } }));
    const ready = await outside.#next<{ bureauUrl: string }>(null);
    outside.bureauUrl = ready.bureauUrl;
    return outside;
  }

  #next<T>(message: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onMessage = (m: T) => {
        this.#worker.off('error', onError);
        resolve(m);
      };
      const onError = (error: Error) => {
        this.#worker.off('message', onMessage);
        reject(error);
      };
      this.#worker.once('message', onMessage);
      this.#worker.once('error', onError);
      if (message !== null) this.#worker.postMessage(message);
    });
  }

  async load(command: Omit<LoadCommand, 'type'>): Promise<LoadResult> {
    const answer = await this.#next<OutsideMessage>({ type: 'load', ...command });
    if (answer.type !== 'loaded') throw new Error(`the load generator failed: ${JSON.stringify(answer)}`);
    return answer.result;
  }

  async bureauAnswers(): Promise<Record<string, number>> {
    return (await this.#next<{ statuses: Record<string, number> }>({ type: 'bureau' })).statuses;
  }

  async close(): Promise<void> {
    await this.#next({ type: 'close' });
    await this.#worker.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// The server side

type Json = Record<string, unknown>;

async function api(server: RunningServer, token: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${server.url}/api/v1${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} → ${response.status}: ${text.slice(0, 2000)}`);
  return JSON.parse(text) as Json;
}

interface AppTimes {
  id: string;
  status: string;
  outcome: string | null;
  created: number;
  decided: number | null;
}

async function applications(database: Database, prefix: string): Promise<AppTimes[]> {
  const result = await sql<{
    id: string;
    status: string;
    outcome: string | null;
    created_at: Date;
    decided_at: Date | null;
  }>`
    SELECT id, status, outcome, created_at, decided_at FROM credit_applications
     WHERE applicant->>'externalId' LIKE ${`${prefix}-%`}`.execute(database.db);
  return result.rows.map((r) => ({
    id: r.id,
    status: r.status,
    outcome: r.outcome,
    created: new Date(r.created_at).getTime(),
    decided: r.decided_at === null ? null : new Date(r.decided_at).getTime(),
  }));
}

async function countUndecided(database: Database, prefix: string): Promise<{ total: number; undecided: number }> {
  const result = await sql<{ total: number; undecided: number }>`
    SELECT count(*)::int AS total, count(*) FILTER (WHERE decided_at IS NULL)::int AS undecided
      FROM credit_applications WHERE applicant->>'externalId' LIKE ${`${prefix}-%`}`.execute(database.db);
  return result.rows[0]!;
}

/** Polls until every application of `prefix` is decided; prints progress every 10 s. */
async function waitDecided(database: Database, prefix: string, expected: number, pollMs = POLL_MS): Promise<number> {
  const t0 = performance.now();
  let lastReport = t0;
  for (;;) {
    const { total, undecided } = await countUndecided(database, prefix);
    if (total >= expected && undecided === 0) return performance.now() - t0;
    const now = performance.now();
    if (now - t0 > DRAIN_LIMIT_MS) {
      throw new Error(`after ${DRAIN_LIMIT_MS / 1000} s, ${undecided} of ${total} ${prefix} applications undecided`);
    }
    if (now - lastReport >= PROGRESS_MS) {
      lastReport = now;
      console.log(`    … ${undecided} of ${total} still undecided after ${round1((now - t0) / 1000)} s`);
    }
    await sleep(pollMs);
  }
}

/**
 * autocannon closes its connections when the time is up; requests the server was still handling then
 * commit afterwards. Waits until the number of stored applications has not changed for SETTLE_MS.
 */
async function settle(database: Database, prefix: string): Promise<number> {
  let last = -1;
  let stableSince = performance.now();
  for (;;) {
    const { total } = await countUndecided(database, prefix);
    if (total !== last) {
      last = total;
      stableSince = performance.now();
    } else if (performance.now() - stableSince >= SETTLE_MS) {
      return total;
    }
    await sleep(POLL_MS);
  }
}

function expectAllApproved(apps: AppTimes[], what: string): void {
  const byStatus: Record<string, number> = {};
  for (const a of apps) {
    const k = `${a.status}/${a.outcome ?? '-'}`;
    byStatus[k] = (byStatus[k] ?? 0) + 1;
  }
  const approved = byStatus['approved/approve'] ?? 0;
  if (approved !== apps.length || apps.some((a) => a.decided === null)) {
    throw new Error(`${what}: expected every application approved/approve, got ${JSON.stringify(byStatus)}`);
  }
}

function expectBureau(statuses: Record<string, number>, n: number, what: string): void {
  if (Object.keys(statuses).some((s) => s !== '200') || statuses['200'] !== n) {
    throw new Error(`${what}: the bureau answered ${JSON.stringify(statuses)}, expected ${n} × 200`);
  }
}

// ---------------------------------------------------------------------------------------------
// Raw: the same five decisions straight through zen-engine

interface RawChain {
  decisions: ZenDecision[];
  inputs: {
    scorecard: Json;
    knockouts: Json;
    anomalies: Json;
    terms: (grade: string) => Json;
    routing: (knockouts: number, grade: string, anomalies: number, terms: Json) => Json;
  };
  versions: Array<{ key: string; version: number }>;
}

/**
 * The inputs decideApplication builds (src/domains/credit/decisioning.ts), from a decided application's
 * stored assessment: the bureau summary, the history with us and the affordability it computed.
 */
function chainInputs(app: Json): RawChain['inputs'] {
  const assessment = app.assessment as {
    age: number;
    bureau: { found: boolean; score: number | null; estimatedMonthlyIncome: string | null; recentDefault: boolean };
    history: { maxDpd: number | null; applications30d: number; existingCustomer: boolean };
    affordability: { dti: number | null; disposableIncome: string };
  };
  const { age, bureau, history, affordability } = assessment;
  const employment = app.employment as { status: string; monthsInJob?: number };
  const income = Number(app.monthlyIncome);
  const amount = Number(app.amount);
  const estimate = bureau.estimatedMonthlyIncome === null ? null : Number(bureau.estimatedMonthlyIncome);
  const incomeGap =
    estimate === null || estimate === 0 ? null : Math.round((Math.abs(income - estimate) / estimate) * 10_000) / 10_000;
  return {
    scorecard: {
      bureau_score: bureau.score,
      dti: affordability.dti,
      employment_status: employment.status,
      months_in_job: employment.monthsInJob ?? null,
      internal_max_dpd: history.maxDpd,
    },
    knockouts: {
      age,
      recentDefault: bureau.recentDefault,
      dti: affordability.dti,
      internalMaxDpd: history.maxDpd,
      disposableIncome: Number(affordability.disposableIncome),
    },
    anomalies: {
      bureauFound: bureau.found,
      incomeGap,
      amountToAnnualIncome: income > 0 ? amount / (income * 12) : null,
      // The persona's name and date of birth agree everywhere; a new customer has no contact on file.
      identityMismatch: false,
      contactMismatch: false,
      applications30d: history.applications30d,
    },
    terms: (grade) => ({ grade, product: app.product, currency: app.currency }),
    routing: (knockouts, grade, anomalies, terms) => ({
      knockouts,
      grade,
      anomalies,
      withinTerms: amount <= Number(terms.maxAmount) && Number(app.termMonths) <= Number(terms.maxTermMonths),
      amount,
      autoApproveUpTo: terms.autoApproveUpTo,
    }),
  };
}

const hits = (result: unknown): number =>
  Array.isArray(result) ? result.filter((r) => typeof (r as { code?: unknown })?.code === 'string').length : 0;

/** One chain, each decision awaiting the one before, as decideApplication evaluates them. */
async function runChain(chain: RawChain): Promise<{ score: Json; routing: Json }> {
  const [scorecard, knockouts, anomalies, terms, routing] = chain.decisions as [
    ZenDecision,
    ZenDecision,
    ZenDecision,
    ZenDecision,
    ZenDecision,
  ];
  const score = (await scorecard.evaluate(chain.inputs.scorecard)).result as Json;
  const ko = hits((await knockouts.evaluate(chain.inputs.knockouts)).result);
  const an = hits((await anomalies.evaluate(chain.inputs.anomalies)).result);
  const grade = String(score.grade);
  const t = (await terms.evaluate(chain.inputs.terms(grade))).result as Json;
  const r = (await routing.evaluate(chain.inputs.routing(ko, grade, an, t))).result as Json;
  return { score, routing: r };
}

async function prepareRaw(server: RunningServer, token: string, app: Json): Promise<RawChain> {
  const used = app.decisions as Array<{ key: string; version: number }>;
  const engine = new ZenEngine();
  const decisions: ZenDecision[] = [];
  const versions: RawChain['versions'] = [];
  for (const key of DECISION_KEYS) {
    const stored = await api(server, token, 'GET', `/decisions/${encodeURIComponent(key)}`);
    const version = Number(stored.version);
    const pinned = used.find((u) => u.key === key);
    if (!pinned || pinned.version !== version) {
      throw new Error(`${key}: the server used ${JSON.stringify(pinned)}, GET /decisions answers version ${version}`);
    }
    decisions.push(engine.createDecision(stored.content as object));
    versions.push({ key, version });
  }
  const chain: RawChain = { decisions, inputs: chainInputs(app), versions };
  // The chain must reach what the server decided for the same application.
  const { score, routing } = await runChain(chain);
  const served = app.score as { score: number; grade: string };
  if (score.score !== served.score || score.grade !== served.grade || routing.outcome !== app.outcome) {
    throw new Error(
      `the raw chain gives score ${String(score.score)} grade ${String(score.grade)} outcome ${String(routing.outcome)}; ` +
        `the server decided score ${served.score} grade ${served.grade} outcome ${String(app.outcome)}`,
    );
  }
  return chain;
}

async function measureRaw(chain: RawChain, ms: number): Promise<{ chains: number; ms: number }> {
  for (let i = 0; i < RAW_WARMUP_CHAINS; i++) await runChain(chain);
  const t0 = performance.now();
  let chains = 0;
  while (performance.now() - t0 < ms) {
    await runChain(chain);
    chains += 1;
  }
  return { chains, ms: performance.now() - t0 };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = performance.now();
  const durationSeconds = intEnv('CREDIT_BENCH_SECONDS', 20, 1, 3600);
  const connections = intEnv('CREDIT_BENCH_CONNECTIONS', 8, 1, 1000);
  const warmup = intEnv('CREDIT_BENCH_WARMUP', 50, 1, 100_000);
  const rawMs = intEnv('CREDIT_BENCH_RAW_SECONDS', 3, 1, 600) * 1000;
  const workerConcurrency = intEnv('CREDIT_BENCH_WORKER_CONCURRENCY', DEFAULT_PG_WORKER_CONCURRENCY, 1, 64);
  const solo = intEnv('CREDIT_BENCH_SOLO', 20, 0, 10_000);
  const externalPg = process.env.DATABASE_URL || undefined;
  const throwawayPg = !externalPg && (process.argv.includes('--pg') || process.env.FINFLOW_BENCH_PG === '1');
  const onPg = Boolean(externalPg) || throwawayPg;
  console.log(
    `credit bench: node ${process.version}, ${os.cpus().length} CPU(s), load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}; ${
      externalPg
        ? 'PostgreSQL (DATABASE_URL, a fresh database)'
        : throwawayPg
          ? 'PostgreSQL (throwaway server)'
          : 'PGlite data folder'
    }; ${durationSeconds} s of load over ${connections} connections after ${warmup} warm-up applications`,
  );

  let pgServer: PgServer | undefined;
  let pgDatabase: { url: string; drop: () => Promise<void> } | undefined;
  let dataDir: string | undefined;
  let server: RunningServer | undefined;
  let outsideThread: Outside | undefined;
  try {
    const t = performance.now();
    if (throwawayPg) pgServer = await startBenchPgServer();
    const adminUrl = externalPg ?? pgServer?.url;
    if (adminUrl) pgDatabase = await freshPgDatabase(adminUrl, 'credit');
    else dataDir = mkdtempSync(path.join(os.tmpdir(), 'finflow-bench-credit-'));
    const database = await openDatabase(pgDatabase ? { databaseUrl: pgDatabase.url } : { dataDir: dataDir! });
    const config = loadConfig({
      env: {},
      overrides: {
        port: 0,
        host: '127.0.0.1',
        shutdownTimeoutMs: 5000,
        worker: true,
        workerConcurrency,
        // The fake bureau listens on 127.0.0.1, which the outbound URL policy refuses unless allowed.
        outboundAllow: ['127.0.0.1'],
        ...(dataDir ? { dataDir } : {}),
      },
    });
    server = await startServer(config, {
      database,
      logger: createLogger(process.env.FINFLOW_LOG_LEVEL ?? 'silent'),
      secrets: secretStore({}),
    });
    const token = server.bootstrapKey!.token;
    outsideThread = await Outside.start();
    const settings = await api(server, token, 'PUT', '/credit/settings', { bureau: { url: outsideThread.bureauUrl } });
    if ((settings.bureau as { url?: string } | null)?.url !== outsideThread.bureauUrl) {
      throw new Error(`PUT /credit/settings did not keep the bureau URL: ${JSON.stringify(settings)}`);
    }
    console.log(
      `  server ${server.url} (${database.kind}, worker concurrency ${onPg ? workerConcurrency : 1}) and bureau ${outsideThread.bureauUrl} ready in ${round1((performance.now() - t) / 1000)} s`,
    );

    // Warm-up: the whole path, waited for until decided.
    let t1 = performance.now();
    const warm = await outsideThread.load({
      url: server.url,
      token,
      prefix: 'WARM',
      connections: Math.min(connections, warmup),
      amount: warmup,
    });
    if (warm.ok !== warmup) {
      throw new Error(
        `warm-up: ${warm.ok} of ${warmup} answered 2xx; first failure ${JSON.stringify(warm.firstFailure)}`,
      );
    }
    await waitDecided(database, 'WARM', warmup);
    const warmApps = await applications(database, 'WARM');
    expectAllApproved(warmApps, 'warm-up');
    expectBureau(await outsideThread.bureauAnswers(), warmup, 'warm-up');
    console.log(
      `  warm-up: ${warmup} applications submitted and approved in ${round1((performance.now() - t1) / 1000)} s`,
    );

    // Raw chains while the server is idle.
    const sample = await api(server, token, 'GET', `/credit/applications/${warmApps[0]!.id}`);
    const chain = await prepareRaw(server, token, sample);
    const rawBefore = await measureRaw(chain, rawMs);
    console.log(
      `  raw zen-engine, ${chain.versions.map((v) => `${v.key}@${v.version}`).join(', ')}: ${rawBefore.chains} chains in ${seconds(rawBefore.ms)} s = ${round1(rawBefore.chains / (rawBefore.ms / 1000))} chains/s (${round3((rawBefore.ms / rawBefore.chains) * 1000)} µs a chain)`,
    );

    // Sustained load.
    t1 = performance.now();
    const loadStarted = Date.now();
    const eluStart = performance.eventLoopUtilization();
    const load = await outsideThread.load({ url: server.url, token, prefix: 'LOAD', connections, durationSeconds });
    const loadEnded = Date.now();
    if (load.non2xx > 0 || load.errors > 0) {
      throw new Error(
        `load: ${load.non2xx} non-2xx answers, ${load.errors} errors (${load.timeouts} timeouts); first failure ${JSON.stringify(load.firstFailure)}`,
      );
    }
    const atLoadEnd = await countUndecided(database, 'LOAD');
    const stored = await settle(database, 'LOAD');
    console.log(
      `  load: autocannon ${connections} connections for ${load.durationSeconds} s: ${load.ok} × 201 (${round1(load.requestsPerSec)} requests/s), ` +
        `submit latency p50 ${load.latencyP50} ms, p99 ${load.latencyP99} ms, mean ${round1(load.latencyMean)} ms, max ${load.latencyMax} ms; ` +
        `${atLoadEnd.total} stored (${stored} once the requests in flight had finished), ${atLoadEnd.total - atLoadEnd.undecided} already decided`,
    );
    await waitDecided(database, 'LOAD', stored);
    // How busy the server's event loop (this thread: HTTP, the engine worker, the database client) was
    // from the start of the load until every application was decided.
    const elu = performance.eventLoopUtilization(eluStart).utilization;
    const apps = await applications(database, 'LOAD');
    expectAllApproved(apps, 'load');
    const submitted = apps.length;
    if (submitted < load.ok || submitted > load.sent) {
      throw new Error(`${submitted} LOAD applications stored; autocannon got ${load.ok} × 2xx of ${load.sent} sent`);
    }
    expectBureau(await outsideThread.bureauAnswers(), submitted, 'load');
    const firstCreated = Math.min(...apps.map((a) => a.created));
    const lastCreated = Math.max(...apps.map((a) => a.created));
    const lastDecided = Math.max(...apps.map((a) => a.decided!));
    const decidedDuringLoad = apps.filter((a) => a.decided! <= loadEnded).length;
    const drainMs = Math.max(0, lastDecided - loadEnded);
    // The worker's pace while the submissions ran beside it, and once it had the server to itself.
    const duringLoadPerSec = decidedDuringLoad / (Math.max(1, loadEnded - firstCreated) / 1000);
    const inDrainPerSec = drainMs > 0 ? (submitted - decidedDuringLoad) / (drainMs / 1000) : null;
    const spanMs = lastDecided - firstCreated;
    const decisionsPerSec = submitted / (spanMs / 1000);
    const latencies = apps.map((a) => a.decided! - a.created).sort((a, b) => a - b);
    const submitsPerSec = submitted / (Math.max(1, lastCreated - firstCreated) / 1000);
    const e2e = {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies[latencies.length - 1]!,
      first10p50: percentile(
        apps
          .sort((a, b) => a.created - b.created)
          .slice(0, Math.max(1, Math.floor(apps.length / 10)))
          .map((a) => a.decided! - a.created)
          .sort((a, b) => a - b),
        0.5,
      ),
    };
    console.log(
      `  decided: all ${submitted} approved (${decidedDuringLoad} while the load ran, the rest in a ${seconds(drainMs)} s drain after it); ` +
        `first created → last decided ${seconds(spanMs)} s = ${round1(decisionsPerSec)} auto-decisions/s (submitted at ${round1(submitsPerSec)}/s; ` +
        `decided at ${round1(duringLoadPerSec)}/s while the load ran, ${inDrainPerSec === null ? '—' : round1(inDrainPerSec)}/s in the drain); ` +
        `decision latency (decided_at − created_at) p50 ${e2e.p50} ms, p99 ${e2e.p99} ms, max ${e2e.max} ms (p50 of the first tenth submitted: ${e2e.first10p50} ms); ` +
        `the server's event loop was busy ${Math.round(elu * 100)} % of the time from the start of the load to the last decision`,
    );

    // Unloaded: one application at a time, each waited for until decided (no queue in front of it).
    const soloLatencies: number[] = [];
    const soloBureau: Record<string, number> = {};
    for (let i = 0; i < solo; i++) {
      const one = await outsideThread.load({ url: server.url, token, prefix: 'SOLO', connections: 1, amount: 1 });
      if (one.ok !== 1) throw new Error(`solo application: ${JSON.stringify(one.firstFailure)}`);
      await waitDecided(database, 'SOLO', i + 1, SOLO_POLL_MS);
      // Each load starts a new count of the bureau's answers: add them up.
      for (const [status, n] of Object.entries(await outsideThread.bureauAnswers())) {
        soloBureau[status] = (soloBureau[status] ?? 0) + n;
      }
    }
    if (solo > 0) {
      const soloApps = await applications(database, 'SOLO');
      expectAllApproved(soloApps, 'one at a time');
      expectBureau(soloBureau, solo, 'one at a time');
      soloLatencies.push(...soloApps.map((a) => a.decided! - a.created).sort((a, b) => a - b));
      console.log(
        `  one at a time (no queue): ${solo} applications, decision latency p50 ${percentile(soloLatencies, 0.5)} ms, max ${soloLatencies[soloLatencies.length - 1]} ms`,
      );
    }

    // Raw chains again with the server idle; the faster run counts.
    const rawAfter = await measureRaw(chain, rawMs);
    const rawBeforePerSec = rawBefore.chains / (rawBefore.ms / 1000);
    const rawAfterPerSec = rawAfter.chains / (rawAfter.ms / 1000);
    const rawPerSec = Math.max(rawBeforePerSec, rawAfterPerSec);
    console.log(
      `  raw zen-engine again after the drain: ${round1(rawAfterPerSec)} chains/s; the ratio uses the faster, ${round1(rawPerSec)} chains/s`,
    );
    const ratio = decisionsPerSec / rawPerSec;
    console.log(
      `  auto-decisions/s over HTTP ÷ raw decision chains/s = ${round1(decisionsPerSec)} ÷ ${round1(rawPerSec)} = ${round3(ratio)}; total ${round1((performance.now() - began) / 1000)} s (load ${round1((loadEnded - loadStarted) / 1000)} s, drain ${seconds(drainMs)} s)`,
    );
    console.log(
      JSON.stringify({
        bench: 'credit',
        database: onPg ? 'postgres' : 'pglite',
        workerConcurrency: onPg ? workerConcurrency : 1,
        loadSeconds: load.durationSeconds,
        connections,
        warmup,
        submitted,
        submitted2xx: load.ok,
        submitsPerSec: round1(submitsPerSec),
        submitP50Ms: load.latencyP50,
        submitP99Ms: load.latencyP99,
        decided: submitted,
        approved: submitted,
        decidedDuringLoad,
        drainSeconds: seconds(drainMs),
        decisionsPerSecDuringLoad: round1(duringLoadPerSec),
        decisionsPerSecInDrain: inDrainPerSec === null ? null : round1(inDrainPerSec),
        decisionSpanSeconds: seconds(spanMs),
        decisionsPerSec: round1(decisionsPerSec),
        decisionP50Ms: e2e.p50,
        decisionP99Ms: e2e.p99,
        decisionMaxMs: e2e.max,
        decisionFirstTenthP50Ms: e2e.first10p50,
        serverEventLoopUtilization: round3(elu),
        soloDecisionP50Ms: solo > 0 ? percentile(soloLatencies, 0.5) : null,
        soloDecisionMaxMs: solo > 0 ? soloLatencies[soloLatencies.length - 1] : null,
        rawChainsPerSec: round1(rawPerSec),
        rawRunsChainsPerSec: [round1(rawBeforePerSec), round1(rawAfterPerSec)],
        rawChainMicros: round1(1e6 / rawPerSec),
        decisions: chain.versions,
        elapsedMs: Math.round(performance.now() - began),
        ratio: round3(ratio),
      }),
    );
  } finally {
    await outsideThread?.close().catch(() => undefined);
    await server?.close();
    await pgDatabase
      ?.drop()
      .catch((error: unknown) => console.error(`could not drop the bench database: ${String(error)}`));
    pgServer?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(`credit bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  });
} else if ((workerData as { role?: string } | null)?.role === 'outside') {
  await outside();
}
