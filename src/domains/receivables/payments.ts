import { recordset } from '../../storage/recordset.js';
import { sql, type Selectable } from 'kysely';
import { AppError, conflict, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { adjustCreditBalance } from '../customers/credit-balances.js';
import { lockCustomer, lockCustomers, refreshExposure, refreshExposuresAtEnd } from '../customers/customer-service.js';
import type { DomainWork } from '../unit-of-work.js';
import type { Queryable } from '../../storage/schema.js';
import { allocatePayment, type Allocation } from './allocation/waterfall.js';
import {
  evaluateDelinquency,
  nextDelinquency,
  publishTransitions,
  storeDelinquencies,
  totalsOf,
} from './delinquency/delinquency.js';
import { postingContextOf, postPayment, postPaymentReversal, postPayments } from './receivable-ledger.js';
import type { PaymentInput } from './receivable-input.js';
import {
  INSERT_ROWS,
  inSlices,
  lockReceivable,
  requestHash,
  toReceivable,
  waterfallFor,
  type Receivable,
} from './receivable-service.js';
import { unitSettings } from './settings.js';
import type { InstallmentsTable, ReceivablePaymentsTable, ReceivableRow } from './tables.js';

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

/** What an installment still owes, per component: what a payment is allocated against. */
function stillOwed(i: Selectable<InstallmentsTable>) {
  return {
    seq: i.seq,
    dueDate: i.due_date,
    fee: i.fee_due - i.fee_paid,
    interest: i.interest_due - i.interest_paid,
    principal: i.principal_due - i.principal_paid,
  };
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
    installments.map(stillOwed),
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

/** One payment of a batch: the receivable it names (id or external id) and the payment. */
export interface PaymentOf {
  receivableRef: string;
  input: PaymentInput;
}

/**
 * recordPayment for many payments at once (a bulk sync's chunk), with the same checks and results,
 * in a few statements: one lock of the receivables and of their customers, one read of their
 * installments, allocation in memory (several payments of one receivable one after the other, as
 * row by row), one UPDATE of the installments paid, multi-row inserts of the payments and their
 * allocations, one batch of ledger journals, one delinquency update and one exposure update. The
 * events and audit rows are those of recordPayment, payment by payment (transitions included);
 * the ledger journals' audit rows come first. All or none: the first refusal is thrown (the caller
 * rolls back and finds the failing row one by one); a payment id twice in the batch is refused as
 * `duplicate_in_batch`, and so is a reference that names two receivables (one's id, another's
 * external id).
 */
export async function recordPayments(
  unit: DomainWork,
  payments: readonly PaymentOf[],
): Promise<Array<{ id: string; status: 'created' | 'unchanged' }>> {
  if (payments.length === 0) return [];
  const ids = new Set<string>();
  for (const { input } of payments) {
    if (ids.has(input.externalId)) {
      throw conflict('duplicate_in_batch', `payment ${input.externalId} appears twice in this batch`);
    }
    ids.add(input.externalId);
  }
  const refs = [...new Set(payments.map((p) => p.receivableRef))];
  const locked = await unit.tx
    .selectFrom('receivables')
    .selectAll()
    .where((eb) => eb.or([eb('id', 'in', refs), eb('external_id', 'in', refs)]))
    .orderBy('id')
    .forUpdate()
    .execute();
  // Indexed once: a slice of 2 000 payments searched 2 000 rows for each of them.
  const named = new Map<string, ReceivableRow[]>();
  for (const r of locked) {
    for (const key of new Set([r.id, r.external_id])) named.set(key, [...(named.get(key) ?? []), r]);
  }
  const byRef = new Map<string, ReceivableRow>();
  for (const ref of refs) {
    const found = named.get(ref) ?? [];
    if (found.length === 0) throw notFound('receivable', ref);
    if (found.length > 1) throw conflict('duplicate_in_batch', `${ref} names two receivables`);
    byRef.set(ref, found[0]!);
  }
  const hashes = payments.map(({ receivableRef, input }) =>
    requestHash({ receivableId: byRef.get(receivableRef)!.id, ...input }),
  );
  const existing = new Map(
    (
      await unit.tx
        .selectFrom('receivable_payments')
        .select(['id', 'external_id', 'request_hash'])
        .where('external_id', 'in', [...ids])
        .execute()
    ).map((r) => [r.external_id, r]),
  );
  const results = new Array<{ id: string; status: 'created' | 'unchanged' }>(payments.length);
  const fresh: Array<{ index: number; receivable: ReceivableRow; input: PaymentInput }> = [];
  for (const [index, { receivableRef, input }] of payments.entries()) {
    const found = existing.get(input.externalId);
    const receivable = byRef.get(receivableRef)!;
    if (found) {
      if (found.request_hash !== hashes[index]) {
        throw conflict('payment_id_reused', `payment ${input.externalId} was recorded with other content`, {
          id: found.id,
        });
      }
      results[index] = { id: found.id, status: 'unchanged' };
      continue;
    }
    if (input.currency !== receivable.currency) {
      throw new AppError('currency_mismatch', 422, `the receivable is in ${receivable.currency}`, {
        field: 'currency',
      });
    }
    if (receivable.status === 'cancelled') throw conflict('receivable_cancelled', 'the receivable is cancelled');
    fresh.push({ index, receivable, input });
  }
  if (fresh.length === 0) return results;

  // The installments of every receivable paid, allocated in memory payment by payment.
  const receivableIds = [...new Set(fresh.map((f) => f.receivable.id))];
  const schedules = new Map<string, Array<Selectable<InstallmentsTable>>>();
  for (const i of await unit.tx
    .selectFrom('installments')
    .selectAll()
    .where('receivable_id', 'in', receivableIds)
    .orderBy('receivable_id')
    .orderBy('seq')
    .execute()) {
    schedules.set(i.receivable_id, [...(schedules.get(i.receivable_id) ?? []), i]);
  }
  const customers = new Map(
    (
      await lockCustomers(
        unit.tx,
        fresh.map((f) => f.receivable.customer_id),
      )
    ).map((c) => [c.id, c]),
  );
  const asOf = unit.today();
  const now = unit.clock.now();
  const { buckets } = await unitSettings(unit);
  const current = new Map<string, ReceivableRow>();
  const paid = new Map<
    string,
    { receivableId: string; seq: number; fee: bigint; interest: bigint; principal: bigint }
  >();
  const credits = new Map<string, { customerId: string; currency: string; amount: bigint }>();
  const planned = [];
  for (const { index, receivable: locked, input } of fresh) {
    const before = current.get(locked.id) ?? locked;
    const installments = schedules.get(locked.id) ?? [];
    const amount = BigInt(input.amount);
    const { allocations, unallocated } = allocatePayment(
      amount,
      installments.map(stillOwed),
      await waterfallFor(unit, before),
      input.receivedOn,
    );
    for (const a of allocations) {
      const installment = installments.find((i) => i.seq === a.seq)!;
      installment[COLUMN[a.component]] += a.amount;
      const key = `${locked.id}\u0000${a.seq}`;
      const sum = paid.get(key) ?? { receivableId: locked.id, seq: a.seq, fee: 0n, interest: 0n, principal: 0n };
      sum[a.component] += a.amount;
      paid.set(key, sum);
    }
    if (unallocated > 0n) {
      const key = `${locked.customer_id}\u0000${input.currency}`;
      const credit = credits.get(key) ?? { customerId: locked.customer_id, currency: input.currency, amount: 0n };
      credit.amount += unallocated;
      credits.set(key, credit);
    }
    const totals = totalsOf(installments, asOf);
    const after: ReceivableRow = { ...before, ...nextDelinquency(before, totals, asOf, buckets), updated_at: now };
    current.set(locked.id, after);
    const id = newId('pay', now.getTime());
    planned.push({ index, id, input, amount, before, after, allocations, unallocated, overdue: totals.overdue });
  }

  await addPaid(unit, [...paid.values()]);
  const rows = await inSlices(planned, INSERT_ROWS, (slice) =>
    unit.tx
      .insertInto('receivable_payments')
      .values(
        slice.map((p) => ({
          id: p.id,
          external_id: p.input.externalId,
          receivable_id: p.before.id,
          customer_id: p.before.customer_id,
          amount: p.amount,
          currency: p.input.currency,
          received_on: p.input.receivedOn,
          status: 'posted' as const,
          unallocated: p.unallocated,
          journal_id: p.id,
          created_at: now,
          created_by: unit.actor,
          request_hash: hashes[p.index]!,
        })),
      )
      .returningAll()
      .execute(),
  );
  const allocationRows = planned.flatMap((p) =>
    p.allocations.map((a, position) => ({
      payment_id: p.id,
      position,
      receivable_id: p.before.id,
      installment_seq: a.seq,
      component: a.component,
      amount: a.amount,
    })),
  );
  await inSlices(allocationRows, INSERT_ROWS * 5, (slice) =>
    unit.tx.insertInto('payment_allocations').values(slice).execute(),
  );
  for (const credit of credits.values())
    await adjustCreditBalance(unit, credit.customerId, credit.currency, credit.amount);
  await postPayments(
    postingContextOf(unit),
    planned.map((p) => ({
      id: p.id,
      receivableId: p.before.id,
      currency: p.input.currency,
      allocations: p.allocations,
      unallocated: p.unallocated,
    })),
  );
  await storeDelinquencies(unit.tx, [...current.values()]);
  refreshExposuresAtEnd(unit, customers.keys());

  const rowById = new Map(rows.map((r) => [r.id, r]));
  for (const p of planned) {
    const customer = customers.get(p.before.customer_id)!;
    publishTransitions(unit, p.before, p.after, customer.external_id, p.overdue);
    const payment = toPayment(rowById.get(p.id)!, p.allocations);
    unit.audit({
      action: 'payment.received',
      entityType: 'receivable',
      entityId: p.before.id,
      before: { outstanding: p.before.outstanding.toString(), dpd: p.before.dpd },
      after: { payment, outstanding: p.after.outstanding.toString(), dpd: p.after.dpd },
    });
    unit.publish('receivable.payment_received', p.before.id, {
      payment,
      outstanding: p.after.outstanding.toString(),
      dpd: p.after.dpd,
    });
    results[p.index] = { id: p.id, status: 'created' };
  }
  return results;
}

/** Adds what a batch of payments paid to the installments: one UPDATE for every 2 000 installments. */
async function addPaid(
  unit: DomainWork,
  paid: ReadonlyArray<{ receivableId: string; seq: number; fee: bigint; interest: bigint; principal: bigint }>,
) {
  await inSlices(paid, INSERT_ROWS * 2, async (slice) => {
    const values = slice.map((p) => ({
      receivable_id: p.receivableId,
      seq: p.seq,
      fee: p.fee.toString(),
      interest: p.interest.toString(),
      principal: p.principal.toString(),
    }));
    await sql`
      UPDATE installments AS i SET
        fee_paid = i.fee_paid + v.fee, interest_paid = i.interest_paid + v.interest,
        principal_paid = i.principal_paid + v.principal
      FROM ${recordset('v', PAID_COLUMNS, values)}
      WHERE i.receivable_id = v.receivable_id AND i.seq = v.seq`.execute(unit.tx);
    return [];
  });
}

const PAID_COLUMNS = [
  ['receivable_id', 'text'],
  ['seq', 'int'],
  ['fee', 'bigint'],
  ['interest', 'bigint'],
  ['principal', 'bigint'],
] as const;

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
