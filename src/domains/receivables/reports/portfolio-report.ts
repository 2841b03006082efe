import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../../storage/schema.js';
import { addDays, daysBetween, endOfMonth } from '../schedule/due-dates.js';
import { CURRENT_BUCKET, readSettings, type Bucket } from '../settings.js';
import '../tables.js';

/**
 * The portfolio by delinquency bucket over time: at the end of each day, week or month of a period,
 * how many receivables owed something and what they owed, per bucket and currency. Rebuilt in one
 * set-based query from the installments and the posted payments' allocations by the date received,
 * so it shows history the close-of-business runs never stored (and a portfolio loaded yesterday with
 * back-dated receivables still has its past). At a date D, for each receivable issued on or before D:
 *
 *   owed(D)  = Σ installments' due − Σ allocations of posted payments received on or before D
 *   dpd(D)   = D − the due date of the oldest installment due before D and not fully paid by D
 *
 * Installments are taken as they are now: a fee charged later counts as due from the start, and an
 * amount a credit note or write-off took off as never owed. Cancelled receivables are left out.
 */

export type PortfolioInterval = 'day' | 'week' | 'month';

export interface PortfolioQuery {
  from: string;
  to: string;
  interval?: PortfolioInterval | undefined;
  currency?: string | undefined;
  /** The customer's segment. */
  segment?: string | undefined;
  /** The receivable's kind (`loan`, `invoice`) or the credit product that booked it (`metadata.product`). */
  product?: string | undefined;
}

export interface PortfolioPoint {
  date: string;
  bucket: string;
  currency: string;
  receivables: number;
  /** Minor units. */
  owed: string;
}

export interface PortfolioReport {
  period: { from: string; to: string; days: number };
  interval: PortfolioInterval;
  filters: { currency: string | null; segment: string | null; product: string | null };
  buckets: string[];
  dates: string[];
  points: PortfolioPoint[];
  /** What the filters can take: the segments, products (kinds and credit products) and currencies in use. */
  options: { segments: string[]; products: string[]; currencies: string[] };
}

export const MAX_POINTS = 100;

interface PointRow {
  d: string;
  bucket: string;
  currency: string;
  receivables: number;
  owed: string;
}

/** The interval a period is shown in when none is asked for: days up to 45, weeks up to 30, else months. */
export function defaultInterval(from: string, to: string): PortfolioInterval {
  const days = daysBetween(from, to) + 1;
  return days <= 45 ? 'day' : days <= 210 ? 'week' : 'month';
}

/** The dates each point is taken at: the last day of each interval, the period's last day included. */
export function pointDates(from: string, to: string, interval: PortfolioInterval): string[] {
  const dates: string[] = [];
  let next = interval === 'day' ? from : interval === 'week' ? addDays(from, 6) : endOfMonth(from);
  while (next < to && dates.length <= MAX_POINTS) {
    dates.push(next);
    next =
      interval === 'day' ? addDays(next, 1) : interval === 'week' ? addDays(next, 7) : endOfMonth(addDays(next, 1));
  }
  dates.push(to);
  return dates;
}

const andIf = (condition: unknown, fragment: RawBuilder<unknown>): RawBuilder<unknown> =>
  condition ? sql` AND ${fragment}` : sql``;

/** The bucket a number of days past due falls in, as the delinquency code assigns it. */
function bucketOf(dpd: RawBuilder<unknown>, buckets: Bucket[]): RawBuilder<string> {
  const whens = buckets
    .filter((b) => b.maxDpd !== null)
    .map((b) => sql`WHEN ${dpd} <= ${sql.lit(b.maxDpd)} THEN ${b.name}::text`);
  const last = buckets[buckets.length - 1]!.name;
  return sql<string>`(CASE WHEN ${dpd} IS NULL OR ${dpd} <= 0 THEN ${CURRENT_BUCKET}::text ${sql.join(whens, sql` `)} ELSE ${last}::text END)`;
}

