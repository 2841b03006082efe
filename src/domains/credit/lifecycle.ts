import { AppError, validationError } from '../../core/errors.js';
import type { DomainWork } from '../unit-of-work.js';
import type { DecisionEvaluator } from '../../engine/index.js';
import type { Applicant } from './application-input.js';
import { expectStatus, lockApplication, type Approval } from './applications.js';
import type { ApplicationRow } from './tables.js';
import { readCreditSettings } from './credit-settings.js';
import { decideApplication, type DecisionRecord } from './decisioning.js';

/**
 * The application's state changes, one per workflow step (each in that step's transaction, audited,
 * published as `credit.application.*`): picked up → decided → reviewed → offered/answered/expired.
 * Booking an approval is in booking.ts.
 */

const AMOUNT = /^\d{1,18}$/;
const RATE = /^0(\.\d{1,6})?$/;

async function setState(
  unit: DomainWork,
  app: ApplicationRow,
  change: Partial<{
    status: string;
    outcome: string;
    instance_id: string;
    assessment: unknown;
    decision: unknown;
    approvals: unknown;
    offer: unknown;
    decided: boolean;
  }>,
  audit: { action: string; after: Record<string, unknown> },
): Promise<void> {
  const now = unit.clock.now();
  const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));
  await unit.tx
    .updateTable('credit_applications')
    .set({
      ...(change.status ? { status: change.status } : {}),
      ...(change.outcome ? { outcome: change.outcome } : {}),
      ...(change.instance_id ? { instance_id: change.instance_id } : {}),
      ...(change.assessment !== undefined ? { assessment: json(change.assessment)! } : {}),
      ...(change.decision !== undefined ? { decision: json(change.decision)! } : {}),
      ...(change.approvals !== undefined ? { approvals: json(change.approvals)! } : {}),
      ...(change.offer !== undefined ? { offer: json(change.offer)! } : {}),
      ...(change.decided ? { decided_at: now } : {}),
      updated_at: now,
    })
    .where('id', '=', app.id)
    .execute();
  unit.audit({
    action: audit.action,
    entityType: 'credit_application',
    entityId: app.id,
    before: { status: app.status },
    after: audit.after,
  });
}

/** The workflow picked the application up: what the bureau step needs (null: no bureau configured). */
export async function startAssessment(unit: DomainWork, id: string, instanceId: string) {
  const app = await lockApplication(unit.tx, id);
  expectStatus(app, ['submitted', 'assessing'], 'assess');
  const settings = await readCreditSettings(unit.tx);
  await setState(
    unit,
    app,
    { status: 'assessing', instance_id: instanceId },
    { action: 'credit.application.assessing', after: { status: 'assessing', instanceId } },
  );
  const applicant = app.applicant as Applicant;
  return {
    applicationId: app.id,
    customerId: app.customer_id,
    bureau: settings.bureau
      ? {
          url: settings.bureau.url,
          request: {
            nationalId: applicant.nationalId ?? null,
            name: applicant.name,
            dateOfBirth: applicant.dateOfBirth,
          },
        }
      : null,
  };
}

export async function decide(unit: DomainWork, evaluator: DecisionEvaluator, id: string, bureau: unknown) {
  const app = await lockApplication(unit.tx, id);
  expectStatus(app, ['assessing'], 'decide');
  const { outcome, record, assessment } = await decideApplication(unit, evaluator, app, bureau);
  // An approval stays `assessing` until the booking step has created the contract.
  const status = outcome === 'decline' ? 'declined' : outcome === 'review' ? 'in_review' : 'assessing';
  await setState(
    unit,
    app,
    { status, outcome, assessment, decision: record, decided: outcome === 'decline' },
    {
      action: 'credit.application.decided',
      after: { status, outcome, grade: record.score.grade, score: record.score.score, decisions: record.decisions },
    },
  );
  unit.publish('credit.application.decided', app.id, {
    applicationId: app.id,
    outcome,
    grade: record.score.grade,
    reasons: record.reasons,
  });
  return {
    outcome,
    grade: record.score.grade,
    score: record.score.score,
    pd: record.score.pd,
    riskBand: record.score.riskBand,
    level: record.authority?.level ?? 0,
    approvalsRequired: record.authority?.approvalsRequired ?? 0,
    reasons: record.reasons,
  };
}

export interface ReviewInput {
  level: number;
  outcome: string;
  by: string;
  data: Record<string, unknown>;
}

