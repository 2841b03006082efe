import type { Tx } from '../../storage/schema.js';
import type { DomainWork } from '../unit-of-work.js';
import { addDelta, applyDeltas, lockAccounts, type Deltas } from './ledger-balances.js';
import type { AccountRow } from './ledger-model.js';

/**
 * The balance moves of many journals in one transaction (a bulk sync of ten thousand payments),
 * written to the accounts once, just before the transaction commits.
 *
 * Why: PostgreSQL cannot prune a row version that its own open transaction replaced, so every
 * UPDATE of a row walks past all the versions the transaction left before it. The same few accounts
 * (cash and receivables per currency) updated once per payment made a sync of N payments cost N²;
 * at 10 000 rows it took minutes. Batched, each account is updated once per transaction.
 *
 * The batch keeps each account as it locked it, with the batch's own deltas added, so the
 * no-overdraft limits are checked against the true running balance, as they would be row by row.
 * A caller that rolls back to a savepoint (one failed row of a sync) rolls the batch back with it:
 * the deltas since the mark go, and so do the accounts first locked since then, whose locks the
 * database released.
 */
export class BalanceBatch {
  /** Accounts as locked, plus this batch's deltas; with the journal position that locked them. */
  readonly #accounts = new Map<string, { row: AccountRow; lockedAt: number }>();
  /** Every journal's deltas in order (for rollback), and their sum per account (for the write). */
  readonly #journal: Deltas[] = [];

  /** Locks the accounts not locked by this batch yet; returns every asked account as it stands in the batch. */
  async lock(tx: Tx, ids: Iterable<string>): Promise<Map<string, AccountRow>> {
    const wanted = [...new Set(ids)];
    const missing = wanted.filter((id) => !this.#accounts.has(id));
    if (missing.length > 0) {
      const locked = await lockAccounts(tx, missing);
      for (const [id, row] of locked) this.#accounts.set(id, { row: { ...row }, lockedAt: this.#journal.length });
    }
    const view = new Map<string, AccountRow>();
    for (const id of wanted) {
      const held = this.#accounts.get(id);
      if (held) view.set(id, held.row);
    }
    return view;
  }

  /** Adds a journal's deltas (already checked against `lock`'s rows). */
  add(deltas: Deltas): void {
    this.#journal.push(deltas);
    this.#move(deltas, 1n);
  }

  mark(): number {
    return this.#journal.length;
  }

  rollbackTo(mark: number): void {
    for (const deltas of this.#journal.splice(mark).reverse()) this.#move(deltas, -1n);
    for (const [id, held] of this.#accounts) if (held.lockedAt >= mark) this.#accounts.delete(id);
  }

  /** Writes the sum of the deltas: one UPDATE for every account touched. */
  async flush(tx: Tx): Promise<void> {
    const total: Deltas = new Map();
    for (const deltas of this.#journal.splice(0)) {
      for (const [id, d] of deltas) {
        addDelta(total, id, 'debit', 'pending', d.debitsPending);
        addDelta(total, id, 'debit', 'posted', d.debitsPosted);
        addDelta(total, id, 'credit', 'pending', d.creditsPending);
        addDelta(total, id, 'credit', 'posted', d.creditsPosted);
      }
    }
    const rows = new Map([...this.#accounts].map(([id, held]) => [id, held.row]));
    this.#accounts.clear();
    await applyDeltas(tx, total, rows);
  }

  #move(deltas: Deltas, sign: 1n | -1n): void {
    for (const [id, d] of deltas) {
      const held = this.#accounts.get(id);
      if (!held) throw new Error(`account ${id} moved without being locked by the batch`);
      const row = held.row;
      row.debits_pending = BigInt(row.debits_pending) + sign * d.debitsPending;
      row.debits_posted = BigInt(row.debits_posted) + sign * d.debitsPosted;
      row.credits_pending = BigInt(row.credits_pending) + sign * d.creditsPending;
      row.credits_posted = BigInt(row.credits_posted) + sign * d.creditsPosted;
    }
  }
}

/** The unit's batch of balance moves: one per unit of work, flushed by it before the audit rows. */
const balancesOf = (unit: DomainWork) => unit.deferred('ledger.balances', () => new BalanceBatch());

/**
 * Locks accounts for a ledger write, through the unit (see DomainWork) and its batch; returns each asked account as it stands with the unit's moves so far.
 */
export function lockBalances(unit: DomainWork, ids: Iterable<string>): Promise<Map<string, AccountRow>> {
  return unit.lockRows((tx) => balancesOf(unit).lock(tx, ids));
}

/** Moves balances of accounts locked by `lockBalances`: written when the unit flushes, before commit. */
export function moveBalances(unit: DomainWork, deltas: Deltas): void {
  balancesOf(unit).add(deltas);
}

/**
 * Moves balances of accounts locked by `lockBalances` from inside `work`, all or none: when `work`
 * throws (a limit refused the third of several journals, an insert failed), the moves it made are
 * taken back before the error goes on, so the unit writes none of them.
 */
export async function movingBalances<T>(unit: DomainWork, work: (move: (deltas: Deltas) => void) => Promise<T>) {
  const batch = balancesOf(unit);
  const mark = batch.mark();
  try {
    return await work((deltas) => batch.add(deltas));
  } catch (error) {
    batch.rollbackTo(mark);
    throw error;
  }
}
