import type { Tx } from '../../storage/schema.js';
import { publishEventInTx } from './publish-event.js';
import { InstanceRun, type InstanceRow } from './instance-run.js';
import type { EngineServices } from './services.js';
import { runToken } from './step-executor.js';
import '../store/tables.js';

/**
 * Claims one due instance and runs it until all its tokens wait (or the step budget is spent), in one
 * transaction. `FOR UPDATE SKIP LOCKED` lets any number of workers claim side by side without ever
 * taking the same instance. The row lock is the claim and the transaction its lease: a crashed
 * worker's connection drops and PostgreSQL rolls back and releases at once; a hung one is cut off by
 * the server's idle_in_transaction_session_timeout, which openDatabase() sets on every connection.
 * Returns the id of the instance it ran, or undefined when nothing was due.
 */
export async function claimAndRun(services: EngineServices): Promise<string | undefined> {
  const { database, clock } = services;
  return database.transaction(async (tx) => {
    const now = clock.now();
    const instance = await tx
      .selectFrom('wf_instances')
      .selectAll()
      .where('status', '=', 'running')
      .where('next_run_at', '<=', now)
      .orderBy('next_run_at')
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!instance) return undefined;
    await runInstance(tx, services, instance, now);
    return instance.id;
  });
}

export async function runInstance(tx: Tx, services: EngineServices, instance: InstanceRow, now: Date): Promise<void> {
  const definition = await services.definitions.get(tx, instance.workflow_key, instance.version);
  const run = await InstanceRun.load(tx, instance, definition, now);
  let budget = services.maxStepsPerTransaction;
  for (;;) {
    const due = run.dueTokens();
    if (due.length === 0 || budget <= 0 || run.instance.status !== 'running') break;
    for (const token of due) {
      if (run.instance.status !== 'running') break;
      if (token.status !== 'ready' && token.status !== 'waiting') continue;
      await runToken(services, run, token);
      budget -= 1;
    }
  }
  await run.flush();
  for (const event of run.pendingEvents) {
    await publishEventInTx(tx, services, { ...event, actor: `workflow:${instance.id}` });
  }
}
