import { sql } from 'kysely';
import { notFound } from '../../core/errors.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import {
  balanceOf,
  toAccount,
  toTransfer,
  type AccountBalance,
  type LedgerAccount,
  type LedgerTransfer,
  type TrialBalanceLine,
} from './ledger-model.js';

/** Reads of the ledger: accounts, transfers, balances (current or as of a past time), trial balance. */

type Db = Queryable | Tx;

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const pageSize = (limit: number | undefined) => Math.min(Math.max(Math.trunc(limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);

export async function getAccount(db: Db, id: string): Promise<LedgerAccount> {
  const row = await db.selectFrom('ledger_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('ledger account', id);
  return toAccount(row);
}

export interface AccountFilter {
  code?: string | undefined;
  currency?: string | undefined;
  /** 1-1000, default 100. */
  limit?: number | undefined;
  /** Keyset paging: accounts with ids after this one (the last id of the previous page). */
  cursor?: string | undefined;
}

/** Accounts in id order (for `acc_…` ids, creation order). */
export async function listAccounts(db: Db, filter: AccountFilter = {}): Promise<LedgerAccount[]> {
  let query = db.selectFrom('ledger_accounts').selectAll().orderBy('id').limit(pageSize(filter.limit));
  if (filter.code !== undefined) query = query.where('code', '=', filter.code);
  if (filter.currency !== undefined) query = query.where('currency', '=', filter.currency);
  if (filter.cursor !== undefined) query = query.where('id', '>', filter.cursor);
  return (await query.execute()).map(toAccount);
}

export async function getTransfer(db: Db, id: string): Promise<LedgerTransfer> {
  const row = await db.selectFrom('ledger_transfers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('ledger transfer', id);
  return toTransfer(row);
}

export interface TransferFilter {
  /** Transfers that debit or credit this account. */
  accountId?: string | undefined;
  journalId?: string | undefined;
  reference?: string | undefined;
  /** 1-1000, default 100. */
  limit?: number | undefined;
  /** Keyset paging: transfers written after this `seq` (the last seq of the previous page). */
  afterSeq?: bigint | undefined;
}

/** Transfers in the order they were written (`seq`). */
export async function listTransfers(db: Db, filter: TransferFilter = {}): Promise<LedgerTransfer[]> {
  let query = db.selectFrom('ledger_transfers').selectAll().orderBy('seq').limit(pageSize(filter.limit));
  const { accountId } = filter;
  if (accountId !== undefined) {
    query = query.where((eb) =>
      eb.or([eb('debit_account_id', '=', accountId), eb('credit_account_id', '=', accountId)]),
    );
  }
  if (filter.journalId !== undefined) query = query.where('journal_id', '=', filter.journalId);
  if (filter.reference !== undefined) query = query.where('reference', '=', filter.reference);
  if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
  return (await query.execute()).map(toTransfer);
}

/**
 * An account's balance. Without `asOf`, from the account row (always current). With `asOf`,
 * recomputed from the transfers written at or before then: posted, post_pending and reversal
 * transfers count as posted; a pending transfer counts as pending if by then it was neither resolved
 * (no post, void or expiry written yet) nor past its `expiresAt`.
 */
export async function accountBalance(db: Db, accountId: string, asOf?: Date): Promise<AccountBalance> {
  const account = await getAccount(db, accountId);
  if (asOf === undefined) {
    const totals = {
      debitsPosted: account.debitsPosted,
      creditsPosted: account.creditsPosted,
      debitsPending: account.debitsPending,
      creditsPending: account.creditsPending,
    };
    return { accountId, currency: account.currency, asOf: null, ...totals, ...balanceOf(account.normalSide, totals) };
  }
  const { rows } = await sql<{ dpo: string; cpo: string; dp: string; cp: string }>`
    SELECT
      coalesce(sum(t.amount) FILTER (WHERE t.debit_account_id = ${accountId} AND t.kind IN ('posted', 'post_pending', 'reversal')), 0)::text AS dpo,
      coalesce(sum(t.amount) FILTER (WHERE t.credit_account_id = ${accountId} AND t.kind IN ('posted', 'post_pending', 'reversal')), 0)::text AS cpo,
      coalesce(sum(t.amount) FILTER (WHERE t.debit_account_id = ${accountId} AND t.kind = 'pending' AND open), 0)::text AS dp,
      coalesce(sum(t.amount) FILTER (WHERE t.credit_account_id = ${accountId} AND t.kind = 'pending' AND open), 0)::text AS cp
    FROM (
      SELECT t.*,
        (t.kind = 'pending'
          AND (t.expires_at IS NULL OR t.expires_at > ${asOf})
          AND NOT EXISTS (
            SELECT 1 FROM ledger_transfers r WHERE r.pending_id = t.id AND r.posted_at <= ${asOf}
          )) AS open
      FROM ledger_transfers t
      WHERE (t.debit_account_id = ${accountId} OR t.credit_account_id = ${accountId}) AND t.posted_at <= ${asOf}
    ) t`.execute(db);
  const r = rows[0]!;
  const totals = {
    debitsPosted: BigInt(r.dpo),
    creditsPosted: BigInt(r.cpo),
    debitsPending: BigInt(r.dp),
    creditsPending: BigInt(r.cp),
  };
  return { accountId, currency: account.currency, asOf, ...totals, ...balanceOf(account.normalSide, totals) };
}

/**
 * Per currency, the sums of posted debits and credits over all accounts — equal in a consistent
 * ledger, since every transfer adds its amount to one debit and one credit — and likewise of pending.
 */
export async function trialBalance(db: Db, currency?: string): Promise<TrialBalanceLine[]> {
  let query = db
    .selectFrom('ledger_accounts')
    .select([
      'currency',
      sql<string>`coalesce(sum(debits_posted), 0)::text`.as('debits'),
      sql<string>`coalesce(sum(credits_posted), 0)::text`.as('credits'),
      sql<string>`coalesce(sum(debits_pending), 0)::text`.as('debits_pending'),
      sql<string>`coalesce(sum(credits_pending), 0)::text`.as('credits_pending'),
    ])
    .groupBy('currency')
    .orderBy('currency');
  if (currency !== undefined) query = query.where('currency', '=', currency);
  const rows = await query.execute();
  return rows.map((r) => ({
    currency: r.currency,
    debits: BigInt(r.debits),
    credits: BigInt(r.credits),
    debitsPending: BigInt(r.debits_pending),
    creditsPending: BigInt(r.credits_pending),
  }));
}
