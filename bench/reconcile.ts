// bench:reconcile — a 100 000-entry camt.053 against 100 000 open receivables on PostgreSQL (fsync on):
// the statement (written to a file first) streamed over HTTP to POST /statements (import + matching as the route runs them),
// beside a bare SQL baseline in the same run: the same 100 000 keys inserted into a table and hash
// joined with the receivables on the reference. Peak RSS of the process is reported.
//
//   node --import tsx bench/reconcile.ts [--lines 100000]        (npm run bench:reconcile)
//
// A second yardstick, the write floor: the rows finflow wrote, written again by bare SQL in the same
// run (see below), so the figure separates what the writes cost from what finflow adds to them.
//
// Last line: {"bench":"reconcile",…,"ratio":X} where ratio = finflow's time ÷ the baseline's.
import '@hono/zod-openapi';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';
import { startServer } from '../src/server.js';
import { camt053Pieces, type CamtEntrySpec } from '../src/testing/camt053-file.js';
import { BENCH_PG_DURABILITY, freshPgDatabase, startBenchPgServer } from './pg-databases.js';

const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 10 || n > 1_000_000) throw new Error(`${name} must be a whole number 10..1000000`);
  return n;
};
const LINES = option('--lines', 100_000);
const IBAN = 'DE89370400440532013000';
const DAY = '2026-03-04';
const pad = (i: number) => String(i).padStart(8, '0');
/** The reference of receivable i, as its invoice carries it and its payer writes it. */
const ref = (i: number) => `INV${pad(i)}`;
const amountOf = (i: number) => BigInt(10_000 + (i % 5000));

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

