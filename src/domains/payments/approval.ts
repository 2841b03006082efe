import { formatMoney } from '../../core/money.js';
import { NonRetryableError, type DecisionEvaluator } from '../../engine/index.js';
import type { DomainWork } from '../unit-of-work.js';
import { maskedAccount, paymentMethod, type BankDetails } from './bank-details.js';
import { daysBetween } from './business-dates.js';
import { lockPayment, record, transition, type Approval } from './instructions.js';
import { placeHold } from './ledger-hold.js';
import { checkAnomalies } from './anomalies.js';
import { APPROVAL_MATRIX_KEY, APPROVER_QUEUE } from './policy/approval-matrix.js';
import type { PaymentRow } from './tables.js';

/**
 * The steps of a payment's approval, each in its workflow step's transaction:
 * assess (wait for the beneficiary's verification, then ask the approval matrix) → record each
 * approver's answer → approve (the ledger hold) — or reject / expire. Maker ≠ checker and two
 * different approvers are enforced by the tasks (excludeUsers) and checked again here, so an edited
 * workflow cannot approve a payment with fewer or the wrong people.
 */

/** How long a payment waits for its beneficiary's bank details to be approved before it is rejected. */
export const VERIFICATION_WAIT_DAYS = 7;
const SYSTEM = 'system:payments';

export interface MatrixAnswer {
  approvers: number;
  queues: string[];
  code: string;
  reason: string;
}

const QUEUE = /^[A-Za-z0-9._-]{1,100}$/;

/** The matrix's answer, or a failure naming what is wrong with it (an edited table can say anything). */
function readMatrix(result: unknown, version: number): MatrixAnswer {
  const r = (result ?? {}) as Record<string, unknown>;
  const approvers = r.approvers;
  const queues = Array.isArray(r.queues) ? (r.queues as unknown[]) : [];
  if (typeof approvers !== 'number' || !Number.isInteger(approvers) || approvers < 0 || approvers > 2) {
    throw new NonRetryableError(
      `${APPROVAL_MATRIX_KEY}@${version} answered approvers ${JSON.stringify(approvers)}: it must be 0, 1 or 2`,
    );
  }
  if (queues.length < approvers || !queues.every((q) => typeof q === 'string' && QUEUE.test(q))) {
    throw new NonRetryableError(
      `${APPROVAL_MATRIX_KEY}@${version} answered queues ${JSON.stringify(r.queues)}: one queue name per approver`,
    );
  }
  return {
    approvers,
    queues: queues as string[],
    code: typeof r.code === 'string' ? r.code : '',
    reason: typeof r.reason === 'string' ? r.reason : '',
  };
}

async function reject(unit: DomainWork, payment: PaymentRow, code: string, reason: string, by = SYSTEM) {
  const rejection = { code, reason, by, at: unit.clock.now().toISOString() };
  await transition(unit, payment, 'rejected', { by, reason, change: { rejection }, data: { code } });
}

/**
 * Where the payment's approval stands: `closed` (no longer pending), `refused` (rejected here: a
 * blocked beneficiary, or one not verified in time), `wait` (the beneficiary's details await their
 * approval), or `ready` with the matrix's approvers and queues and what the tasks show.
 * The anomaly checks run first: a hit means at least one approver, whatever the matrix says.
 */
