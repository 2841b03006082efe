import type { Selectable } from 'kysely';
import { z } from 'zod';
import { conflict, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DomainWork } from '../unit-of-work.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import { lockCase } from './cases/case-row.js';
import type { CollectionHardshipsTable } from './tables.js';

/**
 * Hardship and special circumstances (job loss, illness, bereavement, disaster): a collector raises
 * it with their notes, and the collections-hardship workflow puts it before the risk queue and the
 * customer-care queue at once. Meanwhile the strategy pauses — nobody duns a bereaved customer while
 * risk decides. Risk resumes dunning, or forbears for a number of days.
 */

export type HardshipRow = Selectable<CollectionHardshipsTable>;

export const CIRCUMSTANCES = ['job_loss', 'illness', 'bereavement', 'disaster', 'divorce', 'other'] as const;

export const HardshipInputSchema = z
  .object({
    circumstance: z.enum(CIRCUMSTANCES),
    notes: z.string().trim().min(1).max(4000),
  })
  .strict();

export async function raiseHardship(
  unit: DomainWork,
  caseId: string,
  input: z.infer<typeof HardshipInputSchema>,
  by: string,
) {
  const theCase = await lockCase(unit.tx, caseId);
  if (theCase.status !== 'open') throw conflict('case_closed', `case ${caseId} is closed`);
  const open = await openHardshipOf(unit.tx, caseId);
  if (open) throw conflict('hardship_open', `case ${caseId} already has hardship ${open.id} under review`);
  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('collection_hardships')
    .values({
      id: newId('chard', now.getTime()),
      case_id: caseId,
      circumstance: input.circumstance,
      notes: input.notes,
      status: 'open',
      forbear_until: null,
      raised_by: by,
      raised_at: now,
      resolved_by: null,
      resolved_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const hardship = presentHardship(row);
  unit.audit({
    action: 'collections.hardship.raised',
    entityType: 'collection_case',
    entityId: caseId,
    after: hardship,
  });
  // Starts the collections-hardship workflow (risk and customer care), keyed by the hardship.
  unit.publish('collections.hardship.raised', row.id, {
    ...hardship,
    customerId: theCase.customer_id,
    receivableId: theCase.receivable_id,
    segment: theCase.segment,
    collector: theCase.collector,
  });
  unit.publish('collections.case.changed', caseId, { caseId, change: 'hardship_raised', hardship: row.id });
  return hardship;
}

/** Risk's decision: resume dunning, or forbear for `days`. */
export async function resolveHardship(
  unit: DomainWork,
  hardshipId: string,
  decision: { outcome: 'resume' | 'forbear'; days: number; by: string },
) {
  const row = await unit.tx
    .selectFrom('collection_hardships')
    .selectAll()
    .where('id', '=', hardshipId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('hardship', hardshipId);
  if (row.status !== 'open') return presentHardship(row);
  const now = unit.clock.now();
  const after = await unit.tx
    .updateTable('collection_hardships')
    .set({
      status: decision.outcome === 'forbear' ? 'forborne' : 'resumed',
      forbear_until: decision.outcome === 'forbear' ? new Date(now.getTime() + decision.days * 86_400_000) : null,
      resolved_by: decision.by,
      resolved_at: now,
    })
    .where('id', '=', hardshipId)
    .returningAll()
    .executeTakeFirstOrThrow();
  const hardship = presentHardship(after);
  unit.audit({
    action: 'collections.hardship.resolved',
    entityType: 'collection_case',
    entityId: row.case_id,
    before: presentHardship(row),
    after: hardship,
  });
  unit.publish('collections.hardship.resolved', row.case_id, hardship);
  unit.publish('collections.case.changed', row.case_id, { caseId: row.case_id, change: 'hardship_resolved' });
  return hardship;
}

export async function openHardshipOf(db: Queryable | Tx, caseId: string): Promise<HardshipRow | undefined> {
  return db
    .selectFrom('collection_hardships')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('status', '=', 'open')
    .executeTakeFirst();
}

export function presentHardship(row: HardshipRow) {
  return {
    id: row.id,
    caseId: row.case_id,
    circumstance: row.circumstance,
    notes: row.notes,
    status: row.status,
    forbearUntil: row.forbear_until?.toISOString() ?? null,
    raisedBy: row.raised_by,
    raisedAt: row.raised_at.toISOString(),
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
  };
}

export async function listHardships(db: Queryable, caseId: string) {
  const rows = await db
    .selectFrom('collection_hardships')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('raised_at')
    .execute();
  return rows.map(presentHardship);
}
