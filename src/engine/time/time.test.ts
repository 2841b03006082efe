import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { readAuditLog } from '../../storage/audit/audit-log.js';
import type { Database } from '../../storage/database.js';
import { openTestDatabase } from '../../testing/test-database.js';
import { addBusinessDays, isBusinessDay, WEEKENDS_ONLY, type BusinessCalendar } from './business-days.js';
import { getCalendar, listCalendars, putCalendar } from './calendar-store.js';
import { addDuration, parseDuration } from './durations.js';

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('durations', () => {
  test('parses ISO 8601 durations', () => {
    assert.equal(parseDuration('PT30M').toMillis(), 30 * 60_000);
    assert.deepEqual(parseDuration('P1M2DT3H').toObject(), { months: 1, days: 2, hours: 3 });
  });

  test('rejects invalid, zero and negative durations with a clear message', () => {
    assert.throws(() => parseDuration('30 minutes'), /invalid ISO 8601 duration "30 minutes"/);
    assert.throws(() => parseDuration('p1d'), /invalid ISO 8601 duration/);
    assert.throws(() => parseDuration(''), /invalid ISO 8601 duration/);
    assert.throws(() => parseDuration('PT0S'), /must be positive/);
    assert.throws(() => parseDuration('P'), /must be positive/);
    assert.throws(() => parseDuration('-P1D'), /must be positive/);
    assert.throws(() => parseDuration('P1DT-1H'), /must be positive/);
  });

  test('adds durations in UTC by default', () => {
    assert.equal(iso(addDuration(at('2026-01-31T10:00:00Z'), 'PT90M')), '2026-01-31T11:30:00.000Z');
    // Month arithmetic clamps to the last day of the month.
    assert.equal(iso(addDuration(at('2026-01-31T10:00:00Z'), 'P1M')), '2026-02-28T10:00:00.000Z');
  });

  test('days keep the local time across DST; hours are elapsed time', () => {
    // Europe/Berlin springs forward on 2026-03-29 (UTC+1 → UTC+2).
    const saturday = at('2026-03-28T08:00:00Z'); // 09:00 in Berlin
    assert.equal(iso(addDuration(saturday, 'P1D', 'Europe/Berlin')), '2026-03-29T07:00:00.000Z'); // 09:00 CEST
    assert.equal(iso(addDuration(saturday, 'PT24H', 'Europe/Berlin')), '2026-03-29T08:00:00.000Z'); // 10:00 CEST
    // New York falls back on 2026-11-01 (UTC-4 → UTC-5).
    const evening = at('2026-10-31T22:00:00Z'); // 18:00 EDT
    assert.equal(iso(addDuration(evening, 'P1D', 'America/New_York')), '2026-11-01T23:00:00.000Z'); // 18:00 EST
    assert.equal(iso(addDuration(evening, 'P1D')), '2026-11-01T22:00:00.000Z');
  });

  test('rejects unknown zones and invalid dates', () => {
    assert.throws(() => addDuration(at('2026-01-01T00:00:00Z'), 'P1D', 'Mars/Olympus'), /unknown time zone/);
    assert.throws(() => addDuration(new Date('nope'), 'P1D'), /invalid date/);
  });
});

describe('business days', () => {
  const berlin: BusinessCalendar = {
    name: 'de',
    timezone: 'Europe/Berlin',
    weekend: [6, 7],
    holidays: ['2026-04-03', '2026-04-06'], // Good Friday, Easter Monday
  };

  test('skips weekends keeping the time of day', () => {
    // Friday 10:00 + 1 = Monday 10:00.
    assert.equal(iso(addBusinessDays(at('2026-03-06T10:00:00Z'), 1, WEEKENDS_ONLY)), '2026-03-09T10:00:00.000Z');
    // Wednesday + 5 = next Wednesday.
    assert.equal(iso(addBusinessDays(at('2026-03-04T10:00:00Z'), 5, WEEKENDS_ONLY)), '2026-03-11T10:00:00.000Z');
    // A start on Saturday counts from Monday.
    assert.equal(iso(addBusinessDays(at('2026-03-07T10:00:00Z'), 1, WEEKENDS_ONLY)), '2026-03-09T10:00:00.000Z');
    assert.equal(iso(addBusinessDays(at('2026-03-07T10:00:00Z'), 0, WEEKENDS_ONLY)), '2026-03-07T10:00:00.000Z');
    // Negative moves back: Monday - 1 = Friday.
    assert.equal(iso(addBusinessDays(at('2026-03-09T10:00:00Z'), -1, WEEKENDS_ONLY)), '2026-03-06T10:00:00.000Z');
  });

  test('skips holidays', () => {
    // Thursday 2026-04-02 09:00 CEST + 1: Good Friday, weekend and Easter Monday → Tuesday 04-07.
    assert.equal(iso(addBusinessDays(at('2026-04-02T07:00:00Z'), 1, berlin)), '2026-04-07T07:00:00.000Z');
    assert.equal(isBusinessDay(at('2026-04-03T12:00:00Z'), berlin), false);
    assert.equal(isBusinessDay(at('2026-04-07T12:00:00Z'), berlin), true);
  });

  test('days are counted in the calendar zone, across DST', () => {
    // Friday 2026-03-27 23:30 UTC is already Saturday 00:30 in Berlin, so +1 = Monday 00:30 (now CEST).
    assert.equal(isBusinessDay(at('2026-03-27T23:30:00Z'), berlin), false);
    assert.equal(isBusinessDay(at('2026-03-27T23:30:00Z'), WEEKENDS_ONLY), true);
    assert.equal(iso(addBusinessDays(at('2026-03-27T23:30:00Z'), 1, berlin)), '2026-03-29T22:30:00.000Z');
    // Friday 09:00 CET + 1 = Monday 09:00 CEST: the wall-clock time is kept, the UTC hour moves.
    assert.equal(iso(addBusinessDays(at('2026-03-27T08:00:00Z'), 1, berlin)), '2026-03-30T07:00:00.000Z');
  });

  test('custom weekends (Friday and Saturday)', () => {
    const gulf: BusinessCalendar = { name: 'gulf', timezone: 'Asia/Riyadh', weekend: [5, 6], holidays: [] };
    // Thursday 2026-03-05 10:00 AST (07:00Z) + 1 = Sunday 10:00.
    assert.equal(iso(addBusinessDays(at('2026-03-05T07:00:00Z'), 1, gulf)), '2026-03-08T07:00:00.000Z');
  });

  test('rejects fractional days and calendars without business days', () => {
    assert.throws(() => addBusinessDays(at('2026-03-05T07:00:00Z'), 1.5, WEEKENDS_ONLY), /whole number/);
    const never = { ...WEEKENDS_ONLY, weekend: [1, 2, 3, 4, 5, 6, 7] };
    assert.throws(() => addBusinessDays(at('2026-03-05T07:00:00Z'), 1, never), /no business days/);
  });
});

