// File import throughput: `finflow import customers` on a generated legacy CSV (semicolons, decimal
// commas with thousands dots, dd.MM.yyyy dates, a value-mapped language code, an address and
// metadata), through the same code as the CLI — checkFile, then importFile with the sync service in
// batches of MAX_SYNC_ROWS, all-or-nothing (one outer transaction). With --receivables it then
// imports one invoice per customer from a second file.
//
// Baseline, measured in the same run on the same database: the same customer rows, already parsed
// (JS values), inserted with plain multi-row INSERTs of 1 000 rows into a copy of the customers table
// in one transaction — the cost of storing the rows without parsing, validation, audit rows, events
// or upsert lookups. ratio = import rows/s ÷ baseline rows/s.
//
//   node --import tsx bench/import.ts [--rows N] [--pg] [--receivables]   (npm run bench:import)
//
// PGlite in memory by default; --pg (or FINFLOW_BENCH_PG=1) uses a throwaway PostgreSQL server from
// scripts/pg-server.mjs instead. peakRssMb is the process's peak resident memory after the import
// (before the baseline, which holds all rows in memory). Prints human lines, then as its very last
// stdout line one JSON object {"bench":"import",…}.
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { once } from 'node:events';
import { sql } from 'kysely';
import { systemClock } from '../src/core/clock.js';
import { Engine } from '../src/engine/engine.js';
import { checkFile } from '../src/domains/sync/import/check-file.js';
import { importFile } from '../src/domains/sync/import/import-file.js';
import type { ImportReport } from '../src/domains/sync/import/import-report.js';
import { parseMapping } from '../src/domains/sync/import/mapping/parse-mapping.js';
import { MAX_SYNC_ROWS, syncRows } from '../src/domains/sync/sync-service.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import { startBenchPgServer, type PgServer } from './pg-databases.js';

const DEFAULT_ROWS = 100_000;

function intOption(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 10_000_000) throw new Error(`${name} must be 1..10000000`);
  return n;
}
const flag = (name: string): boolean => process.argv.includes(name);
const round1 = (x: number): number => Math.round(x * 10) / 10;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const mb = (bytes: number): number => round1(bytes / 1024 / 1024);

const CUSTOMERS_MAPPING = `
kind: customers
format: csv
delimiter: ";"
decimalSeparator: ","
thousandsSeparator: "."
dateFormat: dd.MM.yyyy
fields:
  externalId: { column: CUST_NO }
  name: { column: NAME }
  email: { column: EMAIL, optional: true }
  phone: { column: PHONE, optional: true }
  address.line1: { column: STREET }
  address.postalCode: { column: ZIP }
  address.city: { column: CITY }
  address.country: { column: COUNTRY }
  language: { column: LANG, map: { D: de, S: es, C: zh-CN, E: en }, default: en }
  segment: { column: SEGMENT, case: lower }
  riskRating: { column: RATING, optional: true }
  creditLimit: { column: CREDIT_LIMIT, optional: true }
  limitCurrency: { column: CCY, optional: true }
  metadata.customerSince: { column: SINCE, type: date }
`;

const INVOICES_MAPPING = `
kind: receivables
format: csv
delimiter: ";"
decimalSeparator: ","
thousandsSeparator: "."
dateFormat: dd.MM.yyyy
fields:
  externalId: { column: INVOICE_NO }
  customerExternalId: { column: CUST_NO }
  kind: { value: invoice }
  currency: { column: CCY }
  issueDate: { column: ISSUED }
  dueDate: { column: DUE }
  amount: { column: AMOUNT }
`;

const CITIES = [
  ['Berlin', 'DE', 'D'],
  ['Madrid', 'ES', 'S'],
  ['Shanghai', 'CN', 'C'],
  ['London', 'GB', 'E'],
  ['Barcelona', 'ES', 'X'],
] as const;
const RATINGS = ['A', 'B', 'C', 'D', 'E', ''];
const SEGMENTS = ['RETAIL', 'SME', 'CORPORATE'];

/** The parsed values of customer i: what the file's row i says, and what the baseline inserts. */
interface Customer {
  externalId: string;
  name: string;
  email: string;
  phone: string;
  street: string;
  zip: string;
  city: string;
  country: string;
  lang: string;
  segment: string;
  rating: string;
  /** minor units; 0 = no limit */
  limitMinor: number;
  since: { d: number; m: number; y: number };
}

