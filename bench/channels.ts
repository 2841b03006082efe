// Outbound channels: webhook delivery throughput through the outbox and the dispatcher, and email.send
// through the engine.
//
// 1. Webhooks. One subscription (`receivable.*`, an http:// URL on 127.0.0.1) and N engine events
//    (default 5 000, `receivable.overdue` with a realistic data object) published with
//    engine.publishManyInTx in transactions of 500, so the outbox listener writes one
//    webhook_deliveries row per event in the publishing transaction (timed apart: "enqueue"). Then the
//    dispatcher from createWebhookDispatcher() drains the outbox with runDue() until nothing is pending:
//    claim up to 20 (SELECT … FOR UPDATE SKIP LOCKED, lease), sign and POST them concurrently with no
//    transaction open, record the attempts and outcomes — the code `finflow serve` runs. The receiver
//    is a real node:http server on 127.0.0.1, in a worker thread (so its work does not share the event
//    loop with the sender), answering 204 and counting requests and distinct webhook-ids. The bench
//    fails unless it received exactly N requests with N distinct ids, every delivery is `delivered`
//    after one attempt, and a sample request verifies with the standardwebhooks library.
//
//    Baseline, in the same run, against the same receiver, no database: the same N bodies (read from the
//    outbox rows before the drain, bodyOf() as the dispatcher builds them), each signed with the same
//    signHeaders() and POSTed with fetch and the same options (redirect: manual, a timeout signal), with
//    the dispatcher's concurrency: its default batchSize of 20 (dispatcher.ts) sent at once with
//    Promise.all, then the next 20. The baseline runs before and again after the drain; the faster run
//    counts. ratio = webhook deliveries/s ÷ baseline POSTs/s, so it prices what the outbox bookkeeping
//    costs. Also reported, not in the ratio: the same POSTs with 20 always in flight (a sliding
//    window), and where the drain's time went — claim transactions (the first and the last tenth of the
//    rounds apart), record transactions, the rest (signing and HTTP) — by timing the transactions of
//    the Database handed to the dispatcher.
//    --analyze runs ANALYZE before the drain (not timed): the claim query's plan depends on statistics,
//    which PGlite never gathers (no autovacuum) and a fresh PostgreSQL table has not got yet.
//
// 2. email.send (not in the ratio). M customers (default 500; contact rules without quiet hours or
//    frequency caps, so the wall-clock time of the run cannot defer anything), a one-step workflow
//    sending the `payment_overdue` template by email.send, M instances started in one transaction (not
//    timed), then one worker loop (runUntilIdle, the `finflow serve` default of one claim loop) runs
//    them all through a real SMTP server (smtp-server, src/testing/smtp-test-server.ts, which parses
//    every message and, like smtp-server always does, waits 100 ms before greeting a new connection).
//    emailsPerSec = M ÷ drain seconds. For scale, no engine, no database: the rendered
//    message sent straight with nodemailer one after another, with a connection per message as
//    email.send's transport does (min(M, 100) messages: the cost is per connection) and over one pooled
//    connection (M messages).
//
//   node --import tsx bench/channels.ts [--events N] [--emails M] [--pg] [--analyze]   (npm run bench:channels)
//
// PGlite in memory by default; --pg (or FINFLOW_BENCH_PG=1) uses a throwaway PostgreSQL server from
// scripts/pg-server.mjs. --emails 0 skips part 2. Prints human lines, then as its very last stdout
// line one JSON object {"bench":"channels",…}.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { IncomingHttpHeaders } from 'node:http';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../src/config/config.js';
import { systemClock } from '../src/core/clock.js';
import { upsertCustomer } from '../src/domains/customers/customer-service.js';
import { inDomainTransaction } from '../src/domains/unit-of-work.js';
import type { DomainContext } from '../src/domains/contract.js';
import { registerDomainActions } from '../src/domain-list.js';
import {
  writeContactSettings,
  DEFAULT_CONTACT_SETTINGS,
} from '../src/domains/channels/contact-rules/contact-settings.js';
import { Engine } from '../src/engine/engine.js';
import { startInstance } from '../src/engine/runtime/start-instance.js';
import { outboundPolicy } from '../src/net/outbound-policy.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import { startSmtpTestServer, type SmtpTestServer } from '../src/testing/smtp-test-server.js';
import { bodyOf, type WebhookPayload } from '../src/domains/webhooks/outbound/outbox.js';
import { signHeaders } from '../src/domains/webhooks/outbound/signing.js';
import { createSubscription } from '../src/domains/webhooks/outbound/subscription-service.js';
import { createWebhookDispatcher } from '../src/domains/webhooks/outbound/webhooks-module.js';
import { startBenchPgServer, type PgServer } from './pg-databases.js';

