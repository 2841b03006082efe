import { AppError, conflict } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { lockCustomer, refreshExposure } from '../customers/customer-service.js';
import type { DomainWork } from '../unit-of-work.js';
import { evaluateDelinquency } from './delinquency/delinquency.js';
import { postFeeCharged, postingContextOf } from './receivable-ledger.js';
import { lockReceivable, requestHash, toReceivable, type Receivable } from './receivable-service.js';

/**
 * Fees (late fees, collection fees per policy) are added to an installment — by default the oldest
 * one not fully paid — so the waterfall collects them like any other component, and booked as fee
 * income at once.
 */
export interface FeeRequest {
  kind: string;
  amount: bigint;
  installmentSeq?: number | undefined;
}

export async function chargeFee(
  unit: DomainWork,
  receivableRef: string,
  request: FeeRequest,
): Promise<{ fee: { id: string; kind: string; amount: string; installmentSeq: number }; receivable: Receivable }> {
  if (request.amount <= 0n)
    throw new AppError('validation_failed', 400, 'amount: must be above zero', { field: 'amount' });
  const receivable = await lockReceivable(unit.tx, receivableRef);
  if (receivable.status !== 'open') {
    throw conflict('receivable_not_open', `fees are charged on open receivables; this one is ${receivable.status}`);
  }
  let seq = request.installmentSeq;
  if (seq === undefined) {
    const oldest = await unit.tx
      .selectFrom('installments')
      .select('seq')
      .where('receivable_id', '=', receivable.id)
      .whereRef('principal_paid', '<', 'principal_due')
      .orderBy('seq')
      .executeTakeFirst();
    const unpaid =
      oldest ??
      (await unit.tx
        .selectFrom('installments')
        .select('seq')
        .where('receivable_id', '=', receivable.id)
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow());
    seq = unpaid.seq;
  }
  const updated = await unit.tx
    .updateTable('installments')
    .set((eb) => ({ fee_due: eb('fee_due', '+', request.amount.toString() as unknown as bigint) }))
    .where('receivable_id', '=', receivable.id)
    .where('seq', '=', seq)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) {
    throw new AppError('unknown_installment', 422, `the receivable has no installment ${seq}`, {
      field: 'installmentSeq',
    });
  }
  const now = unit.clock.now();
  const id = newId('fee', now.getTime());
  await unit.tx
    .insertInto('receivable_fees')
    .values({
      id,
      receivable_id: receivable.id,
      installment_seq: seq,
      kind: request.kind,
      amount: request.amount,
      journal_id: id,
      charged_at: now,
      charged_by: unit.actor,
      request_hash: requestHash({ receivable: receivable.id, ...request, amount: request.amount.toString() }),
    })
    .execute();
  await postFeeCharged(postingContextOf(unit), {
    id,
    receivableId: receivable.id,
    currency: receivable.currency,
    amount: request.amount,
  });
  const customerBefore = await lockCustomer(unit.tx, receivable.customer_id);
  const after = await evaluateDelinquency(unit, receivable);
  await refreshExposure(unit, receivable.customer_id, customerBefore);
  const fee = { id, kind: request.kind, amount: request.amount.toString(), installmentSeq: seq };
  unit.audit({
    action: 'fee.charged',
    entityType: 'receivable',
    entityId: receivable.id,
    before: { outstanding: receivable.outstanding.toString() },
    after: { fee, outstanding: after.outstanding.toString() },
  });
  unit.publish('receivable.fee_charged', receivable.id, { fee, outstanding: after.outstanding.toString() });
  return { fee, receivable: toReceivable(after) };
}
