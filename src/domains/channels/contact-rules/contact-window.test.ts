import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { capFreesAt, nextAllowedLocalTime, quietUntil } from './contact-window.js';

/** The pure time arithmetic of the contact rules: local quiet hours, no-contact days, rolling caps. */

const night = { quietHours: { start: '21:00', end: '08:00' }, noContactDays: [] as never[] };
const at = (iso: string) => new Date(iso);

describe('contact windows', () => {
  test('overnight quiet hours: before midnight, after midnight, and outside', () => {
    const local = (text: string) => DateTime.fromISO(text, { zone: 'Europe/Madrid' });
    const q = { start: '21:00', end: '08:00' };
    assert.equal(quietUntil(local('2026-03-03T22:30'), q)?.toISO(), '2026-03-04T08:00:00.000+01:00');
    assert.equal(quietUntil(local('2026-03-04T06:00'), q)?.toISO(), '2026-03-04T08:00:00.000+01:00');
    assert.equal(quietUntil(local('2026-03-04T08:00'), q), null);
    assert.equal(quietUntil(local('2026-03-04T20:59'), q), null);
    // A daytime window (lunch) works too.
    assert.equal(quietUntil(local('2026-03-04T12:30'), { start: '12:00', end: '14:00' })?.hour, 14);
  });

  test('in the customer’s zone, across a daylight-saving change', () => {
    // 2026-03-29 is the spring-forward night in Europe: 08:00 local is 06:00 UTC, not 07:00.
    assert.deepEqual(nextAllowedLocalTime(at('2026-03-28T22:00:00Z'), 'Europe/Madrid', night), {
      until: at('2026-03-29T06:00:00Z'),
      reason: 'quiet hours 21:00–08:00 Europe/Madrid',
    });
    // The same UTC moment is mid-afternoon in Shanghai: allowed.
    assert.equal(nextAllowedLocalTime(at('2026-03-28T07:00:00Z'), 'Asia/Shanghai', night), null);
    // New York fell back on 2026-11-01: 08:00 EST is 13:00 UTC.
    assert.deepEqual(
      nextAllowedLocalTime(at('2026-11-01T03:00:00Z'), 'America/New_York', night)?.until,
      at('2026-11-01T13:00:00Z'),
    );
  });

  test('a no-contact day joins the nights around it', () => {
    const settings = { quietHours: night.quietHours, noContactDays: ['sunday' as const] };
    // Saturday 22:00 in Madrid → Sunday is out → Monday 08:00.
    assert.deepEqual(nextAllowedLocalTime(at('2026-03-07T21:00:00Z'), 'Europe/Madrid', settings), {
      until: at('2026-03-09T07:00:00Z'),
      reason: 'quiet hours 21:00–08:00 Europe/Madrid',
    });
    assert.equal(
      nextAllowedLocalTime(at('2026-03-08T12:00:00Z'), 'Europe/Madrid', settings)?.reason,
      'no contact on sunday (Europe/Madrid)',
    );
  });

  test('a rolling cap frees up when the oldest attempt in the window leaves it', () => {
    const cap = { max: 3, window: 'P7D' };
    const attempts = ['2026-03-01T10:00:00Z', '2026-03-03T10:00:00Z', '2026-03-05T10:00:00Z'].map(at);
    assert.deepEqual(capFreesAt(attempts, at('2026-03-06T10:00:00Z'), cap), at('2026-03-08T10:00:00Z'));
    assert.equal(capFreesAt(attempts, at('2026-03-08T10:00:00Z'), cap), null);
    assert.equal(capFreesAt(attempts.slice(0, 2), at('2026-03-06T10:00:00Z'), cap), null);
    // Attempts before the window do not count.
    assert.equal(capFreesAt([at('2026-02-01T00:00:00Z'), ...attempts.slice(1)], at('2026-03-06T00:00:00Z'), cap), null);
  });
});
