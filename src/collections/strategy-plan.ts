import { z } from 'zod';
import { AppError } from '../core/errors.js';
import type { DomainWork } from '../domain-work.js';
import type { DecisionEvaluator } from '../engine/decisions/decision-evaluator.js';
import { chargeFee } from '../receivables/fees.js';
import { installmentTotals } from '../receivables/delinquency/delinquency.js';
import { addDays, daysBetween } from '../receivables/schedule/due-dates.js';
import { pickCollector } from './assignment.js';
import { lockCase, type CaseRow } from './cases.js';
import { readCollectionsSettings } from './collections-settings.js';
import { recordContact } from './contacts.js';
import { currentPromise, makePromise, setState } from './promises.js';
import { strategyStages, type Stage } from './strategy-stages.js';

/**
 * The strategy's next move for a case, asked by the collections-case workflow each time it wakes
 * (a timer, a change to the case): settle a promise that fell due, pause while one is open, or run
 * the next stage not yet run — when the account's days past due reach it, and not sooner than the
 * stage gap after the previous one, so stages missed during a pause do not arrive in one burst.
 * Stages run in the strategy's order, each once: the stage-run row's key guarantees it.
 */

export type Channel = 'email' | 'sms' | 'call' | 'internal';

export interface StageInfo {
  stage: string;
  kind: Stage['kind'];
  seq: number;
  dpd: number;
}

export type Plan =
  | { due: false; until: string | null; reason: string; next: string | null }
  | {
      due: true;
      /** Now: the wait after the stage ends at once and the strategy is asked again. */
      until: string;
      reason: string;
      stage: StageInfo;
      channel: Channel;
      /** Why a message stage is recorded without sending (no address, channel not configured). */
      skip: string | null;
      customerId: string;
      template: string | null;
      data: Record<string, unknown>;
      queue: string;
      assignee: string | null;
      task: { title: string; context: Record<string, unknown> } | null;
    };

const CHANNEL: Record<Stage['kind'], Channel> = {
  email: 'email',
  final_notice: 'email',
  sms: 'sms',
  call: 'call',
  fee: 'internal',
};

/** Days a final notice gives the customer before the next step. */
const FINAL_NOTICE_DAYS = 10;

/** Which message channels this installation can send on. */
export interface ChannelsReady {
  email: boolean;
  sms: boolean;
}

export async function planNext(
  unit: DomainWork,
  evaluator: DecisionEvaluator,
  caseId: string,
  ready: ChannelsReady,
): Promise<Plan> {
  const theCase = await lockCase(unit.tx, caseId);
  const waitFor = (until: string | null, reason: string, next: string | null = null): Plan => ({
    due: false,
    until,
    reason,
    next,
  });
  if (theCase.status === 'closed') return waitFor(null, 'case closed');
  const receivable = await unit.tx
    .selectFrom('receivables')
    .select(['status', 'oldest_unpaid_due_date', 'total_paid', 'outstanding', 'external_id', 'currency'])
    .where('id', '=', theCase.receivable_id)
    .executeTakeFirstOrThrow();
  const today = unit.today();
  const oldest = receivable.oldest_unpaid_due_date;
  // Cured or paid: the workflow's cure branch closes the case.
  if (receivable.status !== 'open' || oldest === null || oldest >= today) return waitFor(null, 'not overdue');

  const promise = await currentPromise(unit, theCase, receivable.total_paid);
  if (promise.open) {
    await setState(unit, theCase, 'promised');
    return waitFor(promise.dueAt, `promise to pay ${promise.open.amount} by ${promise.open.promised_date}`);
  }

  const { stages } = await strategyStages(
    unit.tx,
    evaluator,
    { segment: theCase.segment, variant: theCase.variant },
    theCase.strategy_version,
  );
  const done = new Set(
    (await unit.tx.selectFrom('collection_stage_runs').select('stage').where('case_id', '=', caseId).execute()).map(
      (r) => r.stage,
    ),
  );
  const next = stages.find((s) => !done.has(s.stage));
  if (!next) {
    await setState(unit, theCase, 'strategy_complete');
    return waitFor(null, 'every stage has run');
  }
  await setState(unit, theCase, 'active');
  const settings = await readCollectionsSettings(unit.tx);
  let dueAt = Date.parse(`${addDays(oldest, next.dpd)}T00:00:00.000Z`);
  if (theCase.last_stage_at) {
    dueAt = Math.max(dueAt, theCase.last_stage_at.getTime() + settings.stageGapHours * 3_600_000);
  }
  const now = unit.clock.now();
  if (dueAt > now.getTime()) return waitFor(new Date(dueAt).toISOString(), `next stage ${next.stage}`, next.stage);

  const dpd = daysBetween(oldest, today);
  const overdue = (await installmentTotals(unit.tx, theCase.receivable_id, today)).overdue;
  let channel = CHANNEL[next.kind];
  let skip: string | null = null;
  if (channel === 'email' || channel === 'sms') {
    skip = await unsendable(unit, theCase.customer_id, channel, ready);
    if (skip !== null) channel = 'internal';
  }
  const data = {
    caseId,
    amount: overdue.toString(),
    outstanding: receivable.outstanding.toString(),
    currency: receivable.currency,
    reference: receivable.external_id,
    dpd,
    dueDate: oldest,
    deadline: addDays(today, FINAL_NOTICE_DAYS),
  };
  let assignee: string | null = null;
  let task: { title: string; context: Record<string, unknown> } | null = null;
  if (channel === 'call') {
    const customer = await unit.tx
      .selectFrom('customers')
      .select(['name', 'email', 'phone', 'language', 'time_zone', 'risk_rating'])
      .where('id', '=', theCase.customer_id)
      .executeTakeFirstOrThrow();
    assignee = await pickCollector(unit.tx, settings, theCase, customer.language);
    await keepCollector(unit, theCase, assignee);
    task = {
      title: `Call ${customer.name} about ${receivable.external_id}: ${dpd} days past due`,
      context: { customer, account: data, ...(await caseContext(unit, theCase)) },
    };
  }
  return {
    due: true,
    until: now.toISOString(),
    reason: `stage ${next.stage}`,
    stage: { stage: next.stage, kind: next.kind, seq: next.seq, dpd: next.dpd },
    channel,
    skip,
    customerId: theCase.customer_id,
    template: next.template,
    data,
    queue: theCase.queue,
    assignee,
    task,
  };
}

