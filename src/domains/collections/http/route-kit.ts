import { notFound } from '../../../core/errors.js';
import type { Queryable } from '../../../storage/schema.js';

/** A 404 for a case that does not exist, before listing what belongs to it. */
export async function assertCase(db: Queryable, id: string): Promise<void> {
  const row = await db.selectFrom('collection_cases').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('collection case', id);
}
