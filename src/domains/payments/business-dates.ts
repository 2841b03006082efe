/**
 * Calendar dates (YYYY-MM-DD, UTC) for value dates and schedules. Business days are a set of
 * non-business weekdays and holiday dates: an engine calendar's (recurring payments), or Saturday
 * and Sunday (`WEEKENDS`, for a bank account without a calendar; see value-dates.ts).
 * The engine's own business-day arithmetic (engine/time/business-days.ts) works on instants in a
 * zone; these are plain dates, which is what value dates are.
 */

const DAY_MS = 86_400_000;

const toDate = (date: string): Date => new Date(`${date}T00:00:00Z`);
const toText = (date: Date): string => date.toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  return toText(new Date(toDate(date).getTime() + days * DAY_MS));
}

/** Non-business days: ISO weekdays and holiday dates (an engine calendar, or Saturday and Sunday). */
export interface Days {
  weekend: number[];
  holidays: string[];
}

export const WEEKENDS: Days = { weekend: [6, 7], holidays: [] };

/** The days neither calendar works: a payment dated by one calendar and executed by another bank's. */
export function eitherClosed(a: Days, b: Days): Days {
  return {
    weekend: [...new Set([...a.weekend, ...b.weekend])].sort(),
    holidays: [...new Set([...a.holidays, ...b.holidays])].sort(),
  };
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export const isoWeekday = (date: string): number => {
  const day = toDate(date).getUTCDay();
  return day === 0 ? 7 : day;
};

export function isBusinessDate(date: string, days: Days = WEEKENDS): boolean {
  return !days.weekend.includes(isoWeekday(date)) && !days.holidays.includes(date);
}

export function isWeekend(date: string): boolean {
  return !isBusinessDate(date, WEEKENDS);
}

/** The date itself when it is a business day, else the next one. */
export function nextBusinessDay(date: string, days: Days = WEEKENDS): string {
  let day = date;
  // A calendar keeps at least one business day a week (the engine checks), so this ends.
  while (!isBusinessDate(day, days)) day = addDays(day, 1);
  return day;
}

/** The date itself when it is a business day, else the business day before it. */
export function previousBusinessDay(date: string, days: Days = WEEKENDS): string {
  let day = date;
  while (!isBusinessDate(day, days)) day = addDays(day, -1);
  return day;
}

/** Whole days from `from` to `to` (instants), never negative. */
export function daysBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));
}
