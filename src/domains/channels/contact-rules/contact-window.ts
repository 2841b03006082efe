import { DateTime, Duration } from 'luxon';
import type { ContactSettings, QuietHours } from './contact-settings.js';
import { WEEKDAYS } from './contact-settings.js';

/**
 * Pure time arithmetic of the contact rules: when, at or after a moment, may this customer be
 * contacted? Quiet hours and no-contact days are read in the customer's own time zone (a debtor in
 * Madrid is not texted at 22:00 Madrid time because the server runs in UTC); frequency caps are
 * rolling windows over past attempts.
 */

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** If `local` falls in the quiet window, the local time the window ends; otherwise null. */
export function quietUntil(local: DateTime, quiet: QuietHours): DateTime | null {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const now = local.hour * 60 + local.minute;
  const at = (day: DateTime) => day.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  if (start > end) {
    // Overnight (21:00–08:00): quiet from start to midnight, and from midnight to end.
    if (now >= start) return at(local.plus({ days: 1 }));
    if (now < end) return at(local);
    return null;
  }
  return now >= start && now < end ? at(local) : null;
}

export interface Blocked {
  until: Date;
  reason: string;
}

/** The first moment ≥ `from` outside quiet hours and no-contact days, with the rule that moved it. */
export function nextAllowedLocalTime(
  from: Date,
  timeZone: string,
  settings: Pick<ContactSettings, 'quietHours' | 'noContactDays'>,
): Blocked | null {
  let local: DateTime = DateTime.fromJSDate(from, { zone: timeZone });
  let reason: string | null = null;
  // A quiet night can run into a no-contact day and that day into the next night: a few hops at most.
  for (let hop = 0; hop < 16; hop++) {
    const weekday = WEEKDAYS[local.weekday - 1]!;
    if (settings.noContactDays.includes(weekday)) {
      reason ??= `no contact on ${weekday} (${timeZone})`;
      local = local.plus({ days: 1 }).startOf('day');
      continue;
    }
    const until = settings.quietHours ? quietUntil(local, settings.quietHours) : null;
    if (until) {
      reason ??= `quiet hours ${settings.quietHours!.start}–${settings.quietHours!.end} ${timeZone}`;
      local = until;
      continue;
    }
    return reason === null ? null : { until: local.toUTC().toJSDate(), reason };
  }
  throw new Error(`contact rules leave no allowed time for ${timeZone}`);
}

/**
 * When a cap of `max` attempts per `window` next allows one more, given the attempt times inside the
 * window before `at`; null when it allows one now.
 */
export function capFreesAt(attempts: Date[], at: Date, cap: { max: number; window: string }): Date | null {
  const windowMs = Duration.fromISO(cap.window).toMillis();
  const inWindow = attempts
    .map((d) => d.getTime())
    .filter((t) => t > at.getTime() - windowMs && t <= at.getTime())
    .sort((a, b) => a - b);
  if (inWindow.length < cap.max) return null;
  if (cap.max === 0) return new Date(8.64e15); // never
  // The attempt that has to leave the window for the count to drop below max.
  return new Date(inWindow[inWindow.length - cap.max]! + windowMs);
}
