import { DateTime } from 'luxon';
import { sql } from 'kysely';
import { notFound, refusedField } from '../../../core/errors.js';
import { getCalendar, isBusinessDay, WEEKENDS_ONLY, type BusinessCalendar } from '../../../engine/index.js';
import type { Queryable } from '../../../storage/schema.js';
import type { DomainWork } from '../../unit-of-work.js';
import { latestBalances } from '../positions/latest-statement.js';
import './tables.js';

/**
 * Treasury alerts are engine events, so a workflow decides what happens (page, email, open a task):
 * - `treasury.balance_below_threshold`: an import takes an account's latest statement balance below
 *   its `minBalance` — raised when the balance crosses, again only after it has been back above;
 * - `treasury.statement_missing`: on a business day of the account's calendar, its
 *   `statementExpectedBy` (in its time zone) has passed and no statement for it was imported since
 *   that day's midnight there; once per account and day.
 * Rejected and returned payments need no alert of their own: `payment.rejected` and
 * `payment.returned` are already published (docs/cash-forecast.md).
 */

export const BALANCE_BELOW_THRESHOLD = 'treasury.balance_below_threshold';
export const STATEMENT_MISSING = 'treasury.statement_missing';

export interface AlertSettings {
  bankAccountId: string;
  /** Signed minor units; null: no balance alert. */
  minBalance: string | null;
  /** 'HH:MM' in timeZone; null: no statement-missing alert. */
  statementExpectedBy: string | null;
  /** IANA zone of statementExpectedBy and of "today"; null: the calendar's zone, else UTC. */
  timeZone: string | null;
  /** Engine business calendar whose business days a statement is expected on; null: Monday to Friday. */
  calendar: string | null;
  /** Whether the latest balance is below minBalance and its alert was raised (reset when the balance recovers). */
  belowThreshold: boolean;
  updatedBy: string | null;
  updatedAt: string | null;
}

async function accountExists(db: Queryable, id: string): Promise<void> {
  const row = await db.selectFrom('bank_accounts').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('bank account', id);
}

export async function getAlertSettings(db: Queryable, bankAccountId: string): Promise<AlertSettings> {
  await accountExists(db, bankAccountId);
  const row = await db
    .selectFrom('bank_account_alerts')
    .selectAll()
    .where('bank_account_id', '=', bankAccountId)
    .executeTakeFirst();
  return {
    bankAccountId,
    minBalance: row?.min_balance === undefined || row.min_balance === null ? null : String(row.min_balance),
    statementExpectedBy: row?.statement_expected_by ?? null,
    timeZone: row?.time_zone ?? null,
    calendar: row?.calendar ?? null,
    belowThreshold: row?.below_threshold ?? false,
    updatedBy: row?.updated_by ?? null,
    updatedAt: row?.updated_at.toISOString() ?? null,
  };
}

export interface AlertSettingsInput {
  minBalance: string | null;
  statementExpectedBy: string | null;
  timeZone?: string | null | undefined;
  calendar?: string | null | undefined;
}

/** What the audit compares: the settings a person sets (not the alert state). */
const settable = (s: AlertSettings | AlertSettingsInput) => ({
  minBalance: s.minBalance,
  statementExpectedBy: s.statementExpectedBy,
  timeZone: s.timeZone ?? null,
  calendar: s.calendar ?? null,
});

/**
 * Replaces an account's alert settings (fields left out are null). A changed threshold starts
 * afresh: the next import below it raises the alert even if the old one had. Saving the same
 * settings again changes and audits nothing.
 */
export async function putAlertSettings(
  unit: DomainWork,
  bankAccountId: string,
  input: AlertSettingsInput,
): Promise<AlertSettings> {
  const before = await getAlertSettings(unit.tx, bankAccountId);
  const next = settable(input);
  if (next.calendar !== null && !(await getCalendar(unit.tx, next.calendar))) {
    throw refusedField(
      'calendar',
      `no business calendar "${next.calendar}" exists (PUT /api/v1/calendars/${next.calendar})`,
    );
  }
  if (JSON.stringify(settable(before)) === JSON.stringify(next)) return before;
  const now = unit.clock.now();
  const values = {
    min_balance: next.minBalance,
    below_threshold: next.minBalance === before.minBalance ? before.belowThreshold : false,
    statement_expected_by: next.statementExpectedBy,
    time_zone: next.timeZone,
    calendar: next.calendar,
    updated_by: unit.actor,
    updated_at: now,
  };
  await unit.tx
    .insertInto('bank_account_alerts')
    .values({ bank_account_id: bankAccountId, ...values })
    .onConflict((oc) => oc.column('bank_account_id').doUpdateSet(values))
    .execute();
  unit.audit({
    action: 'bank_account.alerts_updated',
    entityType: 'bank_account',
    entityId: bankAccountId,
    before: settable(before),
    after: next,
  });
  return {
    bankAccountId,
    ...next,
    belowThreshold: values.below_threshold,
    updatedBy: unit.actor,
    updatedAt: now.toISOString(),
  };
}

/**
 * After an import: for each account given, its latest statement balance (the one positions show,
 * whichever statement of the file it was) against its threshold. The alert is raised when the
 * balance crosses below it; further imports that leave it below raise nothing until one brings it
 * back up. Runs in the import's unit, so the event and the state commit with the statement or not
 * at all.
 */
