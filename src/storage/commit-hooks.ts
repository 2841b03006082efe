import type { Tx } from './schema.js';

// Work that must run as the last statements of a transaction, just before COMMIT. The audit chain
// uses it: a transaction's audit rows are collected while it runs and appended in one statement at
// its end, so the chain's head — the one row every audited transaction locks — is held only for that
// statement and the commit, never while the transaction waits on Node, another lock or the network.

type Hook = () => Promise<void>;

const hooksOf = new WeakMap<Tx, Map<string, Hook>>();

/** Database.transaction() opens every transaction through here; a joined transaction shares its hooks. */
export async function runWithCommitHooks<T>(tx: Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  const hooks = new Map<string, Hook>();
  hooksOf.set(tx, hooks);
  try {
    const value = await work(tx);
    // A hook may register another (an audit row written by a hook's own work): run until none is left.
    while (hooks.size > 0) {
      const [name, hook] = hooks.entries().next().value as [string, Hook];
      hooks.delete(name);
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
  if (!hooks.has(name)) hooks.set(name, hook);
  return true;
}
