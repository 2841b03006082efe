import type { Selectable } from 'kysely';
import type { Queryable, Tables, Tx } from '../../storage/schema.js';

/**
 * What other domains may read of a customer: a small read-only query owned here, so that
 * collections (and whoever comes next) does not run SQL on the customers table itself.
 */

export type CustomerColumns = Selectable<Tables['customers']>;

/** The named columns of one customer (it must exist). */
export async function customerColumns<K extends keyof CustomerColumns>(
  db: Queryable | Tx,
  id: string,
  columns: readonly K[],
): Promise<Pick<CustomerColumns, K>> {
  const row = await db
    .selectFrom('customers')
    .select(columns as readonly (keyof CustomerColumns)[])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row;
}