export async function assess(unit: DomainWork, evaluator: DecisionEvaluator, id: string, instanceId: string) {
  const payment = await lockPayment(unit.tx, id);
  if (payment.status !== 'pending_approval') return { state: 'closed' as const, status: payment.status };
  if (payment.instance_id !== instanceId) {
    await unit.tx.updateTable('payment_instructions').set({ instance_id: instanceId }).where('id', '=', id).execute();
  }
  const beneficiary = await unit.tx
    .selectFrom('beneficiaries')
    .selectAll()
    .where('id', '=', payment.beneficiary_id)
    .executeTakeFirstOrThrow();
  const now = unit.clock.now();
  if (beneficiary.status === 'blocked') {
    await reject(unit, payment, 'beneficiary_blocked', `beneficiary ${beneficiary.id} is blocked`);
    return { state: 'refused' as const };
  }
  if (beneficiary.status !== 'verified' || beneficiary.details === null || beneficiary.verified_at === null) {
    const deadline = new Date(payment.created_at.getTime() + VERIFICATION_WAIT_DAYS * 86_400_000);
    if (now >= deadline) {
      await reject(
        unit,
        payment,
        'beneficiary_not_verified',
        `the beneficiary's bank details were not approved within ${VERIFICATION_WAIT_DAYS} days`,
      );
      return { state: 'refused' as const };
    }
    return { state: 'wait' as const, beneficiaryId: beneficiary.id, until: deadline.toISOString() };
  }

  const account = await unit.tx
    .selectFrom('bank_accounts')
    .selectAll()
    .where('id', '=', payment.bank_account_id)
    .executeTakeFirstOrThrow();
  const details = beneficiary.details as BankDetails;
  const anomalyCheck = await checkAnomalies(unit, evaluator, payment);
  const { anomalies } = anomalyCheck;
  const input = {
    amount: Number(payment.amount),
    currency: payment.currency,
    method: paymentMethod(payment.currency, account.country, details.country),
    beneficiaryKind: beneficiary.kind,
    beneficiaryVerified: true,
    beneficiaryAgeDays: daysBetween(beneficiary.verified_at, now),
    anomalies: anomalies.length,
  };
  const outcome = await evaluator.evaluate(unit.tx, APPROVAL_MATRIX_KEY, input);
  const matrix = readMatrix(outcome.result, outcome.version);
  const snapshot = { name: beneficiary.name, ...details, detailsVersion: beneficiary.details_version };
  // An anomaly is reviewed by a person: never approved automatically.
  const required = anomalies.length > 0 ? Math.max(1, matrix.approvers) : matrix.approvers;
  const queues = matrix.queues.slice(0, required);
  while (queues.length < required) queues.push(APPROVER_QUEUE);
  const approval = {
    required,
    queues,
    rule: matrix.code,
    reason: matrix.reason,
    decision: { key: outcome.key, version: outcome.version },
    input,
    matrixApprovers: matrix.approvers,
    anomalyCheck: { decision: anomalyCheck.decision, input: anomalyCheck.input },
    evaluatedAt: now.toISOString(),
  };
  await record(unit, payment, {
    action: 'payment.approval_required',
    by: SYSTEM,
    change: { approval, beneficiary_snapshot: snapshot },
    data: { required: approval.required, rule: approval.rule, decision: approval.decision, anomalies },
  });
  // What the tasks' description says: the matrix's reason, and why a person must look.
  const reason =
    anomalies.length === 0
      ? approval.reason
      : `${matrix.approvers === 0 ? `review required by the anomaly checks (the matrix alone: ${approval.reason})` : approval.reason}. ` +
        `Anomalies: ${anomalies.map((a) => a.reason).join('; ')}`;
  const summary = `${formatMoney({ amount: payment.amount, currency: payment.currency })} to ${beneficiary.name} (${maskedAccount(details)})`;
  return {
    state: 'ready' as const,
    approvers: approval.required,
    queues: approval.queues,
    rule: approval.rule,
    reason,
    summary,
    // What an approver sees on the task.
    task: {
      paymentId: payment.id,
      amount: payment.amount.toString(),
      currency: payment.currency,
      beneficiary: snapshot,
      debtorAccount: { id: account.id, name: account.name, iban: account.iban },
      requestedExecutionDate: payment.requested_execution_date,
      endToEndId: payment.end_to_end_id,
      remittance: payment.remittance,
      createdBy: payment.created_by,
      rule: approval.rule,
      reason: approval.reason,
      anomalies,
    },
  };
}

export interface Review {
  taskId: string;
  outcome: string;
  completedBy: string;
  data: Record<string, unknown>;
}

