import { addDays, daysBetween } from '../../receivables/schedule/due-dates.js';
import type { ContactDecision } from '../../channels/contact-rules/contact-rules.js';
import { hasPostalAddress } from '../../channels/letters/postal-address.js';
import type { CaseRow } from '../cases/case-row.js';
import type { Agency, CollectionsSettings } from '../collections-settings.js';
import { planCheckpoint, presentPlan, type PlanRow } from '../plans.js';
import { promiseCheckpoint, type PromiseRow } from '../promises.js';
import { presentWriteOff, type WriteOffRow } from '../write-offs.js';
import { stageMoment } from './best-slot.js';
import {
  CHANNEL,
  FINAL_NOTICE_DAYS,
  type ApprovalRequest,
  type Move,
  type Settlement,
  type StageMove,
  type StageRoute,
} from './moves.js';
import type { Stage } from './strategy-stages.js';

/**
 * The dunning strategy's decision, with no I/O: given what `readSituation` found, the next move for
 * a case. Everything here is a plain function of its arguments, so each rule can be tested on its
 * own (next-move.test.ts) and the order of the rules reads top to bottom in `nextMove`.
 */

/** What the account looks like now. */
export interface AccountFacts {
  status: string;
  oldestUnpaid: string | null;
  totalPaid: bigint;
  outstanding: bigint;
  externalId: string;
  currency: string;
}

/** What could pause or steer an overdue case, and its strategy's stages. */
export interface CaseFacts {
  settings: Pick<CollectionsSettings, 'stageGapHours' | 'planGraceDays' | 'promiseGraceDays'>;
  /** The plan pending approval or active. */
  plan: PlanRow | undefined;
  /** The write-off waiting for approval. */
  writeOff: WriteOffRow | undefined;
  /** A hardship under review. */
  hardshipOpen: boolean;
  /** When the latest forbearance running past now ends (null: none). */
  forbearUntil: Date | null;
  /** An agency is working the account. */
  placed: boolean;
  /** The open promise to pay. */
  promise: PromiseRow | undefined;
  /** What the account has overdue today. */
  overdue: bigint;
  dispute: { id: string; amount: bigint } | undefined;
  /** The strategy's stages (its pinned version), in the order a case runs them. */
  stages: Stage[];
  stagesRun: string[];
  /** When the next stage is a message with a best hour: that hour, in the customer's time zone. */
  sendSlot: { hour: number; timeZone: string } | null;
}

export interface DunningSituation {
  today: string;
  now: Date;
  theCase: Pick<CaseRow, 'id' | 'status' | 'customer_id' | 'segment' | 'last_stage_at'>;
  /** The account; null when the case is closed (nothing more is read then). */
  account: AccountFacts | null;
  /** The rest; null when the case is closed or its account is no longer overdue. */
  facts: CaseFacts | null;
}

/** The oldest unpaid due date when the account is open and overdue today, else null. */
export function overdueSince(account: AccountFacts, today: string): string | null {
  const oldest = account.oldestUnpaid;
  return account.status === 'open' && oldest !== null && oldest < today ? oldest : null;
}

/** The first stage of the strategy not yet run (stages run in order, each once). */
export function nextStage(stages: Stage[], stagesRun: string[]): Stage | undefined {
  const done = new Set(stagesRun);
  return stages.find((s) => !done.has(s.stage));
}

/**
 * In order: an approval someone owes (a plan, a write-off); a pause (hardship under review or
 * forborne, a payment plan running, an agency working the account, a promise to pay not yet due, a
 * dispute covering what is overdue), settling a plan or promise whose checkpoint has passed on the
 * way; otherwise the next stage not yet run, once the account's days past due reach it and not
 * sooner than the stage gap after the previous one.
 */
export function nextMove(situation: DunningSituation): Move {
  const { theCase, account, facts, today, now } = situation;
  const settle: Settlement[] = [];
  const wait = (state: string | null, until: string | null, reason: string, next: string | null = null): Move => ({
    kind: 'wait',
    state,
    until,
    reason,
    next,
    settle,
  });
  if (theCase.status === 'closed') return wait(null, null, 'case closed');
  // Cured, paid or written off: the workflow's cure branch closes the case.
  const oldest = account ? overdueSince(account, today) : null;
  if (account === null || oldest === null) return wait(null, null, 'not overdue');
  if (facts === null) throw new Error(`case ${theCase.id} is overdue but its facts were not read`);

  // 1. Someone must approve a plan or a write-off first.
  const approval = approvalOf(theCase.id, facts.plan, facts.writeOff);
  if (approval) {
    return {
      kind: 'approval',
      state: 'awaiting_approval',
      until: now.toISOString(),
      reason: `${approval.kind} ${approval.id} awaits approval`,
      approval,
      settle,
    };
  }
  // 2. Pauses: hardship under review or forborne, a plan running, an agency working it, a promise.
  if (facts.hardshipOpen) return wait('hardship', null, 'hardship under review');
  const forbearance = facts.forbearUntil;
  if (forbearance) return wait('forborne', forbearance.toISOString(), `forbearance until ${forbearance.toISOString()}`);
  if (facts.plan?.status === 'active') {
    const checked = planCheckpoint(facts.plan, account.totalPaid, today, facts.settings.planGraceDays);
    if (checked.status === 'active') return wait('plan', checked.nextCheck, `payment plan ${facts.plan.id}`);
    settle.push({ kind: 'plan', plan: facts.plan, status: checked.status, paid: checked.paid });
  }
  if (facts.placed) return wait('placed', null, 'placed with an agency');
  const promise = facts.promise;
  if (promise) {
    const checked = promiseCheckpoint(promise, account.totalPaid, today, facts.settings.promiseGraceDays);
    if (checked.status === 'open') {
      return wait('promised', checked.dueAt, `promise to pay ${promise.amount} by ${promise.promised_date}`);
    }
    settle.push({ kind: 'promise', promise, status: checked.status, paid: checked.paid });
  }
  // 3. A dispute pauses dunning on the disputed amount; nothing undisputed overdue, nothing to chase.
  const dispute = facts.dispute;
  const chased = dispute ? facts.overdue - dispute.amount : facts.overdue;
  if (dispute && chased <= 0n) return wait('disputed', null, `dispute ${dispute.id} covers what is overdue`);

  // 4. The next stage of the strategy.
  const next = nextStage(facts.stages, facts.stagesRun);
  if (!next) return wait('strategy_complete', null, 'every stage has run');
  const state = dispute ? 'partly_disputed' : 'active';
  const dueAt = stageDueAt(situation, facts, oldest, next);
  if (dueAt > now.getTime()) return wait(state, new Date(dueAt).toISOString(), `next stage ${next.stage}`, next.stage);

  const data = {
    caseId: theCase.id,
    amount: chased.toString(),
    outstanding: account.outstanding.toString(),
    currency: account.currency,
    reference: account.externalId,
    dpd: daysBetween(oldest, today),
    dueDate: oldest,
    deadline: addDays(today, FINAL_NOTICE_DAYS),
  };
  return { kind: 'stage', state, until: now.toISOString(), reason: `stage ${next.stage}`, stage: next, data, settle };
}

