import { sql, type RawBuilder } from 'kysely';
import { storedEventsOfType } from '../../../engine/index.js';
import { addDays, daysBetween } from '../../receivables/schedule/due-dates.js';
import { CURRENT_BUCKET, readSettings, type Bucket } from '../../receivables/settings.js';
import type { Queryable } from '../../../storage/schema.js';
import { moneyRatio, rate, roundInterval, wilson, type Interval } from './statistics.js';
import '../tables.js';
import { beginningBalancesCte, movementsCte } from '../../receivables/reports/balance-history.js';

/**
 * Collections KPIs over a period of business days (UTC dates, both ends included), computed in SQL
 * from what is stored: cases, promises, bucket changes, installments, payments, fees and
 * adjustments. Every figure comes with the counts or sums it was computed from, so a test or an
 * auditor can recompute it; money sums stay integers of minor units (strings on the way out) and are
 * never added across currencies. The formulas are in docs/collections-reports.md.
 */

export interface KpiQuery {
  from: string;
  to: string;
  /** The collections segment of the case (cure, promise and recovery figures). */
  segment?: string | undefined;
  currency?: string | undefined;
}

export interface Period {
  from: string;
  to: string;
  days: number;
  /** from 00:00 UTC … the day after `to`, 00:00 UTC (exclusive): the period as timestamps. */
  start: Date;
  end: Date;
}

export function periodOf(from: string, to: string): Period {
  return {
    from,
    to,
    days: daysBetween(from, to) + 1,
    start: new Date(`${from}T00:00:00.000Z`),
    end: new Date(`${addDays(to, 1)}T00:00:00.000Z`),
  };
}

export const andIf = (condition: unknown, fragment: RawBuilder<unknown>): RawBuilder<unknown> =>
  condition ? sql` AND ${fragment}` : sql``;

/** The rank of a bucket name: current 0, then the configured buckets in order (null if unknown). */
export function bucketRank(name: RawBuilder<unknown>, buckets: Bucket[]): RawBuilder<number | null> {
  const whens = [CURRENT_BUCKET, ...buckets.map((b) => b.name)].map((b, i) => sql`WHEN ${b} THEN ${sql.lit(i)}`);
  return sql<number | null>`(CASE ${name}::text ${sql.join(whens, sql` `)} END)`;
}

/** The rank of the bucket a number of days past due falls in (as bucketFor assigns it). */
export function dpdRank(dpd: RawBuilder<unknown>, buckets: Bucket[]): RawBuilder<number> {
  const whens = buckets
    .filter((b) => b.maxDpd !== null)
    .map((b, i) => sql`WHEN ${dpd} <= ${sql.lit(b.maxDpd)} THEN ${sql.lit(i + 1)}`);
  return sql<number>`(CASE WHEN ${dpd} <= 0 THEN 0 ${sql.join(whens, sql` `)} ELSE ${sql.lit(buckets.length)} END)`;
}

export interface RateWithCi {
  /** successes ÷ n, 4 places; null when n is 0. */
  rate: number | null;
  /** 95 % Wilson score interval. */
  ci: Interval | null;
}

export interface CollectionKpis {
  period: { from: string; to: string; days: number };
  filters: { segment: string | null; currency: string | null };
  cureRate: RateWithCi & { cured: number; opened: number };
  rollRates: Array<{ from: string; to: string; inBucket: number; rolled: number; rate: number | null }>;
  promiseKeptRate: {
    overall: PromiseCounts;
    byCollector: Array<PromiseCounts & { collector: string | null }>;
    bySegment: Array<PromiseCounts & { segment: string }>;
  };
  recoveryRate: Array<{
    currency: string;
    cases: number;
    recovered: string;
    openedOverdue: string;
    rate: string | null;
  }>;
  cei: Array<ReceivableFlows & { cei: string | null }>;
  dso: Array<{ currency: string; endingTotal: string; sales: string; days: number; dso: string | null }>;
}