const DEFAULT_EVENTS = 5_000;
const DEFAULT_EMAILS = 500;
/** The dispatcher's default batchSize (src/domains/webhooks/outbound/dispatcher.ts): deliveries sent concurrently. */
const DISPATCHER_CONCURRENCY = 20;
/** Events per publishing transaction. */
const PUBLISH_BATCH = 500;
const WARMUP_EVENTS = 200;
const WARMUP_POSTS = 500;
const WARMUP_EMAILS = 10;
/** Messages sent straight with a connection each (the cost is per connection, so a sample is enough). */
const DIRECT_EMAILS = 100;
const REQUEST_TIMEOUT_MS = 10_000; // the dispatcher's default timeoutMs
const DRAIN_LIMIT_MS = 150_000;

function intOption(name: string, fallback: number, min: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < min || n > 1_000_000) throw new Error(`${name} must be ${min}..1000000`);
  return n;
}
const flag = (name: string): boolean => process.argv.includes(name);
const round1 = (x: number): number => Math.round(x * 10) / 10;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const seconds = (ms: number): number => Math.round(ms) / 1000;

// ---------------------------------------------------------------------------------------------
// The receiver: node:http on 127.0.0.1 in a worker thread, 204 to every POST.

interface ReceiverStats {
  requests: number;
  distinctIds: number;
  bodyBytes: number;
  sample: { headers: IncomingHttpHeaders; body: string } | null;
}