async function unsendable(
  unit: DomainWork,
  customerId: string,
  channel: 'email' | 'sms',
  ready: ChannelsReady,
): Promise<string | null> {
  if (!ready[channel]) return `${channel} is not configured`;
  const customer = await unit.tx
    .selectFrom('customers')
    .select(['email', 'phone'])
    .where('id', '=', customerId)
    .executeTakeFirstOrThrow();
  const address = channel === 'email' ? customer.email : customer.phone;
  return address ? null : `the customer has no ${channel === 'email' ? 'email address' : 'phone number'}`;
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

/** What a collector sees with a call: the unpaid schedule, past contacts and promises, stages run. */
async function caseContext(unit: DomainWork, theCase: CaseRow) {
  const [schedule, contacts, promises, stages] = await Promise.all([
    unit.tx
      .selectFrom('installments')
      .select([
        'seq',
        'due_date',
        'principal_due',
        'interest_due',
        'fee_due',
        'principal_paid',
        'interest_paid',
        'fee_paid',
      ])
      .where('receivable_id', '=', theCase.receivable_id)
      .whereRef('principal_paid', '<', 'principal_due')
      .orderBy('seq')
      .limit(12)
      .execute(),
    unit.tx
      .selectFrom('collection_contacts')
      .select(['channel', 'contacted_at', 'reached', 'willingness', 'delay_reason', 'notes'])
      .where('customer_id', '=', theCase.customer_id)
      .orderBy('contacted_at', 'desc')
      .limit(5)
      .execute(),
    unit.tx
      .selectFrom('collection_promises')
      .select(['amount', 'promised_date', 'status'])
      .where('customer_id', '=', theCase.customer_id)
      .orderBy('created_at', 'desc')
      .limit(5)
      .execute(),
    unit.tx
      .selectFrom('collection_stage_runs')
      .select(['stage', 'ran_at'])
      .where('case_id', '=', theCase.id)
      .orderBy('seq')
      .execute(),
  ]);
  return {
    schedule: schedule.map((i) => ({
      seq: i.seq,
      dueDate: i.due_date,
      unpaid: (
        i.principal_due +
        i.interest_due +
        i.fee_due -
        i.principal_paid -
        i.interest_paid -
        i.fee_paid
      ).toString(),
    })),
    contacts: contacts.map((c) => ({
      channel: c.channel,
      at: c.contacted_at.toISOString(),
      reached: c.reached,
      willingness: c.willingness,
      delayReason: c.delay_reason,
      notes: c.notes,
    })),
    promises: promises.map((p) => ({ amount: p.amount.toString(), date: p.promised_date, status: p.status })),
    stages: stages.map((s) => ({ stage: s.stage, at: s.ran_at.toISOString() })),
  };
}

export const StageInfoSchema = z
  .object({
    stage: z.string().min(1).max(80),
    kind: z.enum(['email', 'sms', 'call', 'final_notice', 'fee']),
    seq: z.number().int().min(0),
    dpd: z.number().int().min(0),
  })
  .strict();

/** Records a stage as run (once: a second record of the same stage fails on the key). */
export async function stageDone(unit: DomainWork, caseId: string, stage: StageInfo, result: unknown) {
  const theCase = await lockCase(unit.tx, caseId);
  const now = unit.clock.now();
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

/**
 * A stage finflow carries out itself (a fee per policy), or a message stage that cannot be sent
 * (recorded with the reason, so the strategy moves on), recorded as run in the same transaction.
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
  let result: Record<string, unknown> = { skipped: 'unknown stage' };
  if (definition?.kind === 'fee' && definition.fee !== null) {
    const charged = await chargeFee(unit, theCase.receivable_id, { kind: 'collection', amount: definition.fee }).catch(
      (error: unknown) => {
        // An account paid off meanwhile owes no fee; anything else is a real failure.
        if (error instanceof AppError && error.code === 'receivable_not_open') return null;
        throw error;
      },
    );
    result = charged ? { fee: charged.fee } : { skipped: 'receivable not open' };
  }
  return stageDone(unit, caseId, stage, result);
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
