import type { DomainWork } from '../../unit-of-work.js';
import { endPlacement } from '../placements.js';
import { settlePlansOnClose } from '../plans.js';
import { settlePromisesOnClose } from '../promises.js';
import { lockCase, presentCase } from './case-row.js';
import { receivableColumns } from '../../receivables/receivable-queries.js';

/**
 * Cured, paid or written off: the case closes with what was recovered since it opened. Whatever was
 * still open on it is settled: a promise (kept if paid), a plan, an agency placement (recoveries
 * and commission frozen).
 */
export async function closeCase(
  unit: DomainWork,
  caseId: string,
): Promise<{ caseId: string; outcome: string; recovered: string }> {
  const before = await lockCase(unit.tx, caseId);
  if (before.status === 'closed') {
    return { caseId, outcome: before.outcome ?? 'closed', recovered: before.recovered.toString() };
  }
  const receivable = await receivableColumns(unit.tx, before.receivable_id, ['status', 'total_paid']);
  const outcome = receivable.status === 'open' ? 'cured' : receivable.status;
  const recovered = receivable.total_paid > before.opened_paid ? receivable.total_paid - before.opened_paid : 0n;
  const now = unit.clock.now();
  await settlePromisesOnClose(unit, before, receivable.total_paid);
  await settlePlansOnClose(unit, caseId, outcome !== 'written_off');
  await endPlacement(unit, caseId, null, { status: 'closed', reason: `case ${outcome}`, by: unit.actor });
  const after = await unit.tx
    .updateTable('collection_cases')
    .set({ status: 'closed', state: 'closed', outcome, recovered, closed_at: now, updated_at: now })
    .where('id', '=', caseId)
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: 'collections.case.closed',
    entityType: 'collection_case',
    entityId: caseId,
    before: presentCase(before),
    after: presentCase(after),
  });
  unit.publish('collections.case.closed', caseId, {
    caseId,
    receivableId: after.receivable_id,
    customerId: after.customer_id,
    outcome,
    recovered: recovered.toString(),
    segment: after.segment,
    variant: after.variant,
  });
  return { caseId, outcome, recovered: recovered.toString() };
}
