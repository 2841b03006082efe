import { AppError, conflict, notFound } from '../../core/errors.js';
import { joinTransaction } from '../../storage/database.js';
import type { DomainWork } from '../unit-of-work.js';
import { CANCELLABLE, expectStatus, lockPayment, presentPayment, transition } from './instructions.js';
import { voidHold } from './ledger-hold.js';

/**
 * Cancelling a payment before release (draft, pending approval, approved): its approval workflow is
 * cancelled with its open tasks, its ledger hold voided, and the payment marked cancelled — all in
 * the request's transaction. Once in a payment batch it is refused (409 `payment_state`): a batch
 * not yet released is cancelled as a whole (its payments return to approved); a released one is the
 * bank's.
 *
 * Lock order, as the workflow's steps take them: the instance first (the engine's cancel), then the
 * payment, then the ledger accounts — so a cancel and a running approval step wait for each other
 * and never deadlock.
 */
export async function cancelPayment(unit: DomainWork, id: string, by: string, reason: string | null) {
  const seen = await unit.tx
    .selectFrom('payment_instructions')
    .select(['status', 'instance_id'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!seen) throw notFound('payment', id);
  if (seen.instance_id && seen.status === 'pending_approval') {
    await unit.context.engine
      .cancel(
        {
          instanceId: seen.instance_id,
          actor: unit.actor,
          reason: reason ?? 'payment cancelled',
          requestId: unit.requestId,
        },
        joinTransaction(unit.context.database, unit.tx),
      )
      .catch((error: unknown) => {
        // Finished meanwhile (the last approval landed): the payment's status below decides.
        if (!(error instanceof AppError && error.code === 'instance_finished')) throw error;
      });
  }
  const payment = await lockPayment(unit.tx, id);
  if (payment.status === 'batched' && payment.batch_id) {
    // Its file is written but not sent: the batch, not the payment, is what may be withdrawn.
    throw conflict(
      'payment_state',
      `cannot cancel: payment ${id} is in payment batch ${payment.batch_id}; cancel the batch ` +
        `(POST /payment-batches/${payment.batch_id}/cancel) to return its payments to approved, then cancel this one`,
      { state: payment.status, batchId: payment.batch_id },
    );
  }
  expectStatus(payment, CANCELLABLE, 'cancel');
  await voidHold(unit, payment, reason ?? 'payment cancelled');
  const cancelled = await transition(unit, payment, 'cancelled', {
    by,
    reason,
    data: payment.hold_transfer_id ? { holdVoided: payment.hold_transfer_id } : {},
  });
  return presentPayment(cancelled);
}
