import type { DomainWork } from '../../unit-of-work.js';
import type { CaseRow } from '../cases/case-row.js';
import { resolvePlan } from '../plans.js';
import { setState, settlePromise } from '../promises.js';
import type { Move, Plan } from './moves.js';

/**
 * Records the plans and promises a move settles, once: `planNext` writes them before it reads what a
 * due stage's channel needs (a broken promise's rating feedback is part of what a call shows).
 */
export async function applySettlements(unit: DomainWork, move: Move): Promise<void> {
  for (const settlement of move.settle.splice(0)) {
    if (settlement.kind === 'plan') await resolvePlan(unit, settlement.plan, settlement.status, settlement.paid);
    else await settlePromise(unit, settlement.promise, settlement.status, settlement.paid);
  }
}

/**
 * The writes a move makes, through the unit of work: the plans and promises it settles (kept or
 * broken, with their audit rows and events), the case's new state, the collector a call keeps the
 * account with. Returns the plan the collections-case workflow acts on.
 */
export async function applyMove(unit: DomainWork, theCase: CaseRow, move: Move): Promise<Plan> {
  await applySettlements(unit, move);
  if (move.state !== null) await setState(unit, theCase, move.state);
  if (move.kind === 'wait') return { due: false, until: move.until, reason: move.reason, next: move.next };

  const base = {
    due: true as const,
    until: move.until,
    customerId: theCase.customer_id,
    queue: theCase.queue,
    skip: null,
    template: null,
    data: {},
    assignee: null,
    task: null,
    approval: null,
    agency: null,
    stage: null,
  };
  if (move.kind === 'approval') return { ...base, reason: move.reason, channel: 'approval', approval: move.approval };

  const route = move.route;
  if (!route) throw new Error(`stage ${move.stage.stage} of case ${theCase.id} was not routed`);
  if (route.assignee !== undefined) await keepCollector(unit, theCase, route.assignee);
  const { stage, kind, seq, dpd, template } = move.stage;
  const planned = { ...base, reason: move.reason, stage: { stage, kind, seq, dpd }, template, data: move.data };
  return { ...planned, ...route };
}

async function keepCollector(unit: DomainWork, theCase: CaseRow, collector: string | null): Promise<void> {
  if (collector === null || collector === theCase.collector) return;
  const now = unit.clock.now();
  await unit.tx
    .updateTable('collection_cases')
    .set({ collector, collector_since: now, updated_at: now })
    .where('id', '=', theCase.id)
    .execute();
  unit.audit({
    action: 'collections.case.assigned',
    entityType: 'collection_case',
    entityId: theCase.id,
    before: { collector: theCase.collector },
    after: { collector },
  });
  theCase.collector = collector;
}
