import { conflict, notFound, refusedField } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import { getCalendar } from '../../../engine/index.js';
import type { Queryable, Tx } from '../../../storage/schema.js';
import type { DomainWork } from '../../unit-of-work.js';
import { payingAccount } from '../bank-accounts.js';
import { payableBeneficiary } from '../beneficiaries.js';
import { addDays, eitherClosed, previousBusinessDay, WEEKENDS, type Days } from '../business-dates.js';
import { normaliseRemittance, type Remittance } from '../instructions.js';
import { submitPayments } from '../runs/submit-payments.js';
import { earliestValueDate, valueDaysOfAccounts } from '../value-dates.js';
import { nominalDates, type Schedule } from './occurrences.js';
import type { RecurringPaymentRow } from './tables.js';
import './tables.js';

/**
 * Recurring payments: a standing order (rent on the 1st, payroll on the last business day) whose
 * every occurrence becomes one payment instruction — source `recurring`, sourceRef
 * `<id>:<nominal date>` — a few days before it is due, through the same submit path as a CSV run, so
 * each is approved like any payment. Its maker is each instruction's maker (and cannot approve it).
 * An occurrence makes at most one instruction: `last_occurrence` moves on in the same transaction,
 * and a unique index holds it against a concurrent run.
 */

export const RECURRING_STATUSES = ['active', 'cancelled'] as const;
export const MAX_RUN_DAYS = 90;
/** Nominal dates are looked at this far past the horizon: a Monday due date may be paid on the Friday before. */
const LOOKAHEAD_DAYS = 14;

export interface RecurringInput {
  beneficiaryId: string;
  bankAccountId: string;
  amount: string;
  currency?: string | undefined;
  remittance?: Remittance | undefined;
  purpose?: string | undefined;
  schedule: {
    frequency: 'monthly' | 'weekly';
    day: number | 'last_business_day';
    startDate: string;
    endDate?: string | undefined;
  };
  calendar?: string | undefined;
}

export function presentRecurring(row: RecurringPaymentRow) {
  return {
    id: row.id,
    beneficiaryId: row.beneficiary_id,
    bankAccountId: row.bank_account_id,
    amount: row.amount.toString(),
    currency: row.currency,
    remittance: row.remittance ?? null,
    purpose: row.purpose,
    schedule: {
      frequency: row.frequency as Schedule['frequency'],
      day: row.day === 'last_business_day' ? ('last_business_day' as const) : Number(row.day),
      startDate: row.start_date,
      endDate: row.end_date,
    },
    calendar: row.calendar,
    status: row.status as (typeof RECURRING_STATUSES)[number],
    lastOccurrence: row.last_occurrence,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    cancelledBy: row.cancelled_by,
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
    reason: row.reason,
  };
}
export type RecurringPayment = ReturnType<typeof presentRecurring>;

const scheduleOf = (row: RecurringPaymentRow): Schedule => ({
  frequency: row.frequency as Schedule['frequency'],
  day: row.day === 'last_business_day' ? 'last_business_day' : Number(row.day),
  startDate: row.start_date,
  endDate: row.end_date,
});

const eventData = (row: RecurringPaymentRow) => ({
  recurringPaymentId: row.id,
  status: row.status,
  beneficiaryId: row.beneficiary_id,
  amount: row.amount.toString(),
  currency: row.currency,
  frequency: row.frequency,
  day: row.day,
});

async function calendarDays(db: Queryable, name: string | null, field: string): Promise<Days> {
  if (name === null) return WEEKENDS;
  const calendar = await getCalendar(db, name);
  if (!calendar) throw refusedField(field, `no business calendar "${name}" exists (PUT /api/v1/calendars/${name})`);
  return { weekend: calendar.weekend, holidays: calendar.holidays };
}

