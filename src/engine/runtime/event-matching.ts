import type { Tx } from '../../storage/schema.js';
import type { WaitForStep } from '../definition/types.js';
import { evaluateCondition } from '../expressions.js';
import type { InstanceRun } from './instance-run.js';
import '../store/tables.js';

export interface StoredEvent {
  id: string;
  type: string;
  key: string | null;
  data: unknown;
  publishedAt: string;
}

/**
 * An event the instance has not consumed yet, published since it started, that a waitFor beginning
 * now would have matched. Without this an event published a moment before the wait began is lost.
 */
export async function findBufferedEvent(
  run: InstanceRun,
  step: WaitForStep,
  key: string | null,
): Promise<StoredEvent | undefined> {
  let query = run.tx
    .selectFrom('wf_events as e')
    .select(['e.id', 'e.type', 'e.key', 'e.data', 'e.published_at'])
    .where('e.type', '=', step.event)
    .where('e.published_at', '>=', run.instance.created_at)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('wf_event_consumptions as c')
            .select('c.event_id')
            .whereRef('c.event_id', '=', 'e.id')
            .where('c.instance_id', '=', run.instance.id),
        ),
      ),
    )
    .orderBy('e.published_at')
    .orderBy('e.id')
    .limit(50);
  if (key !== null) query = query.where('e.key', '=', key);
  for (const row of await query.execute()) {
    const event = toStoredEvent(row);
    if (!step.filter || matchesFilter(step.filter, { ...run.context, event })) return event;
  }
  return undefined;
}

/** Two branches of one instance may wait for the same event: both wake, the event is consumed once. */
export async function consumeEvent(tx: Tx, instanceId: string, eventId: string, stepId: string): Promise<void> {
  await tx
    .insertInto('wf_event_consumptions')
    .values({ instance_id: instanceId, event_id: eventId, step_id: stepId })
    .onConflict((oc) => oc.columns(['instance_id', 'event_id']).doNothing())
    .execute();
}

/** A filter that cannot be evaluated on an event's data does not match it; it never blocks a worker or a publisher. */
export function matchesFilter(filter: string, scope: unknown): boolean {
  try {
    return evaluateCondition(filter, scope);
  } catch {
    return false;
  }
}

export function toStoredEvent(row: {
  id: string;
  type: string;
  key: string | null;
  data: unknown;
  published_at: Date;
}): StoredEvent {
  return { id: row.id, type: row.type, key: row.key, data: row.data, publishedAt: row.published_at.toISOString() };
}