const RECEIVER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
let requests = 0, bodyBytes = 0, ids = new Set(), sample = null;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    requests += 1;
    bodyBytes += body.length;
    if (req.headers['webhook-id']) ids.add(req.headers['webhook-id']);
    if (sample === null) sample = { headers: req.headers, body: body.toString('utf8') };
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m === 'stats') parentPort.postMessage({ requests, distinctIds: ids.size, bodyBytes, sample });
  if (m === 'reset') { requests = 0; bodyBytes = 0; ids = new Set(); sample = null; parentPort.postMessage({ reset: true }); }
  if (m === 'close') { server.closeAllConnections(); server.close(() => parentPort.postMessage({ closed: true })); }
});
`;

class Receiver {
  readonly #worker: Worker;
  url = '';

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  static async start(): Promise<Receiver> {
    const receiver = new Receiver(new Worker(RECEIVER_SOURCE, { eval: true }));
    const { port } = await receiver.#ask<{ port: number }>(null);
    receiver.url = `http://127.0.0.1:${port}/hooks/finflow`;
    return receiver;
  }

  /** Sends a command (or none) and waits for the next message from the thread. */
  #ask<T>(command: string | null): Promise<T> {
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
      if (command) this.#worker.postMessage(command);
    });
  }

  stats = () => this.#ask<ReceiverStats>('stats');
  reset = () => this.#ask<unknown>('reset');
  async close(): Promise<void> {
    await this.#ask('close');
    await this.#worker.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// Part 1: webhooks

/** A receivable.overdue event's data, shaped like what close of business publishes (docs/webhooks.md). */
function eventData(i: number) {
  const outstanding = String(100_000 + ((i * 7919) % 9_000_000));
  return {
    receivableId: `rcv_bench${String(i).padStart(21, '0')}`,
    externalId: `INV-${String(i).padStart(7, '0')}`,
    customerId: `cus_bench${String(i % 1000).padStart(21, '0')}`,
    customerExternalId: `C-${String(i % 1000).padStart(6, '0')}`,
    kind: 'invoice',
    currency: 'EUR',
    outstanding,
    overdueAmount: outstanding,
    dpd: 1 + (i % 90),
    bucket: '1-30',
    previousBucket: 'current',
    asOf: '2026-11-25',
  };
}

async function publishEvents(engine: Engine, database: Database, from: number, n: number): Promise<void> {
  for (let start = from; start < from + n; start += PUBLISH_BATCH) {
    const count = Math.min(PUBLISH_BATCH, from + n - start);
    await database.transaction((tx) =>
      engine.publishManyInTx(
        tx,
        Array.from({ length: count }, (_, k) => ({
          type: 'receivable.overdue',
          key: `rcv_bench${String(start + k).padStart(21, '0')}`,
          data: eventData(start + k),
          actor: 'system:bench',
        })),
      ),
    );
  }
}

async function countDeliveries(database: Database, status: string): Promise<number> {
  const result = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = ${status}`.execute(database.db);
  return result.rows[0]!.n;
}

/** Where the drain's time goes: the dispatcher's two transactions per round, told apart by what they return. */
interface Phases {
  claimMs: number;
  claims: number;
  recordMs: number;
  records: number;
  /** Every claim's ms, in order. */
  claimTimes: number[];
}

const newPhases = (): Phases => ({ claimMs: 0, claims: 0, recordMs: 0, records: 0, claimTimes: [] });
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function timedDatabase(database: Database, phases: Phases): Database {
  return {
    kind: database.kind,
    db: database.db,
    auditSealer: database.auditSealer,
    close: () => database.close(),
    async transaction(work) {
      const t = performance.now();
      const result = await database.transaction(work);
      const ms = performance.now() - t;
      // #record returns the outcomes ('delivered' | …); #claim returns the claimed rows (objects), or none.
      if (Array.isArray(result) && typeof result[0] === 'string') {
        phases.recordMs += ms;
        phases.records += 1;
      } else {
        phases.claimMs += ms;
        phases.claims += 1;
        phases.claimTimes.push(ms);
      }
      return result;
    },
  };
}

async function drain(database: Database, phases: Phases): Promise<{ ms: number; runs: number }> {
  // The receiver listens on 127.0.0.1: allowed explicitly, as the outbound URL policy requires.
  const dispatcher = createWebhookDispatcher(
    { database: timedDatabase(database, phases), clock: systemClock },
    { outbound: outboundPolicy({ allow: ['127.0.0.1'] }) },
  );
  const t0 = performance.now();
  let runs = 0;
  for (;;) {
    const counts = await dispatcher.runDue();
    runs += 1;
    if (counts.retrying > 0 || counts.dead > 0) {
      throw new Error(`the dispatcher saw failed attempts: ${JSON.stringify(counts)}`);
    }
    if (counts.attempted === 0) break;
    if (performance.now() - t0 > DRAIN_LIMIT_MS) throw new Error(`the drain passed ${DRAIN_LIMIT_MS / 1000} s`);
  }
  return { ms: performance.now() - t0, runs };
}

interface Outgoing {
  id: string;
  body: string;
}

/** One POST as the dispatcher sends it: signed now, same headers and fetch options; the 2xx is checked. */
async function post(url: string, secret: string, message: Outgoing): Promise<void> {
  const headers = {
    ...signHeaders(message.id, new Date(), message.body, [secret]),
    'content-type': 'application/json',
    'user-agent': 'finflow-webhooks/bench',
  };
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: message.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`baseline POST answered ${response.status}`);
}

/** `concurrency` requests in flight at all times. */
async function postSliding(url: string, secret: string, messages: Outgoing[], concurrency: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < messages.length) await post(url, secret, messages[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return performance.now() - t0;
}

/** Waves: `size` at once, wait for all, then the next `size` — the dispatcher's round, without the database. */
async function postWaves(url: string, secret: string, messages: Outgoing[], size: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < messages.length; i += size) {
    await Promise.all(messages.slice(i, i + size).map((m) => post(url, secret, m)));
  }
  return performance.now() - t0;
}

async function expectReceived(receiver: Receiver, n: number, what: string): Promise<ReceiverStats> {
  const stats = await receiver.stats();
  if (stats.requests !== n || stats.distinctIds !== n) {
    throw new Error(
      `${what}: the receiver got ${stats.requests} requests with ${stats.distinctIds} distinct webhook-ids, expected ${n}`,
    );
  }
  return stats;
}

interface WebhookResult {
  claimFirst: number;
  claimLast: number;
  enqueueMs: number;
  drainMs: number;
  runs: number;
  phases: Phases;
  bodyBytes: number;
  /** The faster of the two baseline runs. */
  baselineMs: number;
  baselineBeforeMs: number;
  baselineAfterMs: number;
  slidingMs: number;
}

async function webhooks(
  context: DomainContext,
  receiver: Receiver,
  n: number,
  analyze: boolean,
): Promise<WebhookResult> {
  const { database, engine } = context;
  const subscription = await inDomainTransaction(context, { actor: 'system:bench' }, (unit) =>
    createSubscription(unit, { url: receiver.url, eventTypes: ['receivable.*'], description: 'bench receiver' }),
  );

  // Warm-up (not timed): the whole path once, then the baseline's.
  await publishEvents(engine, database, 0, WARMUP_EVENTS);
  await drain(database, newPhases());
  await expectReceived(receiver, WARMUP_EVENTS, 'warm-up');
  await receiver.reset();

  const t = performance.now();
  await publishEvents(engine, database, WARMUP_EVENTS, n);
  const enqueueMs = performance.now() - t;
  const pending = await countDeliveries(database, 'pending');
  if (pending !== n) throw new Error(`the outbox holds ${pending} pending deliveries, expected ${n}`);
  console.log(
    `  enqueue: ${n} events published (${PUBLISH_BATCH} a transaction), ${pending} deliveries queued in ${seconds(enqueueMs)} s = ${round1(n / (enqueueMs / 1000))} events/s`,
  );

  // The baseline's bodies: exactly what the dispatcher will send (not timed).
  const rows = await database.db
    .selectFrom('webhook_deliveries')
    .select(['id', 'payload'])
    .where('status', '=', 'pending')
    .orderBy('id')
    .execute();
  const messages = rows.map((r) => ({ id: r.id, body: bodyOf(r.payload as WebhookPayload) }));
  const warm = Array.from({ length: WARMUP_POSTS }, (_, i) => ({ id: `msg_warmup${i}`, body: messages[0]!.body }));
  await postSliding(receiver.url, subscription.secret, warm, DISPATCHER_CONCURRENCY);
  await receiver.reset();

  const baselineBeforeMs = await postWaves(receiver.url, subscription.secret, messages, DISPATCHER_CONCURRENCY);
  const baseStats = await expectReceived(receiver, n, 'baseline');
  await receiver.reset();
  console.log(
    `  baseline: ${n} signed POSTs by fetch, ${DISPATCHER_CONCURRENCY} at once then the next ${DISPATCHER_CONCURRENCY}, no database: ${seconds(baselineBeforeMs)} s = ${round1(n / (baselineBeforeMs / 1000))} POSTs/s (bodies ${Math.round(baseStats.bodyBytes / n)} bytes on average)`,
  );
  const slidingMs = await postSliding(receiver.url, subscription.secret, messages, DISPATCHER_CONCURRENCY);
  await expectReceived(receiver, n, 'sliding window');
  await receiver.reset();
  console.log(
    `  the same with ${DISPATCHER_CONCURRENCY} always in flight (sliding window): ${seconds(slidingMs)} s = ${round1(n / (slidingMs / 1000))} POSTs/s`,
  );

  if (analyze) await sql`ANALYZE`.execute(database.db);
  const phases = newPhases();
  const drained = await drain(database, phases);
  const stats = await expectReceived(receiver, n, 'dispatcher');
  const delivered = await countDeliveries(database, 'delivered');
  const left = await countDeliveries(database, 'pending');
  const attempts = (
    await sql<{ n: number; over: number }>`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE attempts <> 1)::int AS over
      FROM webhook_deliveries WHERE status = 'delivered'`.execute(database.db)
  ).rows[0]!;
  if (delivered !== n + WARMUP_EVENTS || left !== 0 || attempts.over !== 0) {
    throw new Error(
      `after the drain: ${delivered} delivered (expected ${n + WARMUP_EVENTS}), ${left} pending, ${attempts.over} with more than one attempt`,
    );
  }
  if (stats.bodyBytes !== baseStats.bodyBytes) {
    throw new Error(`the dispatcher sent ${stats.bodyBytes} body bytes, the baseline ${baseStats.bodyBytes}`);
  }
  // A sample request verifies with the reference library (signature and timestamp tolerance).
  new Webhook(subscription.secret).verify(stats.sample!.body, stats.sample!.headers as Record<string, string>);
  await receiver.reset();
  // The baseline again after the drain; the faster of the two counts, so a busy moment of this shared
  // machine during one baseline cannot flatter the ratio.
  const baselineAfterMs = await postWaves(receiver.url, subscription.secret, messages, DISPATCHER_CONCURRENCY);
  await expectReceived(receiver, n, 'baseline after the drain');
  await receiver.reset();
  const baselineMs = Math.min(baselineBeforeMs, baselineAfterMs);
  const sendMs = drained.ms - phases.claimMs - phases.recordMs;
  const tenth = Math.max(1, Math.floor(phases.records / 10));
  const claimFirst = mean(phases.claimTimes.slice(0, tenth));
  const claimLast = mean(phases.claimTimes.slice(phases.records - tenth, phases.records));
  console.log(
    `  dispatcher: ${n} deliveries in ${seconds(drained.ms)} s = ${round1(n / (drained.ms / 1000))} deliveries/s ` +
      `(${phases.records} rounds of ≤ ${DISPATCHER_CONCURRENCY}, ${drained.runs} runDue calls); receiver got ${stats.requests} requests, ${stats.distinctIds} distinct webhook-ids; sample signature verified`,
  );
  console.log(
    `    time: claim transactions ${seconds(phases.claimMs)} s (${round3(phases.claimMs / phases.claims)} ms each; ` +
      `${round3(claimFirst)} ms in the first ${tenth} rounds, ${round3(claimLast)} ms in the last ${tenth}), ` +
      `record transactions ${seconds(phases.recordMs)} s (${round3(phases.recordMs / Math.max(1, phases.records))} ms each), ` +
      `signing + HTTP ${seconds(sendMs)} s (${round3(sendMs / Math.max(1, phases.records))} ms a round)`,
  );
  console.log(
    `  baseline again after the drain: ${seconds(baselineAfterMs)} s = ${round1(n / (baselineAfterMs / 1000))} POSTs/s; the ratio uses the faster, ${round1(n / (baselineMs / 1000))} POSTs/s`,
  );
  return {
    claimFirst,
    claimLast,
    enqueueMs,
    drainMs: drained.ms,
    runs: drained.runs,
    phases,
    bodyBytes: stats.bodyBytes,
    baselineMs,
    baselineBeforeMs,
    baselineAfterMs,
    slidingMs,
  };
}

// ---------------------------------------------------------------------------------------------
// Part 2: email.send

const SEND_EMAIL = `
key: bench-send-email
name: Bench - one email
input: { type: object }
steps:
  - id: send
    type: action
    action: email.send
    with:
      customer: '{{ input.customer }}'
      template: payment_overdue
      ifBlocked: skip
      data:
        amount: '{{ input.amount }}'
        currency: EUR
        reference: '{{ input.reference }}'
        dpd: 12
`;

interface EmailResult {
  m: number;
  drainMs: number;
  directN: number;
  directMs: number;
  pooledMs: number;
}

const customerRef = (i: number) => `MAIL-${String(i).padStart(6, '0')}`;

async function startEmails(context: DomainContext, from: number, m: number): Promise<void> {
  await context.database.transaction(async (tx) => {
    for (let i = from; i < from + m; i++) {
      await startInstance(tx, context.engine.services, {
        workflowKey: 'bench-send-email',
        input: { customer: customerRef(i), amount: String(10_000 + i), reference: `Loan L-${i}` },
        actor: 'system:bench',
      });
    }
  });
}

async function emails(context: DomainContext, smtp: SmtpTestServer, m: number): Promise<EmailResult> {
  const { database, engine } = context;
  await inDomainTransaction(context, { actor: 'system:bench' }, async (unit) => {
    // No quiet hours, no caps: whatever time the bench runs, every message may go out now.
    await writeContactSettings(unit, { ...DEFAULT_CONTACT_SETTINGS, quietHours: null, frequencyCaps: {} });
    for (let i = 0; i < m + WARMUP_EMAILS; i++) {
      await upsertCustomer(unit, {
        externalId: customerRef(i),
        name: `Bench Customer ${i}`,
        email: `customer${i}@example.com`,
        phone: null,
        language: 'en',
        timeZone: 'UTC',
      });
    }
  });
  await engine.deploy({ source: SEND_EMAIL, actor: 'system:bench' });
  const worker = engine.createWorker();

  await startEmails(context, m, WARMUP_EMAILS); // warm-up: the last WARMUP_EMAILS customers
  await worker.runUntilIdle();
  if (smtp.messages.length !== WARMUP_EMAILS) throw new Error(`warm-up: ${smtp.messages.length} emails received`);
  const sample = smtp.messages[0]!;
  smtp.messages.length = 0;

  await startEmails(context, 0, m);
  const t0 = performance.now();
  await worker.runUntilIdle();
  const drainMs = performance.now() - t0;
  const completed = (
    await sql<{ n: number }>`SELECT count(*)::int AS n FROM wf_instances
      WHERE workflow_key = 'bench-send-email' AND status = 'completed'`.execute(database.db)
  ).rows[0]!.n;
  const sent = (
    await sql<{ n: number }>`SELECT count(*)::int AS n FROM channel_messages WHERE status = 'sent'`.execute(database.db)
  ).rows[0]!.n;
  const recipients = new Set(smtp.messages.map((mail) => (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text));
  if (smtp.messages.length !== m || recipients.size !== m || completed !== m + WARMUP_EMAILS || sent !== completed) {
    throw new Error(
      `email.send: the SMTP server got ${smtp.messages.length} messages for ${recipients.size} recipients, ` +
        `${completed} instances completed, ${sent} channel_messages sent; expected ${m} (+ ${WARMUP_EMAILS} warm-up)`,
    );
  }
  console.log(
    `  email.send: ${m} instances, one worker loop: ${seconds(drainMs)} s = ${round1(m / (drainMs / 1000))} emails/s; the SMTP server received ${m} messages for ${m} recipients`,
  );

  // For scale: the rendered message straight to the SMTP server, no engine, no database.
  const mail = (i: number) => ({
    from: 'finflow <no-reply@finflow.invalid>',
    to: `direct${i}@example.com`,
    subject: sample.subject ?? '',
    html: typeof sample.html === 'string' ? sample.html : '',
    text: sample.text ?? '',
  });
  smtp.messages.length = 0;
  const directN = Math.min(m, DIRECT_EMAILS);
  const direct = nodemailer.createTransport(smtp.url);
  let t = performance.now();
  for (let i = 0; i < directN; i++) await direct.sendMail(mail(i));
  const directMs = performance.now() - t;
  direct.close();
  const port = Number(new URL(smtp.url).port);
  const pooled = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, pool: true, maxConnections: 1 });
  t = performance.now();
  for (let i = 0; i < m; i++) await pooled.sendMail(mail(directN + i));
  const pooledMs = performance.now() - t;
  pooled.close();
  if (smtp.messages.length !== directN + m) {
    throw new Error(`direct sends: ${smtp.messages.length} of ${directN + m} received`);
  }
  smtp.messages.length = 0;
  console.log(
    `  nodemailer direct, one after another: ${round1(directN / (directMs / 1000))} emails/s with a connection per message (${directN}, as email.send's transport), ` +
      `${round1(m / (pooledMs / 1000))} emails/s over one pooled connection`,
  );
  return { m, drainMs, directN, directMs, pooledMs };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = performance.now();
  const n = intOption('--events', DEFAULT_EVENTS, 1);
  const m = intOption('--emails', DEFAULT_EMAILS, 0);
  const withPg = flag('--pg') || process.env.FINFLOW_BENCH_PG === '1';
  const analyze = flag('--analyze');
  console.log(
    `channels bench: node ${process.version}, ${os.cpus().length} CPU(s), load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(
        ' ',
      )}; ${n} webhook events, ${m} emails; ${withPg ? 'PostgreSQL' : 'PGlite memory://'}${analyze ? '; ANALYZE before the drain' : ''}`,
  );
  let server: PgServer | undefined;
  let receiver: Receiver | undefined;
  let smtp: SmtpTestServer | undefined;
  let database: Database | undefined;
  try {
    const t = performance.now();
    if (withPg) server = await startBenchPgServer();
    database = await openDatabase(server ? { databaseUrl: server.url } : { dataDir: 'memory://' });
    await migrate(database);
    receiver = await Receiver.start();
    smtp = await startSmtpTestServer();
    const config = loadConfig({ env: {}, overrides: { smtpUrl: smtp.url, emailFrom: 'Bench <bench@finflow.test>' } });
    const engine = new Engine({ database });
    const context: DomainContext = { database, clock: systemClock, engine, config };
    registerDomainActions(context); // the outbox listener and email.send
    console.log(`  database opened and migrated, receivers started in ${round1((performance.now() - t) / 1000)} s`);

    const hooks = await webhooks(context, receiver, n, analyze);
    const mail = m > 0 ? await emails(context, smtp, m) : null;

    const deliveriesPerSec = n / (hooks.drainMs / 1000);
    const baselinePostsPerSec = n / (hooks.baselineMs / 1000);
    const ratio = deliveriesPerSec / baselinePostsPerSec;
    console.log(
      `  webhook deliveries/s ÷ baseline POSTs/s = ${round3(ratio)}; total ${round1((performance.now() - began) / 1000)} s`,
    );
    const { phases } = hooks;
    console.log(
      JSON.stringify({
        bench: 'channels',
        database: withPg ? 'postgres' : 'pglite',
        analyzed: analyze,
        events: n,
        concurrency: DISPATCHER_CONCURRENCY,
        enqueueSeconds: seconds(hooks.enqueueMs),
        enqueueEventsPerSec: round1(n / (hooks.enqueueMs / 1000)),
        webhookSeconds: seconds(hooks.drainMs),
        deliveriesPerSec: round1(deliveriesPerSec),
        requestsReceived: n,
        avgBodyBytes: Math.round(hooks.bodyBytes / n),
        rounds: phases.records,
        claimMsPerRound: round3(phases.claimMs / Math.max(1, phases.claims)),
        claimMsFirstTenth: round3(hooks.claimFirst),
        claimMsLastTenth: round3(hooks.claimLast),
        recordMsPerRound: round3(phases.recordMs / Math.max(1, phases.records)),
        sendMsPerRound: round3((hooks.drainMs - phases.claimMs - phases.recordMs) / Math.max(1, phases.records)),
        baselineSeconds: seconds(hooks.baselineMs),
        baselinePostsPerSec: round1(baselinePostsPerSec),
        baselineRunsPostsPerSec: [hooks.baselineBeforeMs, hooks.baselineAfterMs].map((ms) => round1(n / (ms / 1000))),
        baselineSlidingPostsPerSec: round1(n / (hooks.slidingMs / 1000)),
        emails: mail?.m ?? 0,
        emailSeconds: mail ? seconds(mail.drainMs) : null,
        emailsPerSec: mail ? round1(mail.m / (mail.drainMs / 1000)) : null,
        emailDirectPerSec: mail ? round1(mail.directN / (mail.directMs / 1000)) : null,
        emailPooledPerSec: mail ? round1(mail.m / (mail.pooledMs / 1000)) : null,
        elapsedMs: Math.round(performance.now() - began),
        ratio: round3(ratio),
      }),
    );
  } finally {
    await receiver?.close();
    await smtp?.close();
    await database?.close();
    server?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`channels bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
