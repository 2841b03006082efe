import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AcceleratedClock, ManualClock } from './clock.js';
import { isId, newId } from './ids.js';
import { formatMoney, isCurrency, minorUnitDigits, money, parseMinorUnits } from './money.js';

describe('money', () => {
  test('currencies come from ISO 4217 with their minor units', () => {
    assert.equal(isCurrency('EUR'), true);
    assert.equal(isCurrency('eur'), false);
    assert.equal(isCurrency('XYZ'), false);
    assert.equal(minorUnitDigits('EUR'), 2);
    assert.equal(minorUnitDigits('JPY'), 0);
    assert.equal(minorUnitDigits('BHD'), 3);
  });

  test('wire amounts are integers of minor units, exact beyond 2^53', () => {
    assert.equal(parseMinorUnits('9007199254740993'), 9007199254740993n);
    assert.equal(parseMinorUnits('-105'), -105n);
    for (const bad of ['1.5', '1e3', '', ' 1', '0x10']) {
      assert.throws(
        () => parseMinorUnits(bad, 'body.amount'),
        (e: { field?: string }) => e.field === 'body.amount',
      );
    }
    assert.throws(() => money('1', 'ABC'), /not an ISO 4217 currency/);
  });

  test('formatting places the decimal point by currency', () => {
    assert.equal(formatMoney(money(12345n, 'EUR')), '123.45 EUR');
    assert.equal(formatMoney(money(-5n, 'EUR')), '-0.05 EUR');
    assert.equal(formatMoney(money(1200n, 'JPY')), '1200 JPY');
    assert.equal(formatMoney(money('1', 'BHD')), '0.001 BHD');
  });
});

describe('ids', () => {
  test('prefixed, sortable by creation, and recognisable', () => {
    const a = newId('cus', Date.parse('2026-01-01T00:00:00Z'));
    const b = newId('cus', Date.parse('2026-01-01T00:00:01Z'));
    assert.match(a, /^cus_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.ok(a < b);
    assert.equal(isId(a, 'cus'), true);
    assert.equal(isId(a, 'rcv'), false);
    assert.equal(isId('cus_short', 'cus'), false);
    assert.throws(() => newId('Bad-Prefix'));
  });

  test('ids made in the same millisecond still sort in creation order', () => {
    const ids = Array.from({ length: 50 }, () => newId('evt', 1_700_000_000_000));
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, 50);
  });
});

describe('ManualClock', () => {
  test('moves only when told', () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    clock.advance(1500);
    assert.equal(clock.now().toISOString(), '2026-03-01T00:00:01.500Z');
    clock.set('2027-01-01T00:00:00.000Z');
    assert.equal(clock.now().toISOString(), '2027-01-01T00:00:00.000Z');
  });
});

describe('accelerated clock', () => {
  test('runs speed times the wall clock and resumes from a later time, never going back', () => {
    let wall = 1_000_000;
    const clock = new AcceleratedClock(1440, new Date('2026-03-02T00:00:00Z'), () => wall);
    wall += 60_000; // a minute of wall time
    assert.equal(clock.now().toISOString(), '2026-03-03T00:00:00.000Z', 'a day a minute');
    clock.resumeFrom(new Date('2026-03-01T00:00:00Z'));
    assert.equal(clock.now().toISOString(), '2026-03-03T00:00:00.000Z', 'an earlier time is ignored');
    clock.resumeFrom(new Date('2026-04-01T00:00:00Z'));
    wall += 30_000;
    assert.equal(clock.now().toISOString(), '2026-04-01T12:00:00.000Z');
    assert.throws(() => new AcceleratedClock(0.5), /speed must be at least 1/);
  });
});
