/**
 * Calendar dates (YYYY-MM-DD, UTC) for value dates. Business days are Monday to Friday here; bank
 * holiday calendars (TARGET2, a bank's own) come with batching, where the bank's calendar is known.
 */

const DAY_MS = 86_400_000;

const toDate = (date: string): Date => new Date(`${date}T00:00:00Z`);
const toText = (date: Date): string => date.toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  return toText(new Date(toDate(date).getTime() + days * DAY_MS));
}

export function isWeekend(date: string): boolean {
  const day = toDate(date).getUTCDay();
  return day === 0 || day === 6;
}

/** The date itself when it is a business day, else the next one. */
export function nextBusinessDay(date: string): string {
  let day = date;
  while (isWeekend(day)) day = addDays(day, 1);
  return day;
}

/** Whole days from `from` to `to` (instants), never negative. */
export function daysBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));
}
