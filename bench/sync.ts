// Core-system sync throughput: receivables and payments through `POST /api/v1/sync/{kind}` (a real
// server, chunks of MAX_SYNC_ROWS with an Idempotency-Key each, as a core system's client sends them)
// and through `finflow import` of a CSV file (checkFile, then importFile with the sync service, the
// CLI's code path, all-or-nothing in one outer transaction).
//
// Data: rows/5 customers (loaded first, not timed; every fourth with a credit limit), then `rows`
// receivables per path — four in five invoices (some already overdue), one in five 6-month annuity
// loans — and one payment per receivable (full, partial, or with an overpayment held as customer
// credit), so allocation, delinquency, exposure and the customer-credit liability all move.
//
// Baseline, measured in the same run on the same database: the same receivables and payments rows
// as values, inserted by plain multi-row INSERTs of 1 000 rows into copies of the receivables and
// payments tables in one transaction — the cost of storing the rows without validation, schedules,
// ledger postings, allocation, audit rows or events. ratio = sync rows/s ÷ baseline rows/s, for the
// slower of receivables and payments (each taken at the slower of its two paths).
//
// At the end it checks the results: row counts, every report's counts, the ledger balances per
// currency (debits = credits) and receivables:principal = the unpaid principal of all schedules,
// and the audit chain verifies.
//
//   node --import tsx bench/sync.ts [--rows N] [--pg]   (npm run bench:sync)
//
// PGlite in a temporary folder by default; --pg (or FINFLOW_BENCH_PG=1) uses a throwaway PostgreSQL
// server (scripts/pg-server.mjs) with default durability. Prints human lines, then as its very last
// stdout line one JSON object {"bench":"sync",…}.
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
// The server first: it extends zod with .openapi() before the domains' schemas are built.
import { startServer, type RunningServer } from '../src/server.js';
import { loadConfig } from '../src/config/config.js';
import { secretStore } from '../src/config/secrets.js';
import { systemClock } from '../src/core/clock.js';
import { checkFile } from '../src/domains/sync/import/check-file.js';
import { importFile } from '../src/domains/sync/import/import-file.js';
import { parseMapping } from '../src/domains/sync/import/mapping/parse-mapping.js';
import { MAX_SYNC_ROWS, syncRows, type SyncReport } from '../src/domains/sync/sync-service.js';
import { createLogger } from '../src/observability/logger.js';
import { verifyAuditChain } from '../src/storage/audit/audit-verify.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { BENCH_PG_DURABILITY, freshPgDatabase, startBenchPgServer, type PgServer } from './pg-databases.js';

const DEFAULT_ROWS = 100_000;
/** The API's body limit (bodyLimit middleware): a chunk must fit. */
const BODY_LIMIT = 10 * 1024 * 1024;

