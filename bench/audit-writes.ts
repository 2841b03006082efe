// Audited-write throughput: what the hash-chained audit log costs a write. The baseline, measured
// in the same run on the same database, is N transactions that each insert one row into a plain
// table; the measured pattern is N transactions that each insert one row AND append its audit row
// with appendAudit(tx, …) — the way every finflow write is made. ratio = audited tx/s ÷ raw tx/s on
// PGlite in memory; PGlite on a data folder and (with --pg or FINFLOW_BENCH_PG=1) a throwaway
// PostgreSQL server are reported as further figures, the latter also with 4 concurrent writers,
// where audited transactions once queued on the one chain-head row lock (until issue 19: rows are
// now inserted without a lock and sealed into the chain after commit, and the figures include the
// sealer's transactions — check() waits for the last seal and fails on an unsealed row).
//
//   node --import tsx bench/audit-writes.ts [--pg] [--n-pglite N] [--n-pg N]   (npm run bench:audit)
//
// Raw and audited transactions run in alternating blocks (after a warm-up), so drift in machine
// load or table size hits both alike. Every phase is bounded by its count and by a time limit (a
// share of a 55 s total budget, 2–10 s per variant); a phase cut short by its limit reports the
// transactions it finished and says so ("cutShort"). Prints human lines, then as
// its very last stdout line one JSON object {"bench":"audit-writes",…}.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { appendAudit } from '../src/storage/audit/audit-append.js';
import { verifyAuditChain } from '../src/storage/audit/audit-verify.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import type { Tx } from '../src/storage/schema.js';
import { startBenchPgServer } from './pg-databases.js';

const DEFAULT_N_PGLITE = 2000;
const DEFAULT_N_PG = 3000;
const MAX_N = 100_000;
const WARMUP = 100; // of each kind, not measured
const BLOCKS = 4; // raw/audited alternate in this many blocks
const VARIANT_LIMIT_MS = 10_000; // per variant (raw or audited) per comparison: blocks stop after this…
const MIN_VARIANT_LIMIT_MS = 2_000; // …or earlier, to share what is left of the total budget, but never below this
const TOTAL_BUDGET_MS = 55_000;
const WRITERS = 4; // the concurrent variant (PostgreSQL)

type Kind = 'raw' | 'audited';

interface Phase {
  tx: number;
  ms: number;
  txPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cutShort: boolean;
}

interface Comparison {
  raw: Phase;
  audited: Phase;
  ratio: number;
}

function flag(name: string): boolean {
  return process.argv.includes(name);
}

function intOption(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < BLOCKS || n > MAX_N) throw new Error(`${name} must be ${BLOCKS}..${MAX_N}`);
  return n;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Accumulates the transactions of one kind over its blocks. */
class Tally {
  tx = 0;
  ms = 0;
  cutShort = false;
  readonly latencies: number[] = [];

  phase(): Phase {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      tx: this.tx,
      ms: round1(this.ms),
      txPerSec: this.ms > 0 ? round1((this.tx * 1000) / this.ms) : 0,
      p50Ms: round3(quantile(sorted, 0.5)),
      p99Ms: round3(quantile(sorted, 0.99)),
      cutShort: this.cutShort,
    };
  }
}

let nextId = 1;
let auditedWrites = 0; // committed audited writes on the current database, warm-up included

/** One write: a row into bench_rows, plus (audited) its audit row, in one transaction. */
async function write(database: Database, kind: Kind): Promise<void> {
  const id = nextId++;
  const amount = 100 + ((id * 7919) % 1_000_000); // minor units
  await database.transaction(async (tx: Tx) => {
    await sql`INSERT INTO bench_rows (id, amount, currency) VALUES (${id}, ${amount}, ${'EUR'})`.execute(tx);
    if (kind === 'audited') {
      await appendAudit(tx, {
        actor: 'system:bench',
        action: 'bench_row.created',
        entityType: 'bench_row',
        entityId: String(id),
        after: { id, amount: BigInt(amount), currency: 'EUR' },
      });
    }
  });
  if (kind === 'audited') auditedWrites++;
}

