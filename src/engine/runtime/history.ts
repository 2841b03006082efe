import type { Tx } from '../../storage/schema.js';
import '../store/tables.js';

/**
 * A timeline row about the instance as a whole (started, cancelled, retried, failed by the engine…),
 * written by whoever changes it, in the same transaction. Step rows come from InstanceRun.flush().
 */
export async function recordInstanceEvent(
  tx: Tx,
  entry: { instanceId: string; event: string; at: Date; actor: string; data: unknown },
): Promise<void> {
  await tx
    .insertInto('wf_history')
    .values({
      instance_id: entry.instanceId,
      token_id: null,
      step_id: null,
      step_type: null,
      event: entry.event,
      attempt: null,
      at: entry.at,
      actor: entry.actor,
      data: JSON.stringify(entry.data),
    })
    .execute();
}