/** The points rebuilt from installments and allocations (see the top of this file). */
export function rebuiltPoints(q: PortfolioQuery, dates: string[], buckets: Bucket[]): RawBuilder<PointRow> {
  const points = sql.join(dates.map((d) => sql`(${d}::date)`));
  const to = sql`${q.to}::date`;
  return sql<PointRow>`
    WITH points (d) AS (VALUES ${points}),
    scope AS (
      SELECT r.id, r.currency, r.issue_date FROM receivables r
        JOIN customers c ON c.id = r.customer_id
       WHERE r.status <> 'cancelled' AND r.issue_date <= ${to}
         ${andIf(q.currency, sql`r.currency = ${q.currency}`)}
         ${andIf(q.segment, sql`c.segment = ${q.segment}`)}
         ${andIf(q.product, sql`(r.kind = ${q.product} OR r.metadata->>'product' = ${q.product})`)}
    ),
    allocated AS (
      SELECT a.receivable_id, a.installment_seq, p.received_on, SUM(a.amount) AS amount
        FROM receivable_payments p
        JOIN scope s ON s.id = p.receivable_id
        JOIN payment_allocations a ON a.payment_id = p.id
       WHERE p.status = 'posted' AND p.received_on <= ${to}
       GROUP BY a.receivable_id, a.installment_seq, p.received_on
    ),
    -- A receivable's state changes only on the days payments were received: one segment from its
    -- issue date, and one more from each such day on.
    starts AS (
      SELECT id AS receivable_id, issue_date AS start FROM scope
      UNION
      SELECT a.receivable_id, GREATEST(a.received_on, s.issue_date)
        FROM allocated a JOIN scope s ON s.id = a.receivable_id
    ),
    paid_at AS (
      SELECT st.receivable_id, st.start, a.installment_seq, SUM(a.amount) AS paid
        FROM starts st JOIN allocated a ON a.receivable_id = st.receivable_id AND a.received_on <= st.start
       GROUP BY st.receivable_id, st.start, a.installment_seq
    ),
    segments AS (
      SELECT st.receivable_id, st.start, s.currency,
             SUM(i.principal_due + i.interest_due + i.fee_due - COALESCE(pa.paid, 0)) AS owed,
             -- The oldest installment not fully paid: past due at D when its due date is before D.
             MIN(i.due_date) FILTER (WHERE i.principal_due + i.interest_due + i.fee_due > COALESCE(pa.paid, 0))
               AS oldest_unpaid
        FROM starts st
        JOIN scope s ON s.id = st.receivable_id
        JOIN installments i ON i.receivable_id = st.receivable_id
        LEFT JOIN paid_at pa
          ON pa.receivable_id = st.receivable_id AND pa.start = st.start AND pa.installment_seq = i.seq
       GROUP BY st.receivable_id, st.start, s.currency
    ),
    spans AS (
      SELECT *, LEAD(start) OVER (PARTITION BY receivable_id ORDER BY start) AS until FROM segments
    ),
    -- Spans alike in dates and currency count together: a few thousand rows to join with the points
    -- instead of one per receivable.
    alike AS (
      SELECT start, until, oldest_unpaid, currency, count(*)::int AS receivables, SUM(owed) AS owed
        FROM spans WHERE owed > 0
       GROUP BY start, until, oldest_unpaid, currency
    ),
    placed AS (
      SELECT pt.d, sp.currency, sp.receivables, sp.owed,
             ${bucketOf(sql`(CASE WHEN sp.oldest_unpaid < pt.d THEN pt.d - sp.oldest_unpaid END)`, buckets)} AS bucket
        FROM points pt
        JOIN alike sp ON sp.start <= pt.d AND (sp.until IS NULL OR sp.until > pt.d)
    )
    SELECT to_char(d, 'YYYY-MM-DD') AS d, bucket, currency,
           SUM(receivables)::int AS receivables, SUM(owed)::text AS owed
      FROM placed
     GROUP BY d, bucket, currency
     ORDER BY 1, 3`;
}

export async function portfolioReport(db: Queryable, q: PortfolioQuery): Promise<PortfolioReport> {
  const interval = q.interval ?? defaultInterval(q.from, q.to);
  const dates = pointDates(q.from, q.to, interval);
  const { buckets } = await readSettings(db);
  // The points and the filter options are independent reads: side by side on a PostgreSQL pool.
  const [{ rows }, { rows: options }] = await Promise.all([
    rebuiltPoints(q, dates, buckets).execute(db),
    sql<{ dimension: string; value: string }>`
    (SELECT DISTINCT 'segment' AS dimension, segment AS value FROM customers WHERE segment IS NOT NULL LIMIT 100)
    UNION ALL (SELECT DISTINCT 'product', kind FROM receivables)
    UNION ALL (SELECT DISTINCT 'product', metadata->>'product' FROM receivables
                WHERE metadata->>'product' IS NOT NULL LIMIT 100)
    UNION ALL (SELECT DISTINCT 'currency', currency FROM receivables)`.execute(db),
  ]);
  const optionsOf = (dimension: string) =>
    [...new Set(options.filter((o) => o.dimension === dimension).map((o) => o.value))].sort();
  const names = [CURRENT_BUCKET, ...buckets.map((b) => b.name)];
  const rank = (name: string) => names.indexOf(name);
  return {
    period: { from: q.from, to: q.to, days: daysBetween(q.from, q.to) + 1 },
    interval,
    filters: { currency: q.currency ?? null, segment: q.segment ?? null, product: q.product ?? null },
    buckets: names,
    dates,
    points: rows
      .map((r) => ({ date: r.d, bucket: r.bucket, currency: r.currency, receivables: r.receivables, owed: r.owed }))
      .sort(
        (a, b) =>
          a.date.localeCompare(b.date) || a.currency.localeCompare(b.currency) || rank(a.bucket) - rank(b.bucket),
      ),
    options: { segments: optionsOf('segment'), products: optionsOf('product'), currencies: optionsOf('currency') },
  };
}
