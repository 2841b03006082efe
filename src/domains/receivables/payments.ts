import { sql, type Selectable } from 'kysely';
import { AppError, conflict, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { adjustCreditBalance } from '../customers/credit-balances.js';
import { lockCustomer, refreshExposure } from '../customers/customer-service.js';
import type { DomainWork } from '../unit-of-work.js';
import type { Queryable } from '../../storage/schema.js';
import { allocatePayment, type Allocation } from './allocation/waterfall.js';
import { evaluateDelinquency } from './delinquency/delinquency.js';
import { postingContextOf, postPayment, postPaymentReversal } from './receivable-ledger.js';
import type { PaymentInput } from './receivable-input.js';
import { lockReceivable, requestHash, toReceivable, waterfallFor, type Receivable } from './receivable-service.js';
import type { ReceivablePaymentsTable } from './tables.js';

/**
 * Incoming payments: allocated over the schedule by the receivable's waterfall, posted to the ledger,
 * and followed at once by the delinquency re-evaluation (a payment can cure, pay off or change the
 * bucket) — all in one transaction. A payment is keyed by its external id: sending it again is a
 * no-op, sending other content under the same id a conflict. Reversals (a bounced direct debit, a
 * recalled transfer) undo exactly the allocations the payment made and reverse its journal.
 */

export interface Payment {
  id: string;
  externalId: string;
  receivableId: string;
  customerId: string;
  amount: string;
  currency: string;
  receivedOn: string;
  status: 'posted' | 'reversed';
  unallocated: string;
  allocations: Array<{ seq: number; component: string; amount: string }>;
  journalId: string;
  reversalJournalId: string | null;
  reversedAt: string | null;
  reversalReason: string | null;
  createdAt: string;
}

function toPayment(row: Selectable<ReceivablePaymentsTable>, allocations: Allocation[]): Payment {
  return {
    id: row.id,
    externalId: row.external_id,
    receivableId: row.receivable_id,
    customerId: row.customer_id,
    amount: row.amount.toString(),
    currency: row.currency,
    receivedOn: row.received_on,
    status: row.status,
    unallocated: row.unallocated.toString(),
    allocations: allocations.map((a) => ({ seq: a.seq, component: a.component, amount: a.amount.toString() })),
    journalId: row.journal_id,
    reversalJournalId: row.reversal_journal_id,
    reversedAt: row.reversed_at?.toISOString() ?? null,
    reversalReason: row.reversal_reason,
    createdAt: row.created_at.toISOString(),
  };
}

const COLUMN = { fee: 'fee_paid', interest: 'interest_paid', principal: 'principal_paid' } as const;

export async function recordPayment(
  unit: DomainWork,
  receivableRef: string,
  input: PaymentInput,
): Promise<{ payment: Payment; receivable: Receivable; status: 'created' | 'unchanged' }> {
  const receivable = await lockReceivable(unit.tx, receivableRef);
  const hash = requestHash({ receivableId: receivable.id, ...input });
  const existing = await unit.tx
    .selectFrom('receivable_payments')
    .selectAll()
    .where('external_id', '=', input.externalId)
    .executeTakeFirst();
  if (existing) {
    if (existing.request_hash !== hash) {
      throw conflict('payment_id_reused', `payment ${input.externalId} was recorded with other content`, {
        id: existing.id,
      });
    }
    return {
      payment: toPayment(existing, await allocationsOf(unit.tx, existing.id)),
      receivable: toReceivable(receivable),
      status: 'unchanged',
    };
  }
  if (input.currency !== receivable.currency) {
    throw new AppError('currency_mismatch', 422, `the receivable is in ${receivable.currency}`, { field: 'currency' });
  }
  if (receivable.status === 'cancelled') throw conflict('receivable_cancelled', 'the receivable is cancelled');

  const installments = await unit.tx
    .selectFrom('installments')
    .selectAll()
    .where('receivable_id', '=', receivable.id)
    .orderBy('seq')
    .execute();
  const amount = BigInt(input.amount);
  const { allocations, unallocated } = allocatePayment(
    amount,
    installments.map((i) => ({
      seq: i.seq,
      dueDate: i.due_date,
      fee: i.fee_due - i.fee_paid,
      interest: i.interest_due - i.interest_paid,
      principal: i.principal_due - i.principal_paid,
    })),
    await waterfallFor(unit, receivable),
    input.receivedOn,
  );
  await applyAllocations(unit, receivable.id, allocations, 1n);

  const now = unit.clock.now();
  const id = newId('pay', now.getTime());
  const row = await unit.tx
    .insertInto('receivable_payments')
    .values({
      id,
      external_id: input.externalId,
      receivable_id: receivable.id,
      customer_id: receivable.customer_id,
      amount,
      currency: input.currency,
      received_on: input.receivedOn,
      status: 'posted',
      unallocated,
      journal_id: id,
      created_at: now,
      created_by: unit.actor,
      request_hash: hash,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (allocations.length) {
    await unit.tx
      .insertInto('payment_allocations')
      .values(
        allocations.map((a, position) => ({
          payment_id: id,
          position,
          receivable_id: receivable.id,
          installment_seq: a.seq,
          component: a.component,
          amount: a.amount,
        })),
      )
      .execute();
  }
  const customerBefore = await lockCustomer(unit.tx, receivable.customer_id);
  if (unallocated > 0n) await adjustCreditBalance(unit, receivable.customer_id, input.currency, unallocated);
  await postPayment(postingContextOf(unit), {
    id,
    receivableId: receivable.id,
    currency: input.currency,
    allocations,
    unallocated,
  });
  const after = await evaluateDelinquency(unit, receivable);
  await refreshExposure(unit, receivable.customer_id, customerBefore);
  const payment = toPayment(row, allocations);
  unit.audit({
    action: 'payment.received',
    entityType: 'receivable',
    entityId: receivable.id,
    before: { outstanding: receivable.outstanding.toString(), dpd: receivable.dpd },
    after: { payment, outstanding: after.outstanding.toString(), dpd: after.dpd },
  });
  unit.publish('receivable.payment_received', receivable.id, {
    payment,
    outstanding: after.outstanding.toString(),
    dpd: after.dpd,
  });
  return { payment, receivable: toReceivable(after), status: 'created' };
}

/** Adds (or, reversing, takes back) allocations: one UPDATE per installment touched. */
async function applyAllocations(unit: DomainWork, receivableId: string, allocations: Allocation[], sign: 1n | -1n) {
  const bySeq = new Map<number, Allocation[]>();
  for (const a of allocations) bySeq.set(a.seq, [...(bySeq.get(a.seq) ?? []), a]);
  for (const [seq, parts] of bySeq) {
    const set: Record<string, unknown> = {};
    for (const a of parts) {
      const column = COLUMN[a.component];
      set[column] = sql`${sql.ref(column)} + ${(a.amount * sign).toString()}::bigint`;
    }
    await unit.tx
      .updateTable('installments')
      .set(set)
      .where('receivable_id', '=', receivableId)
      .where('seq', '=', seq)
      .execute();
  }
}

async function allocationsOf(db: Queryable | DomainWork['tx'], paymentId: string): Promise<Allocation[]> {
  const rows = await db
    .selectFrom('payment_allocations')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .orderBy('position')
    .execute();
  return rows.map((r) => ({ seq: r.installment_seq, component: r.component, amount: r.amount }));
}

export async function reversePayment(
  unit: DomainWork,
  paymentId: string,
  reason: string,
): Promise<{ payment: Payment; receivable: Receivable; status: 'created' | 'unchanged' }> {
  const found = await unit.tx
    .selectFrom('receivable_payments')
    .select(['receivable_id'])
    .where((eb) => eb.or([eb('id', '=', paymentId), eb('external_id', '=', paymentId)]))
    .executeTakeFirst();
  if (!found) throw notFound('payment', paymentId);
  // Lock order everywhere: receivable, then payment — the same order recordPayment uses.
  const receivable = await lockReceivable(unit.tx, found.receivable_id);
  const payment = await unit.tx
    .selectFrom('receivable_payments')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', paymentId), eb('external_id', '=', paymentId)]))
    .forUpdate()
    .executeTakeFirstOrThrow();
  const allocations = await allocationsOf(unit.tx, payment.id);
  if (payment.status === 'reversed') {
    return { payment: toPayment(payment, allocations), receivable: toReceivable(receivable), status: 'unchanged' };
  }
  await applyAllocations(unit, receivable.id, allocations, -1n);
  const customerBefore = await lockCustomer(unit.tx, receivable.customer_id);
  if (payment.unallocated > 0n)
    await adjustCreditBalance(unit, payment.customer_id, payment.currency, -payment.unallocated);
  const reversalJournalId = await postPaymentReversal(
    postingContextOf(unit),
    { id: payment.id, journalId: payment.journal_id },
    reason,
  );
  const now = unit.clock.now();
  const row = await unit.tx
    .updateTable('receivable_payments')
    .set({
      status: 'reversed',
      reversal_journal_id: reversalJournalId,
      reversed_at: now,
      reversed_by: unit.actor,
      reversal_reason: reason,
    })
    .where('id', '=', payment.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const after = await evaluateDelinquency(unit, receivable);
  await refreshExposure(unit, receivable.customer_id, customerBefore);
  const reversed = toPayment(row, allocations);
  unit.audit({
    action: 'payment.reversed',
    entityType: 'receivable',
    entityId: receivable.id,
    before: { payment: toPayment(payment, allocations), outstanding: receivable.outstanding.toString() },
    after: { payment: reversed, outstanding: after.outstanding.toString() },
    reason,
  });
  unit.publish('receivable.payment_reversed', receivable.id, {
    payment: reversed,
    reason,
    outstanding: after.outstanding.toString(),
    dpd: after.dpd,
  });
  return { payment: reversed, receivable: toReceivable(after), status: 'created' };
}

export async function listPayments(db: Queryable, receivableRef: string): Promise<Payment[]> {
  const receivable = await db
    .selectFrom('receivables')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', receivableRef), eb('external_id', '=', receivableRef)]))
    .executeTakeFirst();
  if (!receivable) throw notFound('receivable', receivableRef);
  const rows = await db
    .selectFrom('receivable_payments')
    .selectAll()
    .where('receivable_id', '=', receivable.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const result: Payment[] = [];
  for (const row of rows) result.push(toPayment(row, await allocationsOf(db, row.id)));
  return result;
}
