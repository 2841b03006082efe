// Close of business (COB) over a whole loan portfolio: runCloseOfBusiness() (src/domains/receivables/
// delinquency/close-of-business.ts) recomputes days past due (DPD) and delinquency buckets of the open
// loans and publishes the transition and missed-installment events, in one transaction. The baseline,
// measured in the same run on the same data, is ONE set-based SQL statement that derives DPD from the
// installments (the oldest installment with paid < due, per loan) and writes it to every open loan:
//
//   UPDATE receivables r SET dpd = GREATEST(0, asOf - o.oldest)
//   FROM (SELECT receivable_id, min(due_date) AS oldest FROM installments
//         WHERE principal_paid + interest_paid + fee_paid < principal_due + interest_due + fee_due
//         GROUP BY receivable_id) o
//   WHERE r.id = o.receivable_id AND r.status = 'open'
//
// (every seeded loan has an unpaid installment, its 12th, so the join reaches every open loan; the
// bench checks that the statement updated N rows). ratio = COB seconds ÷ baseline seconds (target ≤ 10).
//
//   node --import tsx bench/delinquency.ts [--loans N] [--pglite]   (npm run bench:delinquency)
//
// PostgreSQL is a throwaway server from scripts/pg-server.mjs (default 100 000 loans, about 40 s here);
// --pglite uses the embedded database in a temporary data folder (default 20 000 loans).
//
// Fairness: the baseline runs first, inside a transaction that is ROLLED BACK, so the COB run sees
// exactly the seeded data. A rolled-back UPDATE leaves one dead version of every loan row (and dead
// index entries) behind, so before the COB run `VACUUM FULL receivables` rewrites the table and its
// indexes compactly and `VACUUM ANALYZE receivables` sets the visibility map and statistics again —
// the state the freshly seeded, vacuumed table had when the baseline ran. Neither is timed. Both
// measurements run with warm caches (the seed has just written everything) on the server's default
// settings. The baseline writes only dpd (no bucket, no events, no run row, no audit): it is the
// floor for "recompute DPD for the whole book" the naive way, from the installments.
//
// Data (seeded set-based with generate_series, not part of the ratio; reported as seed seconds):
// N/10 customers (10 loans each), N open EUR loans of 12 monthly equal-principal installments at 1 %
// interest a month (12 × N installment rows). The loans and installments are bulk-loaded with their
// tables' indexes and keys dropped and rebuilt afterwards (see loadWithoutIndexes), then VACUUM
// ANALYZE. The COB date is AS_OF; the receivables carry the state yesterday's COB left (dpd, bucket,
// overdue_since, delinquency_as_of = AS_OF − 1, and a close_of_business_runs row for AS_OF − 1), and
// oldest_unpaid_due_date as payment allocation keeps it. By a hash of the loan number:
//   80.0 % current: every installment due before AS_OF paid; the next one due AS_OF … AS_OF + 27;
//    1.0 % newly overdue: the installment due AS_OF − 1 is unpaid (current → 1-30);
//    0.5 % each cross a bucket boundary on AS_OF: DPD 31, 61 and 91 (1-30 → 31-60, → 61-90, → 90+);
//    0.5 % cured: overdue yesterday (DPD 1…120), caught up by a payment today (→ current);
//   17.0 % overdue with DPD spread over 2…360 (a few of them cross a boundary too).
// A quarter of the overdue loans and 2 % of the current ones have their oldest unpaid installment
// partly paid. What COB must produce is predicted from the installments themselves (not from the
// receivables' derived columns) and checked after the run: every loan's DPD and bucket, the loans per
// bucket, wf_events by type against the report and against the prediction (receivable.overdue,
// .bucket_changed and .cured per transition as transitionEvents() defines them, and one
// .installment_missed per installment fallen due unpaid since the last run), and today's run row.
//
// Prints human lines, then as its very last stdout line one JSON object {"bench":"delinquency",…}.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql, type RawBuilder } from 'kysely';
import { ManualClock } from '../src/core/clock.js';
import type { DomainContext } from '../src/domains/contract.js';
import { Engine } from '../src/engine/engine.js';
import { runCloseOfBusiness } from '../src/domains/receivables/delinquency/close-of-business.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import type { Queryable, Tx } from '../src/storage/schema.js';
import { startBenchPgServer } from './pg-databases.js';

