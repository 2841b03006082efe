import type { Tx } from '../../storage/schema.js';
import type { DomainWork } from '../unit-of-work.js';
import type { HeldWrites } from '../../storage/commit-hooks.js';
import { addDelta, applyDeltas, hasLimit, lockAccounts, readAccounts, type Deltas } from './ledger-balances.js';
import type { AccountRow } from './ledger-model.js';

/**
 * The balance moves of a transaction's journals — one payment's hold, or ten thousand payments of a
 * bulk sync, or the holds of the sixteen approvals a worker's transaction carries — written to the
 * accounts once, as the transaction's last statements before COMMIT (storage/commit-hooks.ts).
 *
 * Why once: PostgreSQL cannot prune a row version that its own open transaction replaced, so every
 * UPDATE of a row walks past all the versions the transaction left before it. The same few accounts
 * (cash and receivables per currency) updated once per payment made a sync of N payments cost N²;
 * at 10 000 rows it took minutes. Batched, each account is updated once per transaction.
 *
 * Why at the commit, and locked only then: an account with a no-overdraft limit must be locked
 * before its limit is checked, and stays locked to the commit. Every other account — the clearing
 * account every outgoing payment debits, a bank account's cash — has nothing to check against its
 * balance: its four counters only need adding to, which the commit's UPDATE does under its own row
 * lock. Locking such an account at the first write, as every account once was, held it through the
 * rest of the transaction, so every approval of every worker waited in line for the one before.
 * Now it is read without a lock, and locked in id order by the commit's update (flush), when the
 * transaction has nothing left to wait for: no transaction holding it waits on anything but
 * another such account, later in id order, so there is no deadlock. What the account locks used to
 * serialise besides the balances — two writers of the same transfer — is held by the rows it is
 * about: the pending or reversed transfer is locked (pending.ts, reversal.ts), a journal id by an
 * advisory lock (journal.ts), and the unique indexes stay the last guard (a 409).
 *
 * The batch keeps each account as it read it, with the batch's own deltas added, so the
 * no-overdraft limits are checked against the true running balance, as they would be row by row.
 * A caller that rolls back to a savepoint (one failed row of a sync) rolls the batch back with it:
 * the deltas since the mark go, and so do the accounts first read since then (the locked ones'
 * locks the database released).
 */
export class BalanceBatch implements HeldWrites {
  /** Accounts as read (locked when `limited`), plus this batch's deltas; with the journal position that read them. */
  readonly #accounts = new Map<string, { row: AccountRow; lockedAt: number; limited: boolean }>();
  /** Every journal's deltas in order (for rollback), and their sum per account (for the write). */
  readonly #journal: Deltas[] = [];

  /**
   * Reads the accounts not read by this batch yet — locking those with a no-overdraft limit — and
   * returns every asked account as it stands in the batch.
   */
  async lock(tx: Tx, ids: Iterable<string>): Promise<Map<string, AccountRow>> {
    const wanted = [...new Set(ids)];
    const missing = wanted.filter((id) => !this.#accounts.has(id));
    if (missing.length > 0) {
      const read = await readAccounts(tx, missing);
      const limited = [...read.values()].filter(hasLimit).map((a) => a.id);
      // A limit's flags never change, so the unlocked read tells which accounts need the lock.
      for (const [id, row] of limited.length > 0 ? await lockAccounts(tx, limited) : []) read.set(id, row);
      for (const [id, row] of read) {
        this.#accounts.set(id, { row: { ...row }, lockedAt: this.#journal.length, limited: hasLimit(row) });
      }
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

  /** Writes the sum of the deltas: the accounts without a limit locked in id order, then one UPDATE for all. */
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
    const unlocked = [...total.keys()].filter((id) => !this.#accounts.get(id)?.limited);
    this.#accounts.clear();
    await lockAccounts(tx, unlocked); // in id order; nothing when there is nothing to lock
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

/** The transaction's batch of balance moves, written at its commit (DomainWork.heldUntilCommit). */
const balancesOf = (unit: DomainWork) => unit.heldUntilCommit('ledger.balances', () => new BalanceBatch());

/**
 * Reads accounts for a ledger write, through the unit (see DomainWork) and the transaction's batch,
 * locking those with a limit; returns each asked account as it stands with the transaction's moves so far.
 */
export function lockBalances(unit: DomainWork, ids: Iterable<string>): Promise<Map<string, AccountRow>> {
  return unit.lockRows((tx) => balancesOf(unit).lock(tx, ids));
}

/** Moves balances of accounts read by `lockBalances`: written just before the transaction commits. */
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