const pgServer = await startBenchPgServer();
const fresh = await freshPgDatabase(pgServer.url, 'reconcile');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finflow-bench-reconcile-'));
const config = loadConfig({
  env: {},
  overrides: { port: 0, host: '127.0.0.1', worker: false, dataDir, databaseUrl: fresh.url, fourEyesChanges: false },
});
const server = await startServer(config, { logger: createLogger('silent') });
try {
  const token = server.bootstrapKey!.token;
  const account = await fetch(`${server.url}/api/v1/bank-accounts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'bench' },
    body: JSON.stringify({
      name: 'Bench',
      currency: 'EUR',
      iban: IBAN,
      ownerName: 'Bench',
      ledgerAccount: 'cash:bench',
    }),
  });
  if (account.status !== 201) throw new Error(`bank account: ${account.status} ${await account.text()}`);

  // 100 000 open invoices (set-based, as the console bench loads them), one per reference.
  const db = server.database.db;
  await sql`INSERT INTO customers (id, external_id, name, segment, created_at, updated_at)
    SELECT 'cus_bench' || lpad(c::text, 17, '0'), 'BENCH-C' || c, 'Bench customer ' || c, 'retail', now(), now()
      FROM generate_series(1, ${Math.ceil(LINES / 10)}::int) AS c`.execute(db);
  await sql`INSERT INTO receivables (id, external_id, customer_id, kind, currency, status, issue_date, payment_terms,
      principal, schedule_method, first_due_date, maturity_date, total_due, total_paid, outstanding,
      oldest_unpaid_due_date, dpd, bucket, overdue_since, created_at, updated_at, request_hash)
    SELECT 'rcv_bench' || lpad(i::text, 17, '0'), 'INV' || lpad(i::text, 8, '0'),
           'cus_bench' || lpad((1 + (i - 1) % ${Math.ceil(LINES / 10)}::int)::text, 17, '0'),
           'invoice', 'EUR', 'open', date '2026-02-01', 'net 30', 10000 + i % 5000, 'single',
           date '2026-03-03', date '2026-03-03', 10000 + i % 5000, 0, 10000 + i % 5000,
           date '2026-03-03', 1, '1-30', date '2026-03-03', now(), now(), 'bench'
      FROM generate_series(1, ${LINES}::int) AS i`.execute(db);
  await sql`INSERT INTO installments (receivable_id, seq, due_date, principal_due, interest_due)
    SELECT 'rcv_bench' || lpad(i::text, 17, '0'), 1, date '2026-03-03', 10000 + i % 5000, 0
      FROM generate_series(1, ${LINES}::int) AS i`.execute(db);
  await sql`ANALYZE`.execute(db);

  // Baseline: the same keys and amounts into a table, in 1 000-row INSERTs, then one hash join.
  const baselineStarted = performance.now();
  await sql`CREATE TABLE bench_keys (ref text, amount bigint)`.execute(db);
  for (let from = 0; from < LINES; from += 1000) {
    const rows = [];
    for (let i = from + 1; i <= Math.min(from + 1000, LINES); i += 1) rows.push(sql`(${ref(i)}, ${amountOf(i)})`);
    await sql`INSERT INTO bench_keys (ref, amount) VALUES ${sql.join(rows)}`.execute(db);
  }
  const { rows: joined } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM bench_keys k JOIN receivables r ON r.external_id = k.ref AND r.outstanding = k.amount`.execute(
    db,
  );
  const baselineMs = performance.now() - baselineStarted;
  if (joined[0]!.n !== LINES) throw new Error(`baseline joined ${joined[0]!.n} of ${LINES}`);

  // finflow: the statement streamed to POST /statements.
  function* entries(): Generator<CamtEntrySpec> {
    for (let i = 1; i <= LINES; i += 1) {
      yield {
        amount: amountOf(i),
        direction: 'CRDT',
        bookingDate: DAY,
        accountServicerReference: `BANK${pad(i)}`,
        unstructured: `Payment ${ref(i)}`,
        counterpartyName: `Bench customer ${1 + ((i - 1) % Math.ceil(LINES / 10))}`,
      };
    }
  }
  // The bank's file exists before it is uploaded: written to disk first (untimed), then streamed
  // from there, so the figure is finflow's work, not the bench generating XML on the same cores.
  const statementFile = path.join(dataDir, 'statement.xml');
  const out = createWriteStream(statementFile);
  for await (const piece of camt053Pieces(
    { messageId: 'BENCH-1', statementId: 'BENCH-S1', iban: IBAN, currency: 'EUR', opening: 0n, date: DAY },
    entries(),
  )) {
    if (!out.write(piece)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const fileMb = statSync(statementFile).size / 1024 / 1024;
  const body = Readable.toWeb(createReadStream(statementFile)) as ReadableStream<Uint8Array>;
  const started = performance.now();
  const response = await fetch(`${server.url}/api/v1/statements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' },
    body,
    duplex: 'half',
  });
  const answer = (await response.json()) as { newEntries?: number; matched?: number };
  const finflowMs = performance.now() - started;
  if (response.status !== 201) throw new Error(`POST /statements: ${response.status} ${JSON.stringify(answer)}`);
  const { rows: counted } = await sql<{ n: number; matched: number }>`
    SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'matched')::int AS matched FROM bank_entries`.execute(
    db,
  );
  clearInterval(sampler);

  // Second yardstick, the write floor: the rows this run wrote (entries, matches, payments, their
  // allocations, ledger transfers, audit rows, events) written again by bare SQL — one INSERT … SELECT
  // per table into a copy with the same indexes, and the receivables' and installments' updates —
  // what PostgreSQL alone needs for the same writes, without finflow's reading, deciding and round trips.
  while (
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE chain_seq IS NULL`.execute(db)).rows[0]!
      .n > 0
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const written = [
    'bank_entries',
    'bank_matches',
    'receivable_payments',
    'payment_allocations',
    'ledger_transfers',
    'audit_log',
    'wf_events',
  ];
  for (const table of [...written, 'receivables', 'installments']) {
    await sql`CREATE TABLE ${sql.table(`floor_${table}`)} (LIKE ${sql.table(table)} INCLUDING DEFAULTS INCLUDING INDEXES)`.execute(
      db,
    );
  }
  await sql`INSERT INTO floor_receivables SELECT * FROM receivables WHERE id LIKE 'rcv_bench%'`.execute(db);
  await sql`INSERT INTO floor_installments SELECT * FROM installments WHERE receivable_id LIKE 'rcv_bench%'`.execute(
    db,
  );
  const floorStarted = performance.now();
  for (const table of written) {
    await sql`INSERT INTO ${sql.table(`floor_${table}`)} SELECT * FROM ${sql.table(table)}`.execute(db);
  }
  await sql`UPDATE floor_receivables SET total_paid = total_due, outstanding = 0, status = 'paid', dpd = 0,
    bucket = 'current', oldest_unpaid_due_date = NULL, overdue_since = NULL, updated_at = now()`.execute(db);
  await sql`UPDATE floor_installments SET principal_paid = principal_due`.execute(db);
  const floorMs = performance.now() - floorStarted;
  const { rows: floorRows } = await sql<{ n: number }>`
    SELECT (SELECT count(*) FROM floor_bank_entries) + (SELECT count(*) FROM floor_bank_matches)
         + (SELECT count(*) FROM floor_receivable_payments) + (SELECT count(*) FROM floor_payment_allocations)
         + (SELECT count(*) FROM floor_ledger_transfers) + (SELECT count(*) FROM floor_audit_log)
         + (SELECT count(*) FROM floor_wf_events) AS n`.execute(db);

  const ratio = finflowMs / baselineMs;
  console.log(
    `reconcile bench on PostgreSQL (${BENCH_PG_DURABILITY}), ${LINES} entries (a ${fileMb.toFixed(1)} MB camt.053) against ${LINES} open items`,
  );
  console.log(`  baseline (${LINES} keys inserted + hash join): ${Math.round(baselineMs)} ms`);
  console.log(
    `  finflow (stream → import → match): ${Math.round(finflowMs)} ms, ${Math.round(LINES / (finflowMs / 1000))} entries/s; ` +
      `${counted[0]!.n} stored, ${counted[0]!.matched} matched`,
  );
  console.log(
    `  write floor (the ${Number(floorRows[0]!.n)} rows finflow wrote, written again by bare SQL): ${Math.round(floorMs)} ms; ` +
      `finflow ÷ floor = ${(finflowMs / floorMs).toFixed(1)}`,
  );
  console.log(`  peak RSS of the process (server + bench): ${Math.round(peakRss / 1024 / 1024)} MB`);
  console.log(
    JSON.stringify({
      bench: 'reconcile',
      database: 'postgresql',
      lines: LINES,
      baseline_ms: Math.round(baselineMs),
      finflow_ms: Math.round(finflowMs),
      entries_per_s: Math.round(LINES / (finflowMs / 1000)),
      stored: counted[0]!.n,
      matched: counted[0]!.matched,
      peak_rss_mb: Math.round(peakRss / 1024 / 1024),
      rows_written: Number(floorRows[0]!.n),
      write_floor_ms: Math.round(floorMs),
      ratio_to_write_floor: Number((finflowMs / floorMs).toFixed(2)),
      ratio: Number(ratio.toFixed(2)),
    }),
  );
} finally {
  clearInterval(sampler);
  await server.close();
  await fresh.drop();
  pgServer.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