const AS_OF = '2026-06-15'; // a day-of-month ≤ 28 keeps AS_OF − n months free of month-end clamping
const DEFAULT_LOANS_PG = 100_000;
const DEFAULT_LOANS_PGLITE = 20_000;
const MIN_LOANS = 100;
const MAX_LOANS = 5_000_000;
const INSTALLMENTS = 12;
const LOANS_PER_CUSTOMER = 10;
const TARGET_RATIO = 10;
/** The default bucket settings (src/domains/receivables/settings.ts): current, then these by DPD. */
const BUCKETS: Array<{ name: string; maxDpd: number | null }> = [
  { name: '1-30', maxDpd: 30 },
  { name: '31-60', maxDpd: 60 },
  { name: '61-90', maxDpd: 90 },
  { name: '90+', maxDpd: null },
];

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;
const seconds = (ms: number): number => Math.round(ms) / 1000;
const began = performance.now();

function flag(name: string): boolean {
  return process.argv.includes(name);
}

function intOption(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < MIN_LOANS || n > MAX_LOANS)
    throw new Error(`${name} must be ${MIN_LOANS}..${MAX_LOANS}`);
  return n;
}

/** The bucket of a DPD expression, in SQL (current, then BUCKETS). */
function bucketSql(dpd: RawBuilder<unknown>): RawBuilder<string> {
  const arms = BUCKETS.filter((b) => b.maxDpd !== null).map(
    (b) => sql`WHEN ${dpd} <= ${sql.lit(b.maxDpd)} THEN ${sql.lit(b.name)}`,
  );
  return sql<string>`(CASE WHEN ${dpd} <= 0 THEN 'current' ${sql.join(arms, sql` `)} ELSE ${sql.lit(BUCKETS.at(-1)!.name)} END)`;
}

const asOf = sql`${sql.lit(AS_OF)}::date`;

/** Per open loan: the due date of its oldest installment not fully paid (the ground truth). */
const OLDEST_UNPAID = sql`(SELECT receivable_id, min(due_date) AS oldest FROM installments
  WHERE principal_paid + interest_paid + fee_paid < principal_due + interest_due + fee_due
  GROUP BY receivable_id)`;

// ---------------------------------------------------------------------------------------------
// Seed

/**
 * The 12 installments of loan `l` (a bench_loans row): installments before seq k are paid in full,
 * installment k is unpaid or (l.partial) half its principal and all its interest paid, the rest unpaid.
 * Used for the installment rows and for the receivable's totals, so both agree.
 */
const SCHEDULE = sql`(SELECT g.seq,
    (l.first_due + make_interval(months => g.seq - 1))::date AS due_date,
    a.pd AS principal_due,
    a.idue AS interest_due,
    CASE WHEN g.seq < l.k THEN a.pd WHEN g.seq = l.k AND l.partial THEN a.pd / 2 ELSE 0 END AS principal_paid,
    CASE WHEN g.seq < l.k OR (g.seq = l.k AND l.partial) THEN a.idue ELSE 0 END AS interest_paid
  FROM generate_series(1, ${sql.lit(INSTALLMENTS)}) AS g(seq)
  CROSS JOIN LATERAL (SELECT
    CASE WHEN g.seq = ${sql.lit(INSTALLMENTS)} THEN l.principal - ${sql.lit(INSTALLMENTS - 1)} * (l.principal / ${sql.lit(INSTALLMENTS)})
         ELSE l.principal / ${sql.lit(INSTALLMENTS)} END AS pd,
    (l.principal - (g.seq - 1) * (l.principal / ${sql.lit(INSTALLMENTS)})) / 100 AS idue) a)`;

/**
 * Runs `load` (a bulk insert into `table`) with the table's indexes, primary and unique keys and the
 * foreign keys from and to it dropped, then recreates them from their catalog definitions in the same
 * transaction — what pg_restore does: building an index once over the loaded rows is several times
 * faster than 12 M single-row index insertions, and re-adding a foreign key validates every row in one
 * join. Nothing is skipped: the keys, uniqueness and references are all checked again before commit.
 */