/**
 * A reviewer's answer. `approve` is recorded (the workflow books after the last approval), `decline`
 * ends the application with the reviewer's reason, `counter-offer` records the offer the applicant
 * must accept. A counter-offer's terms are checked here: the task form cannot know the policy.
 */
export async function recordReview(unit: DomainWork, id: string, review: ReviewInput) {
  const app = await lockApplication(unit.tx, id);
  expectStatus(app, ['in_review'], 'record a review');
  const comment = typeof review.data.comment === 'string' ? review.data.comment : null;
  const approvals = [
    ...(app.approvals as Approval[]),
    { by: review.by, level: review.level, outcome: review.outcome, comment, at: unit.clock.now().toISOString() },
  ];
  const decision = app.decision as DecisionRecord;
  if (review.outcome === 'approve') {
    await setState(unit, app, { approvals }, { action: 'credit.application.approval', after: { by: review.by } });
    return { outcome: 'approve' as const };
  }
  if (review.outcome === 'decline') {
    const reasons = [{ code: 'RV_DECLINED', text: comment ?? 'declined by the reviewer' }, ...decision.reasons];
    await setState(
      unit,
      app,
      { status: 'declined', outcome: 'decline', approvals, decision: { ...decision, reasons }, decided: true },
      { action: 'credit.application.declined', after: { status: 'declined', by: review.by, comment } },
    );
    unit.publish('credit.application.declined', app.id, { applicationId: app.id, reasons });
    return { outcome: 'decline' as const, reasons };
  }
  if (review.outcome === 'counter-offer') {
    const offer = counterOffer(app, decision, review);
    await setState(
      unit,
      app,
      { status: 'offered', approvals, offer },
      { action: 'credit.application.offered', after: { status: 'offered', offer } },
    );
    unit.publish('credit.application.offered', app.id, { applicationId: app.id, offer });
    return { outcome: 'counter-offer' as const, offer };
  }
  throw validationError([{ field: 'outcome', message: 'must be approve, decline or counter-offer' }]);
}

function counterOffer(app: ApplicationRow, decision: DecisionRecord, review: ReviewInput) {
  const { counterAmount, counterTermMonths, counterRate } = review.data;
  // The form gives strings (an integer amount is accepted too); absent terms keep the application's.
  const given = (v: unknown) =>
    typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v === null || v === undefined ? null : '?';
  const amount = given(counterAmount) ?? app.amount.toString();
  const termMonths = counterTermMonths ?? app.term_months;
  const annualRate = given(counterRate) ?? decision.terms.annualRate;
  const issues = [
    ...(AMOUNT.test(amount) && BigInt(amount) > 0n
      ? []
      : [{ field: 'data.counterAmount', message: 'must be minor units' }]),
    ...(Number.isInteger(termMonths) && (termMonths as number) > 0
      ? []
      : [{ field: 'data.counterTermMonths', message: 'must be a whole number of months' }]),
    ...(annualRate !== null && RATE.test(annualRate)
      ? []
      : [{ field: 'data.counterRate', message: 'must be a decimal rate such as "0.099"' }]),
  ];
  if (issues.length) throw validationError(issues);
  return { amount, termMonths: termMonths as number, annualRate: annualRate!, by: review.by, currency: app.currency };
}

/** The applicant's answer (API): recorded and published for the waiting workflow. */
export async function answerOffer(unit: DomainWork, id: string, accept: boolean) {
  const app = await lockApplication(unit.tx, id);
  const offer = app.offer as Record<string, unknown> | null;
  if (app.status !== 'offered' || !offer || offer.answeredAt) {
    throw new AppError('not_offered', 409, `application ${id} has no open offer`, { details: { state: app.status } });
  }
  const answered = { ...offer, accepted: accept, answeredAt: unit.clock.now().toISOString() };
  await setState(unit, app, { offer: answered }, { action: 'credit.offer.answered', after: { accepted: accept } });
  unit.publish('credit.offer.answered', app.id, { applicationId: app.id, accepted: accept });
  return { id: app.id, status: app.status, offer: answered };
}

/** The offer ends unanswered (expired) or refused. */
export async function closeOffer(unit: DomainWork, id: string, status: 'offer_declined' | 'offer_expired') {
  const app = await lockApplication(unit.tx, id);
  expectStatus(app, ['offered'], 'close the offer');
  await setState(unit, app, { status, decided: true }, { action: `credit.application.${status}`, after: { status } });
  unit.publish(`credit.application.${status}`, app.id, { applicationId: app.id });
  return { status };
}
