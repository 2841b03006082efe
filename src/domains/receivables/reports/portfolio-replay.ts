import { sql, type RawBuilder } from 'kysely';
import type { Bucket } from '../settings.js';
import { coveredReceivables, pointsFromSpans, type PointRow, type PortfolioQuery } from './portfolio-points.js';

/**
 * The portfolio's points by their definition (portfolio-report.ts), replayed for every receivable
 * from its installments and every allocation of its posted payments up to each day a payment was
 * received. Its cost grows with the book's whole history; the report works back from each
 * receivable's present instead (`portfolioPoints`), and the tests hold it to this one.
 */
export function replayedPoints(q: PortfolioQuery, dates: string[], buckets: Bucket[]): RawBuilder<PointRow> {
  const covered = coveredReceivables(q);
  return pointsFromSpans(
    dates,
    buckets,
    sql`
    scope AS (SELECT r.id, r.currency, r.issue_date FROM receivables r ${covered.join} WHERE ${covered.where}),
    allocated AS (
      SELECT a.receivable_id, a.installment_seq, p.received_on, SUM(a.amount) AS amount
        FROM receivable_payments p
        JOIN scope s ON s.id = p.receivable_id
        JOIN payment_allocations a ON a.payment_id = p.id
       WHERE p.status = 'posted' AND p.received_on <= ${q.to}::date
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
    alike AS (
      SELECT start, until, oldest_unpaid, currency, count(*)::int AS receivables, SUM(owed) AS owed
        FROM spans WHERE owed > 0
       GROUP BY start, until, oldest_unpaid, currency
    )`,
  );
}
