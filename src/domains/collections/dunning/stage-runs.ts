import { z } from 'zod';
import { AppError } from '../../../core/errors.js';
import type { DomainWork } from '../../unit-of-work.js';
import type { DecisionEvaluator } from '../../../engine/index.js';
import { chargeFee } from '../../receivables/fees.js';
import { lockCase } from '../cases/case-row.js';
import { readCollectionsSettings } from '../collections-settings.js';
import { recordContact } from '../contacts.js';
import { agencyFor, placeCase } from '../placements.js';
import { decidePlan } from '../plans.js';
import { makePromise } from '../promises.js';
import { STAGE_KINDS } from '../policy/shipped-strategies.js';
import { strategyStages } from './strategy-stages.js';
import type { StageInfo } from './moves.js';
import { decideWriteOff, proposeWriteOff } from '../write-offs.js';

/**
 * What the collections-case workflow does after the planner names a stage or an approval: record
 * the stage as run (once — the stage-run key refuses a second), carry out the stages finflow does
 * itself (fee, write-off proposal, placement), take a collector's call, apply an approver's answer.
 */

export const StageInfoSchema = z
  .object({
    stage: z.string().min(1).max(80),
    kind: z.enum(STAGE_KINDS),
    seq: z.number().int().min(0),
    dpd: z.number().int().min(0),
  })
  .strict();

/**
 * Records a stage as run (once: a second record of the same stage fails on the key). A message the
 * channel dropped because its reason lapsed while it waited (a promise, a payment, a dispute…) did
 * not run the stage: nothing is recorded, and the planner, asked next, pauses the case or plans the
 * stage again.
 */
export async function stageDone(unit: DomainWork, caseId: string, stage: StageInfo, result: unknown) {
  const theCase = await lockCase(unit.tx, caseId);
  const now = unit.clock.now();
  const dropped = droppedReason(result);
  if (dropped !== null) {
    unit.audit({
      action: 'collections.stage.dropped',
      entityType: 'collection_case',
      entityId: caseId,
      after: { ...stage, reason: dropped, result },
    });
    return { caseId, ...stage, ran: false, dropped };
  }
  await unit.tx
    .insertInto('collection_stage_runs')
    .values({
      case_id: caseId,
      stage: stage.stage,
      kind: stage.kind,
      seq: stage.seq,
      dpd: stage.dpd,
      ran_at: now,
      result: JSON.stringify(result ?? null),
    })
    .execute();
  await unit.tx
    .updateTable('collection_cases')
    .set({ last_stage_at: now, updated_at: now })
    .where('id', '=', caseId)
    .execute();
  unit.audit({
    action: 'collections.stage.ran',
    entityType: 'collection_case',
    entityId: caseId,
    after: { ...stage, result: result ?? null },
  });
  unit.publish('collections.stage.ran', caseId, {
    caseId,
    receivableId: theCase.receivable_id,
    segment: theCase.segment,
    variant: theCase.variant,
    ...stage,
  });
  return { caseId, ...stage, ranAt: now.toISOString() };
}

/** The reason a channel gave for dropping the stage's message, or null when it was sent or skipped. */
function droppedReason(result: unknown): string | null {
  if (typeof result !== 'object' || result === null) return null;
  const { status, reason } = result as { status?: unknown; reason?: unknown };
  return status === 'dropped' ? (typeof reason === 'string' ? reason : 'dropped') : null;
}

/**
 * A stage finflow carries out itself — a fee per policy, a write-off proposal, a placement with an
 * agency that takes the export file — or a stage that cannot be done (recorded with the reason, so
 * the strategy moves on), recorded as run in the same transaction.
 */
export async function runInternalStage(
  unit: DomainWork,
  evaluator: DecisionEvaluator,
  caseId: string,
  stage: StageInfo,
  skip: string | null,
) {
  if (skip !== null) return stageDone(unit, caseId, stage, { skipped: skip });
  const theCase = await lockCase(unit.tx, caseId);
  const { stages } = await strategyStages(
    unit.tx,
    evaluator,
    { segment: theCase.segment, variant: theCase.variant },
    theCase.strategy_version,
  );
  const definition = stages.find((s) => s.stage === stage.stage);
  let result: Record<string, unknown> = { skipped: `stage ${stage.stage} is not in the strategy` };
  if (definition?.kind === 'fee' && definition.fee !== null) {
    const charged = await chargeFee(unit, theCase.receivable_id, { kind: 'collection', amount: definition.fee }).catch(
      (error: unknown) => {
        // An account paid off meanwhile owes no fee; anything else is a real failure.
        if (error instanceof AppError && error.code === 'receivable_not_open') return null;
        throw error;
      },
    );
    result = charged ? { fee: charged.fee } : { skipped: 'receivable not open' };
  } else if (definition?.kind === 'write_off') {
    result = { writeOff: await proposeWriteOff(unit, theCase, `strategy stage ${stage.stage}`, 'system:collections') };
  } else if (definition?.kind === 'placement') {
    const agency = agencyFor((await readCollectionsSettings(unit.tx)).agencies, theCase.segment);
    result = agency
      ? { placement: (await placeCase(unit, theCase, agency, { method: 'export' })).id, agency: agency.name }
      : { skipped: 'no collection agency takes this segment' };
  }
  return stageDone(unit, caseId, stage, result);
}

