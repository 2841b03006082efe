import { DateTime, Duration, IANAZone } from 'luxon';

/**
 * ISO 8601 durations (`PT30M`, `P1D`, `P1M2DT3H`) for timers, timeouts and SLAs. Zero and negative
 * durations are rejected: a timer that is already due is almost always a typo in a definition.
 */
export function parseDuration(iso: string): Duration {
  const duration = typeof iso === 'string' ? Duration.fromISO(iso) : Duration.invalid('not a string');
  if (!duration.isValid) {
    throw new Error(`invalid ISO 8601 duration "${String(iso)}" (expected e.g. PT30M, P1D, P1M)`);
  }
  // Check each unit, not the total: "P1DT-1H" has a positive total but is still nonsense here.
  const units = Object.values(duration.toObject());
  if (units.some((value) => value < 0) || !units.some((value) => value > 0)) {
    throw new Error(`duration "${iso}" must be positive`);
  }
  return duration;
}

/**
 * `from` plus an ISO duration, calendar-aware in `timezone`: days, weeks, months and years move the
 * local date and keep the local time of day (P1D across a DST change is 23 or 25 hours), while
 * hours, minutes and seconds are exact elapsed time (PT24H is always 24 hours).
 */
export function addDuration(from: Date, iso: string, timezone = 'UTC'): Date {
  const duration = parseDuration(iso);
  return DateTime.fromJSDate(checkedDate(from), { zone: checkedZone(timezone) })
    .plus(duration)
    .toJSDate();
}

/** A valid IANA zone for luxon; throws instead of luxon's silent "invalid DateTime". */
export function checkedZone(timezone: string): IANAZone {
  if (!IANAZone.isValidZone(timezone)) throw new Error(`unknown time zone "${timezone}"`);
  return IANAZone.create(timezone);
}

export function checkedDate(date: Date): Date {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new Error('invalid date');
  return date;
}
