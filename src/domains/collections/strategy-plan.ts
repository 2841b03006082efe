import type { DomainWork } from '../unit-of-work.js';
import type { DecisionEvaluator } from '../../engine/index.js';
import { installmentTotals } from '../receivables/delinquency/delinquency.js';
import { addDays, daysBetween } from '../receivables/schedule/due-dates.js';
import { checkContact } from '../channels/contact-rules/contact-rules.js';
import { hasPostalAddress } from '../channels/letters/postal-address.js';
import { pickCollector } from './assignment.js';
import { bestSendHour, stageMoment } from './best-slot.js';
import { caseSituation } from './case-situation.js';
import { lockCase, type CaseRow } from './cases.js';
import { readCollectionsSettings } from './collections-settings.js';
import { openDisputeOf } from './disputes.js';
import { openHardshipOf } from './hardship.js';
import { activePlacementOf, agencyFor } from './placements.js';
import { checkPlan, currentPlanOf, presentPlan, type PlanRow } from './plans.js';
import { currentPromise, setState } from './promises.js';
import { strategyStages, type Stage } from './strategy-stages.js';
import { pendingWriteOffOf, presentWriteOff } from './write-offs.js';

/**
 * The strategy's next move for a case, asked by the collections-case workflow each time it wakes
 * (a timer, a change to the case). In order: an approval someone owes (a plan, a write-off); a
 * pause (hardship under review or forborne, a payment plan running, an agency working the account,
 * a promise to pay not yet due, a dispute covering what is overdue) — settling a promise or plan
 * whose checkpoint has passed on the way; otherwise the next stage not yet run, when the account's
 * days past due reach it and not sooner than the stage gap after the previous one, so stages missed
 * during a pause do not arrive in one burst. Stages run in the strategy's order, each once: the
 * stage-run row's key guarantees it.
 */

export type Channel = 'email' | 'sms' | 'letter' | 'call' | 'agency' | 'approval' | 'internal';

export interface StageInfo {
  stage: string;
  kind: Stage['kind'];
  seq: number;
  dpd: number;
}

/** A plan or write-off waiting for someone with the authority to approve it. */
export interface ApprovalRequest {
  kind: 'plan' | 'write_off';
  id: string;
  queue: string;
  proposedBy: string;
  title: string;
  details: Record<string, unknown>;
}

export type Plan =
  | { due: false; until: string | null; reason: string; next: string | null }
  | {
      due: true;
      /** Now: the wait after the stage ends at once and the strategy is asked again. */
      until: string;
      reason: string;
      stage: StageInfo | null;
      channel: Channel;
      /** Why a stage is recorded without doing it (no address, channel or agency configured). */
      skip: string | null;
      customerId: string;
      template: string | null;
      data: Record<string, unknown>;
      queue: string;
      assignee: string | null;
      task: { title: string; context: Record<string, unknown> } | null;
      approval: ApprovalRequest | null;
      /** For an agency placement by API: where and what to POST. */
      agency: { name: string; url: string; json: Record<string, unknown> } | null;
    };

const CHANNEL: Record<Stage['kind'], Channel> = {
  email: 'email',
  final_notice: 'email',
  sms: 'sms',
  letter: 'letter',
  call: 'call',
  fee: 'internal',
  placement: 'internal',
  write_off: 'internal',
};

/** Days a final notice gives the customer before the next step. */
export const FINAL_NOTICE_DAYS = 10;

