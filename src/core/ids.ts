import { monotonicFactory } from 'ulid';

/**
 * Ids are `<prefix>_<ULID>`: sortable by creation time (the first 48 bits are milliseconds), and
 * unguessable (80 random bits from the platform CSPRNG). The prefix says what the id names, so an
 * id pasted into a ticket or a log line is self-describing (`key_…`, `aud_…`, later `cus_…`, `rcv_…`).
 */
const nextUlid = monotonicFactory();

const PREFIX = /^[a-z][a-z0-9]{1,7}$/;
const ULID_PART = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function newId(prefix: string, now: number = Date.now()): string {
  if (!PREFIX.test(prefix)) throw new Error(`invalid id prefix "${prefix}"`);
  return `${prefix}_${nextUlid(now)}`;
}

export function isId(value: string, prefix: string): boolean {
  const [p, rest, extra] = value.split('_');
  return p === prefix && rest !== undefined && extra === undefined && ULID_PART.test(rest);
}
