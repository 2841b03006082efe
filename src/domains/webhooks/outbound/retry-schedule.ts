/**
 * When to try a failed delivery again. Svix's schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h) and
 * then every 10 h, until three days after the round's first attempt; the last retry falls exactly on
 * that deadline, and a failure there makes the delivery dead. No jitter: deliveries are spread by
 * when their events happened, and a fixed schedule is easy to explain to the receiving team.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const RETRY_DELAYS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR] as const;
export const RETRY_WINDOW_MS = 3 * 24 * HOUR;

/**
 * The next attempt after `failedAttempts` failures of this round, or null when the three days are
 * up (dead letter).
 */
export function nextAttemptAt(firstAttemptAt: Date, failedAttempts: number, now: Date): Date | null {
  const deadline = firstAttemptAt.getTime() + RETRY_WINDOW_MS;
  if (now.getTime() >= deadline) return null;
  const delay = RETRY_DELAYS_MS[Math.min(Math.max(failedAttempts, 1), RETRY_DELAYS_MS.length) - 1]!;
  return new Date(Math.min(now.getTime() + delay, deadline));
}