function intOption(name: string, fallback: number, min = 10, max = 10_000_000): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be ${min}..${max}`);
  return n;
}
const flag = (name: string): boolean => process.argv.includes(name);
const round1 = (x: number): number => Math.round(x * 10) / 10;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const pad = (i: number) => String(i).padStart(7, '0');

/** Receivable i of a path (H: HTTP, F: file): what is sent and what the baseline inserts. */
interface Rcv {
  externalId: string;
  customerExternalId: string;
  kind: 'invoice' | 'loan';
  issueDate: string;
  dueDate: string;
  amount: number;
}
/** Percent of receivables already past due when synced (each opens a collections case workflow). */
let overduePercent = 10;
function receivable(prefix: string, i: number, customers: number): Rcv {
  const loan = i % 5 === 0;
  const overdue = (i * 37) % 100 < overduePercent;
  return {
    externalId: `R-${prefix}-${pad(i)}`,
    customerExternalId: `C-${pad(1 + (i % customers))}`,
    kind: loan ? 'loan' : 'invoice',
    issueDate: overdue ? '2025-11-01' : '2026-02-01',
    dueDate: overdue ? '2025-11-30' : '2099-12-31',
    amount: loan ? 600_000 + i : 10_000 + (i % 90_000),
  };
}
function receivableRow(r: Rcv): Record<string, unknown> {
  return r.kind === 'loan'
    ? {
        externalId: r.externalId,
        customerExternalId: r.customerExternalId,
        kind: 'loan',
        currency: 'EUR',
        issueDate: r.issueDate,
        principal: String(r.amount),
        annualRate: '0.12',
        termMonths: 6,
        method: 'annuity',
        firstDueDate: r.issueDate === '2025-11-01' ? '2025-12-01' : '2099-03-01',
      }
    : {
        externalId: r.externalId,
        customerExternalId: r.customerExternalId,
        kind: 'invoice',
        currency: 'EUR',
        issueDate: r.issueDate,
        dueDate: r.dueDate,
        amount: String(r.amount),
      };
}

/** The payment of receivable i: invoices paid in full (every 7th: half; every 50th: 100 over), loans 150 000. */
interface Pay {
  externalId: string;
  receivableExternalId: string;
  amount: number;
  receivedOn: string;
}
function payment(prefix: string, i: number, customers: number): Pay {
  const r = receivable(prefix, i, customers);
  const amount =
    r.kind === 'loan' ? 150_000 : i % 50 === 0 ? r.amount + 100 : i % 7 === 0 ? Math.floor(r.amount / 2) : r.amount;
  return { externalId: `P-${prefix}-${pad(i)}`, receivableExternalId: r.externalId, amount, receivedOn: '2026-03-02' };
}
const paymentRow = (p: Pay) => ({
  externalId: p.externalId,
  receivableExternalId: p.receivableExternalId,
  amount: String(p.amount),
  currency: 'EUR',
  receivedOn: p.receivedOn,
});

const RECEIVABLES_MAPPING = `
kind: receivables
format: csv
delimiter: ";"
fields:
  externalId: { column: REF }
  customerExternalId: { column: CUST_NO }
  kind: { column: KIND }
  currency: { value: EUR }
  issueDate: { column: ISSUED }
  dueDate: { column: DUE, optional: true }
  amount: { column: AMOUNT, units: minor, optional: true }
  principal: { column: PRINCIPAL, units: minor, optional: true }
  annualRate: { column: RATE, optional: true }
  termMonths: { column: TERM, optional: true }
  method: { column: METHOD, optional: true }
  firstDueDate: { column: FIRST_DUE, optional: true }
`;
const RECEIVABLES_HEADER = 'REF;CUST_NO;KIND;ISSUED;DUE;AMOUNT;PRINCIPAL;RATE;TERM;METHOD;FIRST_DUE';
function receivableLine(r: Rcv): string {
  const row = receivableRow(r);
  const s = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  return [
    row.externalId,
    row.customerExternalId,
    row.kind,
    row.issueDate,
    row.dueDate,
    row.amount,
    row.principal,
    row.annualRate,
    row.termMonths,
    row.method,
    row.firstDueDate,
  ]
    .map(s)
    .join(';');
}

const PAYMENTS_MAPPING = `
kind: payments
format: csv
delimiter: ";"
fields:
  externalId: { column: REF }
  receivableExternalId: { column: RECEIVABLE }
  amount: { column: AMOUNT, units: minor }
  currency: { value: EUR }
  receivedOn: { column: VALUE_DATE }