describe('calendar store', () => {
  let database: Database;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  before(async () => {
    database = await openTestDatabase();
  });
  after(async () => {
    await database.close();
  });

  const issuesOf = (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'validation_failed');
    return error.issues.map((issue) => issue.field);
  };

  test('creates, normalises and reads a calendar', async () => {
    const put = await putCalendar(
      database,
      {
        name: 'DE-BY',
        timezone: 'europe/berlin',
        holidays: ['2026-12-25', '2026-01-01', '2026-12-25'],
        actor: 'key_test',
      },
      clock,
    );
    assert.equal(put.created, true);
    assert.equal(put.changed, true);
    const expected = {
      name: 'DE-BY',
      timezone: 'Europe/Berlin',
      weekend: [6, 7],
      holidays: ['2026-01-01', '2026-12-25'],
    };
    assert.deepEqual(put.calendar, { ...expected, updatedAt: clock.now(), updatedBy: 'key_test' });
    assert.deepEqual(await getCalendar(database.db, 'DE-BY'), put.calendar);
    assert.equal(await getCalendar(database.db, 'nope'), undefined);
  });

  test('updates are audited with before and after; identical puts change nothing', async () => {
    const base = { name: 'audited', timezone: 'UTC', holidays: ['2026-05-01'], actor: 'key_test' };
    await putCalendar(database, base, clock);
    const same = await putCalendar(database, { ...base, holidays: ['2026-05-01', '2026-05-01'] }, clock);
    assert.equal(same.changed, false);
    const updated = await putCalendar(
      database,
      { ...base, weekend: [7], holidays: ['2026-05-01', '2026-12-25'] },
      clock,
    );
    assert.equal(updated.created, false);
    assert.equal(updated.changed, true);
    assert.deepEqual(updated.calendar.weekend, [7]);

    const rows = await readAuditLog(database.db, { entityType: 'calendar', entityId: 'audited' });
    assert.deepEqual(
      rows.map((row) => row.action),
      ['calendar.updated', 'calendar.updated'],
    );
    assert.equal(rows[0]?.before, null);
    assert.deepEqual(rows[1]?.before, { name: 'audited', timezone: 'UTC', weekend: [6, 7], holidays: ['2026-05-01'] });
    assert.deepEqual(rows[1]?.after, {
      name: 'audited',
      timezone: 'UTC',
      weekend: [7],
      holidays: ['2026-05-01', '2026-12-25'],
    });

    const names = (await listCalendars(database.db)).map((c) => c.name);
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.includes('audited'));
  });

  test('validation names each failing field', async () => {
    await assert.rejects(
      putCalendar(
        database,
        {
          name: 'bad name!',
          timezone: 'Mars/Olympus',
          weekend: [0, 6, 8],
          holidays: ['2026-01-01', '2026-1-2', '2026-02-30'],
          actor: 'key_test',
        },
        clock,
      ),
      (error: unknown) => {
        assert.deepEqual(issuesOf(error), [
          'name',
          'timezone',
          'weekend[0]',
          'weekend[2]',
          'holidays[1]',
          'holidays[2]',
        ]);
        return true;
      },
    );
    await assert.rejects(
      putCalendar(
        database,
        { name: 'x', timezone: 'UTC', weekend: [1, 2, 3, 4, 5, 6, 7], holidays: [], actor: 'a' },
        clock,
      ),
      (error: unknown) => {
        assert.deepEqual(issuesOf(error), ['weekend']);
        return true;
      },
    );
    assert.equal(await getCalendar(database.db, 'x'), undefined);
  });

  test('a stored calendar drives business days', async () => {
    await putCalendar(database, { name: 'xmas', timezone: 'UTC', holidays: ['2026-12-25'], actor: 'key_test' }, clock);
    const calendar = await getCalendar(database.db, 'xmas');
    assert.ok(calendar);
    // Thursday 2026-12-24 + 1: Christmas Friday and the weekend → Monday 12-28.
    assert.equal(iso(addBusinessDays(at('2026-12-24T15:00:00Z'), 1, calendar)), '2026-12-28T15:00:00.000Z');
  });
});
