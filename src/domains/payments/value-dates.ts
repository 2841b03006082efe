import { DateTime } from 'luxon';
import { refusedField } from '../../core/errors.js';
import { getCalendar } from '../../engine/index.js';
import type { Queryable } from '../../storage/schema.js';
import { addDays, isBusinessDate, nextBusinessDay, WEEKENDS, type Days } from './business-dates.js';
import type { BankAccountRow } from './tables.js';

/**
 * Value dates by the bank's own calendar. A bank account may name an engine business calendar
 * (`PUT /calendars/{name}`: the bank's weekend days, its holidays and its time zone) and a cut-off
 * time in that zone. A value date is a business day of that calendar; after the cut-off, today is no
 * longer one the bank executes on. Without a calendar: Monday to Friday, no holidays, UTC.
 *
 * Every path that sets or uses a value date asks here — a payment by API, a CSV run's lines, payables
 * and loan payouts made into payments, batching, and release — so a holiday is the same holiday to
 * each of them.
 */

export const MAX_DAYS_AHEAD = 365;
export const CUT_OFF_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export interface ValueDays {
  /** The calendar's name; null: Monday to Friday. */
  calendar: string | null;
  days: Days;
  timezone: string;
  /** 'HH:MM' in `timezone`; null: the whole day. */
  cutOff: string | null;
}

/** A bank account's value days without a calendar (also how a line with an unknown account is checked). */
export const MONDAY_TO_FRIDAY: ValueDays = { calendar: null, days: WEEKENDS, timezone: 'UTC', cutOff: null };

type AccountDates = Pick<BankAccountRow, 'calendar' | 'cut_off_time'>;

/**
 * The value days of `account`. A calendar deleted since the account named it counts as Monday to
 * Friday rather than stopping the account's payments (calendars are not deleted today; this is the
 * safe answer if they ever are).
 */
export async function accountValueDays(db: Queryable, account: AccountDates): Promise<ValueDays> {
  if (account.calendar === null) return { ...MONDAY_TO_FRIDAY, cutOff: account.cut_off_time };
  const calendar = await getCalendar(db, account.calendar);
  if (!calendar) return { ...MONDAY_TO_FRIDAY, cutOff: account.cut_off_time };
  return {
    calendar: calendar.name,
    days: { weekend: calendar.weekend, holidays: calendar.holidays },
    timezone: calendar.timezone,
    cutOff: account.cut_off_time,
  };
}

/** The value days of several accounts, each calendar read once. */
export async function valueDaysByAccount(
  db: Queryable,
  accounts: Iterable<AccountDates & { id: string }>,
): Promise<Map<string, ValueDays>> {
  const byCalendar = new Map<string, ValueDays>();
  const result = new Map<string, ValueDays>();
  for (const account of accounts) {
    const key = account.calendar ?? '';
    let found = byCalendar.get(key);
    if (!found) {
      found = await accountValueDays(db, { calendar: account.calendar, cut_off_time: null });
      byCalendar.set(key, found);
    }
    result.set(account.id, { ...found, cutOff: account.cut_off_time });
  }
  return result;
}

/** The value days of the accounts with these ids (each read once). */
export async function valueDaysOfAccounts(db: Queryable, ids: Iterable<string>): Promise<Map<string, ValueDays>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const accounts = await db
    .selectFrom('bank_accounts')
    .select(['id', 'calendar', 'cut_off_time'])
    .where('id', 'in', unique)
    .execute();
  return valueDaysByAccount(db, accounts);
}

/**
 * The first value date the bank can still execute on at `now`: today in the calendar's zone when it
 * is a business day and the cut-off has not passed, else the next business day.
 */
export function earliestValueDate(now: Date, value: ValueDays): string {
  const local = DateTime.fromJSDate(now, { zone: value.timezone });
  let date = local.toISODate()!;
  if (value.cutOff !== null && local.toFormat('HH:mm') >= value.cutOff) date = addDays(date, 1);
  return nextBusinessDay(date, value.days);
}

/** Why `date` is not a value date of the account (the bank does not execute then), or undefined. */
export function notAValueDate(date: string, value: ValueDays): string | undefined {
  if (isBusinessDate(date, value.days)) return undefined;
  if (value.calendar === null) return 'must be a business day (Monday to Friday)';
  const what = value.days.holidays.includes(date) ? 'a holiday' : 'a weekend day';
  return `must be a business day of the bank account's calendar "${value.calendar}" (${date} is ${what})`;
}

/** "2026-12-25 is a holiday" (or a weekend day) of the account's calendar. */
export function closedBecause(date: string, value: ValueDays): string {
  const what = value.days.holidays.includes(date) ? 'a holiday' : 'a weekend day';
  return `${date} is ${what}${value.calendar === null ? '' : ` of the calendar "${value.calendar}"`}`;
}

/**
 * A requested value date checked, or the default: from today on (the caller's `today`, UTC), a
 * business day of the account's calendar, within a year; absent, the earliest value date. The problem
 * is thrown as a 422 naming `field`.
 */
export function requestedValueDate(
  requested: string | undefined,
  today: string,
  now: Date,
  value: ValueDays,
  field = 'requestedExecutionDate',
): string {
  if (requested === undefined) return earliestValueDate(now, value);
  const problem = valueDateProblem(requested, today, value);
  if (problem !== undefined) throw refusedField(field, problem);
  return requested;
}

/** Why `requested` cannot be a payment's value date, or undefined (for a file's line-by-line check). */
export function valueDateProblem(requested: string, today: string, value: ValueDays): string | undefined {
  if (requested < today) return `must not be before today (${today})`;
  if (requested > addDays(today, MAX_DAYS_AHEAD)) return `must be within ${MAX_DAYS_AHEAD} days`;
  return notAValueDate(requested, value);
}

/** A calendar a bank account names: 422 naming `field` when the engine has no such calendar. */
export async function knownCalendar(db: Queryable, name: string, field = 'calendar'): Promise<void> {
  if (!(await getCalendar(db, name))) {
    throw refusedField(field, `no business calendar "${name}" exists (PUT /api/v1/calendars/${name})`);
  }
}