async function loadWithoutIndexes(tx: Tx, table: string, load: () => Promise<void>): Promise<void> {
  const constraints = (
    await sql<{ tbl: string; name: string; kind: string; def: string }>`
      SELECT conrelid::regclass::text AS tbl, quote_ident(conname) AS name, contype::text AS kind,
             pg_get_constraintdef(oid) AS def
      FROM pg_constraint
      WHERE (conrelid = ${table}::regclass AND contype IN ('p', 'u', 'f'))
         OR (confrelid = ${table}::regclass AND contype = 'f')`.execute(tx)
  ).rows;
  const indexes = (
    await sql<{ name: string; def: string }>`
      SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def
      FROM pg_index i
      WHERE indrelid = ${table}::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`.execute(
      tx,
    )
  ).rows;
  const foreign = constraints.filter((c) => c.kind === 'f');
  const keys = constraints.filter((c) => c.kind !== 'f');
  for (const c of [...foreign, ...keys]) await sql.raw(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${c.name}`).execute(tx);
  for (const i of indexes) await sql.raw(`DROP INDEX ${i.name}`).execute(tx);
  await load();
  for (const i of indexes) await sql.raw(i.def).execute(tx);
  for (const c of [...keys, ...foreign])
    await sql.raw(`ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.name} ${c.def}`).execute(tx);
}

interface SeedTimes {
  customersMs: number;
  receivablesMs: number;
  installmentsMs: number;
  restMs: number;
  analyzeMs: number;
}

async function seed(database: Database, loans: number): Promise<SeedTimes> {
  const customers = Math.max(1, Math.ceil(loans / LOANS_PER_CUSTOMER));
  const yesterday = sql`(${asOf} - 1)`;
  const times = { customersMs: 0, receivablesMs: 0, installmentsMs: 0, restMs: 0, analyzeMs: 0 };
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return ms;
  };
  // One transaction: the temporary bench_loans table lives on one connection and goes at commit.
  await database.transaction(async (tx) => {
    await sql`INSERT INTO customers (id, external_id, name, segment, created_at, updated_at)
      SELECT 'cus_' || lpad(c::text, 26, '0'), 'bench-customer-' || c, 'Bench customer ' || c, 'retail',
             ${yesterday}::timestamptz, ${yesterday}::timestamptz
      FROM generate_series(1, ${customers}::int) AS c`.execute(tx);
    times.customersMs = lap();

    // The parameters of each loan: category by a hash of i, the seq k of its oldest unpaid
    // installment, that installment's target due date, and yesterday's DPD.
    await sql`CREATE TEMPORARY TABLE bench_loans ON COMMIT DROP AS
      WITH p AS (
        SELECT i, (i::bigint * 7919) % 1000 AS h, 100000 + (i::bigint * 37) % 4901 * 1000 AS principal
        FROM generate_series(1, ${loans}::int) AS i
      ), c AS (
        SELECT p.*, CASE WHEN h < 800 THEN 'current' WHEN h < 810 THEN 'new' WHEN h < 815 THEN 'cross31'
                         WHEN h < 820 THEN 'cross61' WHEN h < 825 THEN 'cross91' WHEN h < 830 THEN 'cured'
                         ELSE 'spread' END AS category
        FROM p
      ), t AS (
        SELECT c.*,
          CASE WHEN category = 'cured' THEN 2 + i % 11 ELSE 1 + (i / 3) % 12 END AS k,
          CASE category WHEN 'current' THEN ${asOf} + i % 28 WHEN 'cured' THEN ${asOf} + i % 28
                        WHEN 'new' THEN ${asOf} - 1 WHEN 'cross31' THEN ${asOf} - 31
                        WHEN 'cross61' THEN ${asOf} - 61 WHEN 'cross91' THEN ${asOf} - 91
                        ELSE ${asOf} - (2 + (i / 7) % 359) END AS target,
          CASE WHEN category IN ('current', 'cured') THEN (i / 11) % 50 = 0 ELSE (i / 11) % 4 = 0 END AS partial
        FROM c
      ), f AS (
        SELECT t.*, (target - make_interval(months => k - 1))::date AS first_due FROM t
      ), o AS (
        SELECT f.*, (first_due + make_interval(months => k - 1))::date AS oldest FROM f
      )
      SELECT i, category, principal, k, partial, first_due, oldest,
             'rcv_' || lpad(i::text, 26, '0') AS id,
             'cus_' || lpad((1 + (i - 1) % ${customers}::int)::text, 26, '0') AS customer_id,
             CASE WHEN category = 'cured' THEN 1 + (i / 13) % 120
                  ELSE GREATEST(0, ${yesterday} - oldest) END AS dpd_y
      FROM o`.execute(tx);

    await loadWithoutIndexes(tx, 'receivables', async () => {
      await sql`INSERT INTO receivables (id, external_id, customer_id, kind, currency, status, issue_date, principal,
        annual_rate, term_months, schedule_method, first_due_date, maturity_date, total_due, total_paid, outstanding,
        oldest_unpaid_due_date, dpd, bucket, overdue_since, delinquency_as_of, created_at, updated_at, request_hash)
      SELECT l.id, 'bench-loan-' || l.i, l.customer_id, 'loan', 'EUR', 'open',
             (l.first_due - interval '1 month')::date, l.principal, 0.12, ${sql.lit(INSTALLMENTS)}, 'equal_principal',
             l.first_due, (l.first_due + make_interval(months => ${sql.lit(INSTALLMENTS - 1)}))::date,
             s.due, s.paid, s.due - s.paid, l.oldest, l.dpd_y, ${bucketSql(sql`l.dpd_y`)},
             CASE WHEN l.dpd_y > 0 THEN ${asOf} - l.dpd_y END, ${yesterday},
             (l.first_due - interval '1 month')::timestamptz, ${yesterday}::timestamptz, 'bench'
      FROM bench_loans l
      CROSS JOIN LATERAL (SELECT sum(x.principal_due + x.interest_due) AS due,
                                 sum(x.principal_paid + x.interest_paid) AS paid
                          FROM ${SCHEDULE} AS x) s`.execute(tx);
    });
    times.receivablesMs = lap();

    // The lateral schedule references l, so loans are the outer loop: rows arrive in key order.
    await loadWithoutIndexes(tx, 'installments', async () => {
      await sql`INSERT INTO installments (receivable_id, seq, due_date, principal_due, interest_due,
        principal_paid, interest_paid)
      SELECT l.id, x.seq, x.due_date, x.principal_due, x.interest_due, x.principal_paid, x.interest_paid
      FROM bench_loans l CROSS JOIN LATERAL ${SCHEDULE} AS x`.execute(tx);
    });
    times.installmentsMs = lap();

    await sql`UPDATE customers c SET exposure = e.total
      FROM (SELECT customer_id, sum(outstanding) AS total FROM receivables GROUP BY customer_id) e
      WHERE c.id = e.customer_id`.execute(tx);
    // Yesterday's run, its counts shaped like the report runCloseOfBusiness stores.
    await sql`INSERT INTO close_of_business_runs (as_of, ran_at, ran_by, counts)
      SELECT ${yesterday}, ${yesterday} + time '20:00', 'system:bench-seed',
             jsonb_build_object('asOf', ${yesterday}, 'open', count(*), 'changed', count(*) FILTER (WHERE dpd > 0),
                                'events', '{}'::jsonb, 'expiredHolds', 0, 'durationMs', 0, 'alreadyRan', false)
      FROM receivables WHERE status = 'open'`.execute(tx);
    times.restMs = lap();
  });
  await sql`VACUUM ANALYZE`.execute(database.db);
  times.analyzeMs = lap();
  return times;
}

// ---------------------------------------------------------------------------------------------
// Prediction and checks

interface Prediction {
  open: number;
  /** Open loans per bucket after the COB run, from the installments. */
  buckets: Record<string, number>;
  /** "from → to" for every loan whose bucket changes today. */
  transitions: Record<string, number>;
  /**
   * The events COB should publish: those the transitions cause (transitionEvents in
   * src/domains/receivables/delinquency/delinquency.ts) and one per installment fallen due unpaid since the last run.
   */
  events: Record<string, number>;
  dpdChanged: number;
  /** Loans whose oldest_unpaid_due_date disagrees with their installments (the seed's own check: 0). */
  inconsistent: number;
}

async function count(db: Queryable | Tx, query: RawBuilder<{ n: number }>): Promise<number> {
  return (await query.execute(db)).rows[0]!.n;
}

async function predict(db: Queryable): Promise<Prediction> {
  const rows = (
    await sql<{ today: string; yesterday: string; dpd_changed: number; inconsistent: number; n: number }>`
      SELECT ${bucketSql(sql`x.dpd`)} AS today, x.bucket AS yesterday,
             count(*) FILTER (WHERE x.dpd <> x.dpd_y)::int AS dpd_changed,
             count(*) FILTER (WHERE x.stored IS DISTINCT FROM x.oldest)::int AS inconsistent,
             count(*)::int AS n
      FROM (SELECT r.bucket, r.dpd AS dpd_y, r.oldest_unpaid_due_date AS stored, o.oldest,
                   GREATEST(0, ${asOf} - COALESCE(o.oldest, ${asOf})) AS dpd
            FROM receivables r LEFT JOIN ${OLDEST_UNPAID} o ON o.receivable_id = r.id
            WHERE r.status = 'open') x
      GROUP BY 1, 2`.execute(db)
  ).rows;
  const prediction: Prediction = { open: 0, buckets: {}, transitions: {}, events: {}, dpdChanged: 0, inconsistent: 0 };
  const event = (type: string, n: number) => (prediction.events[type] = (prediction.events[type] ?? 0) + n);
  for (const r of rows) {
    prediction.open += r.n;
    prediction.dpdChanged += r.dpd_changed;
    prediction.inconsistent += r.inconsistent;
    prediction.buckets[r.today] = (prediction.buckets[r.today] ?? 0) + r.n;
    if (r.today === r.yesterday) continue;
    prediction.transitions[`${r.yesterday} → ${r.today}`] = r.n;
    if (r.yesterday === 'current') event('receivable.overdue', r.n);
    event('receivable.bucket_changed', r.n);
    if (r.today === 'current') event('receivable.cured', r.n);
  }
  // One receivable.installment_missed per installment that fell due unpaid since the last run.
  event(
    'receivable.installment_missed',
    await count(
      db,
      sql`SELECT count(*)::int AS n FROM installments i JOIN receivables r ON r.id = i.receivable_id
        WHERE r.status = 'open' AND i.due_date < ${asOf}
          AND i.due_date >= (SELECT max(as_of) FROM close_of_business_runs)
          AND i.principal_paid + i.interest_paid + i.fee_paid < i.principal_due + i.interest_due + i.fee_due`,
    ),
  );
  return prediction;
}

const sortedEntries = (record: Record<string, number>) =>
  Object.entries(record)
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => a.localeCompare(b));

const sameCounts = (a: Record<string, number>, b: Record<string, number>) =>
  JSON.stringify(sortedEntries(a)) === JSON.stringify(sortedEntries(b));

// ---------------------------------------------------------------------------------------------
// Measurements

class Rollback extends Error {}

/** The baseline statement in a transaction that is rolled back; returns its ms and rows updated. */
async function baseline(database: Database): Promise<{ ms: number; updated: number }> {
  let result = { ms: 0, updated: 0 };
  try {
    await database.transaction(async (tx) => {
      const t0 = performance.now();
      const update = await sql`UPDATE receivables r SET dpd = GREATEST(0, ${asOf} - o.oldest)
        FROM ${OLDEST_UNPAID} o
        WHERE r.id = o.receivable_id AND r.status = 'open'`.execute(tx);
      result = { ms: performance.now() - t0, updated: Number(update.numAffectedRows ?? 0n) };
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

async function withDatabase<T>(pglite: boolean, work: (database: Database) => Promise<T>): Promise<T> {
  if (pglite) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'finflow-bench-delinquency-'));
    try {
      const database = await openDatabase({ dataDir: path.join(dir, 'data') });
      try {
        return await work(database);
      } finally {
        await database.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const server = await startBenchPgServer();
  try {
    const database = await openDatabase({ databaseUrl: server.url, idleInTransactionTimeoutMs: 60 * 60_000 });
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  } finally {
    server.stop();
  }
}

async function main(): Promise<void> {
  const pglite = flag('--pglite');
  const loans = intOption('--loans', pglite ? DEFAULT_LOANS_PGLITE : DEFAULT_LOANS_PG);
  const kind = pglite ? 'PGlite (embedded, data folder)' : 'PostgreSQL (throwaway server)';
  console.log(
    `delinquency bench: node ${process.version}, ${os.cpus().length} CPU(s), ${Math.round(os.totalmem() / 2 ** 20)} MB RAM; ${kind}; ${loans} loans × ${INSTALLMENTS} installments, COB as of ${AS_OF}`,
  );

  const outcome = await withDatabase(pglite, async (database) => {
    let t = performance.now();
    await migrate(database);
    console.log(`  database ready and migrated in ${round1((performance.now() - t) / 1000)} s`);

    const seedTimes = await seed(database, loans);
    const seedMs = seedTimes.customersMs + seedTimes.receivablesMs + seedTimes.installmentsMs + seedTimes.restMs;
    const installments = await count(database.db, sql`SELECT count(*)::int AS n FROM installments`);
    console.log(
      `  seeded ${loans} loans, ${installments} installments, ${Math.ceil(loans / LOANS_PER_CUSTOMER)} customers in ${round1(seedMs / 1000)} s ` +
        `(customers ${round1(seedTimes.customersMs / 1000)} s, loans ${round1(seedTimes.receivablesMs / 1000)} s, ` +
        `installments ${round1(seedTimes.installmentsMs / 1000)} s, exposure + run row ${round1(seedTimes.restMs / 1000)} s); ` +
        `VACUUM ANALYZE ${round1(seedTimes.analyzeMs / 1000)} s`,
    );

    t = performance.now();
    const prediction = await predict(database.db);
    if (prediction.open !== loans) throw new Error(`expected ${loans} open loans, found ${prediction.open}`);
    if (prediction.inconsistent !== 0) {
      throw new Error(`${prediction.inconsistent} loans' oldest_unpaid_due_date disagrees with their installments`);
    }
    const bucketChanges = Object.values(prediction.transitions).reduce((a, b) => a + b, 0);
    console.log(`  prediction from the installments (${round1((performance.now() - t) / 1000)} s, not timed):`);
    console.log(
      `    buckets after COB: ${sortedEntries(prediction.buckets)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    console.log(
      `    events: ${sortedEntries(prediction.events)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    console.log(
      `    bucket transitions: ${bucketChanges} (${sortedEntries(prediction.transitions)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}); DPD changes: ${prediction.dpdChanged}`,
    );

    const base = await baseline(database);
    if (base.updated !== loans) throw new Error(`baseline updated ${base.updated} loans, expected ${loans}`);
    console.log(
      `  baseline (one UPDATE … FROM installments aggregate, rolled back): ${seconds(base.ms)} s for ${base.updated} loans`,
    );
    t = performance.now();
    await sql`VACUUM FULL receivables`.execute(database.db);
    await sql`VACUUM ANALYZE receivables`.execute(database.db);
    console.log(
      `  VACUUM FULL + ANALYZE receivables after the rollback: ${round1((performance.now() - t) / 1000)} s (not timed)`,
    );

    const clock = new ManualClock(`${AS_OF}T20:00:00.000Z`);
    const context: DomainContext = { database, clock, engine: new Engine({ database, clock }) };
    const t0 = performance.now();
    const report = await runCloseOfBusiness(context, { asOf: AS_OF, actor: 'bench' });
    const cobMs = performance.now() - t0;
    console.log(
      `  COB runCloseOfBusiness: ${seconds(cobMs)} s (its report: ${report.durationMs} ms), open ${report.open}, changed ${report.changed}`,
    );

    // Checks: every loan's DPD, the loans per bucket, the events against the report.
    const problems: string[] = [];
    const wrongDpd = await count(
      database.db,
      sql`SELECT count(*)::int AS n FROM receivables r LEFT JOIN ${OLDEST_UNPAID} o ON o.receivable_id = r.id
        WHERE r.status = 'open' AND (r.dpd <> GREATEST(0, ${asOf} - COALESCE(o.oldest, ${asOf}))
                                     OR r.bucket <> ${bucketSql(sql`r.dpd`)})`,
    );
    if (wrongDpd !== 0) problems.push(`${wrongDpd} loans have a DPD or bucket other than their installments give`);
    const bucketRows = (
      await sql<{ bucket: string; n: number }>`SELECT bucket, count(*)::int AS n FROM receivables
        WHERE status = 'open' GROUP BY bucket`.execute(database.db)
    ).rows;
    const buckets = Object.fromEntries(bucketRows.map((r) => [r.bucket, r.n]));
    if (!sameCounts(buckets, prediction.buckets)) {
      problems.push(`buckets ${JSON.stringify(buckets)} ≠ predicted ${JSON.stringify(prediction.buckets)}`);
    }
    const eventRows = (
      await sql<{ type: string; n: number }>`SELECT type, count(*)::int AS n FROM wf_events GROUP BY type`.execute(
        database.db,
      )
    ).rows;
    const events = Object.fromEntries(eventRows.map((r) => [r.type, r.n]));
    if (!sameCounts(events, report.events)) {
      problems.push(`wf_events by type ${JSON.stringify(events)} ≠ the report's ${JSON.stringify(report.events)}`);
    }
    if (!sameCounts(events, prediction.events)) {
      problems.push(`wf_events by type ${JSON.stringify(events)} ≠ predicted ${JSON.stringify(prediction.events)}`);
    }
    if (report.alreadyRan) problems.push('the report says COB had already run for this date');
    if (report.open !== loans) problems.push(`report.open ${report.open} ≠ ${loans} open loans`);
    const runRow = await count(
      database.db,
      sql`SELECT count(*)::int AS n FROM close_of_business_runs WHERE as_of = ${asOf}`,
    );
    if (runRow !== 1) problems.push(`no close_of_business_runs row for ${AS_OF}`);
    console.log(
      `    buckets: ${sortedEntries(buckets)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    console.log(
      `    events (wf_events): ${
        sortedEntries(events)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'none'
      }`,
    );
    console.log(
      `    report.changed ${report.changed} vs predicted bucket transitions ${bucketChanges}, DPD changes ${prediction.dpdChanged} (informative)`,
    );
    if (problems.length) throw new Error(`COB result check failed:\n    ${problems.join('\n    ')}`);
    console.log(`  checked: per-loan DPD and bucket, loans per bucket, events by type = report, run row`);
    return { installments, seedMs, analyzeMs: seedTimes.analyzeMs, baseMs: base.ms, cobMs, report, events, prediction };
  });

  const ratio = round2(outcome.cobMs / outcome.baseMs);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    `  loans ${loans}, installments ${outcome.installments}; seed ${round1(outcome.seedMs / 1000)} s; baseline ${seconds(outcome.baseMs)} s; ` +
      `COB ${seconds(outcome.cobMs)} s; ratio COB/baseline = ${ratio} (target ≤ ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}); ` +
      `peak RSS of this process ${peakRssMb} MB; total ${round1((performance.now() - began) / 1000)} s`,
  );
  const result = {
    bench: 'delinquency',
    database: pglite ? 'pglite' : 'postgres',
    loans,
    installments: outcome.installments,
    asOf: AS_OF,
    seedSeconds: seconds(outcome.seedMs),
    analyzeSeconds: seconds(outcome.analyzeMs),
    baselineSeconds: seconds(outcome.baseMs),
    cobSeconds: seconds(outcome.cobMs),
    cobReportMs: outcome.report.durationMs,
    changed: outcome.report.changed,
    events: outcome.events,
    buckets: outcome.prediction.buckets,
    peakRssMb,
    elapsedMs: Math.round(performance.now() - began),
    ratio,
  };
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(`delinquency bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
