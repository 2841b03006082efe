// bench:payments — N payment instructions through the whole outgoing path on PostgreSQL (fsync on):
// a CSV payment run of N lines (POST /payment-runs), each payment's approval workflow run by the
// server's worker (1 000 verified beneficiaries, small amounts: the shipped matrix approves them
// without a person; the anomaly checks are switched off, since a monthly payroll repeats amounts and
// references by design — their facts are still computed), then one batching run (POST /payment-batches) writing XSD-validated pain.001 files.
// Baseline in the same run: the same N rows inserted into a bare table in 1 000-row INSERTs and moved
// through the same two state changes by two set-based UPDATEs — the database work alone.
//
//   node --import tsx bench/payments.ts [--payments 10000]        (npm run bench:payments)
//
// Last line: {"bench":"payments",…,"ratio":X} where ratio = finflow's time ÷ the baseline's.
import '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';
import { startServer } from '../src/server.js';
import { anomalyChecksOff } from '../src/testing/anomaly-checks-off.js';
import { BENCH_PG_DURABILITY, freshPgDatabase, startBenchPgServer } from './pg-databases.js';

const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 10 || n > 100_000) throw new Error(`${name} must be a whole number 10..100000`);
  return n;
};
const N = option('--payments', 10_000);
const BENEFICIARIES = Math.min(N, 1000);
/** 1.01 … : every amount different, small enough for the matrix's automatic approval. */
const amountOf = (i: number) => 100 + i;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