/** An approver's answer: an approval is recorded; a rejection ends the payment with the approver's comment. */
export async function recordApproval(unit: DomainWork, id: string, review: Review, level: number, of: number) {
  const payment = await lockPayment(unit.tx, id);
  if (payment.status !== 'pending_approval') return { outcome: 'closed' as const, status: payment.status };
  const approvals = payment.approvals as Approval[];
  if (review.completedBy === payment.created_by || approvals.some((a) => a.by === review.completedBy)) {
    // The tasks exclude these people; reaching here means the workflow was changed to allow it.
    throw new NonRetryableError(
      `${review.completedBy} may not approve payment ${id}: the maker and each approver are different people (four eyes)`,
    );
  }
  const comment = typeof review.data.comment === 'string' && review.data.comment !== '' ? review.data.comment : null;
  const approval: Approval = {
    by: review.completedBy,
    level,
    of,
    outcome: review.outcome,
    comment,
    taskId: review.taskId,
    at: unit.clock.now().toISOString(),
  };
  if (review.outcome === 'approve') {
    await record(unit, payment, {
      action: 'payment.approval_recorded',
      by: review.completedBy,
      change: { approvals: [...approvals, approval] },
      data: { level, of, taskId: review.taskId, comment },
    });
    return { outcome: 'approve' as const, approvals: approvals.length + 1 };
  }
  if (review.outcome === 'reject') {
    const reason = comment ?? 'rejected by the approver';
    const rejection = { code: 'rejected_by_approver', reason, by: review.completedBy, at: approval.at };
    await transition(unit, payment, 'rejected', {
      by: review.completedBy,
      reason,
      change: { approvals: [...approvals, approval], rejection },
      data: { code: rejection.code, level, of, taskId: review.taskId },
    });
    return { outcome: 'reject' as const };
  }
  throw new NonRetryableError(`outcome ${review.outcome} is neither approve nor reject`);
}

/**
 * The approvals are complete (or none was needed): the amount is held on the ledger and the payment
 * is approved — to the bank details the approvers saw. Should the beneficiary have been blocked, or
 * its details changed since, the payment is rejected instead: nobody approved paying the new details.
 */
export async function approvePayment(unit: DomainWork, id: string) {
  const payment = await lockPayment(unit.tx, id);
  if (payment.status !== 'pending_approval') return { outcome: 'closed' as const, status: payment.status };
  const approval = payment.approval as { required: number; rule: string } | null;
  const approvers = (payment.approvals as Approval[]).filter((a) => a.outcome === 'approve').map((a) => a.by);
  if (!approval || new Set(approvers).size < approval.required) {
    throw new NonRetryableError(
      `payment ${id} has ${new Set(approvers).size} of ${approval?.required ?? '?'} approvals: it cannot be approved`,
    );
  }
  const beneficiary = await unit.tx
    .selectFrom('beneficiaries')
    .select(['status', 'details_version'])
    .where('id', '=', payment.beneficiary_id)
    .executeTakeFirstOrThrow();
  const snapshot = payment.beneficiary_snapshot as { detailsVersion: number } | null;
  if (beneficiary.status !== 'verified') {
    await reject(unit, payment, 'beneficiary_blocked', `the beneficiary is ${beneficiary.status}`);
    return { outcome: 'rejected' as const };
  }
  if (snapshot?.detailsVersion !== beneficiary.details_version) {
    await reject(
      unit,
      payment,
      'beneficiary_changed',
      "the beneficiary's bank details changed during the approval: create the payment again",
    );
    return { outcome: 'rejected' as const };
  }
  const account = await unit.tx
    .selectFrom('bank_accounts')
    .select('ledger_account_id')
    .where('id', '=', payment.bank_account_id)
    .executeTakeFirstOrThrow();
  const holdTransferId = await placeHold(unit, payment, account.ledger_account_id);
  await transition(unit, payment, 'approved', {
    by: approvers.at(-1) ?? SYSTEM,
    reason: approval.required === 0 ? 'approved automatically by the approval matrix' : null,
    change: { hold_transfer_id: holdTransferId, approved: true },
    data: { approvers, rule: approval.rule, holdTransferId },
  });
  return { outcome: 'approved' as const, approvers, holdTransferId };
}

/** An approval task passed its due time without a decision: the payment is rejected as expired. */
export async function expireApproval(unit: DomainWork, id: string) {
  const payment = await lockPayment(unit.tx, id);
  if (payment.status !== 'pending_approval') return { outcome: 'closed' as const, status: payment.status };
  await reject(unit, payment, 'approval_expired', 'no approval decision within the approval time');
  return { outcome: 'expired' as const };
}
