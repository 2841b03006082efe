import { conflict, notFound, refusedField } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import type { Queryable, Tx } from '../../../storage/schema.js';
import type { DomainWork } from '../../unit-of-work.js';
import { onlyActiveAccount, payingAccount } from '../bank-accounts.js';
import { payableBeneficiary } from '../beneficiaries.js';
import { addDays, previousBusinessDay, WEEKENDS, type Days } from '../business-dates.js';
import { submitPayments } from '../runs/submit-payments.js';
import { earliestValueDate, valueDaysOfAccounts } from '../value-dates.js';
import { discountOf, type Discount, type DiscountInput } from './discount.js';
import type { PayableRow } from './tables.js';
import './tables.js';

/**
 * Payables: supplier invoices to pay. Recorded (one per beneficiary and invoice number), approved
 * by a second person (never the one who recorded it), then turned into a payment instruction —
 * source `payable`, sourceRef the payable's id, remittance the invoice number — when it falls due:
 * on its due date for the invoice amount, or on its early-payment discount date for the discounted
 * amount while it can still be paid by that date. The instruction then goes through the approval workflow
 * like any payment. A payable makes at most one instruction (checked here and by a unique index).
 */

export const PAYABLE_STATUSES = ['pending_approval', 'approved', 'scheduled', 'rejected'] as const;
export type PayableStatus = (typeof PAYABLE_STATUSES)[number];
export const MAX_SCHEDULE_DAYS = 90;

export interface PayableInput {
  beneficiaryId: string;
  bankAccountId?: string | undefined;
  invoiceNumber: string;
  amount: string;
  currency: string;
  dueDate: string;
  discount?: DiscountInput | undefined;
}

export function presentPayable(row: PayableRow) {
  return {
    id: row.id,
    beneficiaryId: row.beneficiary_id,
    bankAccountId: row.bank_account_id,
    invoiceNumber: row.invoice_number,
    amount: row.amount.toString(),
    currency: row.currency,
    dueDate: row.due_date,
    discount: (row.discount ?? null) as Discount | null,
    status: row.status as PayableStatus,
    paymentId: row.payment_id,
    paidAmount: row.paid_amount?.toString() ?? null,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    reason: row.reason,
  };
}
export type Payable = ReturnType<typeof presentPayable>;

/** The account a payable is paid from: the one named, else the only active account in its currency. */
async function debtorAccount(db: Queryable, input: PayableInput) {
  if (input.bankAccountId !== undefined) return payingAccount(db, input.bankAccountId);
  return onlyActiveAccount(db, input.currency, 'pay from');
}

export async function createPayable(unit: DomainWork, input: PayableInput, createdBy: string): Promise<Payable> {
  const beneficiary = await payableBeneficiary(unit.tx, input.beneficiaryId);
  const account = await debtorAccount(unit.tx, input);
  if (input.currency !== account.currency) {
    throw refusedField('currency', `must be the debtor account's currency (${account.currency})`);
  }
  const amount = BigInt(input.amount);
  let discount: Discount | null = null;
  if (input.discount) {
    const result = discountOf(amount, input.dueDate, input.discount);
    if (!result.ok) throw refusedField(result.field, result.message);
    discount = result.discount;
  }
  const taken = await unit.tx
    .selectFrom('payables')
    .select('id')
    .where('beneficiary_id', '=', beneficiary.id)
    .where('invoice_number', '=', input.invoiceNumber)
    .executeTakeFirst();
  if (taken) {
    throw conflict(
      'duplicate_invoice',
      `body.invoiceNumber: payable ${taken.id} already records invoice ${input.invoiceNumber} of beneficiary ${beneficiary.id}`,
      { payableId: taken.id },
    );
  }
  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('payables')
    .values({
      id: newId('pbl', now.getTime()),
      beneficiary_id: beneficiary.id,
      bank_account_id: account.id,
      invoice_number: input.invoiceNumber,
      amount,
      currency: account.currency,
      due_date: input.dueDate,
      discount: discount ? JSON.stringify(discount) : null,
      status: 'pending_approval',
      payment_id: null,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
      decided_by: null,
      decided_at: null,
      reason: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const payable = presentPayable(row);
  unit.audit({ action: 'payable.created', entityType: 'payable', entityId: row.id, before: null, after: payable });
  unit.publish('payable.pending_approval', row.id, eventData(row));
  return payable;
}

const eventData = (row: PayableRow) => ({
  payableId: row.id,
  status: row.status,
  beneficiaryId: row.beneficiary_id,
  invoiceNumber: row.invoice_number,
  amount: row.amount.toString(),
  currency: row.currency,
  dueDate: row.due_date,
  paymentId: row.payment_id,
});

async function lockPayable(tx: Tx, id: string): Promise<PayableRow> {
  const row = await tx.selectFrom('payables').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('payable', id);
  return row;
}

/**
 * A second person's decision on a recorded payable (permission payments:approve). The maker may
 * not approve it (409 `separation_of_duties`) but may withdraw it (reject).
 */
export async function decidePayable(
  unit: DomainWork,
  request: { id: string; approve: boolean; by: string; reason: string | null },
): Promise<Payable> {
  const row = await lockPayable(unit.tx, request.id);
  if (row.status !== 'pending_approval') {
    throw conflict(
      'payable_state',
      `cannot ${request.approve ? 'approve' : 'reject'}: payable ${row.id} is ${row.status}`,
      {
        state: row.status,
      },
    );
  }
  if (request.approve && row.created_by === request.by) {
    throw conflict(
      'separation_of_duties',
      `${request.by} recorded payable ${row.id}: a second person must approve it (four eyes)`,
      { user: request.by, createdBy: row.created_by },
    );
  }
  const to: PayableStatus = request.approve ? 'approved' : 'rejected';
  const now = unit.clock.now();
  const updated = await unit.tx
    .updateTable('payables')
    .set({ status: to, decided_by: request.by, decided_at: now, reason: request.reason, updated_at: now })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: `payable.${to}`,
    entityType: 'payable',
    entityId: row.id,
    before: { status: row.status },
    after: { status: to, by: request.by },
    reason: request.reason,
  });
  unit.publish(`payable.${to}`, row.id, { ...eventData(updated), by: request.by });
  return presentPayable(updated);
}

