/**
 * Whether a text names a time zone the runtime knows (IANA names, their aliases and case variants),
 * so a zone stored from user input can always be used later. One check for users, customers and
 * treasury settings.
 */

/** Zones already found valid: building an Intl.DateTimeFormat costs ~0.1 ms, every request. */
const knownTimeZones = new Set<string>();

export function isTimeZone(value: string): boolean {
  if (knownTimeZones.has(value)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    return false;
  }
  // Bounded: IANA has ~600 zones, but aliases and case variants are accepted too.
  if (knownTimeZones.size < 2000) knownTimeZones.add(value);
  return true;
}
