import { sql } from 'kysely';
import { AppError } from '../../core/errors.js';
import { recordset } from '../../storage/recordset.js';
import type { Tx } from '../../storage/schema.js';
import { INT8_MAX, type AccountRow } from './ledger-model.js';

/**
 * Balance bookkeeping of the writes: lock the accounts a change touches, check the no-overdraft
 * limits against the locked rows, then move the four counters in one statement.
 */

export interface Delta {
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

export type Deltas = Map<string, Delta>;

export type Side = 'debit' | 'credit';

/** Adds `amount` to one counter of an account's delta. */
export function addDelta(deltas: Deltas, accountId: string, side: Side, phase: 'pending' | 'posted', amount: bigint) {
  let d = deltas.get(accountId);
  if (!d) {
    d = { debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 0n };
    deltas.set(accountId, d);
  }
  if (side === 'debit') {
    if (phase === 'pending') d.debitsPending += amount;
    else d.debitsPosted += amount;
  } else if (phase === 'pending') d.creditsPending += amount;
  else d.creditsPosted += amount;
}

/** The account has a no-overdraft flag: its balance is checked, so it is locked before (balance-batch.ts). */
export const hasLimit = (a: AccountRow): boolean =>
  a.debits_must_not_exceed_credits || a.credits_must_not_exceed_debits;

/** Reads the accounts without locking them; ids that do not exist are absent. */
export async function readAccounts(tx: Tx, ids: Iterable<string>): Promise<Map<string, AccountRow>> {
  const list = [...new Set(ids)];
  if (list.length === 0) return new Map();
  const rows = await tx.selectFrom('ledger_accounts').selectAll().where('id', 'in', list).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Locks the accounts in id order (`SELECT … FOR NO KEY UPDATE ORDER BY id`): every ledger write locks its
 * accounts in one statement in the same order, so two writes can wait for each other but never
 * deadlock. Returns the locked rows by id; ids that do not exist are simply absent. Ledger writes
 * lock through their unit of work (see BalanceBatch, `lockBalances`): accounts with a limit when
 * first touched, the others at commit.
 */
export async function lockAccounts(tx: Tx, ids: Iterable<string>): Promise<Map<string, AccountRow>> {
  const sorted = [...new Set(ids)].sort();
  if (sorted.length === 0) return new Map();
  const rows = await tx
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('id', 'in', sorted)
    .orderBy('id')
    // NO KEY UPDATE, the lock an UPDATE of the counters takes: it does not conflict with the KEY SHARE
    // that another transaction's transfer insert takes on its accounts (the foreign keys), which
    // FOR UPDATE would wait for, and deadlock with at the commit.
    .forNoKeyUpdate()
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

const LIMITS = {
  debits: {
    flag: 'debitsMustNotExceedCredits',
    constraint: 'ledger_debits_exceed_credits',
  },
  credits: {
    flag: 'creditsMustNotExceedDebits',
    constraint: 'ledger_credits_exceed_debits',
  },
} as const;

export function balanceLimitError(
  account: Pick<AccountRow, 'id' | 'code' | 'currency'>,
  limit: keyof typeof LIMITS,
  totals?: { over: bigint; under: bigint },
  field?: string,
): AppError {
  const { flag, constraint } = LIMITS[limit];
  const what =
    limit === 'debits'
      ? 'its debits (posted and pending) would exceed its posted credits'
      : 'its credits (posted and pending) would exceed its posted debits';
  const amounts = totals ? ` (${totals.over} > ${totals.under} ${account.currency})` : '';
  return new AppError(
    'balance_limit_exceeded',
    422,
    `account ${account.id} (${account.code}) refuses this: ${what}${amounts}, and it is flagged ${flag}`,
    { ...(field ? { field } : {}), details: { accountId: account.id, limit: flag, constraint } },
  );
}

/**
 * The same rules as the table's CHECK constraints, evaluated on the locked rows before writing, so a
 * refusal is a clean 422 that leaves the caller's transaction usable. The constraints stay the real
 * guard: `applyDeltas` maps a violation they raise to the same error.
 */
export function checkLimits(
  accounts: Map<string, AccountRow>,
  deltas: Deltas,
  blame: (accountId: string, side: Side) => string | undefined = () => undefined,
): void {
  for (const [id, d] of deltas) {
    const a = accounts.get(id);
    if (!a) throw new Error(`account ${id} was not locked`);
    const debitsPending = BigInt(a.debits_pending) + d.debitsPending;
    const debitsPosted = BigInt(a.debits_posted) + d.debitsPosted;
    const creditsPending = BigInt(a.credits_pending) + d.creditsPending;
    const creditsPosted = BigInt(a.credits_posted) + d.creditsPosted;
    // A bug, never input. Only a locked row is exact: an account without a limit is read unlocked
    // (balance-batch.ts), its counters as of an earlier commit, and its CHECKs guard it at the update.
    if (hasLimit(a) && [debitsPending, debitsPosted, creditsPending, creditsPosted].some((v) => v < 0n)) {
      throw new Error(`account ${id}: a balance counter would become negative`);
    }
    if (debitsPending + debitsPosted > INT8_MAX || creditsPending + creditsPosted > INT8_MAX) {
      throw new AppError('balance_overflow', 422, `account ${id} (${a.code}): its totals would exceed 2^63-1`, {
        details: { accountId: id },
      });
    }
    if (a.debits_must_not_exceed_credits && debitsPending + debitsPosted > creditsPosted) {
      throw balanceLimitError(
        a,
        'debits',
        { over: debitsPending + debitsPosted, under: creditsPosted },
        blame(id, 'debit'),
      );
    }
    if (a.credits_must_not_exceed_debits && creditsPending + creditsPosted > debitsPosted) {
      throw balanceLimitError(
        a,
        'credits',
        { over: creditsPending + creditsPosted, under: debitsPosted },
        blame(id, 'credit'),
      );
    }
  }
}

interface PgError {
  code?: unknown;
  constraint?: unknown;
  detail?: unknown;
}

const DELTA_COLUMNS = [
  ['id', 'text'],
  ['dp', 'bigint'],
  ['dpo', 'bigint'],
  ['cp', 'bigint'],
  ['cpo', 'bigint'],
] as const;

/** Moves the counters of every touched account in one statement. */
export async function applyDeltas(tx: Tx, deltas: Deltas, accounts: Map<string, AccountRow>): Promise<void> {
  if (deltas.size === 0) return;
  // One JSON parameter (recordset.ts): a close of business may expire holds on thousands of accounts.
  const rows = [...deltas].map(([id, d]) => ({
    id,
    dp: d.debitsPending.toString(),
    dpo: d.debitsPosted.toString(),
    cp: d.creditsPending.toString(),
    cpo: d.creditsPosted.toString(),
  }));
  try {
    await sql`
      UPDATE ledger_accounts AS a SET
        debits_pending = a.debits_pending + d.dp,
        debits_posted = a.debits_posted + d.dpo,
        credits_pending = a.credits_pending + d.cp,
        credits_posted = a.credits_posted + d.cpo
      FROM ${recordset('d', DELTA_COLUMNS, rows)}
      WHERE a.id = d.id`.execute(tx);
  } catch (error) {
    throw mapLimitViolation(error, accounts) ?? error;
  }
}

/** A CHECK violation of the balance limits (SQLSTATE 23514) or an overflow (22003) as the ledger's 422; undefined for anything else. */
export function mapLimitViolation(error: unknown, accounts: Map<string, AccountRow>): AppError | undefined {
  const e = (error ?? {}) as PgError;
  if (e.code === '22003') {
    // An account without a limit is checked against an unlocked read: concurrent writers can together
    // pass 2^63-1, which only the update sees.
    return new AppError('balance_overflow', 422, "an account's totals would exceed 2^63-1", { cause: error });
  }
  if (e.code !== '23514') return undefined;
  const limit =
    e.constraint === LIMITS.debits.constraint
      ? 'debits'
      : e.constraint === LIMITS.credits.constraint
        ? 'credits'
        : undefined;
  if (!limit) return undefined;
  // "Failing row contains (acc_…, code, …)": the first column is the account id.
  const id = typeof e.detail === 'string' ? /\(([^,)]+)/.exec(e.detail)?.[1] : undefined;
  const account = (id ? accounts.get(id) : undefined) ?? { id: id ?? 'unknown', code: '?', currency: '' };
  const mapped = balanceLimitError(account, limit);
  return new AppError(mapped.code, mapped.status, mapped.message, {
    cause: error,
    ...(mapped.details ? { details: mapped.details } : {}),
  });
}
