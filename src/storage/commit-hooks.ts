import type { Tx } from './schema.js';

// Work that must run as the last statements of a transaction, just before COMMIT, and what a
// transaction tells its opener to do once it has committed. The audit chain uses both: a
// transaction's audit rows are collected while it runs and inserted in one statement at its end;
// after the commit, the process's sealer links them into the hash chain (audit/audit-seal.ts).
// The ledger holds its balance moves the same way (domains/ledger/balance-batch.ts), so the accounts
// every payment shares are locked only for the moment of the commit.

type Hook = () => Promise<void>;

/**
 * Writes a transaction collects while it runs and makes as its last statements (heldUntilCommit).
 * A savepoint's caller marks them before and takes back what came after, when it rolls back.
 */
export interface HeldWrites {
  mark(): number;
  rollbackTo(mark: number): void;
  flush(tx: Tx): Promise<void>;
}

/** Where each of a transaction's held writes stood (heldMark), to roll back to. */
export type HeldMark = ReadonlyMap<string, number>;

interface TransactionHooks {
  beforeCommit: Map<string, Hook>;
  held: Map<string, HeldWrites>;
  /** Names the opener acts on after COMMIT (Database.transaction(): "audit" pokes the sealer). */
  committed: Set<string>;
}

const hooksOf = new WeakMap<Tx, TransactionHooks>();

/**
 * Database.transaction() opens every transaction through here; a joined transaction shares its hooks.
 * `committed` collects the signals raised in the transaction, for the opener to act on after COMMIT.
 */
export async function runWithCommitHooks<T>(tx: Tx, work: (tx: Tx) => Promise<T>, committed: Set<string>): Promise<T> {
  const hooks: TransactionHooks = { beforeCommit: new Map(), held: new Map(), committed };
  hooksOf.set(tx, hooks);
  try {
    const value = await work(tx);
    // A hook may register another (an audit row written by a hook's own work): run until none is left.
    while (hooks.beforeCommit.size > 0) {
      const [name, hook] = hooks.beforeCommit.entries().next().value as [string, Hook];
      hooks.beforeCommit.delete(name);
      await hook();
    }
    return value;
  } finally {
    hooksOf.delete(tx);
  }
}

/**
 * Runs `hook` once just before `tx` commits (one hook per name: registering a name again keeps the
 * first). Returns false when `tx` was not opened by Database.transaction() — then the caller must do
 * its work at once.
 */
export function beforeCommit(tx: Tx, name: string, hook: Hook): boolean {
  const hooks = hooksOf.get(tx);
  if (!hooks) return false;
  if (!hooks.beforeCommit.has(name)) hooks.beforeCommit.set(name, hook);
  return true;
}

/** Tells the opener of `tx` that `signal` is to be acted on once it commits (nothing if it rolls back). */
export function signalOnCommit(tx: Tx, signal: string): void {
  hooksOf.get(tx)?.committed.add(signal);
}

/**
 * The transaction's holder of writes named `name`, created on first use and flushed just before
 * COMMIT; undefined when `tx` was not opened by Database.transaction() (the caller then writes at once).
 */
export function heldUntilCommit<T extends HeldWrites>(tx: Tx, name: string, create: () => T): T | undefined {
  const hooks = hooksOf.get(tx);
  if (!hooks) return undefined;
  let holder = hooks.held.get(name);
  if (!holder) {
    const created = create();
    hooks.held.set(name, created);
    hooks.beforeCommit.set(name, () => {
      hooks.held.delete(name); // a later use (by another hook) starts a holder of its own
      return created.flush(tx);
    });
    holder = created;
  }
  return holder as T;
}

/** Where every held write of `tx` stands: take it before a savepoint. */
export function heldMark(tx: Tx): HeldMark {
  const hooks = hooksOf.get(tx);
  return new Map([...(hooks?.held ?? [])].map(([name, holder]) => [name, holder.mark()]));
}

/** After `rollback to savepoint`: takes back the held writes made since `mark`, as the rollback did the rest. */
export function rollbackHeld(tx: Tx, mark: HeldMark): void {
  for (const [name, holder] of hooksOf.get(tx)?.held ?? []) holder.rollbackTo(mark.get(name) ?? 0);
}
