import type { DomainWork } from '../../unit-of-work.js';
import type { DecisionEvaluator } from '../../../engine/index.js';
import { installmentTotals } from '../../receivables/delinquency/delinquency.js';
import { receivableColumns, unpaidInstallments } from '../../receivables/receivable-queries.js';
import { customerColumns } from '../../customers/customer-queries.js';
import { checkContact } from '../../channels/contact-rules/contact-rules.js';
import { pickCollector } from '../assignment.js';
import type { CaseRow } from '../cases/case-row.js';
import { readCollectionsSettings, type CollectionsSettings } from '../collections-settings.js';
import { openDisputeOf } from '../disputes.js';
import { openHardshipOf } from '../hardship.js';
import { activePlacementOf, agencyFor } from '../placements.js';
import { currentPlanOf } from '../plans.js';
import { lockOpenPromise } from '../promises.js';
import { pendingWriteOffOf } from '../write-offs.js';
import { bestSendHour } from './best-slot.js';
import { caseSituation } from './case-situation.js';
import { CHANNEL, type ChannelsReady, type StageMove } from './moves.js';
import { nextStage, overdueSince, type DeliveryFacts, type DunningSituation } from './next-move.js';
import { strategyStages, type Stage } from './strategy-stages.js';

/**
 * What the dunning strategy reads before it decides (no writes): the account, and — for an overdue
 * case — what could pause it (one probe of flags, then only the rows flagged), what it has overdue,
 * and its strategy's stages. Once a stage is due, `readDelivery` reads what its channel needs.
 */
export async function readSituation(
  unit: DomainWork,
  evaluator: DecisionEvaluator,
  theCase: CaseRow,
): Promise<{ situation: DunningSituation; settings: CollectionsSettings | null }> {
  const today = unit.today();
  const now = unit.clock.now();
  const situation: DunningSituation = { today, now, theCase, account: null, facts: null };
  if (theCase.status === 'closed') return { situation, settings: null };
  const receivable = await receivableColumns(unit.tx, theCase.receivable_id, [
    'status',
    'oldest_unpaid_due_date',
    'total_paid',
    'outstanding',
    'external_id',
    'currency',
  ]);
  situation.account = {
    status: receivable.status,
    oldestUnpaid: receivable.oldest_unpaid_due_date,
    totalPaid: receivable.total_paid,
    outstanding: receivable.outstanding,
    externalId: receivable.external_id,
    currency: receivable.currency,
  };
  if (overdueSince(situation.account, today) === null) return { situation, settings: null };

  const settings = await readCollectionsSettings(unit.tx);
  // What could pause the case, in one probe; a flagged row is read to confirm it.
  const probe = await caseSituation(unit.tx, theCase.id, now);
  const plan = probe.plan ? await currentPlanOf(unit.tx, theCase.id) : undefined;
  const writeOff = probe.writeOffPending ? await pendingWriteOffOf(unit.tx, theCase.id) : undefined;
  const hardshipOpen = probe.hardshipOpen && (await openHardshipOf(unit.tx, theCase.id)) !== undefined;
  const placed = probe.placed && (await activePlacementOf(unit.tx, theCase.id)) !== undefined;
  const promise = probe.promiseOpen ? await lockOpenPromise(unit.tx, theCase.id) : undefined;
  const overdue = (await installmentTotals(unit.tx, theCase.receivable_id, today)).overdue;
  const dispute = probe.disputeOpen ? await openDisputeOf(unit.tx, theCase.id) : undefined;
  const { stages } = await strategyStages(
    unit.tx,
    evaluator,
    { segment: theCase.segment, variant: theCase.variant },
    theCase.strategy_version,
  );
  const sendSlot = await sendSlotOf(unit, theCase, settings, nextStage(stages, probe.stagesRun));
  situation.facts = {
    settings,
    plan,
    writeOff,
    hardshipOpen,
    forbearUntil: probe.forbearUntil,
    placed,
    promise,
    overdue,
    dispute,
    stages,
    stagesRun: probe.stagesRun,
    sendSlot,
  };
  return { situation, settings };
}

/**
 * A message stage goes out at the hour that did best for the segment and channel (the best-time
 * report, once it has enough outcomes), in the customer's time zone.
 */
async function sendSlotOf(
  unit: DomainWork,
  theCase: CaseRow,
  settings: CollectionsSettings,
  next: Stage | undefined,
): Promise<{ hour: number; timeZone: string } | null> {
  if (!next || settings.bestTimeMinSample === null) return null;
  const channel = CHANNEL[next.kind];
  if (channel !== 'email' && channel !== 'sms') return null;
  const hour = await bestSendHour(unit.tx, theCase.segment, channel, settings.bestTimeMinSample);
  if (hour === null) return null;
  const { time_zone } = await customerColumns(unit.tx, theCase.customer_id, ['time_zone']);
  return { hour, timeZone: time_zone };
}

/**
 * What a due stage's channel needs to know: a message, whether the channel is configured and the
 * customer's addresses; a placement, the agency (and what an API agency is sent); a call, the
 * customer, the contact rules' answer and — when the call may happen — its collector and context.
 */
export async function readDelivery(
  unit: DomainWork,
  theCase: CaseRow,
  settings: CollectionsSettings,
  move: StageMove,
  ready: ChannelsReady,
  now: Date,
): Promise<DeliveryFacts> {
  const channel = CHANNEL[move.stage.kind];
  if (channel === 'email' || channel === 'sms' || channel === 'letter') {
    if (!ready[channel]) return { message: { ready: false, contact: null } };
    const contact = await customerColumns(unit.tx, theCase.customer_id, ['email', 'phone', 'address']);
    return { message: { ready: true, contact } };
  }
  if (move.stage.kind === 'placement') {
    const agency = agencyFor(settings.agencies, theCase.segment) ?? null;
    const request = agency?.url ? await placementRequest(unit, theCase, move.data) : null;
    return { placement: { agency, request } };
  }
  if (channel === 'call') {
    const customer = await customerColumns(unit.tx, theCase.customer_id, [
      'name',
      'email',
      'phone',
      'language',
      'time_zone',
      'risk_rating',
    ]);
    const rule = await checkContact(unit.tx, { id: theCase.customer_id, timeZone: customer.time_zone }, 'call', now);
    if (!rule.allowed && rule.kind === 'skip') return { call: { customer, rule, assignee: null, context: null } };
    const assignee = await pickCollector(unit.tx, settings, theCase, customer.language);
    return { call: { customer, rule, assignee, context: await caseContext(unit, theCase) } };
  }
  return {};
}

/** What an agency receives about a placed account. */
async function placementRequest(unit: DomainWork, theCase: CaseRow, account: Record<string, unknown>) {
  const customer = await customerColumns(unit.tx, theCase.customer_id, [
    'external_id',
    'name',
    'email',
    'phone',
    'address',
    'language',
  ]);
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

/** What a collector sees with a call: the unpaid schedule, past contacts and promises, stages run. */
async function caseContext(unit: DomainWork, theCase: CaseRow) {
  const [schedule, contacts, promises, stages] = await Promise.all([
    unpaidInstallments(unit.tx, theCase.receivable_id, 12),
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
