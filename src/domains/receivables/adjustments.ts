import { conflict, refusedField } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { lockCustomer, refreshExposure } from '../customers/customer-service.js';
import type { DomainWork } from '../unit-of-work.js';
import { evaluateDelinquency } from './delinquency/delinquency.js';
import { postAdjustment, postingContextOf } from './receivable-ledger.js';
import { lockReceivable, toReceivable, type Receivable } from './receivable-service.js';

/**
 * Credit notes and write-offs: what the customer owes goes down without a payment. The amount comes
 * off the installments oldest first — fees, then interest, then principal of each — so the
 * schedule, the days past due and the ledger agree afterwards. A credit note (a disputed charge
 * found valid) leaves the receivable open for the rest; a write-off takes everything left and
 * closes it as `written_off`. Both publish their event, and a cure if the arrears are gone.
 */

export type AdjustmentKind = 'credit_note' | 'write_off';

export interface AdjustmentRequest {
  kind: AdjustmentKind;
  /** Minor units; a write-off without an amount takes the whole outstanding balance. */
  amount?: bigint | undefined;
  reason: string;
  /** A stable id makes the adjustment happen once (a workflow step passes its own). */
  id?: string | undefined;
}

export interface Adjustment {
  id: string;
  receivableId: string;
  kind: AdjustmentKind;
  amount: string;
  components: { principal: string; interest: string; fee: string };
  reason: string;
  createdBy: string;
  createdAt: string;
}

export async function adjustReceivable(
  unit: DomainWork,
  receivableRef: string,
  request: AdjustmentRequest,
): Promise<{ adjustment: Adjustment; receivable: Receivable }> {
  const receivable = await lockReceivable(unit.tx, receivableRef);
  if (request.id) {
    const done = await unit.tx
      .selectFrom('receivable_adjustments')
      .selectAll()
      .where('id', '=', request.id)
      .executeTakeFirst();
    if (done) return { adjustment: present(done), receivable: toReceivable(receivable) };
  }
  if (receivable.status !== 'open') {
    throw conflict('receivable_not_open', `only an open receivable can be adjusted; this one is ${receivable.status}`);
  }
  const amount = request.amount ?? (request.kind === 'write_off' ? receivable.outstanding : 0n);
  if (amount <= 0n) throw refusedField('amount', 'must be above zero');
  if (amount > receivable.outstanding) {
    throw refusedField('amount', `must not exceed the outstanding balance ${receivable.outstanding}`);
  }

  const installments = await unit.tx
    .selectFrom('installments')
    .selectAll()
    .where('receivable_id', '=', receivable.id)
    .orderBy('seq')
    .forUpdate()
    .execute();
  let left = amount;
  const taken = { principal: 0n, interest: 0n, fee: 0n };
  for (const row of installments) {
    if (left === 0n) break;
    const cut = { fee: 0n, interest: 0n, principal: 0n };
    for (const part of ['fee', 'interest', 'principal'] as const) {
      const unpaid = row[`${part}_due`] - row[`${part}_paid`];
      const take = unpaid < left ? unpaid : left;
      cut[part] = take;
      left -= take;
    }
    if (cut.fee + cut.interest + cut.principal === 0n) continue;
    await unit.tx
      .updateTable('installments')
      .set({
        fee_due: row.fee_due - cut.fee,
        interest_due: row.interest_due - cut.interest,
        principal_due: row.principal_due - cut.principal,
      })
      .where('receivable_id', '=', receivable.id)
      .where('seq', '=', row.seq)
      .execute();
    taken.fee += cut.fee;
    taken.interest += cut.interest;
    taken.principal += cut.principal;
  }

  const now = unit.clock.now();
  const id = request.id ?? newId('adj', now.getTime());
  await postAdjustment(postingContextOf(unit), {
    id,
    receivableId: receivable.id,
    kind: receivable.kind,
    type: request.kind,
    currency: receivable.currency,
    principal: taken.principal,
    fee: taken.fee,
  });
  const row = await unit.tx
    .insertInto('receivable_adjustments')
    .values({
      id,
      receivable_id: receivable.id,
      kind: request.kind,
      amount,
      components: JSON.stringify({
        principal: taken.principal.toString(),
        interest: taken.interest.toString(),
        fee: taken.fee.toString(),
      }),
      reason: request.reason,
      journal_id: id,
      created_by: unit.actor,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const customerBefore = await lockCustomer(unit.tx, receivable.customer_id);
  const finalStatus = request.kind === 'write_off' && amount === receivable.outstanding ? 'written_off' : undefined;
  const after = await evaluateDelinquency(unit, receivable, undefined, finalStatus);
  await refreshExposure(unit, receivable.customer_id, customerBefore);
  const adjustment = present(row);
  unit.audit({
    action: `receivable.${request.kind}`,
    entityType: 'receivable',
    entityId: receivable.id,
    before: { outstanding: receivable.outstanding.toString(), status: receivable.status },
    after: { adjustment, outstanding: after.outstanding.toString(), status: after.status },
  });
  unit.publish(request.kind === 'write_off' ? 'receivable.written_off' : 'receivable.credit_note', receivable.id, {
    adjustment,
    outstanding: after.outstanding.toString(),
    status: after.status,
  });
  return { adjustment, receivable: toReceivable(after) };
}

function present(row: {
  id: string;
  receivable_id: string;
  kind: AdjustmentKind;
  amount: bigint;
  components: unknown;
  reason: string;
  created_by: string;
  created_at: Date;
}): Adjustment {
  return {
    id: row.id,
    receivableId: row.receivable_id,
    kind: row.kind,
    amount: row.amount.toString(),
    components: row.components as Adjustment['components'],
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}
