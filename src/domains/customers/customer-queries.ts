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

/** Which of these external ids already belong to a customer (one query per 5 000 ids). */
export async function existingExternalIds(db: Queryable | Tx, ids: readonly string[]): Promise<Set<string>> {
  const existing = new Set<string>();
  for (let i = 0; i < ids.length; i += 5000) {
    const found = await db
      .selectFrom('customers')
      .select('external_id')
      .where('external_id', 'in', ids.slice(i, i + 5000))
      .execute();
    for (const f of found) existing.add(f.external_id);
  }
  return existing;
}