export async function createRecurring(
  unit: DomainWork,
  input: RecurringInput,
  createdBy: string,
): Promise<RecurringPayment> {
  const { schedule } = input;
  if (schedule.frequency === 'weekly' && (schedule.day === 'last_business_day' || schedule.day > 7)) {
    throw refusedField('schedule.day', 'a weekly schedule takes an ISO weekday, 1 (Monday) to 7 (Sunday)');
  }
  if (schedule.startDate < unit.today()) throw refusedField('schedule.startDate', 'must be today or later');
  if (schedule.endDate !== undefined && schedule.endDate < schedule.startDate) {
    throw refusedField('schedule.endDate', 'must not be before startDate');
  }
  const beneficiary = await payableBeneficiary(unit.tx, input.beneficiaryId);
  const account = await payingAccount(unit.tx, input.bankAccountId);
  if (input.currency !== undefined && input.currency !== account.currency) {
    throw refusedField('currency', `must be the debtor account's currency (${account.currency})`);
  }
  await calendarDays(unit.tx, input.calendar ?? null, 'calendar');
  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('recurring_payments')
    .values({
      id: newId('rcp', now.getTime()),
      beneficiary_id: beneficiary.id,
      bank_account_id: account.id,
      amount: BigInt(input.amount),
      currency: account.currency,
      remittance: input.remittance ? JSON.stringify(normaliseRemittance(input.remittance)) : null,
      purpose: input.purpose ?? null,
      frequency: schedule.frequency,
      day: String(schedule.day),
      start_date: schedule.startDate,
      end_date: schedule.endDate ?? null,
      calendar: input.calendar ?? null,
      status: 'active',
      last_occurrence: null,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
      cancelled_by: null,
      cancelled_at: null,
      reason: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const recurring = presentRecurring(row);
  unit.audit({
    action: 'recurring_payment.created',
    entityType: 'recurring_payment',
    entityId: row.id,
    before: null,
    after: recurring,
  });
  unit.publish('recurring_payment.created', row.id, eventData(row));
  return recurring;
}

async function lockRecurring(tx: Tx, id: string): Promise<RecurringPaymentRow> {
  const row = await tx.selectFrom('recurring_payments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('recurring payment', id);
  return row;
}

/**
 * Stops further occurrences. Instructions already made stay (each is cancelled on its own, like any
 * payment), so a cancellation never silently withdraws a payment an approver is looking at.
 */
export async function cancelRecurring(
  unit: DomainWork,
  request: { id: string; by: string; reason: string | null },
): Promise<RecurringPayment> {
  const row = await lockRecurring(unit.tx, request.id);
  if (row.status !== 'active') {
    throw conflict('recurring_payment_state', `cannot cancel: recurring payment ${row.id} is ${row.status}`, {
      state: row.status,
    });
  }
  const now = unit.clock.now();
  const updated = await unit.tx
    .updateTable('recurring_payments')
    .set({ status: 'cancelled', cancelled_by: request.by, cancelled_at: now, reason: request.reason, updated_at: now })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: 'recurring_payment.cancelled',
    entityType: 'recurring_payment',
    entityId: row.id,
    before: { status: row.status },
    after: { status: 'cancelled', by: request.by },
    reason: request.reason,
  });
  unit.publish('recurring_payment.cancelled', row.id, { ...eventData(updated), by: request.by });
  return presentRecurring(updated);
}

export interface RecurringOccurrence {
  recurringPaymentId: string;
  occurrence: string;
  paymentId: string;
  amount: string;
  currency: string;
  requestedExecutionDate: string;
}

/**
 * Every occurrence of an active recurring payment to pay within `withinDays` of today becomes a
 * payment instruction, in one transaction: paid on its nominal date, or the business day before
 * when that is not one (by the recurring payment's calendar); one whose date has already passed (a
 * missed run) on today's business day. Run again, it makes nothing twice.
 */
export async function runRecurring(
  unit: DomainWork,
  withinDays: number,
): Promise<{ asOf: string; horizon: string; created: RecurringOccurrence[] }> {
  const today = unit.today();
  const horizon = addDays(today, withinDays);
  const active = await unit.tx
    .selectFrom('recurring_payments')
    .selectAll()
    .where('status', '=', 'active')
    .where('start_date', '<=', addDays(horizon, LOOKAHEAD_DAYS))
    .orderBy('id')
    .forUpdate()
    .execute();
  const created: RecurringOccurrence[] = [];
  if (active.length === 0) return { asOf: today, horizon, created };
  const bankDays = await valueDaysOfAccounts(
    unit.tx,
    active.map((row) => row.bank_account_id),
  );
  const now = unit.clock.now();
  const calendars = new Map<string | null, Days>();
  for (const row of active) {
    let own = calendars.get(row.calendar);
    if (!own) {
      // A calendar deleted since: weekends only, rather than stopping everyone's payments.
      own =
        row.calendar === null ? WEEKENDS : await calendarDays(unit.tx, row.calendar, 'calendar').catch(() => WEEKENDS);
      calendars.set(row.calendar, own);
    }
    // Paid on a day both the recurring payment's calendar and the debtor bank's work, never after
    // the nominal date; a date already missed (or past the bank's cut-off) on the bank's next one.
    const bank = bankDays.get(row.bank_account_id)!;
    const value = { ...bank, days: eitherClosed(bank.days, own) };
    const earliest = earliestValueDate(now, value);
    const due = nominalDates(scheduleOf(row), row.last_occurrence, addDays(horizon, LOOKAHEAD_DAYS))
      .map((occurrence) => {
        const date = previousBusinessDay(occurrence, value.days);
        return { occurrence, date: date < earliest ? earliest : date };
      })
      // Payment dates rise with the nominal dates, so this keeps a prefix: last_occurrence stays exact.
      .filter(({ date }) => date <= horizon);
    if (due.length === 0) continue;
    const payments = await submitPayments(
      unit,
      due.map(({ occurrence, date }) => ({
        bankAccountId: row.bank_account_id,
        beneficiaryId: row.beneficiary_id,
        amount: row.amount,
        currency: row.currency,
        requestedExecutionDate: date,
        remittance: row.remittance ?? null,
        purpose: row.purpose,
        source: 'recurring',
        sourceRef: `${row.id}:${occurrence}`,
      })),
      // The recurring payment's maker is each payment's maker: they cannot approve them either.
      row.created_by,
    );
    const last = due[due.length - 1]!.occurrence;
    await unit.tx
      .updateTable('recurring_payments')
      .set({ last_occurrence: last, updated_at: now })
      .where('id', '=', row.id)
      .execute();
    const entries = due.map(({ occurrence, date }, i) => ({
      recurringPaymentId: row.id,
      occurrence,
      paymentId: payments[i]!.id,
      amount: row.amount.toString(),
      currency: row.currency,
      requestedExecutionDate: date,
    }));
    unit.audit({
      action: 'recurring_payment.occurred',
      entityType: 'recurring_payment',
      entityId: row.id,
      before: { lastOccurrence: row.last_occurrence },
      after: {
        lastOccurrence: last,
        payments: entries.map(({ occurrence, paymentId }) => ({ occurrence, paymentId })),
      },
    });
    created.push(...entries);
  }
  return { asOf: today, horizon, created };
}

export async function getRecurring(db: Queryable, id: string) {
  const row = await db.selectFrom('recurring_payments').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('recurring payment', id);
  const payments = await db
    .selectFrom('payment_instructions')
    .select(['id', 'source_ref', 'requested_execution_date', 'status'])
    .where('source', '=', 'recurring')
    .where('source_ref', 'like', `${row.id}:%`)
    .orderBy('source_ref')
    .execute();
  return {
    ...presentRecurring(row),
    payments: payments.map((p) => ({
      occurrence: p.source_ref!.slice(row.id.length + 1),
      paymentId: p.id,
      requestedExecutionDate: p.requested_execution_date,
      status: p.status,
    })),
  };
}

export interface RecurringFilter {
  status?: string | undefined;
  beneficiary?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** Oldest first, paged by id. */
export async function listRecurring(db: Queryable, filter: RecurringFilter): Promise<RecurringPayment[]> {
  let query = db.selectFrom('recurring_payments').selectAll().orderBy('id').limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.beneficiary) query = query.where('beneficiary_id', '=', filter.beneficiary);
  if (filter.after) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(presentRecurring);
}