export interface PromiseCounts {
  kept: number;
  broken: number;
  /** kept ÷ (kept + broken), 4 places. */
  rate: number | null;
}

export interface ReceivableFlows {
  currency: string;
  /** Owed at the start of `from` by receivables issued before it. */
  beginning: string;
  /** What the receivables issued in the period were issued for (their schedules). */
  creditSales: string;
  /** Fees charged in the period. */
  feesCharged: string;
  /** creditSales + feesCharged: everything newly charged in the period. */
  sales: string;
  /** Owed at the end of `to`. */
  endingTotal: string;
  /** The part of endingTotal in installments not yet past due at `to` (due on `to` or later). */
  endingCurrent: string;
  /** Payments received in the period (allocated to installments; reversed payments excluded). */
  collected: string;
  /** Credit notes and write-offs in the period. */
  adjusted: string;
}

export async function collectionKpis(db: Queryable, q: KpiQuery): Promise<CollectionKpis> {
  const period = periodOf(q.from, q.to);
  const { buckets } = await readSettings(db);
  // Independent reads: on a PostgreSQL pool they run side by side on separate connections (the two
  // that read every receivable dominate at 100 000 receivables); PGlite runs them in turn.
  const [cureRate, rollRates, promiseKeptRate, recoveryRate, flows] = await Promise.all([
    cureRateOf(db, period, q),
    rollRatesOf(db, period, q, buckets),
    promiseKeptRateOf(db, period, q),
    recoveryRateOf(db, period, q),
    receivableFlows(db, period, q),
  ]);
  return {
    period: { from: period.from, to: period.to, days: period.days },
    filters: { segment: q.segment ?? null, currency: q.currency ?? null },
    cureRate,
    rollRates,
    promiseKeptRate,
    recoveryRate,
    cei: flows.map((f) => ({
      ...present(f),
      // CEI = (beginning + sales − ending total) ÷ (beginning + sales − ending current) × 100
      cei: moneyRatio(f.beginning + f.sales - f.endingTotal, f.beginning + f.sales - f.endingCurrent, 2, 100),
    })),
    dso: flows.map((f) => ({
      currency: f.currency,
      endingTotal: f.endingTotal.toString(),
      sales: f.sales.toString(),
      days: period.days,
      // DSO = ending total ÷ sales × days in the period
      dso: moneyRatio(f.endingTotal, f.sales, 2, period.days),
    })),
  };
}

/** Cases opened in the period, and those of them closed cured or paid (by now). */
async function cureRateOf(db: Queryable, period: Period, q: KpiQuery) {
  const { rows } = await sql<{ opened: number; cured: number }>`
    SELECT count(*)::int AS opened,
           count(*) FILTER (WHERE status = 'closed' AND outcome IN ('cured', 'paid'))::int AS cured
      FROM collection_cases
     WHERE opened_at >= ${period.start}::timestamptz AND opened_at < ${period.end}::timestamptz
       ${andIf(q.segment, sql`segment = ${q.segment}`)}
       ${andIf(q.currency, sql`currency = ${q.currency}`)}`.execute(db);
  const { opened, cured } = rows[0]!;
  return { cured, opened, rate: rate(cured, opened), ci: roundInterval(wilson(cured, opened)) };
}