/**
 * When a stage falls due: on the day the account reaches its days past due (at the best hour for a
 * message when there is one), and not sooner than the stage gap after the previous stage, so stages
 * missed during a pause do not arrive in one burst.
 */
function stageDueAt(situation: DunningSituation, facts: CaseFacts, oldest: string, next: Stage): number {
  const day = addDays(oldest, next.dpd);
  let dueAt = Date.parse(`${day}T00:00:00.000Z`);
  if (facts.sendSlot) dueAt = stageMoment(day, facts.sendSlot.hour, facts.sendSlot.timeZone);
  const last = situation.theCase.last_stage_at;
  if (last) dueAt = Math.max(dueAt, last.getTime() + facts.settings.stageGapHours * 3_600_000);
  return dueAt;
}

/** A pending plan or write-off, as the approval task the workflow creates for it. */
export function approvalOf(
  caseId: string,
  plan: PlanRow | undefined,
  writeOff: WriteOffRow | undefined,
): ApprovalRequest | null {
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

/** What decides how a due stage goes out, read for its channel only (see `readDelivery`). */
export interface DeliveryFacts {
  /** A message: whether the channel is configured, and (when it is) the customer's addresses. */
  message?: { ready: boolean; contact: { email: string | null; phone: string | null; address: unknown } | null };
  /** A placement: the agency taking the segment, and for one placed by API what it is sent. */
  placement?: { agency: Agency | null; request: Record<string, unknown> | null };
  /** A call: the customer, the contact rules' answer, and (when allowed) the collector and what they see. */
  call?: {
    customer: { name: string } & Record<string, unknown>;
    rule: ContactDecision;
    assignee: string | null;
    context: Record<string, unknown> | null;
  };
}

/**
 * How a due stage goes out. A message needs its channel configured and an address for it; a
 * placement an agency for the segment (by API when it has a URL, else the export file); a call is
 * bound by do-not-contact, an opt-out of calls or missing consent as a message is — no task, the
 * stage recorded as skipped with the reason (quiet hours and call caps are the collector's to keep
 * when they dial, within the task's day). What cannot be done is recorded as skipped, so the
 * strategy moves on.
 */
export function routeStage(move: StageMove, facts: DeliveryFacts): StageMove {
  const channel = CHANNEL[move.stage.kind];
  const skipped = (skip: string): StageMove => ({ ...move, route: { channel: 'internal', skip } });
  if (channel === 'email' || channel === 'sms' || channel === 'letter') {
    const skip = unsendable(channel, facts.message);
    return skip === null ? { ...move, route: { channel } } : skipped(skip);
  }
  if (move.stage.kind === 'placement') {
    const agency = facts.placement?.agency;
    if (!agency) return skipped('no collection agency takes this segment');
    if (agency.url) {
      const route: StageRoute = {
        channel: 'agency',
        agency: { name: agency.name, url: agency.url, json: facts.placement?.request ?? {} },
      };
      return { ...move, route };
    }
    return { ...move, route: { channel } };
  }
  if (channel === 'call') {
    const call = facts.call!;
    if (!call.rule.allowed && call.rule.kind === 'skip') return skipped(call.rule.reason);
    const title = `Call ${call.customer.name} about ${move.data.reference}: ${move.data.dpd} days past due`;
    const context = { customer: call.customer, account: move.data, ...call.context };
    return { ...move, route: { channel, assignee: call.assignee, task: { title, context } } };
  }
  return { ...move, route: { channel } };
}

function unsendable(channel: 'email' | 'sms' | 'letter', message: DeliveryFacts['message']): string | null {
  if (!message?.ready) return `${channel} is not configured`;
  const customer = message.contact;
  const address = {
    email: customer?.email,
    sms: customer?.phone,
    letter: hasPostalAddress((customer?.address ?? null) as Record<string, string> | null),
  }[channel];
  const what = { email: 'email address', sms: 'phone number', letter: 'postal address' }[channel];
  return address ? null : `the customer has no ${what}`;
}
