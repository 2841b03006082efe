import type { Selectable } from 'kysely';
import { DateTime, IANAZone } from 'luxon';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { validationError, type FieldIssue } from '../../core/errors.js';
import { appendAudit } from '../../storage/audit/audit-append.js';
import type { Database } from '../../storage/database.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import type { WfCalendarsTable } from '../store/tables.js';
import type { BusinessCalendar } from './business-days.js';

export const CALENDAR_NAME = /^[A-Za-z0-9_-]{1,50}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface StoredCalendar extends BusinessCalendar {
  updatedAt: Date;
  updatedBy: string;
}

export interface PutCalendarInput {
  name: string;
  timezone: string;
  /** ISO weekdays; default Saturday and Sunday. */
  weekend?: number[] | undefined;
  holidays: string[];
  actor: string;
  requestId?: string | undefined;
}

export interface PutCalendarResult {
  calendar: StoredCalendar;
  created: boolean;
  /** false when the calendar already held exactly this content (nothing written, nothing audited). */
  changed: boolean;
}

/** Creates or replaces a calendar. Holidays and weekend days are deduplicated and sorted. */
export async function putCalendar(
  database: Database,
  input: PutCalendarInput,
  clock: Clock = systemClock,
): Promise<PutCalendarResult> {
  const next = validateCalendar(input);
  return database.transaction(async (tx) => {
    const before = await lockOrInsert(tx, next, input.actor, clock);
    if (before && sameCalendar(before, next)) return { calendar: before, created: false, changed: false };
    const now = clock.now();
    if (before) {
      await tx
        .updateTable('wf_calendars')
        .set({ ...columns(next), updated_at: now, updated_by: input.actor })
        .where('name', '=', next.name)
        .execute();
    }
    await appendAudit(
      tx,
      {
        actor: input.actor,
        action: 'calendar.updated',
        entityType: 'calendar',
        entityId: next.name,
        before: before ? plain(before) : null,
        after: next,
        requestId: input.requestId ?? null,
      },
      clock,
    );
    return { calendar: { ...next, updatedAt: now, updatedBy: input.actor }, created: !before, changed: true };
  });
}

export async function getCalendar(db: Queryable, name: string): Promise<StoredCalendar | undefined> {
  const row = await db.selectFrom('wf_calendars').selectAll().where('name', '=', name).executeTakeFirst();
  return row && toCalendar(row);
}

export async function listCalendars(db: Queryable): Promise<StoredCalendar[]> {
  const rows = await db.selectFrom('wf_calendars').selectAll().orderBy('name').execute();
  return rows.map(toCalendar);
}

/**
 * The current row, locked until commit; or, when there is none, inserts `next` and returns
 * undefined. A concurrent first put that wins the insert makes ours a no-op, and the second pass
 * then locks and returns its row, so the audit's `before` is always what this put replaced.
 */
async function lockOrInsert(
  tx: Tx,
  next: BusinessCalendar,
  actor: string,
  clock: Clock,
): Promise<StoredCalendar | undefined> {
  for (;;) {
    const row = await tx
      .selectFrom('wf_calendars')
      .selectAll()
      .where('name', '=', next.name)
      .forUpdate()
      .executeTakeFirst();
    if (row) return toCalendar(row);
    const inserted = await tx
      .insertInto('wf_calendars')
      .values({ ...columns(next), updated_at: clock.now(), updated_by: actor })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('name')
      .executeTakeFirst();
    if (inserted) return undefined;
  }
}

function validateCalendar(input: PutCalendarInput): BusinessCalendar {
  const issues: FieldIssue[] = [];
  if (typeof input.name !== 'string' || !CALENDAR_NAME.test(input.name)) {
    issues.push({ field: 'name', message: 'must be 1-50 characters of A-Z, a-z, 0-9, "_" or "-"' });
  }
  const timezoneOk = typeof input.timezone === 'string' && IANAZone.isValidZone(input.timezone);
  if (!timezoneOk) issues.push({ field: 'timezone', message: 'must be an IANA time zone such as Europe/Berlin' });

  const weekend = input.weekend ?? [6, 7];
  if (!Array.isArray(weekend)) issues.push({ field: 'weekend', message: 'must be a list of ISO weekdays 1-7' });
  else {
    weekend.forEach((day: unknown, i) => {
      if (!Number.isInteger(day) || (day as number) < 1 || (day as number) > 7) {
        issues.push({ field: `weekend[${i}]`, message: 'must be an ISO weekday: 1 (Monday) to 7 (Sunday)' });
      }
    });
    if (new Set(weekend).size >= 7) issues.push({ field: 'weekend', message: 'must leave at least one business day' });
  }

  if (!Array.isArray(input.holidays)) issues.push({ field: 'holidays', message: 'must be a list of dates' });
  else {
    input.holidays.forEach((day: unknown, i) => {
      if (typeof day !== 'string' || !ISO_DATE.test(day) || !DateTime.fromISO(day).isValid) {
        issues.push({ field: `holidays[${i}]`, message: 'must be a date in the form YYYY-MM-DD' });
      }
    });
  }
  if (issues.length > 0) throw validationError(issues);

  return {
    name: input.name,
    // The zone's canonical spelling ("europe/berlin" → "Europe/Berlin"), so equal calendars compare equal.
    timezone: new Intl.DateTimeFormat('en-US', { timeZone: input.timezone }).resolvedOptions().timeZone,
    weekend: [...new Set(weekend)].sort((a, b) => a - b),
    holidays: [...new Set(input.holidays)].sort(),
  };
}

const columns = (calendar: BusinessCalendar) => ({
  name: calendar.name,
  timezone: calendar.timezone,
  weekend: JSON.stringify(calendar.weekend),
  holidays: JSON.stringify(calendar.holidays),
});

const plain = (calendar: BusinessCalendar): BusinessCalendar => ({
  name: calendar.name,
  timezone: calendar.timezone,
  weekend: calendar.weekend,
  holidays: calendar.holidays,
});

const sameCalendar = (a: BusinessCalendar, b: BusinessCalendar): boolean =>
  JSON.stringify(plain(a)) === JSON.stringify(plain(b));

function toCalendar(row: Selectable<WfCalendarsTable>): StoredCalendar {
  return {
    name: row.name,
    timezone: row.timezone,
    weekend: Array.isArray(row.weekend) ? row.weekend.filter((d): d is number => typeof d === 'number') : [6, 7],
    holidays: Array.isArray(row.holidays) ? row.holidays.filter((d): d is string => typeof d === 'string') : [],
    updatedAt: new Date(row.updated_at),
    updatedBy: row.updated_by,
  };
}