/**
 * The value date a payment aimed at `target` is made on, given the first value date the bank still
 * executes on (`earliest`) and its calendar's `days`: a non-business date moves to the business day
 * before (paid by the date, never after), a date before `earliest` to `earliest`.
 */
function payingDate(target: string, earliest: string, days: Days): string {
  const date = previousBusinessDay(target, days);
  return date < earliest ? earliest : date;
}

/**
 * When and how much a payable is paid, given the first value date its bank account still executes
 * on: the discounted amount only when it can be paid on or before the discount date — a Sunday
 * discount date seen on that Saturday would be paid on Monday, after the discount lapsed — else the
 * full amount by the due date.
 */
export function payment(row: PayableRow, earliest: string, days: Days = WEEKENDS) {
  const discount = row.discount as Discount | null;
  if (discount !== null) {
    const date = payingDate(discount.date, earliest, days);
    if (date <= discount.date)
      return { target: discount.date, date, amount: BigInt(discount.payAmount), discounted: true };
  }
  return {
    target: row.due_date,
    date: payingDate(row.due_date, earliest, days),
    amount: row.amount,
    discounted: false,
  };
}

export interface ScheduledPayable {
  payableId: string;
  paymentId: string;
  amount: string;
  currency: string;
  requestedExecutionDate: string;
  discounted: boolean;
}

/**
 * Approved payables to pay within `withinDays` of today (by their discount date while it holds,
 * else their due date) become payment instructions, in one transaction. Run again, it finds them
 * scheduled and makes nothing: a payable makes at most one instruction.
 */
export async function schedulePayables(
  unit: DomainWork,
  withinDays: number,
): Promise<{ asOf: string; horizon: string; scheduled: ScheduledPayable[] }> {
  const today = unit.today();
  const horizon = addDays(today, withinDays);
  const approved = await unit.tx
    .selectFrom('payables')
    .selectAll()
    .where('status', '=', 'approved')
    .where('payment_id', 'is', null)
    .orderBy('id')
    .forUpdate()
    .execute();
  if (approved.length === 0) return { asOf: today, horizon, scheduled: [] };
  // Each paid on a value date of its debtor bank's calendar.
  const valueDays = await valueDaysOfAccounts(
    unit.tx,
    approved.map((row) => row.bank_account_id),
  );
  const now = unit.clock.now();
  const due = approved
    .map((row) => {
      const days = valueDays.get(row.bank_account_id)!;
      return { row, pay: payment(row, earliestValueDate(now, days), days.days) };
    })
    .filter(({ pay }) => pay.target <= horizon);
  if (due.length === 0) return { asOf: today, horizon, scheduled: [] };
  const scheduled: ScheduledPayable[] = [];
  // The payable's maker is the payment's maker, so they cannot approve the payment either.
  const byMaker = new Map<string, typeof due>();
  for (const item of due) byMaker.set(item.row.created_by, [...(byMaker.get(item.row.created_by) ?? []), item]);
  for (const [maker, items] of byMaker) {
    const payments = await submitPayments(
      unit,
      items.map(({ row, pay }) => ({
        bankAccountId: row.bank_account_id,
        beneficiaryId: row.beneficiary_id,
        amount: pay.amount,
        currency: row.currency,
        requestedExecutionDate: pay.date,
        remittance: { unstructured: row.invoice_number },
        purpose: 'SUPP',
        source: 'payable',
        sourceRef: row.id,
      })),
      maker,
    );
    for (const [i, { row, pay }] of items.entries()) {
      const paymentRow = payments[i]!;
      const updated = await unit.tx
        .updateTable('payables')
        .set({ status: 'scheduled', payment_id: paymentRow.id, paid_amount: pay.amount, updated_at: now })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const entry: ScheduledPayable = {
        payableId: row.id,
        paymentId: paymentRow.id,
        amount: pay.amount.toString(),
        currency: row.currency,
        requestedExecutionDate: pay.date,
        discounted: pay.discounted,
      };
      unit.audit({
        action: 'payable.scheduled',
        entityType: 'payable',
        entityId: row.id,
        before: { status: row.status },
        after: { status: 'scheduled', ...entry },
      });
      unit.publish('payable.scheduled', row.id, { ...eventData(updated), discounted: pay.discounted });
      scheduled.push(entry);
    }
  }
  return { asOf: today, horizon, scheduled };
}

export async function getPayable(db: Queryable, id: string): Promise<Payable> {
  const row = await db.selectFrom('payables').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('payable', id);
  return presentPayable(row);
}

export interface PayableFilter {
  status?: string | undefined;
  beneficiary?: string | undefined;
  dueBy?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** Oldest first, paged by id. */
export async function listPayables(db: Queryable, filter: PayableFilter): Promise<Payable[]> {
  let query = db.selectFrom('payables').selectAll().orderBy('id').limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.beneficiary) query = query.where('beneficiary_id', '=', filter.beneficiary);
  if (filter.dueBy) query = query.where('due_date', '<=', filter.dueBy);
  if (filter.after) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(presentPayable);
}
