import { z } from 'zod';
import type { ActionDefinition } from '../../engine/index.js';
import type { DomainContext } from '../contract.js';
import { defineStepAction } from '../step-action.js';
import { approvePayment, assess, expireApproval, recordApproval } from './approval.js';
import { MAX_SCHEDULE_DAYS, schedulePayables } from './payables/payables.js';
import { runDisbursements } from './disbursements/disbursements.js';
import { MAX_RUN_DAYS, runRecurring } from './recurring/recurring-payments.js';

/**
 * Payments' actions: the steps of the payment-instruction-approval workflow. Each runs in its step's
 * transaction through a DomainWork, so the payment's change, its history, audit rows, events and
 * ledger hold commit with the step — exactly once.
 */

const Payment = z.string().min(1).max(100);

export function paymentActions(context: DomainContext): ActionDefinition[] {
  const evaluator = context.engine.services.decisions;
  return [
    defineStepAction(context, {
      source: import.meta.url,
      name: 'payments.assess',
      description:
        "Checks a pending payment's beneficiary (wait until verified, refuse when blocked), runs the anomaly checks (payments.anomaly-checks: a hit needs at least one approver) and asks the approval matrix (payments.approval-matrix) how many approvers it needs",
      input: z.object({ payment: Payment }).strict(),
      run: (unit, input, ctx) => assess(unit, evaluator, input.payment, ctx.instanceId),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'payments.record_approval',
      description: "Records an approver's approve / reject on a payment (a reject ends it)",
      input: z
        .object({
          payment: Payment,
          level: z.number().int().min(1).max(9),
          of: z.number().int().min(1).max(9),
          review: z.object({
            taskId: z.string(),
            outcome: z.string(),
            completedBy: z.string(),
            data: z.record(z.string(), z.unknown()).nullable().optional(),
          }),
        })
        .strict(),
      run: (unit, input) =>
        recordApproval(unit, input.payment, { ...input.review, data: input.review.data ?? {} }, input.level, input.of),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'payments.approve',
      description:
        'Approves a payment whose approvals are complete: holds its amount on the ledger (a pending transfer) and publishes payment.approved',
      input: z.object({ payment: Payment }).strict(),
      run: (unit, input) => approvePayment(unit, input.payment),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'payments.expire_approval',
      description: 'Rejects a payment whose approval was not decided in time (approval_expired)',
      input: z.object({ payment: Payment }).strict(),
      run: (unit, input) => expireApproval(unit, input.payment),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'payments.schedule_payables',
      description:
        'Turns the approved payables due within withinDays into payment instructions (each payable at most once); the payables-schedule workflow runs it daily',
      input: z.object({ withinDays: z.number().int().min(0).max(MAX_SCHEDULE_DAYS) }).strict(),
      run: (unit, input) => schedulePayables(unit, input.withinDays),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'payments.run_recurring',
      description:
        'Turns the occurrences of recurring payments due within withinDays into payment instructions (each occurrence at most once); the recurring-payments-run workflow runs it daily',
      input: z.object({ withinDays: z.number().int().min(0).max(MAX_RUN_DAYS) }).strict(),
      run: (unit, input) => runRecurring(unit, input.withinDays),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'payments.run_disbursements',
      description:
        "Turns credit's pending loan payouts into payment instructions to the borrowers' verified beneficiaries (each payout at most once; the others are skipped and listed); the disbursements-run workflow runs it daily",
      input: z.object({ bankAccountId: z.string().min(1).max(100).nullish() }).strict(),
      // The workflow's actor (system, or whoever started it by hand) is the payments' maker.
      run: (unit, input) => runDisbursements(unit, { bankAccountId: input.bankAccountId ?? undefined }, unit.actor),
    }),
  ];
}
