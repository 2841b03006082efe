import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../../storage/schema.js';
import '../tables.js';

/**
 * How policy decided the applications submitted in a period (dashboards): counts of approve, decline
 * and review (and those still waiting for their automatic decision), their rates over the decided
 * ones, per product, and the distribution of scores by band and grade. One set-based query each; the
 * score is the one the scorecard gave (`decision.score.score`).
 */

export interface DecisionReportQuery {
  from: string;
  to: string;
  product?: string | undefined;
  currency?: string | undefined;
  /** The applicant's customer segment. */
  segment?: string | undefined;
}

export const OUTCOMES = ['approve', 'decline', 'review'] as const;
/** Width of a score band (points). */
export const SCORE_BAND = 20;

interface OutcomeCounts {
  approve: number;
  decline: number;
  review: number;
  /** Submitted, no automatic decision yet. */
  pending: number;
  total: number;
  /** Of the decided (approve + decline + review), 4 places; null when none was decided. */
  approveRate: number | null;
  declineRate: number | null;
  reviewRate: number | null;
}

export interface DecisionReport {
  period: { from: string; to: string };
  filters: { product: string | null; currency: string | null; segment: string | null };
  outcomes: OutcomeCounts;
  byProduct: Array<OutcomeCounts & { product: string }>;
  scoreBands: Array<{ low: number; high: number; approve: number; decline: number; review: number; total: number }>;
  grades: Array<{ grade: string; count: number }>;
}

const andIf = (condition: unknown, fragment: RawBuilder<unknown>): RawBuilder<unknown> =>
  condition ? sql` AND ${fragment}` : sql``;

const rate = (x: number, n: number) => (n === 0 ? null : Math.round((x / n) * 10_000) / 10_000);

function counts(row: { approve: number; decline: number; review: number; pending: number }): OutcomeCounts {
  const decided = row.approve + row.decline + row.review;
  return {
    approve: row.approve,
    decline: row.decline,
    review: row.review,
    pending: row.pending,
    total: decided + row.pending,
    approveRate: rate(row.approve, decided),
    declineRate: rate(row.decline, decided),
    reviewRate: rate(row.review, decided),
  };
}

export async function decisionReport(db: Queryable, q: DecisionReportQuery): Promise<DecisionReport> {
  const start = new Date(`${q.from}T00:00:00.000Z`);
  const end = new Date(new Date(`${q.to}T00:00:00.000Z`).getTime() + 86_400_000);
  const scope = sql`
    scope AS (
      SELECT a.product, a.outcome, a.decision
        FROM credit_applications a
        JOIN customers c ON c.id = a.customer_id
       WHERE a.created_at >= ${start}::timestamptz AND a.created_at < ${end}::timestamptz
         ${andIf(q.product, sql`a.product = ${q.product}`)}
         ${andIf(q.currency, sql`a.currency = ${q.currency}`)}
         ${andIf(q.segment, sql`c.segment = ${q.segment}`)}
    )`;
  const outcomeColumns = sql`
    count(*) FILTER (WHERE outcome = 'approve')::int AS approve,
    count(*) FILTER (WHERE outcome = 'decline')::int AS decline,
    count(*) FILTER (WHERE outcome = 'review')::int AS review,
    count(*) FILTER (WHERE outcome IS NULL OR outcome NOT IN ('approve', 'decline', 'review'))::int AS pending`;
  const { rows: products } = await sql<{
    product: string;
    approve: number;
    decline: number;
    review: number;
    pending: number;
  }>`
    WITH ${scope}
    SELECT product, ${outcomeColumns} FROM scope GROUP BY product ORDER BY product`.execute(db);
  const score = sql`(decision->'score'->>'score')::numeric`;
  const { rows: bands } = await sql<{ low: number; approve: number; decline: number; review: number; total: number }>`
    WITH ${scope}
    SELECT (floor(${score} / ${sql.lit(SCORE_BAND)}) * ${sql.lit(SCORE_BAND)})::int AS low,
           count(*) FILTER (WHERE outcome = 'approve')::int AS approve,
           count(*) FILTER (WHERE outcome = 'decline')::int AS decline,
           count(*) FILTER (WHERE outcome = 'review')::int AS review,
           count(*)::int AS total
      FROM scope
     WHERE jsonb_typeof(decision->'score'->'score') = 'number'
     GROUP BY 1 ORDER BY 1`.execute(db);
  const { rows: grades } = await sql<{ grade: string; count: number }>`
    WITH ${scope}
    SELECT decision->'score'->>'grade' AS grade, count(*)::int AS count
      FROM scope
     WHERE jsonb_typeof(decision->'score'->'grade') = 'string'
     GROUP BY 1 ORDER BY 1`.execute(db);
  const total = products.reduce(
    (sum, p) => ({
      approve: sum.approve + p.approve,
      decline: sum.decline + p.decline,
      review: sum.review + p.review,
      pending: sum.pending + p.pending,
    }),
    { approve: 0, decline: 0, review: 0, pending: 0 },
  );
  return {
    period: { from: q.from, to: q.to },
    filters: { product: q.product ?? null, currency: q.currency ?? null, segment: q.segment ?? null },
    outcomes: counts(total),
    byProduct: products.map((p) => ({ product: p.product, ...counts(p) })),
    scoreBands: bands.map((b) => ({ ...b, high: b.low + SCORE_BAND - 1 })),
    grades,
  };
}
