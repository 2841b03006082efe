import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../../storage/schema.js';
import { addDays, daysBetween, endOfMonth } from '../schedule/due-dates.js';
import { CURRENT_BUCKET, readSettings, type Bucket } from '../settings.js';
import {
  coveredReceivables,
  pointsFromSpans,
  type PointRow,
  type PortfolioInterval,
  type PortfolioQuery,
} from './portfolio-points.js';
import '../tables.js';

/**
 * The portfolio by delinquency bucket over time: at the end of each day, week or month of a period,
 * how many receivables owed something and what they owed, per bucket and currency. Computed in one
 * set-based query from the receivables and the posted payments' allocations by the date received
 * (`portfolioPoints` below), so it shows history the close-of-business runs never stored (and a portfolio loaded yesterday with
 * back-dated receivables still has its past). At a date D, for each receivable issued on or before D:
 *
 *   owed(D)  = Σ installments' due − Σ allocations of posted payments received on or before D
 *   dpd(D)   = D − the due date of the oldest installment due before D and not fully paid by D
 *
 * Installments are taken as they are now: a fee charged later counts as due from the start, and an
 * amount a credit note or write-off took off as never owed. Cancelled receivables are left out.
 */

export type { PortfolioInterval, PortfolioQuery } from './portfolio-points.js';

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

/**
 * The points, worked back from each receivable's present. Every change keeps a receivable's
 * `outstanding` equal to its installments' due less paid and its `oldest_unpaid_due_date` current
 * (receivables/delinquency/delinquency.ts), so at a day D
 *
 *   owed(D)   = outstanding now + Σ allocations of posted payments received after D
 *   oldest(D) = the earlier of the oldest unpaid due date now and the due date of the oldest
 *               installment a payment received after D went to (it was not fully paid at D)
 *
 * Its state changes only on the days payments were received, so a receivable is one span from its
 * last such day (or its issue date) on, as it stands, and one span before each such day after the
 * chart's first point, with that day's and later allocations added back (window sums). The query
 * reads each receivable once and the allocations since the first point: at 100 000 receivables tens
 * of milliseconds, where replaying every installment's history (portfolio-replay.ts, the definition
 * the tests hold this to) took most of a second.
 */
export function portfolioPoints(q: PortfolioQuery, dates: string[], buckets: Bucket[]): RawBuilder<PointRow> {
  const covered = coveredReceivables(q);
  const first = sql`${dates[0]!}::date`;
  const laterRows = sql`ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING`;
  return pointsFromSpans(
    dates,
    buckets,
    sql`
    paid_days AS (
      SELECT a.receivable_id, p.received_on, SUM(a.amount) AS amount, MIN(i.due_date) AS earliest_due
        FROM receivable_payments p
        JOIN payment_allocations a ON a.payment_id = p.id
        JOIN installments i ON i.receivable_id = a.receivable_id AND i.seq = a.installment_seq
       WHERE p.status = 'posted' AND p.received_on > ${first}
       GROUP BY a.receivable_id, p.received_on
    ),
    -- Up to each payment day: that day's allocations and every later one's added back.
    before_each AS (
      SELECT receivable_id, received_on AS until, LAG(received_on) OVER w AS previous,
             SUM(amount) OVER (w ${laterRows}) AS added, MIN(earliest_due) OVER (w ${laterRows}) AS earliest_due
        FROM paid_days
      WINDOW w AS (PARTITION BY receivable_id ORDER BY received_on)
    ),
    spans AS (
      SELECT GREATEST(r.issue_date, l.last_paid) AS start, NULL::date AS until,
             r.oldest_unpaid_due_date AS oldest_unpaid, r.currency, r.outstanding AS owed
        FROM receivables r ${covered.join}
        LEFT JOIN (SELECT receivable_id, MAX(received_on) AS last_paid FROM paid_days GROUP BY receivable_id) l
          ON l.receivable_id = r.id
       WHERE ${covered.where}
      UNION ALL
      SELECT GREATEST(r.issue_date, b.previous), b.until, LEAST(r.oldest_unpaid_due_date, b.earliest_due),
             r.currency, r.outstanding + b.added
        FROM before_each b JOIN receivables r ON r.id = b.receivable_id ${covered.join}
       WHERE ${covered.where}
    ),
    alike AS (
      SELECT start, until, oldest_unpaid, currency, count(*)::int AS receivables, SUM(owed) AS owed
        FROM spans WHERE owed > 0 AND (until IS NULL OR until > start)
       GROUP BY start, until, oldest_unpaid, currency
    )`,
  );
}

/**
 * The segments, products and currencies in use. Currencies and kinds are the distinct pairs of the
 * (currency, kind) index and credit products those of the product index, each found by skipping from
 * one value to the next (a loose index scan): a few index probes instead of reading every receivable.
 */
function filterOptions(): RawBuilder<{ dimension: string; value: string }> {
  return sql<{ dimension: string; value: string }>`
    WITH RECURSIVE pairs (currency, kind, n) AS (
      (SELECT currency, kind, 1 FROM receivables ORDER BY currency, kind LIMIT 1)
      UNION ALL
      SELECT next.currency, next.kind, p.n + 1 FROM pairs p
        CROSS JOIN LATERAL (SELECT currency, kind FROM receivables r WHERE (r.currency, r.kind) > (p.currency, p.kind)
                             ORDER BY currency, kind LIMIT 1) next
       WHERE p.n < 1000
    ),
    products (product, n) AS (
      (SELECT metadata->>'product', 1 FROM receivables WHERE metadata->>'product' IS NOT NULL
        ORDER BY metadata->>'product' LIMIT 1)
      UNION ALL
      SELECT next.product, p.n + 1 FROM products p
        CROSS JOIN LATERAL (SELECT metadata->>'product' AS product FROM receivables r
                             WHERE r.metadata->>'product' > p.product ORDER BY r.metadata->>'product' LIMIT 1) next
       WHERE p.n < 100
    )
    (SELECT DISTINCT 'segment' AS dimension, segment AS value FROM customers WHERE segment IS NOT NULL LIMIT 100)
    UNION ALL (SELECT DISTINCT 'product', kind FROM pairs)
    UNION ALL (SELECT 'product', product FROM products)
    UNION ALL (SELECT DISTINCT 'currency', currency FROM pairs)`;
}

export async function portfolioReport(db: Queryable, q: PortfolioQuery): Promise<PortfolioReport> {
  const interval = q.interval ?? defaultInterval(q.from, q.to);
  const dates = pointDates(q.from, q.to, interval);
  const { buckets } = await readSettings(db);
  // The points and the filter options are independent reads: side by side on a PostgreSQL pool.
  const [{ rows }, { rows: options }] = await Promise.all([
    portfolioPoints(q, dates, buckets).execute(db),
    filterOptions().execute(db),
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
