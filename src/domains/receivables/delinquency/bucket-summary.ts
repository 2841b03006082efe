import { sql } from 'kysely';
import type { Queryable } from '../../../storage/schema.js';
import '../tables.js';

/** The open portfolio by delinquency bucket: count and outstanding per currency, mildest bucket first. */
export async function bucketSummary(db: Queryable) {
  const rows = await db
    .selectFrom('receivables')
    .select(['bucket', 'currency', sql<string>`count(*)`.as('count'), sql<string>`sum(outstanding)`.as('outstanding')])
    .where('status', '=', 'open')
    .groupBy(['bucket', 'currency'])
    .orderBy('currency')
    .orderBy(sql`min(dpd)`)
    .execute();
  return rows.map((r) => ({
    bucket: r.bucket,
    currency: r.currency,
    count: Number(r.count),
    outstanding: String(r.outstanding),
  }));
}