/** Promises resolved in the period as kept or broken (cancelled ones were never put to the test). */
async function promiseKeptRateOf(db: Queryable, period: Period, q: KpiQuery) {
  const { rows } = await sql<{ collector: string | null; segment: string; kept: number; broken: number }>`
    SELECT collector, segment,
           count(*) FILTER (WHERE status = 'kept')::int AS kept,
           count(*) FILTER (WHERE status = 'broken')::int AS broken
      FROM collection_promises
     WHERE status IN ('kept', 'broken')
       AND resolved_at >= ${period.start}::timestamptz AND resolved_at < ${period.end}::timestamptz
       ${andIf(q.segment, sql`segment = ${q.segment}`)}
       ${andIf(q.currency, sql`currency = ${q.currency}`)}
     GROUP BY collector, segment`.execute(db);
  const counts = (list: typeof rows): PromiseCounts => {
    const kept = list.reduce((s, r) => s + r.kept, 0);
    const broken = list.reduce((s, r) => s + r.broken, 0);
    return { kept, broken, rate: rate(kept, kept + broken) };
  };
  const groups = <K extends string | null>(key: (r: (typeof rows)[number]) => K) =>
    [...new Set(rows.map(key))]
      .sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
      .map((k) => ({ key: k, ...counts(rows.filter((r) => key(r) === k)) }));
  return {
    overall: counts(rows),
    byCollector: groups((r) => r.collector).map(({ key, ...c }) => ({ collector: key, ...c })),
    bySegment: groups((r) => r.segment).map(({ key, ...c }) => ({ segment: key, ...c })),
  };
}

/**
 * What a case has recovered: the stored figure once it is closed; while it is open, what the
 * receivable has been paid since the case opened (as closing would compute it).
 */
export const RECOVERED_NOW = sql<string>`(CASE WHEN k.status = 'closed' THEN k.recovered
  ELSE GREATEST(r.total_paid - k.opened_paid, 0) END)`;

/** Σ recovered ÷ Σ overdue at opening for the cases opened in the period, per currency. */
async function recoveryRateOf(db: Queryable, period: Period, q: KpiQuery) {
  const { rows } = await sql<{ currency: string; cases: number; recovered: string; opened_overdue: string }>`
    SELECT k.currency, count(*)::int AS cases,
           SUM(${RECOVERED_NOW})::text AS recovered, SUM(k.opened_overdue)::text AS opened_overdue
      FROM collection_cases k
      JOIN receivables r ON r.id = k.receivable_id
     WHERE k.opened_at >= ${period.start}::timestamptz AND k.opened_at < ${period.end}::timestamptz
       ${andIf(q.segment, sql`k.segment = ${q.segment}`)}
       ${andIf(q.currency, sql`k.currency = ${q.currency}`)}
     GROUP BY k.currency
     ORDER BY k.currency`.execute(db);
  return rows.map((r) => ({
    currency: r.currency,
    cases: r.cases,
    recovered: r.recovered,
    openedOverdue: r.opened_overdue,
    rate: moneyRatio(BigInt(r.recovered), BigInt(r.opened_overdue), 4),
  }));
}

/**
 * The receivables a period's balances cover (`scope`) and their movements since it began
 * (receivables/reports/balance-history.ts): what each owes now, worked back to the period's start and
 * end. Installments are taken as they are now, with fees charged after a date taken off what was due
 * then and credit notes and write-offs made after it added back; posted payments (allocations by the
 * date received) count from the day received, reversed ones never. Cancelled receivables are left out.
 *
 *   owed(D) = outstanding now + payments received after D − fees charged after D + adjustments after D
 */
function periodBalances(period: Period, currency: string | undefined): RawBuilder<unknown> {
  return sql`
    -- Not materialized: each part reads what it needs (a scan for the totals, an index probe per movement).
    scope AS NOT MATERIALIZED (
      SELECT id, currency, issue_date, outstanding, total_due FROM receivables
       WHERE status <> 'cancelled' AND issue_date <= ${period.to}::date
         ${andIf(currency, sql`currency = ${currency}`)}
    ),
    ${movementsCte(period)}`;
}

interface Flows {
  currency: string;
  beginning: bigint;
  creditSales: bigint;
  feesCharged: bigint;
  sales: bigint;
  endingTotal: bigint;
  endingCurrent: bigint;
  collected: bigint;
  adjusted: bigint;
}

