import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * Ids are `<prefix>_<ULID>`: sortable by creation time (the first 48 bits are milliseconds), and
 * unguessable (80 random bits from the platform CSPRNG). The prefix says what the id names, so an
 * id pasted into a ticket or a log line is self-describing (`key_…`, `aud_…`, later `cus_…`, `rcv_…`).
 */
const nextUlid = monotonicFactory(pooledRandom());

/**
 * The ulid package's default source asks the CSPRNG for one byte per character (16 calls an id,
 * ~4 % of a request's CPU under load); this one draws the same CSPRNG bytes 4 KiB at a time.
 * A byte / 256 is what the default returns, so every character stays uniform over the 32 symbols.
 */
function pooledRandom(): () => number {
  const pool = new Uint8Array(4096);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++]! / 256;
  };
}

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