function customer(i: number): Customer {
  const [city, country, lang] = CITIES[i % CITIES.length]!;
  return {
    externalId: `C-${String(i).padStart(7, '0')}`,
    name: i % 7 === 0 ? `Müller; Söhne ${i} GmbH` : `Customer ${i}`,
    email: i % 5 === 0 ? '' : `c${i}@example.com`,
    phone: i % 3 === 0 ? '' : `+34 600 ${String(i % 1_000_000).padStart(6, '0')}`,
    street: `Street ${i % 997}`,
    zip: String(10_000 + (i % 89_999)),
    city,
    country,
    lang,
    segment: SEGMENTS[i % SEGMENTS.length]!,
    rating: RATINGS[i % RATINGS.length]!,
    limitMinor: i % 4 === 0 ? 0 : ((i * 7919) % 10_000_000) + 100,
    since: { d: 1 + (i % 28), m: 1 + (i % 12), y: 1990 + (i % 35) },
  };
}

const pad2 = (n: number) => String(n).padStart(2, '0');
/** 1234567 minor units → "12.345,67" */
function majorText(minor: number): string {
  const whole = Math.floor(minor / 100)
    .toString()
    .replace(/\B(?=(\d{3})+$)/g, '.');
  return `${whole},${pad2(minor % 100)}`;
}
const csvText = (text: string) => (/[;"\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

async function writeLines(file: string, header: string, rows: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  for (let i = 1; i <= rows; i++) {
    if (!out.write(`${line(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function customerLine(i: number): string {
  const c = customer(i);
  return [
    c.externalId,
    csvText(c.name),
    c.email,
    c.phone,
    c.street,
    c.zip,
    c.city,
    c.country,
    c.lang,
    c.segment,
    c.rating,
    c.limitMinor ? majorText(c.limitMinor) : '',
    c.limitMinor ? 'EUR' : '',
    `${pad2(c.since.d)}.${pad2(c.since.m)}.${c.since.y}`,
  ].join(';');
}

function invoiceLine(i: number): string {
  const c = customer(i);
  return [
    `INV-${String(i).padStart(7, '0')}`,
    c.externalId,
    'EUR',
    '01.03.2026',
    '31.03.2026',
    majorText(10_000 + i),
  ].join(';');
}

/** The baseline: the same customers, as values, by multi-row INSERT of 1 000 rows in one transaction. */
async function baseline(database: Database, rows: number): Promise<number> {
  await sql`CREATE TABLE bench_customers (LIKE customers INCLUDING ALL)`.execute(database.db);
  const values = Array.from({ length: rows }, (_, k) => customer(k + 1)); // parsed up front, not timed
  const languages: Record<string, string> = { D: 'de', S: 'es', C: 'zh-CN', E: 'en' };
  const started = performance.now();
  await database.transaction(async (tx) => {
    const now = new Date();
    for (let from = 0; from < rows; from += 1000) {
      const chunk = values.slice(from, from + 1000).map((c, k) => ({
        id: `cus_bench${from + k}`,
        external_id: c.externalId,
        name: c.name,
        email: c.email || null,
        phone: c.phone || null,
        address: JSON.stringify({ line1: c.street, postalCode: c.zip, city: c.city, country: c.country }),
        language: languages[c.lang] ?? 'en',
        time_zone: 'UTC',
        segment: c.segment.toLowerCase(),
        risk_rating: c.rating || null,
        credit_limit: c.limitMinor ? String(c.limitMinor) : null,
        limit_currency: c.limitMinor ? 'EUR' : null,
        metadata: JSON.stringify({ customerSince: `${c.since.y}-${pad2(c.since.m)}-${pad2(c.since.d)}` }),
        created_at: now,
        updated_at: now,
      }));
      await sql`INSERT INTO bench_customers (id, external_id, name, email, phone, address, language, time_zone,
          segment, risk_rating, credit_limit, limit_currency, metadata, created_at, updated_at)
        VALUES ${sql.join(
          chunk.map(
            (r) =>
              sql`(${r.id}, ${r.external_id}, ${r.name}, ${r.email}, ${r.phone}, ${r.address}::jsonb, ${r.language},
                ${r.time_zone}, ${r.segment}, ${r.risk_rating}, ${r.credit_limit}::bigint, ${r.limit_currency},
                ${r.metadata}::jsonb, ${r.created_at}, ${r.updated_at})`,
          ),
        )}`.execute(tx);
    }
  });
  return (performance.now() - started) / 1000;
}

async function count(database: Database, table: string): Promise<number> {
  const result = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(table)}`.execute(database.db);
  return Number(result.rows[0]!.n);
}

async function runImport(database: Database, kind: 'customers' | 'receivables', file: string, yaml: string) {
  const mapping = parseMapping(yaml, kind);
  const engine = new Engine({ database });
  const context = { database, clock: systemClock, engine };
  const started = performance.now();
  const checked = await checkFile(file, mapping);
  if (checked.issueCount > 0)
    throw new Error(`the generated ${kind} file has problems: ${JSON.stringify(checked.issues)}`);
  const report: ImportReport = await importFile(context, file, mapping, {
    mode: 'all_or_nothing',
    actor: 'system:bench',
    batchSize: MAX_SYNC_ROWS,
    checked,
    sync: syncRows,
  });
  const seconds = (performance.now() - started) / 1000;
  if (!report.committed || report.issueCount > 0) {
    throw new Error(`the ${kind} import failed: ${JSON.stringify(report.issues.slice(0, 5))}`);
  }
  return { report, seconds, checkSeconds: checked.seconds };
}

async function main(): Promise<void> {
  const began = performance.now();
  const rows = intOption('--rows', DEFAULT_ROWS);
  const withPg = flag('--pg') || process.env.FINFLOW_BENCH_PG === '1';
  const withReceivables = flag('--receivables');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'finflow-bench-import-'));
  let server: PgServer | undefined;
  try {
    console.log(
      `import bench: node ${process.version}, ${os.cpus().length} CPU(s); ${rows} rows; ${withPg ? 'PostgreSQL' : 'PGlite memory://'}`,
    );
    const customersFile = path.join(dir, 'customers.csv');
    writeFileSync(path.join(dir, 'customers.yaml'), CUSTOMERS_MAPPING);
    let t = performance.now();
    await writeLines(
      customersFile,
      'CUST_NO;NAME;EMAIL;PHONE;STREET;ZIP;CITY;COUNTRY;LANG;SEGMENT;RATING;CREDIT_LIMIT;CCY;SINCE',
      rows,
      customerLine,
    );
    const invoicesFile = path.join(dir, 'invoices.csv');
    if (withReceivables) {
      await writeLines(invoicesFile, 'INVOICE_NO;CUST_NO;CCY;ISSUED;DUE;AMOUNT', rows, invoiceLine);
    }
    console.log(`  files generated in ${round1((performance.now() - t) / 1000)} s (${dir})`);

    t = performance.now();
    if (withPg) server = await startBenchPgServer();
    const database = await openDatabase(server ? { databaseUrl: server.url } : { dataDir: 'memory://' });
    try {
      await migrate(database);
      console.log(`  database opened and migrated in ${round1((performance.now() - t) / 1000)} s`);

      const customers = await runImport(database, 'customers', customersFile, CUSTOMERS_MAPPING);
      const peakRssMb = mb(process.resourceUsage().maxRSS * 1024);
      if ((await count(database, 'customers')) !== rows) throw new Error('customers missing after the import');
      const rowsPerSecond = rows / customers.seconds;
      console.log(
        `  import customers: ${rows} rows in ${round1(customers.seconds)} s = ${round1(rowsPerSecond)} rows/s` +
          ` (check: ${round1(customers.checkSeconds)} s = ${round1(rows / customers.checkSeconds)} rows/s converted)`,
      );
      console.log(`    counts ${JSON.stringify(customers.report.counts)}; peak RSS ${peakRssMb} MB`);

      let receivables: { seconds: number; rowsPerSecond: number } | null = null;
      if (withReceivables) {
        const invoices = await runImport(database, 'receivables', invoicesFile, INVOICES_MAPPING);
        receivables = { seconds: round3(invoices.seconds), rowsPerSecond: round1(rows / invoices.seconds) };
        console.log(
          `  import invoices: ${rows} rows in ${round1(invoices.seconds)} s = ${receivables.rowsPerSecond} rows/s`,
        );
      }

      const baselineSeconds = await baseline(database, rows);
      const baselineRowsPerSecond = rows / baselineSeconds;
      console.log(
        `  baseline (multi-row INSERT of parsed values): ${rows} rows in ${round1(baselineSeconds)} s = ${round1(baselineRowsPerSecond)} rows/s`,
      );
      const ratio = rowsPerSecond / baselineRowsPerSecond;
      console.log(`  import/baseline = ${round3(ratio)}; total ${round1((performance.now() - began) / 1000)} s`);
      console.log(
        JSON.stringify({
          bench: 'import',
          database: withPg ? 'postgres' : 'pglite',
          rows,
          seconds: round3(customers.seconds),
          checkSeconds: round3(customers.checkSeconds),
          rowsPerSecond: round1(rowsPerSecond),
          baselineRowsPerSecond: round1(baselineRowsPerSecond),
          ratio: round3(ratio),
          peakRssMb,
          receivables,
        }),
      );
    } finally {
      await database.close();
    }
  } finally {
    server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`import bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
