import { DateTime } from 'luxon';
import { checkedDate, checkedZone } from './durations.js';

/** A holiday calendar for business-day waits and SLAs. */
export interface BusinessCalendar {
  name: string;
  /** IANA zone in which days begin and end, e.g. `Europe/Berlin`. */
  timezone: string;
  /** ISO weekdays that are not business days: 1 = Monday … 7 = Sunday. */
  weekend: number[];
  /** Non-business dates, `YYYY-MM-DD` in the calendar's zone. */
  holidays: string[];
}

/** What `businessDays` uses when a step names no calendar. */
export const WEEKENDS_ONLY: BusinessCalendar = {
  name: 'weekends-only',
  timezone: 'UTC',
  weekend: [6, 7],
  holidays: [],
};

export function isBusinessDay(date: Date, calendar: BusinessCalendar): boolean {
  const local = DateTime.fromJSDate(checkedDate(date), { zone: checkedZone(calendar.timezone) });
  return isBusinessDayLocal(local, calendar.weekend, new Set(calendar.holidays));
}

/**
 * Moves `days` business days from `from`, keeping the local time of day in the calendar's zone:
 * Friday 10:00 + 1 = Monday 10:00, and a start on a weekend or holiday counts from the next
 * business day (Saturday 10:00 + 1 = Monday 10:00). 0 returns `from` unchanged; negative days move
 * backwards. A local time that does not exist on the target day (DST gap) moves forward by the gap.
 */
export function addBusinessDays(from: Date, days: number, calendar: BusinessCalendar): Date {
  if (!Number.isInteger(days)) throw new Error(`business days must be a whole number (got ${days})`);
  const weekend = new Set(calendar.weekend);
  if ([1, 2, 3, 4, 5, 6, 7].every((day) => weekend.has(day))) {
    throw new Error(`calendar ${calendar.name} has no business days`);
  }
  const holidays = new Set(calendar.holidays);
  const step = Math.sign(days);
  const start = DateTime.fromJSDate(checkedDate(from), { zone: checkedZone(calendar.timezone) });
  // Offsets are added to the start each time (not day by day) so that a DST gap on one day in
  // between does not shift the time of day of the result.
  let offset = 0;
  // Holidays are finite and each week has a business day, so this ends.
  for (let left = Math.abs(days); left > 0;) {
    offset += step;
    if (isBusinessDayLocal(start.plus({ days: offset }), calendar.weekend, holidays)) left -= 1;
  }
  return start.plus({ days: offset }).toJSDate();
}

function isBusinessDayLocal(local: DateTime, weekend: number[], holidays: Set<string>): boolean {
  return !weekend.includes(local.weekday) && !holidays.has(local.toISODate() ?? '');
}
