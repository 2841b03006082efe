import { sql, type RawBuilder } from 'kysely';
import { CURRENT_BUCKET, type Bucket } from '../settings.js';

/**
 * What the portfolio queries share: the receivables a query covers, and the last step that places
 * spans of constant state at the chart's points. A span is (start, until, oldest_unpaid, currency,
 * receivables, owed): that many receivables owed that much from `start` (included) to `until`
 * (excluded; null: still), past due from the day after `oldest_unpaid`.
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

export interface PointRow {
  d: string;
  bucket: string;
  currency: string;
  receivables: number;
  owed: string;
}

export const andIf = (condition: unknown, fragment: RawBuilder<unknown>): RawBuilder<unknown> =>
  condition ? sql` AND ${fragment}` : sql``;

/** The bucket a number of days past due falls in, as the delinquency code assigns it. */
function bucketOf(dpd: RawBuilder<unknown>, buckets: Bucket[]): RawBuilder<string> {
  const whens = buckets
    .filter((b) => b.maxDpd !== null)
    .map((b) => sql`WHEN ${dpd} <= ${sql.lit(b.maxDpd)} THEN ${b.name}::text`);
  const last = buckets[buckets.length - 1]!.name;
  return sql<string>`(CASE WHEN ${dpd} IS NULL OR ${dpd} <= 0 THEN ${CURRENT_BUCKET}::text ${sql.join(whens, sql` `)} ELSE ${last}::text END)`;
}

/**
 * The receivables a query covers, as a join (customers, with a segment filter) and a condition on
 * `receivables r`: not cancelled, issued by the period's last day, and the query's filters.
 */
export function coveredReceivables(q: PortfolioQuery): { join: RawBuilder<unknown>; where: RawBuilder<unknown> } {
  return {
    join: q.segment ? sql`JOIN customers c ON c.id = r.customer_id` : sql``,
    where: sql`r.status <> 'cancelled' AND r.issue_date <= ${q.to}::date
         ${andIf(q.currency, sql`r.currency = ${q.currency}`)}
         ${andIf(q.segment, sql`c.segment = ${q.segment}`)}
         ${andIf(q.product, sql`(r.kind = ${q.product} OR r.metadata->>'product' = ${q.product})`)}`,
  };
}

/**
 * The query: `ctes` end in a CTE `alike` of spans (spans alike in dates and currency counted
 * together, so that a few thousand rows meet the points instead of one per receivable); each span
 * is placed at the points it covers and summed per date, bucket and currency.
 */
export function pointsFromSpans(dates: string[], buckets: Bucket[], ctes: RawBuilder<unknown>): RawBuilder<PointRow> {
  const points = sql.join(dates.map((d) => sql`(${d}::date)`));
  return sql<PointRow>`
    WITH points (d) AS (VALUES ${points}),
    ${ctes},
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
