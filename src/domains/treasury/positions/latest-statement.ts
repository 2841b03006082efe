import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../../storage/schema.js';

/**
 * An account's latest statement with a closing balance: latest by closing date (one without a date
 * last), then by import (statement ids rise with time). Positions, the forecast's opening balance and
 * the balance alert all mean this one statement, so they share this query. Its ORDER BY is the key of
 * bank_statements_closing_idx (migration 0027), NULLS LAST included, so the first row comes from the
 * index without a sort: change both together.
 */
export function latestStatementLateral(accountId: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`LATERAL (
    SELECT id, closing_balance, closing_date FROM bank_statements
    WHERE bank_account_id = ${accountId} AND closing_balance IS NOT NULL
    ORDER BY closing_date DESC NULLS LAST, id DESC LIMIT 1
  )`;
}

export interface LatestBalance {
  bankAccountId: string;
  currency: string;
  /** null: no statement with a closing balance was imported for the account. */
  statementId: string | null;
  balance: bigint | null;
  date: string | null;
}

export interface LatestBalanceFilter {
  currency?: string | undefined;
  bankAccountIds?: readonly string[] | undefined;
  /** Only active accounts (positions and the forecast); the alerts check the accounts an import named. */
  activeOnly?: boolean | undefined;
}

/** The latest statement balance of each account the filter selects, ordered by account id. */
export async function latestBalances(db: Queryable, filter: LatestBalanceFilter): Promise<LatestBalance[]> {
  if (filter.bankAccountIds?.length === 0) return [];
  const { rows } = await sql<{
    id: string;
    currency: string;
    statement_id: string | null;
    closing_balance: string | null;
    closing_date: string | null;
  }>`
    SELECT a.id, a.currency, s.id AS statement_id, s.closing_balance::text AS closing_balance,
      s.closing_date::text AS closing_date
    FROM bank_accounts a
    LEFT JOIN ${latestStatementLateral(sql.ref('a.id'))} s ON true
    WHERE true
      ${filter.activeOnly ? sql`AND a.status = 'active'` : sql``}
      ${filter.currency === undefined ? sql`` : sql`AND a.currency = ${filter.currency}`}
      ${filter.bankAccountIds === undefined ? sql`` : sql`AND a.id IN (${sql.join(filter.bankAccountIds)})`}
    ORDER BY a.id`.execute(db);
  return rows.map((r) => ({
    bankAccountId: r.id,
    currency: r.currency,
    statementId: r.statement_id,
    balance: r.closing_balance === null ? null : BigInt(r.closing_balance),
    date: r.closing_date,
  }));
}