/** `count` writes of one kind by `writers` concurrent writers, stopping at `deadline`. */
async function runBlock(
  database: Database,
  kind: Kind,
  count: number,
  writers: number,
  tally: Tally,
  deadline: number,
) {
  let remaining = count;
  const start = performance.now();
  const writer = async () => {
    while (remaining > 0) {
      if (performance.now() > deadline) {
        tally.cutShort = true;
        return;
      }
      remaining--;
      const t = performance.now();
      await write(database, kind);
      tally.latencies.push(performance.now() - t);
      tally.tx++;
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  tally.ms += performance.now() - start;
}

const began = performance.now();
let comparisonsLeft = 0; // set in main: how many compare() calls this run makes

/** Each variant's time limit: its share of what is left of the total budget, within [MIN, MAX]. */
function variantLimitMs(): number {
  const left = TOTAL_BUDGET_MS - (performance.now() - began);
  const share = left / Math.max(1, comparisonsLeft) / 2;
  return Math.max(MIN_VARIANT_LIMIT_MS, Math.min(VARIANT_LIMIT_MS, share));
}

async function compare(database: Database, n: number, writers: number): Promise<Comparison> {
  const limitMs = variantLimitMs();
  comparisonsLeft--;
  const warm = new Tally();
  const far = performance.now() + limitMs;
  await runBlock(database, 'raw', WARMUP, writers, warm, far);
  await runBlock(database, 'audited', WARMUP, writers, warm, far);

  const tallies: Record<Kind, Tally> = { raw: new Tally(), audited: new Tally() };
  const blockSize = Math.ceil(n / BLOCKS);
  for (let b = 0; b < BLOCKS; b++) {
    for (const kind of ['raw', 'audited'] as const) {
      const count = Math.min(blockSize, n - b * blockSize);
      if (count <= 0) continue;
      // The variant's time limit counts only its own measured time, so a slow variant cannot starve the other.
      const deadline = performance.now() + (limitMs - tallies[kind].ms);
      if (deadline <= performance.now()) {
        tallies[kind].cutShort = true;
        continue;
      }
      await runBlock(database, kind, count, writers, tallies[kind], deadline);
    }
  }
  const raw = tallies.raw.phase();
  const audited = tallies.audited.phase();
  return { raw, audited, ratio: raw.txPerSec > 0 ? round3(audited.txPerSec / raw.txPerSec) : 0 };
}

async function prepare(database: Database): Promise<void> {
  auditedWrites = 0;
  await migrate(database);
  await sql`CREATE TABLE IF NOT EXISTS bench_rows (id bigint PRIMARY KEY, amount bigint, currency char(3))`.execute(
    database.db,
  );
}

/** The audit chain must still be whole and linear, and hold one row per audited write. */
async function check(database: Database, expectedAuditRows: number): Promise<void> {
  await database.auditSealer.settled();
  const result = await verifyAuditChain(database.db);
  if (result.unsealedRows > 0) throw new Error(`${result.unsealedRows} audit rows left unsealed after the bench`);
  if (!result.ok) throw new Error(`audit chain broken after the bench: ${result.problem?.message}`);
  const [{ count }] = (
    await sql<{ count: string | number | bigint }>`SELECT count(*) AS count FROM audit_log`.execute(database.db)
  ).rows as [{ count: string | number | bigint }];
  if (Number(count) !== expectedAuditRows) {
    throw new Error(`expected ${expectedAuditRows} audit rows, found ${count}`);
  }
}

function describe(label: string, c: Comparison): void {
  const line = (kind: Kind, p: Phase) =>
    `    ${kind.padEnd(7)} ${String(p.tx).padStart(6)} tx in ${String(round1(p.ms / 1000)).padStart(5)} s = ` +
    `${String(round1(p.txPerSec)).padStart(8)} tx/s  (p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms)${p.cutShort ? '  [time limit: cut short]' : ''}`;
  console.log(`  ${label}`);
  console.log(line('raw', c.raw));
  console.log(line('audited', c.audited));
  console.log(`    audited/raw = ${round2(c.ratio)}  (each audited write costs ${round2(1 / c.ratio)}× a raw one)`);
}

async function main(): Promise<void> {
  const withPg = flag('--pg') || process.env.FINFLOW_BENCH_PG === '1';
  const nPglite = intOption('--n-pglite', DEFAULT_N_PGLITE);
  const nPg = intOption('--n-pg', DEFAULT_N_PG);
  comparisonsLeft = withPg ? 4 : 2;
  console.log(
    `audit-writes bench: node ${process.version}, ${os.cpus().length} CPU(s); N = ${nPglite} (PGlite), ${withPg ? `${nPg} (PostgreSQL)` : 'PostgreSQL skipped (pass --pg or FINFLOW_BENCH_PG=1)'}`,
  );
  console.log(`  raw = INSERT one bench_rows row per transaction; audited = the same + appendAudit(tx, …)`);

  // PGlite in memory. Its migrated files then seed the data-folder run, which skips a second initdb.
  let t = performance.now();
  const memory = await openDatabase({ dataDir: 'memory://' });
  let memoryResult: Comparison;
  let template: Blob;
  try {
    await prepare(memory);
    console.log(`  PGlite memory:// opened and migrated in ${round1((performance.now() - t) / 1000)} s`);
    template = await memory.dumpDataDir!();
    memoryResult = await compare(memory, nPglite, 1);
    await check(memory, auditedWrites);
  } finally {
    await memory.close();
  }
  describe(`PGlite memory:// (N=${nPglite}, 1 writer)`, memoryResult);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'finflow-bench-audit-'));
  let fileResult: Comparison;
  try {
    t = performance.now();
    const file = await openDatabase({ dataDir: path.join(dir, 'data'), loadDataDir: template });
    try {
      await prepare(file);
      console.log(`  PGlite data folder opened in ${round1((performance.now() - t) / 1000)} s`);
      fileResult = await compare(file, nPglite, 1);
      await check(file, auditedWrites);
    } finally {
      await file.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  describe(`PGlite data folder (N=${nPglite}, 1 writer)`, fileResult);

  let postgres: { sequential: Comparison; concurrent: Comparison } | null = null;
  if (withPg) {
    t = performance.now();
    const server = await startBenchPgServer();
    try {
      const database = await openDatabase({ databaseUrl: server.url, poolSize: WRITERS * 2 });
      try {
        await prepare(database);
        console.log(`  PostgreSQL server started and migrated in ${round1((performance.now() - t) / 1000)} s`);
        const sequential = await compare(database, nPg, 1);
        describe(`PostgreSQL (N=${nPg}, 1 writer)`, sequential);
        const concurrent = await compare(database, nPg, WRITERS);
        describe(`PostgreSQL (N=${nPg}, ${WRITERS} concurrent writers)`, concurrent);
        await check(database, auditedWrites);
        postgres = { sequential, concurrent };
      } finally {
        await database.close();
      }
    } finally {
      server.stop();
    }
  }
  console.log(`  audit chains verified after each run; total ${round1((performance.now() - began) / 1000)} s`);

  const figures = (c: Comparison) => ({
    rawTxPerSec: c.raw.txPerSec,
    auditedTxPerSec: c.audited.txPerSec,
    rawTx: c.raw.tx,
    auditedTx: c.audited.tx,
    auditedP99Ms: c.audited.p99Ms,
    ratio: c.ratio,
    cutShort: c.raw.cutShort || c.audited.cutShort,
  });
  const result = {
    bench: 'audit-writes',
    n: { pglite: nPglite, pg: withPg ? nPg : null },
    pgliteMemory: figures(memoryResult),
    pgliteFile: figures(fileResult),
    postgres: postgres && figures(postgres.sequential),
    postgresConcurrent: postgres && { writers: WRITERS, ...figures(postgres.concurrent) },
    elapsedMs: Math.round(performance.now() - began),
    ratio: memoryResult.ratio,
  };
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(
    `audit-writes bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
});
