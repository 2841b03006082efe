import { sql, type RawBuilder } from 'kysely';

/**
 * What a receivable owed at a past date, worked back from what it owes now. Every change of a
 * receivable keeps its stored totals equal to its installments (`outstanding` = due − paid,
 * `total_due`, `oldest_unpaid_due_date`; see delinquency.ts), so its balance at the end of day D is
 *
 *   owed(D) = outstanding now + allocations of posted payments received after D
 *             − fees charged after D + credit notes and write-offs made after D
 *
 * A report over a large book then reads each receivable once and only the movements dated in or
 * after its period: a receivable nothing happened to since needs no history at all. Rebuilding every
 * balance from every installment and allocation since the book began cost seconds at 100 000
 * receivables (docs/benchmarks.md, console).
 *
 * `beginningBalancesCte` expects a CTE `scope (id, currency, issue_date, outstanding, total_due)` of the
 * receivables a report covers; the movements are every receivable's, for the report to join to its scope.
 */

/** A period as the movements need it: its first and last day, and both as UTC timestamps. */
export interface MovementPeriod {
  from: string;
  to: string;
  /** `from` 00:00 UTC. */
  start: Date;
  /** The day after `to`, 00:00 UTC. */
  end: Date;
}

/**
 * CTE `movements`: one row per posted payment's allocation received on or after `from`, per fee and
 * per adjustment made on or after `from` (and every fee and adjustment of a receivable issued on or
 * after `from`, whose amount as issued takes them back out). Columns:
 *   kind       'paid' | 'fee' | 'adjusted'
 *   signed     what the movement adds back to the balance before it: paid +, fee −, adjusted +
 *   since_from made on or after `from` (always true for payments)
 *   after_to   made after `to`
 *   on_current on an installment due on `to` or later (false for adjustments, which are not per installment)
 * Fees and adjustments date by their UTC day, payments by the day received.
 */
export function movementsCte(p: MovementPeriod): RawBuilder<unknown> {
  const from = sql`${p.from}::date`;
  const to = sql`${p.to}::date`;
  const start = sql`${p.start}::timestamptz`;
  const end = sql`${p.end}::timestamptz`;
  // Fees and adjustments of receivables issued in the period but made before it began (a receivable
  // dated ahead of its booking): rare, found through the receivables issued in the period.
  const beforeIssued = (alias: string, at: string) =>
    sql`${sql.raw(alias)}.${sql.raw(at)} < ${start} AND ${sql.raw(alias)}.receivable_id IN
         (SELECT id FROM receivables WHERE issue_date >= ${from})`;
  const fees = (where: RawBuilder<unknown>) => sql`
      SELECT f.receivable_id, 'fee' AS kind, -f.amount AS signed, f.amount, f.charged_at >= ${start} AS since_from,
             f.charged_at >= ${end} AS after_to, i.due_date >= ${to} AS on_current
        FROM receivable_fees f
        JOIN installments i ON i.receivable_id = f.receivable_id AND i.seq = f.installment_seq
       WHERE ${where}`;
  const adjustments = (where: RawBuilder<unknown>) => sql`
      SELECT j.receivable_id, 'adjusted', j.amount, j.amount, j.created_at >= ${start}, j.created_at >= ${end}, false
        FROM receivable_adjustments j
       WHERE ${where}`;
  return sql`movements AS (
      SELECT a.receivable_id, 'paid' AS kind, a.amount AS signed, a.amount, true AS since_from,
             p.received_on > ${to} AS after_to, i.due_date >= ${to} AS on_current
        FROM receivable_payments p
        JOIN payment_allocations a ON a.payment_id = p.id
        JOIN installments i ON i.receivable_id = a.receivable_id AND i.seq = a.installment_seq
       WHERE p.status = 'posted' AND p.received_on >= ${from}
      UNION ALL ${fees(sql`f.charged_at >= ${start}`)}
      UNION ALL ${fees(beforeIssued('f', 'charged_at'))}
      UNION ALL ${adjustments(sql`j.created_at >= ${start}`)}
      UNION ALL ${adjustments(beforeIssued('j', 'created_at'))}
    )`;
}

/**
 * CTE `balances (receivable_id, issue_date, beginning)`: what each receivable in `scope` owed at the
 * start of `from` (the end of the day before). Needs `movementsCte` before it.
 */
export const beginningBalancesCte = sql`balances AS (
      SELECT s.id AS receivable_id, s.issue_date, s.outstanding + COALESCE(m.delta, 0) AS beginning
        FROM scope s
        LEFT JOIN (SELECT receivable_id, SUM(signed) AS delta FROM movements WHERE since_from GROUP BY receivable_id) m
          ON m.receivable_id = s.id
    )`;