/** An agency placed by API: the agency's answer to the POST, then the placement and its stage. */
export async function recordAgencyPlacement(
  unit: DomainWork,
  caseId: string,
  stage: StageInfo,
  agencyName: string,
  response: unknown,
) {
  const theCase = await lockCase(unit.tx, caseId);
  const agency = (await readCollectionsSettings(unit.tx)).agencies.find((a) => a.name === agencyName);
  if (!agency) return stageDone(unit, caseId, stage, { skipped: `agency ${agencyName} is no longer configured` });
  const placement = await placeCase(unit, theCase, agency, { method: 'api', url: agency.url, response });
  return stageDone(unit, caseId, stage, { placement: placement.id, agency: agency.name });
}

export const ApprovalSchema = z
  .object({
    kind: z.enum(['plan', 'write_off']),
    id: z.string().min(1).max(100),
    queue: z.string(),
    proposedBy: z.string(),
    title: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .strict();

/** An approver's answer to a plan or a write-off (four eyes: the workflow keeps the proposer off the task). */
export async function recordApproval(
  unit: DomainWork,
  caseId: string,
  approval: z.infer<typeof ApprovalSchema>,
  task: z.infer<typeof CallTaskSchema>,
) {
  const theCase = await lockCase(unit.tx, caseId);
  const approve = task.outcome === 'approve';
  const note = typeof task.data?.comment === 'string' ? task.data.comment : null;
  if (approval.kind === 'plan') return decidePlan(unit, theCase, approval.id, approve, task.completedBy);
  return decideWriteOff(unit, theCase, approval.id, { approve, by: task.completedBy, note });
}

export const CallTaskSchema = z.object({
  outcome: z.string(),
  completedBy: z.string(),
  completedAt: z.string().optional(),
  data: z.record(z.string(), z.unknown()).nullable().optional(),
});

/**
 * A collector's completed call task: the contact outcome, new contact details, and a promise when
 * the customer made one. A promise the rules refuse (too large, too far out) is noted in the stage
 * result, not failed: the call happened.
 */
export async function recordCall(
  unit: DomainWork,
  caseId: string,
  stage: StageInfo,
  task: z.infer<typeof CallTaskSchema>,
) {
  const data = task.data ?? {};
  const text = (name: string): string | undefined => {
    const value = data[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const reached = task.outcome !== 'no_answer';
  const contact = await recordContact(
    unit,
    caseId,
    {
      channel: 'call',
      direction: 'outbound',
      ...(task.completedAt ? { at: task.completedAt } : {}),
      reached,
      rightParty: typeof data.rightParty === 'boolean' ? data.rightParty : reached,
      ...(text('willingness') ? { willingness: text('willingness') as never } : {}),
      ...(text('delayReason') ? { delayReason: text('delayReason') } : {}),
      ...(text('notes') ? { notes: text('notes') } : {}),
      ...(text('newPhone') ? { newPhone: text('newPhone') } : {}),
      ...(text('newEmail') ? { newEmail: text('newEmail') } : {}),
    },
    task.completedBy,
  );
  let promise: unknown = null;
  let promiseRefused: string | null = null;
  if (task.outcome === 'promise') {
    const amount = text('promiseAmount');
    const date = text('promiseDate');
    if (!amount || !/^[0-9]{1,18}$/.test(amount) || !date) {
      promiseRefused = 'promiseAmount (minor units) and promiseDate are needed for a promise';
    } else {
      promise = await makePromise(unit, caseId, {
        amount: BigInt(amount),
        date,
        by: task.completedBy,
        collector: task.completedBy,
      }).catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
        promiseRefused = error.message;
        return null;
      });
    }
  }
  return stageDone(unit, caseId, stage, { outcome: task.outcome, contact: contact.id, promise, promiseRefused });
}