const pgServer = await startBenchPgServer();
const fresh = await freshPgDatabase(pgServer.url, 'payments');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finflow-bench-payments-'));
const config = loadConfig({
  env: {},
  overrides: { port: 0, host: '127.0.0.1', dataDir, databaseUrl: fresh.url, fourEyesChanges: false },
});
const server = await startServer(config, { logger: createLogger('silent') });
try {
  const admin = server.bootstrapKey!.token;
  const call = async (method: string, route: string, token: string, body?: unknown, type = 'application/json') => {
    const res = await fetch(`${server.url}/api/v1${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'idempotency-key': randomUUID(),
        ...(body !== undefined ? { 'content-type': type } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const answer = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(answer).slice(0, 500)}`);
    return answer;
  };
  await call('PUT', '/decisions/payments.anomaly-checks', admin, anomalyChecksOff());
  const tess = String((await call('POST', '/api-keys', admin, { name: 'tess', role: 'treasurer' })).token);
  const anna = String((await call('POST', '/api-keys', admin, { name: 'anna', role: 'payment_approver' })).token);
  const account = await call('POST', '/bank-accounts', tess, {
    name: 'Payroll EUR',
    currency: 'EUR',
    iban: 'DE89370400440532013000',
    bic: 'COBADEFFXXX',
    ownerName: 'Bench GmbH',
    ledgerAccount: 'cash:bench',
  });
  const staff = await call('POST', '/beneficiaries', tess, {
    name: 'Staff',
    kind: 'employee',
    bankDetails: { iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPPXXX' },
  });
  const change = (staff.changes as Array<{ id: string }>)[0]!.id;
  await call('POST', `/beneficiaries/${String(staff.id)}/changes/${change}/approve`, anna, {});

  const db = server.database.db;
  // A payroll pays many people: BENEFICIARIES copies of the verified one (set-based, as the other
  // benches seed their data), each paid N / BENEFICIARIES times.
  const { rows: columns } = await sql<{ name: string }>`
    SELECT column_name AS name FROM information_schema.columns
     WHERE table_name = 'beneficiaries' AND table_schema = current_schema() AND column_name NOT IN ('id', 'name')`.execute(
    db,
  );
  const copied = sql.join(columns.map((c) => sql.ref(c.name)));
  await sql`INSERT INTO beneficiaries (id, name, ${copied})
    SELECT 'ben_bench' || lpad(i::text, 17, '0'), 'Employee ' || i, ${copied}
      FROM beneficiaries, generate_series(1, ${BENEFICIARIES}::int) AS i
     WHERE id = ${String(staff.id)}`.execute(db);
  const beneficiaryOf = (i: number) => `ben_bench${String(1 + (i % BENEFICIARIES)).padStart(17, '0')}`;
  // Baseline: the bare database work — N rows in 1 000-row INSERTs, then two set-based state changes.
  const baselineStarted = performance.now();
  await sql`CREATE TABLE bench_payments (id text PRIMARY KEY, amount bigint, status text, batch text)`.execute(db);
  for (let from = 1; from <= N; from += 1000) {
    const rows = [];
    for (let i = from; i <= Math.min(from + 999, N); i += 1) rows.push(sql`(${`p${i}`}, ${amountOf(i)}, 'pending')`);
    await sql`INSERT INTO bench_payments (id, amount, status) VALUES ${sql.join(rows)}`.execute(db);
  }
  await sql`UPDATE bench_payments SET status = 'approved'`.execute(db);
  await sql`UPDATE bench_payments SET status = 'batched', batch = 'b1'`.execute(db);
  const baselineMs = performance.now() - baselineStarted;

  const lines = ['beneficiaryId,amount,sourceRef,remittance'];
  for (let i = 1; i <= N; i += 1) {
    const minor = amountOf(i);
    lines.push(
      `${beneficiaryOf(i)},${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')},PAY-${i},Salary`,
    );
  }
  const csv = lines.join('\n');

  const started = performance.now();
  const run = await call('POST', `/payment-runs?bankAccountId=${String(account.id)}`, tess, csv, 'text/csv');
  const runMs = performance.now() - started;
  if (run.paymentCount !== N) throw new Error(`the run holds ${String(run.paymentCount)} payments, not ${N}`);

  // The worker runs every approval workflow; counted in the database.
  const approvedAt = async () => {
    for (;;) {
      const { rows } = await sql<{ n: number; waiting: number }>`
        SELECT count(*) FILTER (WHERE status = 'approved')::int AS n,
               count(*) FILTER (WHERE status = 'pending_approval')::int AS waiting
          FROM payment_instructions`.execute(db);
      if (rows[0]!.n === N) return performance.now();
      if (rows[0]!.n + rows[0]!.waiting < N) throw new Error(`payments left the path: ${JSON.stringify(rows[0])}`);
      await sleep(100);
    }
  };
  const approved = await approvedAt();
  const approveMs = approved - started - runMs;

  const batches = (await call('POST', '/payment-batches', tess, { maxPerFile: N })).data as Array<{
    numberOfTransactions: number;
  }>;
  const batchMs = performance.now() - approved;
  const batched = batches.reduce((n, b) => n + b.numberOfTransactions, 0);
  if (batched !== N) throw new Error(`${batched} of ${N} payments batched`);
  const finflowMs = performance.now() - started;
  clearInterval(sampler);

  const perSecond = (ms: number) => Math.round(N / (ms / 1000));
  console.log(`payments bench on PostgreSQL (${BENCH_PG_DURABILITY}), ${N} instructions`);
  console.log(`  baseline (${N} rows inserted + two set-based state changes): ${Math.round(baselineMs)} ms`);
  console.log(`  CSV run (POST /payment-runs, ${N} lines): ${Math.round(runMs)} ms, ${perSecond(runMs)}/s`);
  console.log(`  approvals (${N} workflows by the worker): ${Math.round(approveMs)} ms, ${perSecond(approveMs)}/s`);
  console.log(
    `  batching (${batches.length} XSD-valid pain.001 file(s)): ${Math.round(batchMs)} ms, ${perSecond(batchMs)}/s`,
  );
  console.log(`  end to end: ${Math.round(finflowMs)} ms, ${perSecond(finflowMs)} instructions/s`);
  console.log(`  peak RSS of the process (server + bench): ${Math.round(peakRss / 1024 / 1024)} MB`);
  console.log(
    JSON.stringify({
      bench: 'payments',
      database: 'postgresql',
      payments: N,
      baseline_ms: Math.round(baselineMs),
      run_ms: Math.round(runMs),
      approve_ms: Math.round(approveMs),
      batch_ms: Math.round(batchMs),
      finflow_ms: Math.round(finflowMs),
      instructions_per_s: perSecond(finflowMs),
      files: batches.length,
      peak_rss_mb: Math.round(peakRss / 1024 / 1024),
      ratio: Math.round((finflowMs / baselineMs) * 100) / 100,
    }),
  );
} finally {
  clearInterval(sampler);
  await server.close();
  await fresh.drop();
  pgServer.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
