import { addDays, isoWeekday } from '../business-dates.js';

/**
 * The dates of a recurring payment, pure calendar arithmetic on YYYY-MM-DD strings (UTC). An
 * occurrence has a nominal date (what the schedule says: the 31st, the month's last day) — the
 * stable name of the occurrence in the instruction's sourceRef — and a payment date: the nominal date,
 * or the business day before it when it is not one (a payment due on a Sunday is paid on the Friday,
 * never late).
 */

export interface Schedule {
  frequency: 'monthly' | 'weekly';
  /** Monthly: 1..31 or 'last_business_day'; weekly: 1..7 (ISO weekday, 1 = Monday). */
  day: number | 'last_business_day';
  startDate: string;
  endDate: string | null;
}

const lastDayOfMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
const pad = (n: number) => String(n).padStart(2, '0');

/** The nominal date of a monthly schedule in a month (1-12): a day past the month's end is its last day. */
function monthlyDate(year: number, month: number, day: Schedule['day']): string {
  const last = lastDayOfMonth(year, month);
  const dayOfMonth = day === 'last_business_day' ? last : Math.min(day, last);
  return `${year}-${pad(month)}-${pad(dayOfMonth)}`;
}

/**
 * Nominal dates after `after` (exclusive; null: from the start date) up to `until` (inclusive),
 * within the schedule's start and end dates, in order.
 */
export function nominalDates(schedule: Schedule, after: string | null, until: string): string[] {
  const from = after !== null && after >= schedule.startDate ? addDays(after, 1) : schedule.startDate;
  const last = schedule.endDate !== null && schedule.endDate < until ? schedule.endDate : until;
  const dates: string[] = [];
  if (from > last) return dates;
  if (schedule.frequency === 'weekly') {
    const weekday = schedule.day as number;
    let date = addDays(from, (weekday - isoWeekday(from) + 7) % 7);
    for (; date <= last; date = addDays(date, 7)) dates.push(date);
    return dates;
  }
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  for (;;) {
    const date = monthlyDate(year, month, schedule.day);
    if (date > last) return dates;
    if (date >= from) dates.push(date);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
}