/** The inputs of CEI and DSO per currency: sums over the receivables and their movements, no per-receivable history. */
async function receivableFlows(db: Queryable, period: Period, q: KpiQuery): Promise<Flows[]> {
  const from = sql`${period.from}::date`;
  const to = sql`${period.to}::date`;
  const { rows } = await sql<Record<string, string>>`
    WITH ${periodBalances(period, q.currency)},
    owed_now AS (
      SELECT currency,
             COALESCE(SUM(outstanding) FILTER (WHERE issue_date < ${from}), 0) AS beginning,
             COALESCE(SUM(total_due) FILTER (WHERE issue_date >= ${from}), 0) AS issued,
             SUM(outstanding) AS ending
        FROM scope GROUP BY currency
    ),
    moved AS (
      SELECT s.currency,
             COALESCE(SUM(m.signed) FILTER (WHERE s.issue_date < ${from} AND m.since_from), 0) AS beginning,
             -- As issued: the schedule without the fees charged since, with the adjustments made since.
             COALESCE(SUM(m.signed) FILTER (WHERE s.issue_date >= ${from} AND m.kind <> 'paid'), 0) AS issued,
             COALESCE(SUM(m.amount) FILTER (WHERE m.kind = 'fee' AND m.since_from AND NOT m.after_to), 0) AS fees,
             COALESCE(SUM(m.signed) FILTER (WHERE m.after_to), 0) AS ending,
             COALESCE(SUM(m.amount) FILTER (WHERE m.kind = 'paid' AND NOT m.after_to), 0) AS collected,
             COALESCE(SUM(m.amount) FILTER (WHERE m.kind = 'adjusted' AND m.since_from AND NOT m.after_to), 0) AS adjusted,
             COALESCE(SUM(m.signed) FILTER (WHERE m.after_to AND m.on_current), 0) AS current
        FROM movements m JOIN scope s ON s.id = m.receivable_id
       GROUP BY s.currency
    ),
    -- Not past due at the end of the period: installments due on its last day or later, as they stand now.
    current_now AS (
      SELECT s.currency,
             SUM(i.principal_due + i.interest_due + i.fee_due - i.principal_paid - i.interest_paid - i.fee_paid) AS current
        FROM installments i JOIN scope s ON s.id = i.receivable_id
       WHERE i.due_date >= ${to}
       GROUP BY s.currency
    )
    SELECT o.currency,
           (o.beginning + COALESCE(m.beginning, 0))::text AS beginning,
           (o.issued + COALESCE(m.issued, 0))::text AS credit_sales,
           COALESCE(m.fees, 0)::text AS fees_charged,
           (o.ending + COALESCE(m.ending, 0))::text AS ending_total,
           (COALESCE(c.current, 0) + COALESCE(m.current, 0))::text AS ending_current,
           COALESCE(m.collected, 0)::text AS collected,
           COALESCE(m.adjusted, 0)::text AS adjusted
      FROM owed_now o
      LEFT JOIN moved m ON m.currency = o.currency
      LEFT JOIN current_now c ON c.currency = o.currency
     ORDER BY o.currency`.execute(db);
  return rows.map((r) => {
    const creditSales = BigInt(r.credit_sales!);
    const feesCharged = BigInt(r.fees_charged!);
    return {
      currency: r.currency!,
      beginning: BigInt(r.beginning!),
      creditSales,
      feesCharged,
      sales: creditSales + feesCharged,
      endingTotal: BigInt(r.ending_total!),
      endingCurrent: BigInt(r.ending_current!),
      collected: BigInt(r.collected!),
      adjusted: BigInt(r.adjusted!),
    };
  });
}

function present(f: Flows): ReceivableFlows {
  return {
    currency: f.currency,
    beginning: f.beginning.toString(),
    creditSales: f.creditSales.toString(),
    feesCharged: f.feesCharged.toString(),
    sales: f.sales.toString(),
    endingTotal: f.endingTotal.toString(),
    endingCurrent: f.endingCurrent.toString(),
    collected: f.collected.toString(),
    adjusted: f.adjusted.toString(),
  };
}

