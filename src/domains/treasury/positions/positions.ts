import { sql } from 'kysely';
import { balanceOf } from '../../ledger/ledger-model.js';
import type { NormalSide } from '../../ledger/tables.js';
import { HELD } from '../../payments/instructions.js';
import type { Queryable } from '../../../storage/schema.js';
import { latestStatementLateral } from './latest-statement.js';

/**
 * Positions: per bank account, what the bank says (the latest statement's closing balance) beside
 * what the books say (the ledger balance of the account's cash account), and the value-dated
 * (forward) balance — the statement balance less the payments already committed to leave (approved
 * up to accepted by the bank, not settled yet) with a value date up to `asOf`. The central position
 * sums them per currency. Read in one statement; amounts are signed minor units.
 */

/**
 * Payments committed to leave the account that the bank has not booked yet (settlement comes from
 * statements): the statuses whose amount the payments domain holds on the ledger, the same list.
 */
const UNSETTLED_COMMITTED = HELD;

export interface PositionFilter {
  asOf: string;
  currency?: string | undefined;
  bankAccountId?: string | undefined;
}

export interface AccountPosition {
  bankAccountId: string;
  name: string;
  currency: string;
  status: string;
  /** The latest statement with a closing balance, null when none was imported. */
  statementBalance: string | null;
  statementDate: string | null;
  statementId: string | null;
  ledgerAccount: string;
  /** Posted balance of the cash account on its normal side (a debit-normal cash account: debits − credits). */
  ledgerBalance: string;
  /** The ledger balance less the holds against it (approved payments hold theirs as pending credits). */
  ledgerAvailable: string;
  /** statementBalance − ledgerBalance; null without a statement. */
  difference: string | null;
  /** Committed, unsettled payments with a value date up to asOf. */
  unsettledOutflows: string;
  unsettledPayments: number;
  /** statementBalance − unsettledOutflows (0 taken for a missing statement balance). */
  forwardBalance: string;
}

export interface CurrencyPosition {
  currency: string;
  accounts: number;
  accountsWithoutStatement: number;
  statementBalance: string;
  ledgerBalance: string;
  difference: string;
  unsettledOutflows: string;
  forwardBalance: string;
}

export interface Positions {
  asOf: string;
  accounts: AccountPosition[];
  central: CurrencyPosition[];
}

interface Row {
  id: string;
  name: string;
  currency: string;
  status: string;
  ledger_account: string;
  statement_id: string | null;
  closing_balance: string | null;
  closing_date: string | null;
  normal_side: NormalSide;
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
  unsettled: string;
  unsettled_count: number;
}

export async function readPositions(db: Queryable, filter: PositionFilter): Promise<Positions> {
  const committed = sql.join(UNSETTLED_COMMITTED.map((s) => sql.lit(s)));
  const { rows } = await sql<Row>`
    SELECT a.id, a.name, a.currency, a.status, a.ledger_account,
      s.id AS statement_id, s.closing_balance::text AS closing_balance, s.closing_date::text AS closing_date,
      l.normal_side, l.debits_posted::text AS debits_posted, l.credits_posted::text AS credits_posted,
      l.debits_pending::text AS debits_pending, l.credits_pending::text AS credits_pending,
      coalesce(p.amount, 0)::text AS unsettled, coalesce(p.n, 0)::int AS unsettled_count
    FROM bank_accounts a
    JOIN ledger_accounts l ON l.id = a.ledger_account_id
    LEFT JOIN ${latestStatementLateral(sql.ref('a.id'))} s ON true
    LEFT JOIN (
      SELECT bank_account_id, sum(amount) AS amount, count(*) AS n FROM payment_instructions
      WHERE status IN (${committed}) AND requested_execution_date <= ${filter.asOf}::date
      GROUP BY bank_account_id
    ) p ON p.bank_account_id = a.id
    WHERE a.status = 'active'
      ${filter.currency ? sql`AND a.currency = ${filter.currency}` : sql``}
      ${filter.bankAccountId ? sql`AND a.id = ${filter.bankAccountId}` : sql``}
    ORDER BY a.currency, a.id`.execute(db);

  const accounts = rows.map((r): AccountPosition => {
    const statement = r.closing_balance === null ? null : BigInt(r.closing_balance);
    const { balance: ledger, available } = balanceOf(r.normal_side, {
      debitsPosted: BigInt(r.debits_posted),
      creditsPosted: BigInt(r.credits_posted),
      debitsPending: BigInt(r.debits_pending),
      creditsPending: BigInt(r.credits_pending),
    });
    const unsettled = BigInt(r.unsettled);
    return {
      bankAccountId: r.id,
      name: r.name,
      currency: r.currency,
      status: r.status,
      statementBalance: statement === null ? null : statement.toString(),
      statementDate: r.closing_date,
      statementId: r.statement_id,
      ledgerAccount: r.ledger_account,
      ledgerBalance: ledger.toString(),
      ledgerAvailable: available.toString(),
      difference: statement === null ? null : (statement - ledger).toString(),
      unsettledOutflows: unsettled.toString(),
      unsettledPayments: Number(r.unsettled_count),
      forwardBalance: ((statement ?? 0n) - unsettled).toString(),
    };
  });
  return { asOf: filter.asOf, accounts, central: centralPositions(accounts) };
}

/** Sums per currency; an account without a statement counts 0 for the statement side (and is counted). */
export function centralPositions(accounts: AccountPosition[]): CurrencyPosition[] {
  const sums = new Map<
    string,
    {
      accounts: number;
      missing: number;
      statement: bigint;
      ledger: bigint;
      diff: bigint;
      unsettled: bigint;
      forward: bigint;
    }
  >();
  for (const a of accounts) {
    const s = sums.get(a.currency) ?? {
      accounts: 0,
      missing: 0,
      statement: 0n,
      ledger: 0n,
      diff: 0n,
      unsettled: 0n,
      forward: 0n,
    };
    s.accounts += 1;
    if (a.statementBalance === null) s.missing += 1;
    s.statement += BigInt(a.statementBalance ?? 0);
    s.ledger += BigInt(a.ledgerBalance);
    s.diff += BigInt(a.difference ?? 0);
    s.unsettled += BigInt(a.unsettledOutflows);
    s.forward += BigInt(a.forwardBalance);
    sums.set(a.currency, s);
  }
  return [...sums].map(([currency, s]) => ({
    currency,
    accounts: s.accounts,
    accountsWithoutStatement: s.missing,
    statementBalance: s.statement.toString(),
    ledgerBalance: s.ledger.toString(),
    difference: s.diff.toString(),
    unsettledOutflows: s.unsettled.toString(),
    forwardBalance: s.forward.toString(),
  }));
}
