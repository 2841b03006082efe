import { DateTime } from 'luxon';
import { validationError } from '../../../core/errors.js';

/**
 * Calendar-date arithmetic for receivables. A calendar date is a 'YYYY-MM-DD' string with no time
 * and no zone; all arithmetic is done on UTC midnights so daylight-saving changes can never shift a
 * date or make a day 23 or 25 hours long.
 */

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;

/** True for a real calendar date written 'YYYY-MM-DD' (rejects '2024-02-30', '2024-2-3', times). */
export function isCalendarDate(value: unknown): value is string {
  return typeof value === 'string' && DATE_PATTERN.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid;
}

/** Parses a calendar date to a UTC-midnight DateTime, or throws a validation error naming `field`. */
export function parseCalendarDate(value: unknown, field = 'date'): DateTime {
  if (!isCalendarDate(value)) {
    throw validationError([{ field, message: `${JSON.stringify(value)} is not a calendar date (YYYY-MM-DD)` }]);
  }
  return DateTime.fromISO(value, { zone: 'utc' });
}

function assertInteger(value: number, field: string): void {
  if (!Number.isSafeInteger(value)) {
    throw validationError([{ field, message: `${String(value)} is not an integer` }]);
  }
}

function format(d: DateTime): string {
  // toISODate() is only null for invalid DateTimes, which parseCalendarDate never returns.
  return d.toISODate()!;
}

/**
 * `date` plus `months` calendar months, clamped to the last day of the target month:
 * 2024-01-31 + 1 → 2024-02-29, + 2 → 2024-03-31. Always compute every date of a series from the
 * same original date (not by chaining), so the day of month is not lost after a short month.
 */
export function addMonthsClamped(date: string, months: number): string {
  assertInteger(months, 'months');
  return format(parseCalendarDate(date, 'date').plus({ months }));
}

/** `date` plus `days` calendar days (negative goes back). */
export function addDays(date: string, days: number): string {
  assertInteger(days, 'days');
  return format(parseCalendarDate(date, 'date').plus({ days }));
}

/** Whole calendar days from `from` to `to`: positive when `to` is later, 0 on the same day. */
export function daysBetween(from: string, to: string): number {
  const a = parseCalendarDate(from, 'from').toMillis();
  const b = parseCalendarDate(to, 'to').toMillis();
  return Math.round((b - a) / MS_PER_DAY);
}

/** The last day of the month `date` falls in. */
export function endOfMonth(date: string): string {
  return format(parseCalendarDate(date, 'date').endOf('month').startOf('day'));
}
