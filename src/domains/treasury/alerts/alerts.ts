import { sql } from 'kysely';
import { notFound } from '../../../core/errors.js';
import type { Queryable } from '../../../storage/schema.js';
import { isWeekend } from '../../payments/business-dates.js';
import type { DomainWork } from '../../unit-of-work.js';
import './tables.js';

/**
 * Treasury alerts are engine events, so a workflow decides what happens (page, email, open a task):
 * - `treasury.balance_below_threshold`: after a statement import, an account's latest statement
 *   balance is below its `minBalance`;
 * - `treasury.statement_missing`: a business day's `statementExpectedBy` (UTC) has passed and no
 *   statement for the account was imported that day; once per account and day.
 * Rejected and returned payments need no alert of their own: `payment.rejected` and
 * `payment.returned` are already published (docs/cash-forecast.md).
 */

export const BALANCE_BELOW_THRESHOLD = 'treasury.balance_below_threshold';
export const STATEMENT_MISSING = 'treasury.statement_missing';

export interface AlertSettings {
  bankAccountId: string;
  /** Signed minor units; null: no balance alert. */
  minBalance: string | null;
  /** 'HH:MM' UTC; null: no statement-missing alert. */
  statementExpectedBy: string | null;
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
    updatedBy: row?.updated_by ?? null,
    updatedAt: row?.updated_at.toISOString() ?? null,
  };
}

export async function putAlertSettings(
  unit: DomainWork,
  bankAccountId: string,
  input: { minBalance: string | null; statementExpectedBy: string | null },
): Promise<AlertSettings> {
  const before = await getAlertSettings(unit.tx, bankAccountId);
  const now = unit.clock.now();
  const values = {
    min_balance: input.minBalance,
    statement_expected_by: input.statementExpectedBy,
    updated_by: unit.actor,
    updated_at: now,
  };
  await unit.tx
    .insertInto('bank_account_alerts')
    .values({ bank_account_id: bankAccountId, ...values })
    .onConflict((oc) => oc.column('bank_account_id').doUpdateSet(values))
    .execute();
  const after: AlertSettings = { bankAccountId, ...input, updatedBy: unit.actor, updatedAt: now.toISOString() };
  unit.audit({
    action: 'bank_account.alerts_updated',
    entityType: 'bank_account',
    entityId: bankAccountId,
    before: { minBalance: before.minBalance, statementExpectedBy: before.statementExpectedBy },
    after: { minBalance: after.minBalance, statementExpectedBy: after.statementExpectedBy },
  });
  return after;
}

/**
 * After an import: for each account given, its latest statement balance (the one positions show,
 * whichever statement of the file it was) against its threshold. Publishes in the import's unit, so
 * the event commits with the statement or not at all.
 */
export async function checkBalanceThresholds(unit: DomainWork, bankAccountIds: string[]): Promise<number> {
  if (bankAccountIds.length === 0) return 0;
  const { rows } = await sql<{
    id: string;
    currency: string;
    min_balance: string;
    statement_id: string;
    closing_balance: string;
    closing_date: string | null;
  }>`
    SELECT a.id, a.currency, t.min_balance::text AS min_balance, s.id AS statement_id,
      s.closing_balance::text AS closing_balance, s.closing_date::text AS closing_date
    FROM bank_accounts a
    JOIN bank_account_alerts t ON t.bank_account_id = a.id AND t.min_balance IS NOT NULL
    JOIN LATERAL (
      SELECT id, closing_balance, closing_date FROM bank_statements
      WHERE bank_account_id = a.id AND closing_balance IS NOT NULL
      ORDER BY closing_date DESC NULLS LAST, id DESC LIMIT 1
    ) s ON true
    WHERE a.id IN (${sql.join(bankAccountIds)}) AND s.closing_balance < t.min_balance
    ORDER BY a.id`.execute(unit.tx);
  for (const r of rows) {
    unit.publish(BALANCE_BELOW_THRESHOLD, r.id, {
      bankAccountId: r.id,
      currency: r.currency,
      balance: r.closing_balance,
      threshold: r.min_balance,
      shortfall: (BigInt(r.min_balance) - BigInt(r.closing_balance)).toString(),
      statementId: r.statement_id,
      statementDate: r.closing_date,
    });
  }
  return rows.length;
}

export interface MissingStatement {
  bankAccountId: string;
  currency: string;
  expectedBy: string;
  date: string;
  lastImportedAt: string | null;
}

/**
 * Accounts whose statement for today (a business day, UTC) is late: their expected time has passed
 * and nothing was imported for them since midnight. Each is published once a day
 * (`missing_alerted_on`); a later check the same day names it again in its answer without publishing.
 */
export async function checkMissingStatements(unit: DomainWork): Promise<{
  checkedAt: string;
  missing: MissingStatement[];
  published: number;
}> {
  const now = unit.clock.now();
  const today = now.toISOString().slice(0, 10);
  const time = now.toISOString().slice(11, 16);
  if (isWeekend(today)) return { checkedAt: now.toISOString(), missing: [], published: 0 };
  const { rows } = await sql<{
    id: string;
    currency: string;
    expected_by: string;
    alerted_on: string | null;
    last_imported_at: Date | null;
  }>`
    SELECT a.id, a.currency, t.statement_expected_by AS expected_by, t.missing_alerted_on::text AS alerted_on,
      (SELECT max(imported_at) FROM bank_statements s WHERE s.bank_account_id = a.id) AS last_imported_at
    FROM bank_accounts a
    JOIN bank_account_alerts t ON t.bank_account_id = a.id
    WHERE a.status = 'active' AND t.statement_expected_by IS NOT NULL AND t.statement_expected_by <= ${time}
      AND NOT EXISTS (
        SELECT 1 FROM bank_statements s WHERE s.bank_account_id = a.id AND s.imported_at >= ${`${today}T00:00:00Z`}::timestamptz
      )
    ORDER BY a.id
    FOR UPDATE OF t`.execute(unit.tx);
  const missing: MissingStatement[] = [];
  let published = 0;
  for (const r of rows) {
    const item: MissingStatement = {
      bankAccountId: r.id,
      currency: r.currency,
      expectedBy: r.expected_by,
      date: today,
      lastImportedAt: r.last_imported_at ? new Date(r.last_imported_at).toISOString() : null,
    };
    missing.push(item);
    if (r.alerted_on === today) continue;
    unit.publish(STATEMENT_MISSING, r.id, { ...item, bankAccountId: r.id });
    published += 1;
  }
  const fresh = rows.filter((r) => r.alerted_on !== today).map((r) => r.id);
  if (fresh.length > 0) {
    await unit.tx
      .updateTable('bank_account_alerts')
      .set({ missing_alerted_on: today })
      .where('bank_account_id', 'in', fresh)
      .execute();
  }
  return { checkedAt: now.toISOString(), missing, published };
}
