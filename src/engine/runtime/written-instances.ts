import type { Tx } from '../../storage/schema.js';

// Which instances a transaction has written outside their own run (woken, cancelled, resumed by a
// child, moved by an operator). A worker batch reads all its claimed instances in one query; an
// instance an earlier run of the batch wrote meanwhile is read again before it runs (process-instance.ts).

const writtenIn = new WeakMap<Tx, Set<string>>();

/** Every write to an instance or its tokens other than the instance's own run (InstanceRun.flush) calls this. */
export function noteInstanceWritten(tx: Tx, instanceId: string): void {
  let written = writtenIn.get(tx);
  if (!written) writtenIn.set(tx, (written = new Set()));
  written.add(instanceId);
}

export function wasInstanceWritten(tx: Tx, instanceId: string): boolean {
  return writtenIn.get(tx)?.has(instanceId) ?? false;
}
