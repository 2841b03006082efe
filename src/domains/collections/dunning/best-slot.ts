import { DateTime } from 'luxon';
import type { Queryable, Tx } from '../../../storage/schema.js';
import { bestHour } from '../reports/best-time.js';

/**
 * When in the day a message stage goes out. With enough recorded outcomes for the segment and
 * channel (the best-time report's payment and right-party rates), at the hour that did best, in the
 * customer's time zone, on the stage's day; otherwise at the start of that day (UTC), and the
 * contact rules move it out of quiet hours. The contact rules still apply to whatever is chosen.
 *
 * The best hour comes from an aggregate over every recorded attempt, so it is kept per process for
 * ten minutes rather than computed for every stage of every case.
 */
const TTL_MS = 10 * 60_000;
const cache = new Map<string, { hour: number | null; at: number }>();

export async function bestSendHour(
  db: Queryable | Tx,
  segment: string,
  channel: string,
  minSample: number,
): Promise<number | null> {
  const key = `${segment}\u0000${channel}\u0000${minSample}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.hour;
  const hour = await bestHour(db, { segment, channel, minSample });
  cache.set(key, { hour, at: Date.now() });
  return hour;
}

/** Forgets what was computed (tests that record outcomes and want them used at once). */
export function forgetBestSlots(): void {
  cache.clear();
}

/** The moment a stage due on `day` goes out: `hour` o'clock in `timeZone`, or 00:00 UTC without one. */
export function stageMoment(day: string, hour: number | null, timeZone: string): number {
  if (hour === null) return Date.parse(`${day}T00:00:00.000Z`);
  return DateTime.fromISO(day, { zone: timeZone }).set({ hour, minute: 0, second: 0, millisecond: 0 }).toMillis();
}