`;
const PAYMENTS_HEADER = 'REF;RECEIVABLE;AMOUNT;VALUE_DATE';
const paymentLine = (p: Pay) => [p.externalId, p.receivableExternalId, p.amount, p.receivedOn].join(';');

async function writeLines(file: string, header: string, rows: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  for (let i = 1; i <= rows; i++) if (!out.write(`${line(i)}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** POST /sync/{kind} in chunks of MAX_SYNC_ROWS, one Idempotency-Key each; returns the summed counts. */
async function postChunks(
  server: RunningServer,
  token: string,
  kind: 'customers' | 'receivables' | 'payments',
  rows: number,
  row: (i: number) => unknown,
  label: string,
) {
  const counts = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  for (let from = 1; from <= rows; from += MAX_SYNC_ROWS) {
    const chunk: unknown[] = [];
    for (let i = from; i < from + MAX_SYNC_ROWS && i <= rows; i++) chunk.push(row(i));
    const body = JSON.stringify({ rows: chunk });
    if (body.length > BODY_LIMIT) throw new Error(`a chunk of ${chunk.length} ${kind} exceeds the body limit`);
    const res = await fetch(`${server.url}/api/v1/sync/${kind}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': `bench-${label}-${from}`,
      },
      body,
    });
    const report = (await res.json()) as SyncReport;
    if (res.status !== 200 || !report.committed || report.counts.failed > 0) {
      throw new Error(`POST /sync/${kind} answered ${res.status}: ${JSON.stringify(report).slice(0, 600)}`);
    }
    for (const key of Object.keys(counts) as Array<keyof typeof counts>) counts[key] += report.counts[key];
  }
  return counts;
}

async function runImport(database: Database, server: RunningServer, kind: 'receivables' | 'payments', file: string) {
  const mapping = parseMapping(kind === 'receivables' ? RECEIVABLES_MAPPING : PAYMENTS_MAPPING, kind);
  const context = { database, clock: systemClock, engine: server.engine };
  const checked = await checkFile(file, mapping);
  if (checked.issueCount > 0) throw new Error(`the ${kind} file has problems: ${JSON.stringify(checked.issues)}`);
  const report = await importFile(context, file, mapping, {
    mode: 'all_or_nothing',
    actor: 'system:bench',
    batchSize: MAX_SYNC_ROWS,
    checked,
    sync: syncRows,
  });
  if (!report.committed || report.issueCount > 0) {
    throw new Error(`the ${kind} import failed: ${JSON.stringify(report.issues.slice(0, 5))}`);
  }
  return report.counts;
}

/** The baseline: the same rows as values, multi-row INSERTs of 1 000 into copies of the tables, one transaction. */
async function baseline(database: Database, rows: number, customers: number) {
  await sql`CREATE TABLE bench_receivables (LIKE receivables INCLUDING ALL)`.execute(database.db);
  await sql`CREATE TABLE bench_payments (LIKE receivable_payments INCLUDING ALL)`.execute(database.db);
  const rcvs = Array.from({ length: rows }, (_, k) => receivable('B', k + 1, customers));
  const pays = Array.from({ length: rows }, (_, k) => payment('B', k + 1, customers));
  const now = new Date();
  let started = performance.now();
  await database.transaction(async (tx) => {
    for (let from = 0; from < rows; from += 1000) {
      const chunk = rcvs.slice(from, from + 1000);
      await sql`INSERT INTO bench_receivables (id, external_id, customer_id, kind, currency, status, issue_date,
          principal, schedule_method, first_due_date, maturity_date, total_due, outstanding, oldest_unpaid_due_date,
          metadata, created_at, updated_at, request_hash)
        VALUES ${sql.join(
          chunk.map(
            (r, k) =>
              sql`(${`rcv_bench${from + k}`}, ${r.externalId}, ${r.customerExternalId}, ${r.kind}, 'EUR', 'open',
                ${r.issueDate}::date, ${r.amount}::bigint, ${r.kind === 'loan' ? 'annuity' : 'single'}, ${r.dueDate}::date,
                ${r.dueDate}::date, ${r.amount}::bigint, ${r.amount}::bigint, ${r.dueDate}::date, '{}'::jsonb,
                ${now}, ${now}, ${r.externalId})`,
          ),
        )}`.execute(tx);
    }
  });
  const receivablesSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  await database.transaction(async (tx) => {
    for (let from = 0; from < rows; from += 1000) {
      const chunk = pays.slice(from, from + 1000);
      await sql`INSERT INTO bench_payments (id, external_id, receivable_id, customer_id, amount, currency,
          received_on, status, unallocated, journal_id, created_at, created_by, request_hash)
        VALUES ${sql.join(
          chunk.map(
            (p, k) =>
              sql`(${`pay_bench${from + k}`}, ${p.externalId}, ${p.receivableExternalId}, 'cus_bench', ${p.amount}::bigint,
                'EUR', ${p.receivedOn}::date, 'posted', 0, ${`pay_bench${from + k}`}, ${now}, 'system:bench', ${p.externalId})`,
          ),
        )}`.execute(tx);
    }
  });
  return { receivablesSeconds, paymentsSeconds: (performance.now() - started) / 1000 };
}

async function count(database: Database, table: string): Promise<number> {
  const result = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(table)}`.execute(database.db);
  return Number(result.rows[0]!.n);
}

/** Row counts, the ledger's balance per currency, receivables:principal against the schedules, the audit chain. */
async function verify(database: Database, rows: number, customers: number): Promise<string> {
  const problems: string[] = [];
  const expect = async (table: string, n: number) => {
    const found = await count(database, table);
    if (found !== n) problems.push(`${table}: ${found} rows, expected ${n}`);
  };
  await expect('customers', customers);
  await expect('receivables', 2 * rows);
  await expect('receivable_payments', 2 * rows);
  const unbalanced = await sql<{ currency: string; debits: string; credits: string }>`
    SELECT currency, SUM(debits_posted)::text AS debits, SUM(credits_posted)::text AS credits
    FROM ledger_accounts GROUP BY currency HAVING SUM(debits_posted) <> SUM(credits_posted)`.execute(database.db);
  for (const u of unbalanced.rows) problems.push(`ledger ${u.currency}: debits ${u.debits} ≠ credits ${u.credits}`);
  const principal = await sql<{ ledger: string | null; schedules: string }>`
    SELECT (SELECT debits_posted - credits_posted FROM ledger_accounts
            WHERE code = 'receivables:principal' AND currency = 'EUR')::text AS ledger,
           (SELECT SUM(principal_due - principal_paid) FROM installments)::text AS schedules`.execute(database.db);
  const p = principal.rows[0]!;
  if (p.ledger !== p.schedules) problems.push(`receivables:principal ${p.ledger} ≠ unpaid principal ${p.schedules}`);
  const credit = await sql<{ ledger: string | null; payments: string | null }>`
    SELECT (SELECT credits_posted - debits_posted FROM ledger_accounts
            WHERE code = 'liabilities:customer_credit' AND currency = 'EUR')::text AS ledger,
           (SELECT SUM(unallocated) FROM receivable_payments)::text AS payments`.execute(database.db);
  const c = credit.rows[0]!;
  if ((c.ledger ?? '0') !== (c.payments ?? '0')) {
    problems.push(`liabilities:customer_credit ${c.ledger} ≠ unallocated payments ${c.payments}`);
  }
  await database.auditSealer.sealNow();
  const audit = await verifyAuditChain(database.db);
  if (!audit.ok) problems.push(`audit chain: ${JSON.stringify(audit.problem)}`);
  if (problems.length > 0) throw new Error(`verification failed:\n  ${problems.join('\n  ')}`);
  return `${customers} customers, ${2 * rows} receivables and ${2 * rows} payments; ledger balanced; principal = schedules; audit chain ok (${audit.rowsChecked} rows)`;
}

async function main(): Promise<void> {
  const began = performance.now();
  const rows = intOption('--rows', DEFAULT_ROWS);
  overduePercent = intOption('--overdue', 10, 0, 100);
  const customers = Math.max(1, Math.floor(rows / 5));
  const withPg = flag('--pg') || process.env.FINFLOW_BENCH_PG === '1';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'finflow-bench-sync-'));
  let pgServer: PgServer | undefined;
  let pgDatabase: { url: string; drop: () => Promise<void> } | undefined;
  let server: RunningServer | undefined;
  try {
    console.log(
      `sync bench: node ${process.version}, ${os.cpus().length} CPU(s); ${rows} receivables and ${rows} payments per path, ${customers} customers; ${withPg ? 'PostgreSQL' : 'PGlite'}`,
    );
    let t = performance.now();
    const receivablesFile = path.join(dir, 'receivables.csv');
    const paymentsFile = path.join(dir, 'payments.csv');
    await writeLines(receivablesFile, RECEIVABLES_HEADER, rows, (i) => receivableLine(receivable('F', i, customers)));
    await writeLines(paymentsFile, PAYMENTS_HEADER, rows, (i) => paymentLine(payment('F', i, customers)));
    writeFileSync(path.join(dir, 'receivables.yaml'), RECEIVABLES_MAPPING);
    if (withPg) {
      pgServer = await startBenchPgServer();
      pgDatabase = await freshPgDatabase(pgServer.url, 'sync');
    }
    const dataDir = path.join(dir, 'data');
    const database = await openDatabase(pgDatabase ? { databaseUrl: pgDatabase.url } : { dataDir });
    const config = loadConfig({
      env: {},
      overrides: { port: 0, host: '127.0.0.1', shutdownTimeoutMs: 5000, worker: false, dataDir },
    });
    server = await startServer(config, {
      database,
      logger: createLogger(process.env.FINFLOW_LOG_LEVEL ?? 'silent'),
      secrets: secretStore({}),
    });
    const token = server.bootstrapKey!.token;
    const loaded = await postChunks(
      server,
      token,
      'customers',
      customers,
      (i) => ({
        externalId: `C-${pad(i)}`,
        name: `Customer ${i}`,
        ...(i % 4 === 0 ? { creditLimit: '2000000', limitCurrency: 'EUR' } : {}),
      }),
      'customers',
    );
    console.log(
      `  server ${server.url} (${database.kind}), files and ${loaded.created} customers ready in ${round1((performance.now() - t) / 1000)} s`,
    );

    const timed = async <T>(label: string, run: () => Promise<T>) => {
      const start = performance.now();
      const counts = await run();
      const seconds = (performance.now() - start) / 1000;
      const perSec = rows / seconds;
      console.log(
        `  ${label}: ${rows} rows in ${round1(seconds)} s = ${round1(perSec)} rows/s ${JSON.stringify(counts)}`,
      );
      const c = counts as { created: number };
      if (c.created !== rows) throw new Error(`${label}: ${c.created} created, expected ${rows}`);
      return { seconds: round3(seconds), perSec: round1(perSec) };
    };
    const http = {
      receivables: await timed('POST /sync/receivables', () =>
        postChunks(server!, token, 'receivables', rows, (i) => receivableRow(receivable('H', i, customers)), 'rcv'),
      ),
      payments: await timed('POST /sync/payments', () =>
        postChunks(server!, token, 'payments', rows, (i) => paymentRow(payment('H', i, customers)), 'pay'),
      ),
    };
    const file = {
      receivables: await timed('finflow import receivables', () =>
        runImport(database, server!, 'receivables', receivablesFile),
      ),
      payments: await timed('finflow import payments', () => runImport(database, server!, 'payments', paymentsFile)),
    };
    // Resending a chunk changes nothing (idempotency), cheaply checked on the first HTTP chunk.
    const again = await postChunks(
      server,
      token,
      'payments',
      Math.min(rows, MAX_SYNC_ROWS),
      (i) => paymentRow(payment('H', i, customers)),
      'again',
    );
    if (again.unchanged !== Math.min(rows, MAX_SYNC_ROWS)) throw new Error(`resent payments: ${JSON.stringify(again)}`);

    const base = await baseline(database, rows, customers);
    const baselineReceivables = rows / base.receivablesSeconds;
    const baselinePayments = rows / base.paymentsSeconds;
    console.log(
      `  baseline (multi-row INSERT of the rows as values): receivables ${round1(baselineReceivables)} rows/s, payments ${round1(baselinePayments)} rows/s`,
    );
    await sql`DROP TABLE bench_receivables, bench_payments`.execute(database.db);
    t = performance.now();
    console.log(`  verified: ${await verify(database, rows, customers)} (${round1((performance.now() - t) / 1000)} s)`);

    const receivablesPerSec = Math.min(http.receivables.perSec, file.receivables.perSec);
    const paymentsPerSec = Math.min(http.payments.perSec, file.payments.perSec);
    const ratioReceivables = receivablesPerSec / baselineReceivables;
    const ratioPayments = paymentsPerSec / baselinePayments;
    const ratio = Math.min(ratioReceivables, ratioPayments);
    console.log(
      `  sync/baseline: receivables ${round3(ratioReceivables)}, payments ${round3(ratioPayments)}; total ${round1((performance.now() - began) / 1000)} s`,
    );
    console.log(
      JSON.stringify({
        bench: 'sync',
        database: withPg ? 'postgres' : 'pglite',
        durability: withPg ? BENCH_PG_DURABILITY : 'PGlite (fsync off)',
        rows,
        customers,
        http,
        import: file,
        baseline: { receivablesPerSec: round1(baselineReceivables), paymentsPerSec: round1(baselinePayments) },
        receivablesPerSec,
        paymentsPerSec,
        ratio: round3(ratio),
      }),
    );
  } finally {
    await server?.close();
    await pgDatabase?.drop().catch(() => {});
    pgServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`sync bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