/** Which outbound channels this installation can use. */
export interface ChannelsReady {
  email: boolean;
  sms: boolean;
  letter: boolean;
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
  const now = unit.clock.now();
  const oldest = receivable.oldest_unpaid_due_date;
  // Cured, paid or written off: the workflow's cure branch closes the case.
  if (receivable.status !== 'open' || oldest === null || oldest >= today) return waitFor(null, 'not overdue');
  const settings = await readCollectionsSettings(unit.tx);
  const base = {
    due: true as const,
    until: now.toISOString(),
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

  // What could pause the case, in one probe; each rule below reads its row only when flagged.
  const situation = await caseSituation(unit.tx, caseId, now);
  const plan = situation.plan ? await currentPlanOf(unit.tx, caseId) : undefined;

  // 1. Someone must approve a plan or a write-off first.
  const approval = await pendingApproval(unit, caseId, plan, situation.writeOffPending);
  if (approval) {
    await setState(unit, theCase, 'awaiting_approval');
    return { ...base, reason: `${approval.kind} ${approval.id} awaits approval`, channel: 'approval', approval };
  }
  // 2. Pauses: hardship under review or forborne, a plan running, an agency working it.
  if (situation.hardshipOpen && (await openHardshipOf(unit.tx, caseId))) {
    await setState(unit, theCase, 'hardship');
    return waitFor(null, 'hardship under review');
  }
  const forbearance = situation.forbearUntil;
  if (forbearance) {
    await setState(unit, theCase, 'forborne');
    return waitFor(forbearance.toISOString(), `forbearance until ${forbearance.toISOString()}`);
  }
  if (plan?.status === 'active') {
    const checked = await checkPlan(unit, plan, receivable.total_paid, settings);
    if (checked.status === 'active') {
      await setState(unit, theCase, 'plan');
      return waitFor(checked.nextCheck, `payment plan ${plan.id}`);
    }
  }
  if (situation.placed && (await activePlacementOf(unit.tx, caseId))) {
    await setState(unit, theCase, 'placed');
    return waitFor(null, 'placed with an agency');
  }
  if (situation.promiseOpen) {
    const promise = await currentPromise(unit, theCase, receivable.total_paid, settings);
    if (promise.open) {
      await setState(unit, theCase, 'promised');
      return waitFor(promise.dueAt, `promise to pay ${promise.open.amount} by ${promise.open.promised_date}`);
    }
  }
  // 3. A dispute pauses dunning on the disputed amount; nothing undisputed overdue, nothing to chase.
  const overdue = (await installmentTotals(unit.tx, theCase.receivable_id, today)).overdue;
  const dispute = situation.disputeOpen ? await openDisputeOf(unit.tx, caseId) : undefined;
  const chased = dispute ? overdue - dispute.amount : overdue;
  if (dispute && chased <= 0n) {
    await setState(unit, theCase, 'disputed');
    return waitFor(null, `dispute ${dispute.id} covers what is overdue`);
  }

  // 4. The next stage of the strategy.
  const { stages } = await strategyStages(
    unit.tx,
    evaluator,
    { segment: theCase.segment, variant: theCase.variant },
    theCase.strategy_version,
  );
  const done = new Set(situation.stagesRun);
  const next = stages.find((s) => !done.has(s.stage));
  if (!next) {
    await setState(unit, theCase, 'strategy_complete');
    return waitFor(null, 'every stage has run');
  }
  await setState(unit, theCase, dispute ? 'partly_disputed' : 'active');
  let dueAt = Date.parse(`${addDays(oldest, next.dpd)}T00:00:00.000Z`);
  const messageChannel = CHANNEL[next.kind];
  if (settings.bestTimeMinSample !== null && (messageChannel === 'email' || messageChannel === 'sms')) {
    const hour = await bestSendHour(unit.tx, theCase.segment, messageChannel, settings.bestTimeMinSample);
    if (hour !== null) dueAt = stageMoment(addDays(oldest, next.dpd), hour, await timeZoneOf(unit, theCase));
  }
  if (theCase.last_stage_at) {
    dueAt = Math.max(dueAt, theCase.last_stage_at.getTime() + settings.stageGapHours * 3_600_000);
  }
  if (dueAt > now.getTime()) return waitFor(new Date(dueAt).toISOString(), `next stage ${next.stage}`, next.stage);

  const dpd = daysBetween(oldest, today);
  const data = {
    caseId,
    amount: chased.toString(),
    outstanding: receivable.outstanding.toString(),
    currency: receivable.currency,
    reference: receivable.external_id,
    dpd,
    dueDate: oldest,
    deadline: addDays(today, FINAL_NOTICE_DAYS),
  };
  const stage = { stage: next.stage, kind: next.kind, seq: next.seq, dpd: next.dpd };
  const planned = { ...base, reason: `stage ${next.stage}`, stage, template: next.template, data };
  let channel = CHANNEL[next.kind];
  if (channel === 'email' || channel === 'sms' || channel === 'letter') {
    const skip = await unsendable(unit, theCase.customer_id, channel, ready);
    return skip === null ? { ...planned, channel } : { ...planned, channel: 'internal', skip };
  }
  if (next.kind === 'placement') {
    const agency = agencyFor(settings.agencies, theCase.segment);
    if (!agency) return { ...planned, channel: 'internal', skip: 'no collection agency takes this segment' };
    if (agency.url) {
      channel = 'agency';
      return {
        ...planned,
        channel,
        agency: { name: agency.name, url: agency.url, json: await placementRequest(unit, theCase, data) },
      };
    }
    return { ...planned, channel };
  }
  if (channel === 'call') {
    const customer = await unit.tx
      .selectFrom('customers')
      .select(['name', 'email', 'phone', 'language', 'time_zone', 'risk_rating'])
      .where('id', '=', theCase.customer_id)
      .executeTakeFirstOrThrow();
    // Do-not-contact, an opt-out of calls or missing consent bind a collector's call as they bind a
    // message: no task is created, the stage is recorded as skipped with the reason. (Quiet hours
    // and call caps are the collector's to keep when they dial, within the task's day.)
    const rule = await checkContact(unit.tx, { id: theCase.customer_id, timeZone: customer.time_zone }, 'call', now);
    if (!rule.allowed && rule.kind === 'skip') return { ...planned, channel: 'internal', skip: rule.reason };
    const assignee = await pickCollector(unit.tx, settings, theCase, customer.language);
    await keepCollector(unit, theCase, assignee);
    return {
      ...planned,
      channel,
      assignee,
      task: {
        title: `Call ${customer.name} about ${receivable.external_id}: ${dpd} days past due`,
        context: { customer, account: data, ...(await caseContext(unit, theCase)) },
      },
    };
  }
  return { ...planned, channel };
}

async function timeZoneOf(unit: DomainWork, theCase: CaseRow): Promise<string> {
  const row = await unit.tx
    .selectFrom('customers')
    .select('time_zone')
    .where('id', '=', theCase.customer_id)
    .executeTakeFirstOrThrow();
  return row.time_zone;
}

/** A pending plan or write-off, as the approval task the workflow creates for it. */
async function pendingApproval(
  unit: DomainWork,
  caseId: string,
  plan: PlanRow | undefined,
  writeOffPending: boolean,
): Promise<ApprovalRequest | null> {
  if (plan?.status === 'pending_approval' && plan.approval_queue) {
    return {
      kind: 'plan',
      id: plan.id,
      queue: plan.approval_queue,
      proposedBy: plan.proposed_by,
      title: `Approve a payment plan of ${plan.total} for case ${caseId}`,
      details: presentPlan(plan),
    };
  }
  const writeOff = writeOffPending ? await pendingWriteOffOf(unit.tx, caseId) : undefined;
  if (writeOff) {
    return {
      kind: 'write_off',
      id: writeOff.id,
      queue: writeOff.approval_queue,
      proposedBy: writeOff.proposed_by,
      title: `Approve writing off ${writeOff.amount} on case ${caseId}`,
      details: presentWriteOff(writeOff),
    };
  }
  return null;
}

/** What an agency receives about a placed account. */
async function placementRequest(unit: DomainWork, theCase: CaseRow, account: Record<string, unknown>) {
  const customer = await unit.tx
    .selectFrom('customers')
    .select(['external_id', 'name', 'email', 'phone', 'address', 'language'])
    .where('id', '=', theCase.customer_id)
    .executeTakeFirstOrThrow();
  return {
    caseId: theCase.id,
    account,
    customer: {
      externalId: customer.external_id,
      name: customer.name,
      email: customer.email,
      phone: customer.phone,
      address: customer.address,
      language: customer.language,
    },
  };
}

async function unsendable(
  unit: DomainWork,
  customerId: string,
  channel: 'email' | 'sms' | 'letter',
  ready: ChannelsReady,
): Promise<string | null> {
  if (!ready[channel]) return `${channel} is not configured`;
  const customer = await unit.tx
    .selectFrom('customers')
    .select(['email', 'phone', 'address'])
    .where('id', '=', customerId)
    .executeTakeFirstOrThrow();
  const address = {
    email: customer.email,
    sms: customer.phone,
    letter: hasPostalAddress(customer.address as Record<string, string> | null),
  }[channel];
  const what = { email: 'email address', sms: 'phone number', letter: 'postal address' }[channel];
  return address ? null : `the customer has no ${what}`;
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
