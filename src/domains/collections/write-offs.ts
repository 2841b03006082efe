import type { Selectable } from 'kysely';
import { conflict } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DomainWork } from '../unit-of-work.js';
import { adjustReceivable } from '../receivables/adjustments.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import { type CaseRow } from './cases/case-row.js';
import { approvalQueue, readCollectionsSettings } from './collections-settings.js';
import type { CollectionWriteOffsTable } from './tables.js';
import { receivableColumns } from '../receivables/receivable-queries.js';

/**
 * Write-off proposals: a strategy's write-off stage, or a person, proposes giving up the outstanding
 * balance; the queue its amount falls to (settings.writeOffApproval) approves or rejects it — never
 * the proposer. Approved, receivables writes the balance off (a loss in the ledger, the receivable
 * `written_off`), which ends the case.
 */

export type WriteOffRow = Selectable<CollectionWriteOffsTable>;

export async function proposeWriteOff(unit: DomainWork, theCase: CaseRow, reason: string, by: string) {
  if (theCase.status !== 'open') throw conflict('case_closed', `case ${theCase.id} is closed`);
  const pending = await pendingWriteOffOf(unit.tx, theCase.id);
  if (pending) throw conflict('write_off_pending', `write-off ${pending.id} is already waiting for approval`);
  const receivable = await receivableColumns(unit.tx, theCase.receivable_id, ['outstanding']);
  if (receivable.outstanding <= 0n) throw conflict('nothing_owed', 'the receivable owes nothing');
  const settings = await readCollectionsSettings(unit.tx);
  const queue = approvalQueue(settings.writeOffApproval, receivable.outstanding) ?? 'collections-managers';
  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('collection_write_offs')
    .values({
      id: newId('cwo', now.getTime()),
      case_id: theCase.id,
      amount: receivable.outstanding,
      reason,
      status: 'pending_approval',
      approval_queue: queue,
      proposed_by: by,
      proposed_at: now,
      decided_by: null,
      decided_at: null,
      decision_note: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const proposal = presentWriteOff(row);
  unit.audit({
    action: 'collections.write_off.proposed',
    entityType: 'collection_case',
    entityId: theCase.id,
    after: proposal,
  });
  unit.publish('collections.write_off.proposed', theCase.id, proposal);
  unit.publish('collections.case.changed', theCase.id, { caseId: theCase.id, change: 'write_off_proposed' });
  return proposal;
}

export async function pendingWriteOffOf(db: Queryable | Tx, caseId: string): Promise<WriteOffRow | undefined> {
  return db
    .selectFrom('collection_write_offs')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('status', '=', 'pending_approval')
    .executeTakeFirst();
}

/** The approver's decision; approval writes off what is outstanding now (payments may have come in). */
export async function decideWriteOff(
  unit: DomainWork,
  theCase: CaseRow,
  writeOffId: string,
  decision: { approve: boolean; by: string; note: string | null },
) {
  const row = await unit.tx
    .selectFrom('collection_write_offs')
    .selectAll()
    .where('id', '=', writeOffId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (row.status !== 'pending_approval') return presentWriteOff(row);
  let adjustment: unknown = null;
  if (decision.approve && theCase.status === 'open') {
    adjustment = (
      await adjustReceivable(unit, theCase.receivable_id, {
        kind: 'write_off',
        reason: `collections write-off ${writeOffId}: ${row.reason}`,
        id: `${writeOffId}.write_off`,
      })
    ).adjustment;
  }
  const now = unit.clock.now();
  const after = await unit.tx
    .updateTable('collection_write_offs')
    .set({
      status: decision.approve ? 'approved' : 'rejected',
      decided_by: decision.by,
      decided_at: now,
      decision_note: decision.note,
    })
    .where('id', '=', writeOffId)
    .returningAll()
    .executeTakeFirstOrThrow();
  const presented = { ...presentWriteOff(after), adjustment };
  unit.audit({
    action: decision.approve ? 'collections.write_off.approved' : 'collections.write_off.rejected',
    entityType: 'collection_case',
    entityId: theCase.id,
    before: presentWriteOff(row),
    after: presented,
  });
  unit.publish(
    decision.approve ? 'collections.write_off.approved' : 'collections.write_off.rejected',
    theCase.id,
    presented,
  );
  return presented;
}

export function presentWriteOff(row: WriteOffRow) {
  return {
    id: row.id,
    caseId: row.case_id,
    amount: row.amount.toString(),
    reason: row.reason,
    status: row.status,
    approvalQueue: row.approval_queue,
    proposedBy: row.proposed_by,
    proposedAt: row.proposed_at.toISOString(),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    decisionNote: row.decision_note,
  };
}

export async function listWriteOffs(db: Queryable, caseId: string) {
  const rows = await db
    .selectFrom('collection_write_offs')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('proposed_at')
    .execute();
  return rows.map(presentWriteOff);
}
