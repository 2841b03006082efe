import type { Selectable } from 'kysely';
import { z } from 'zod';
import { conflict, notFound, refusedField } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DomainWork } from '../unit-of-work.js';
import { adjustReceivable } from '../receivables/adjustments.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import { lockCase, overdueOf } from './cases/case-row.js';
import type { CollectionDisputesTable } from './tables.js';
import { receivableColumns } from '../receivables/receivable-queries.js';

/**
 * Disputes: the customer contests part or all of what the case chases. While a dispute is open,
 * dunning leaves the disputed amount alone — the strategy pauses when nothing undisputed is overdue,
 * and otherwise its messages ask only for the rest. Resolved valid, a credit note takes the amount
 * off the receivable (which may cure the account); invalid, dunning resumes on everything.
 */

export type DisputeRow = Selectable<CollectionDisputesTable>;

export const DisputeInputSchema = z
  .object({
    reason: z.string().trim().min(1).max(1000),
    amount: z
      .string()
      .regex(/^[0-9]{1,18}$/, 'must be minor units as a string, e.g. "25000"')
      .optional()
      .describe('Disputed amount; default the whole overdue amount'),
  })
  .strict();

export const DisputeResolutionSchema = z
  .object({
    outcome: z.enum(['valid', 'invalid']),
    note: z.string().trim().min(1).max(1000),
    creditAmount: z
      .string()
      .regex(/^[0-9]{1,18}$/, 'must be minor units as a string')
      .optional()
      .describe('For a valid dispute: the credit note; default the disputed amount'),
  })
  .strict();

export async function openDispute(
  unit: DomainWork,
  caseId: string,
  input: z.infer<typeof DisputeInputSchema>,
  by: string,
) {
  const theCase = await lockCase(unit.tx, caseId);
  const overdue = await overdueOf(unit, theCase);
  if (theCase.status !== 'open') throw conflict('case_closed', `case ${caseId} is closed`);
  const open = await openDisputeOf(unit.tx, caseId);
  if (open) throw conflict('dispute_open', `case ${caseId} already has open dispute ${open.id}`, { dispute: open.id });
  const receivable = await receivableColumns(unit.tx, theCase.receivable_id, ['outstanding']);
  const amount = input.amount === undefined ? overdue : BigInt(input.amount);
  if (amount <= 0n) throw refusedField('amount', 'must be above zero (nothing is overdue to dispute)');
  if (amount > receivable.outstanding) {
    throw refusedField('amount', `must not exceed the outstanding balance ${receivable.outstanding}`);
  }
  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('collection_disputes')
    .values({
      id: newId('cdisp', now.getTime()),
      case_id: caseId,
      amount,
      reason: input.reason,
      status: 'open',
      resolution: null,
      opened_by: by,
      opened_at: now,
      resolved_by: null,
      resolved_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const dispute = presentDispute(row);
  unit.audit({
    action: 'collections.dispute.opened',
    entityType: 'collection_dispute',
    entityId: row.id,
    after: dispute,
  });
  unit.publish('collections.dispute.opened', caseId, dispute);
  unit.publish('collections.case.changed', caseId, { caseId, change: 'dispute_opened', dispute: row.id });
  return dispute;
}

export async function resolveDispute(
  unit: DomainWork,
  caseId: string,
  disputeId: string,
  input: z.infer<typeof DisputeResolutionSchema>,
  by: string,
) {
  const theCase = await lockCase(unit.tx, caseId);
  const row = await unit.tx
    .selectFrom('collection_disputes')
    .selectAll()
    .where('id', '=', disputeId)
    .where('case_id', '=', caseId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('dispute', disputeId);
  if (row.status !== 'open') throw conflict('dispute_resolved', `dispute ${disputeId} is already ${row.status}`);
  let creditNote: unknown = null;
  if (input.outcome === 'valid') {
    const amount = input.creditAmount === undefined ? row.amount : BigInt(input.creditAmount);
    if (amount <= 0n || amount > row.amount) {
      throw refusedField('creditAmount', `must be above zero and at most the disputed ${row.amount}`);
    }
    if (theCase.status === 'open') {
      creditNote = (
        await adjustReceivable(unit, theCase.receivable_id, {
          kind: 'credit_note',
          amount,
          reason: `dispute ${disputeId}: ${input.note}`,
          id: `${disputeId}.credit`,
        })
      ).adjustment;
    }
  }
  const now = unit.clock.now();
  const after = await unit.tx
    .updateTable('collection_disputes')
    .set({
      status: input.outcome,
      resolution: JSON.stringify({ note: input.note, creditNote }),
      resolved_by: by,
      resolved_at: now,
    })
    .where('id', '=', disputeId)
    .returningAll()
    .executeTakeFirstOrThrow();
  const dispute = presentDispute(after);
  unit.audit({
    action: 'collections.dispute.resolved',
    entityType: 'collection_dispute',
    entityId: disputeId,
    before: presentDispute(row),
    after: dispute,
  });
  unit.publish('collections.dispute.resolved', caseId, dispute);
  unit.publish('collections.case.changed', caseId, { caseId, change: 'dispute_resolved', dispute: disputeId });
  return dispute;
}

export async function openDisputeOf(db: Queryable | Tx, caseId: string): Promise<DisputeRow | undefined> {
  return db
    .selectFrom('collection_disputes')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('status', '=', 'open')
    .executeTakeFirst();
}

export function presentDispute(row: DisputeRow) {
  return {
    id: row.id,
    caseId: row.case_id,
    amount: row.amount.toString(),
    reason: row.reason,
    status: row.status,
    resolution: row.resolution,
    openedBy: row.opened_by,
    openedAt: row.opened_at.toISOString(),
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
  };
}

export async function listDisputes(db: Queryable, caseId: string) {
  const rows = await db
    .selectFrom('collection_disputes')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('opened_at')
    .execute();
  return rows.map(presentDispute);
}
