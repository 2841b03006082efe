import { sql } from 'kysely';
import { addDays } from '../receivables/schedule/due-dates.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import './tables.js';

/**
 * What segmentation (and credit) needs from the customer's past with collections: the one query
 * credit asks of collections, kept in a file of its own so that credit's import of it brings in
 * nothing else of collections (and no cycle back into credit).
 *
 * Counts only collections' own rows (no need to anchor on the customers table: a customer with no
 * cases or promises counts zero either way).
 */
export async function customerHistory(db: Queryable | Tx, customerId: string, today: string) {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('collection_promises')
        .select(sql<string>`count(*)`.as('n'))
        .where('customer_id', '=', customerId)
        .where('status', '=', 'broken')
        .where('resolved_at', '>=', sql<Date>`${addDays(today, -180)}::date`)
        .as('broken'),
      eb
        .selectFrom('collection_cases')
        .select(sql<string>`count(*)`.as('n'))
        .where('customer_id', '=', customerId)
        .where('opened_at', '>=', sql<Date>`${addDays(today, -365)}::date`)
        .as('cases'),
      eb
        .selectFrom('collection_cases')
        .select(sql<string>`count(*)`.as('n'))
        .where('customer_id', '=', customerId)
        .where('status', '=', 'open')
        .as('open'),
    ])
    .executeTakeFirst();
  return {
    brokenPromises: Number(row?.broken ?? 0),
    priorCases: Number(row?.cases ?? 0),
    openCases: Number(row?.open ?? 0),
  };
}