/**
 * Roll rates between consecutive buckets, from the `receivable.bucket_changed` events (dated by the
 * business date they were computed for, `asOf`). A receivable was in bucket B during the period when:
 *   - B was its bucket when the period began (its last change before `from`, else current) and it
 *     owed something then;
 *   - it was issued in the period (B = current);
 *   - it moved into B in the period (into current only while still owing: not paid off or written off);
 *   - or it moved out of B in the period.
 * It rolled when it moved from B to a worse bucket in the period (the next one, or further when close
 * of business skipped days).
 */
async function rollRatesOf(db: Queryable, period: Period, q: KpiQuery, buckets: Bucket[]) {
  const from = sql`${period.from}::date`;
  const to = sql`${period.to}::date`;
  const { rows } = await sql<{ bucket: string; in_bucket: number; rolled: number }>`
    WITH ${periodBalances(period, q.currency)},
    ${beginningBalancesCte},
    changes AS (
      SELECT e.key AS receivable_id, e.data->>'bucket' AS bucket, e.data->>'previousBucket' AS previous,
             COALESCE(e.data->>'status', 'open') AS status,
             COALESCE((e.data->>'asOf')::date, (e.published_at AT TIME ZONE 'UTC')::date) AS on_date,
             e.published_at, e.id
        FROM ${storedEventsOfType('receivable.bucket_changed')} e JOIN scope s ON s.id = e.key
    ),
    at_start AS (
      SELECT DISTINCT ON (receivable_id) receivable_id, bucket
        FROM changes WHERE on_date < ${from}
       ORDER BY receivable_id, on_date DESC, published_at DESC, id DESC
    ),
    within AS (SELECT * FROM changes WHERE on_date >= ${from} AND on_date <= ${to}),
    -- Where each receivable stood when the period began (owing something, or issued in it): one row
    -- per receivable, counted without de-duplicating the whole book.
    at_begin AS (
      SELECT b.receivable_id,
             CASE WHEN b.issue_date >= ${from} THEN ${CURRENT_BUCKET}::text
                  ELSE COALESCE(a.bucket, ${CURRENT_BUCKET}::text) END AS bucket
        FROM balances b LEFT JOIN at_start a ON a.receivable_id = b.receivable_id
       WHERE b.issue_date >= ${from} OR b.beginning > 0
    ),
    -- The buckets the period's changes moved receivables into or out of, beyond where they began.
    moved AS (
      SELECT receivable_id, bucket FROM within WHERE bucket <> ${CURRENT_BUCKET}::text OR status = 'open'
      UNION
      SELECT receivable_id, previous FROM within
    ),
    was_in AS (
      SELECT bucket, count(*)::int AS n FROM at_begin GROUP BY bucket
      UNION ALL
      -- (at_begin has one row per receivable; joined from the few moved pairs, not the other way round.)
      SELECT m.bucket, count(*)::int FROM moved m
        LEFT JOIN at_begin s ON s.receivable_id = m.receivable_id
       WHERE s.bucket IS DISTINCT FROM m.bucket
       GROUP BY m.bucket
    ),
    -- Every (receivable, previous bucket) of a change is in was_in (moved holds it): no join needed.
    rolled AS (
      SELECT previous AS bucket, count(DISTINCT receivable_id)::int AS n FROM within
       WHERE ${bucketRank(sql`bucket`, buckets)} > ${bucketRank(sql`previous`, buckets)}
       GROUP BY previous
    )
    SELECT w.bucket, SUM(w.n)::int AS in_bucket, COALESCE(MAX(r.n), 0)::int AS rolled
      FROM was_in w LEFT JOIN rolled r ON r.bucket = w.bucket
     GROUP BY w.bucket`.execute(db);
  const names = [CURRENT_BUCKET, ...buckets.map((b) => b.name)];
  return names.slice(0, -1).map((name, i) => {
    const row = rows.find((r) => r.bucket === name);
    const inBucket = row?.in_bucket ?? 0;
    const rolled = row?.rolled ?? 0;
    return { from: name, to: names[i + 1]!, inBucket, rolled, rate: rate(rolled, inBucket) };
  });
}