export async function checkBalanceThresholds(unit: DomainWork, bankAccountIds: string[]): Promise<number> {
  if (bankAccountIds.length === 0) return 0;
  const settings = await unit.tx
    .selectFrom('bank_account_alerts')
    .select(['bank_account_id', 'min_balance', 'below_threshold'])
    .where('bank_account_id', 'in', bankAccountIds)
    .where('min_balance', 'is not', null)
    .orderBy('bank_account_id')
    .forUpdate()
    .execute();
  if (settings.length === 0) return 0;
  const latest = new Map(
    (await latestBalances(unit.tx, { bankAccountIds: settings.map((s) => s.bank_account_id) })).map((b) => [
      b.bankAccountId,
      b,
    ]),
  );
  const crossed: string[] = [];
  const recovered: string[] = [];
  for (const setting of settings) {
    const statement = latest.get(setting.bank_account_id);
    if (statement === undefined || statement.balance === null) continue;
    const threshold = BigInt(setting.min_balance!);
    const below = statement.balance < threshold;
    if (below === setting.below_threshold) continue;
    if (!below) {
      recovered.push(setting.bank_account_id);
      continue;
    }
    crossed.push(setting.bank_account_id);
    unit.publish(BALANCE_BELOW_THRESHOLD, statement.bankAccountId, {
      bankAccountId: statement.bankAccountId,
      currency: statement.currency,
      balance: statement.balance.toString(),
      threshold: threshold.toString(),
      shortfall: (threshold - statement.balance).toString(),
      statementId: statement.statementId,
      statementDate: statement.date,
    });
  }
  for (const [ids, below] of [
    [crossed, true],
    [recovered, false],
  ] as const) {
    if (ids.length === 0) continue;
    await unit.tx
      .updateTable('bank_account_alerts')
      .set({ below_threshold: below })
      .where('bank_account_id', 'in', ids)
      .execute();
  }
  return crossed.length;
}

export interface MissingStatement {
  bankAccountId: string;
  currency: string;
  expectedBy: string;
  /** The zone expectedBy and date are in. */
  timeZone: string;
  /** The day (in timeZone) the statement is missing for. */
  date: string;
  lastImportedAt: string | null;
}

/** An account's "now" where its statement is expected: its zone, else its calendar's, else UTC. */
function localNow(now: Date, zone: string | null, calendar: BusinessCalendar | undefined) {
  const local = DateTime.fromJSDate(now, { zone: zone ?? calendar?.timezone ?? 'UTC' });
  return {
    today: local.toISODate()!,
    time: local.toFormat('HH:mm'),
    midnight: local.startOf('day').toJSDate(),
    businessDay: isBusinessDay(now, { ...(calendar ?? WEEKENDS_ONLY), timezone: local.zoneName ?? 'UTC' }),
  };
}

/**
 * Accounts whose statement for today is late, each in its own zone and calendar: today is a
 * business day there, its expected time has passed there, and nothing was imported for it since
 * midnight there. Each is published once a day (`missing_alerted_on`, a local date); a later check
 * the same day names it again in its answer without publishing.
 */
export async function checkMissingStatements(unit: DomainWork): Promise<{
  checkedAt: string;
  missing: MissingStatement[];
  published: number;
}> {
  const now = unit.clock.now();
  // Bank accounts are few (tens, not thousands): read them all and decide per account's zone here.
  const { rows } = await sql<{
    id: string;
    currency: string;
    expected_by: string;
    time_zone: string | null;
    calendar: string | null;
    alerted_on: string | null;
    last_imported_at: Date | null;
  }>`
    SELECT a.id, a.currency, t.statement_expected_by AS expected_by, t.time_zone, t.calendar,
      t.missing_alerted_on::text AS alerted_on,
      (SELECT max(imported_at) FROM bank_statements s WHERE s.bank_account_id = a.id) AS last_imported_at
    FROM bank_accounts a
    JOIN bank_account_alerts t ON t.bank_account_id = a.id
    WHERE a.status = 'active' AND t.statement_expected_by IS NOT NULL
    ORDER BY a.id
    FOR UPDATE OF t`.execute(unit.tx);
  const calendars = new Map<string, BusinessCalendar | undefined>();
  for (const name of new Set(rows.flatMap((r) => (r.calendar === null ? [] : [r.calendar])))) {
    // A calendar cannot be deleted, and putAlertSettings checked it exists.
    calendars.set(name, await getCalendar(unit.tx, name));
  }
  const missing: MissingStatement[] = [];
  const fresh = new Map<string, string[]>();
  for (const r of rows) {
    const local = localNow(now, r.time_zone, r.calendar === null ? undefined : calendars.get(r.calendar));
    if (!local.businessDay || local.time < r.expected_by) continue;
    const lastImportedAt = r.last_imported_at === null ? null : new Date(r.last_imported_at);
    if (lastImportedAt !== null && lastImportedAt >= local.midnight) continue;
    const item: MissingStatement = {
      bankAccountId: r.id,
      currency: r.currency,
      expectedBy: r.expected_by,
      timeZone: r.time_zone ?? (r.calendar === null ? 'UTC' : (calendars.get(r.calendar)?.timezone ?? 'UTC')),
      date: local.today,
      lastImportedAt: lastImportedAt?.toISOString() ?? null,
    };
    missing.push(item);
    if (r.alerted_on === local.today) continue;
    unit.publish(STATEMENT_MISSING, r.id, { ...item });
    fresh.set(local.today, [...(fresh.get(local.today) ?? []), r.id]);
  }
  for (const [day, ids] of fresh) {
    await unit.tx
      .updateTable('bank_account_alerts')
      .set({ missing_alerted_on: day })
      .where('bank_account_id', 'in', ids)
      .execute();
  }
  const published = [...fresh.values()].reduce((n, ids) => n + ids.length, 0);
  return { checkedAt: now.toISOString(), missing, published };
}
