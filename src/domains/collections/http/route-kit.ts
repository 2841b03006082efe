import { notFound } from '../../../core/errors.js';
import { inDomainTransaction } from '../../unit-of-work.js';
import type { DomainContext } from '../../contract.js';
import type { Queryable } from '../../../storage/schema.js';

/** A 404 for a case that does not exist, before listing what belongs to it. */
export async function assertCase(db: Queryable, id: string): Promise<void> {
  const row = await db.selectFrom('collection_cases').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('collection case', id);
}

/** Runs `work` in one unit of work as the request's principal. */
export function inUnit<T>(
  context: DomainContext,
  c: { var: { database: DomainContext['database']; principal: { id: string }; requestId: string } },
  work: Parameters<typeof inDomainTransaction<T>>[2],
) {
  return inDomainTransaction(
    { ...context, database: c.var.database },
    { actor: c.var.principal.id, requestId: c.var.requestId },
    work,
  );
}
