import { sql } from 'kysely';
import { newId } from '../../core/ids.js';
import type { Tx } from '../../storage/schema.js';
import { appendAudit } from '../../storage/audit/audit-append.js';
import { evaluate, renderTemplate } from '../expressions.js';
import { consumeEvent, matchesFilter, toStoredEvent, type StoredEvent } from './event-matching.js';
import { startTriggeredInstance } from './triggered-start.js';
import type { InstanceContext, TokenWait } from './instance-run.js';
import { markDue } from './cancellation.js';
import type { EngineServices } from './services.js';
import { stringKey } from './values.js';
import { isFinished } from '../store/tables.js';

export interface PublishRequest {
  type: string;
  key?: string | null | undefined;
  data?: unknown;
  actor: string;
  requestId?: string | null;
}

export interface PublishResult {
  id: string;
  /** One entry per triggered workflow; `error` when the event could not start it (bad input for its schema). */
  started: Array<{ workflow: string; instanceId: string | null; created: boolean; error?: string }>;
  resumed: string[];
}

/**
 * Stores an event, starts the workflows it triggers and wakes the waits it matches — in the caller's
 * transaction, so an event from a change that rolls back neither starts nor wakes anything.
 */
export async function publishEventInTx(
  tx: Tx,
  services: EngineServices,
  request: PublishRequest,
): Promise<PublishResult> {
  const [result] = await publishEventsInTx(tx, services, [request]);
  return result!;
}

const INSERT_CHUNK = 1000;

/**
 * The batch form: events are inserted a thousand rows a statement, and the trigger and wait tables
 * are asked once for the whole batch, so a close-of-business run that emits thousands of events
 * pays per event only where a workflow actually listens.
 */
export async function publishEventsInTx(
  tx: Tx,
  services: EngineServices,
  requests: PublishRequest[],
): Promise<PublishResult[]> {
  if (requests.length === 0) return [];
  const now = services.clock.now();
  const events: StoredEvent[] = [];
  for (let i = 0; i < requests.length; i += INSERT_CHUNK) {
    const rows = await tx
      .insertInto('wf_events')
      .values(
        requests.slice(i, i + INSERT_CHUNK).map((request) => ({
          id: newId('evt', now.getTime()),
          type: request.type,
          key: request.key ?? null,
          data: JSON.stringify(request.data ?? {}),
          published_at: now,
          published_by: request.actor,
        })),
      )
      .returningAll()
      .execute();
    events.push(...rows.map(toStoredEvent));
  }
  notePublished(tx, events);
  for (const listener of services.eventListeners) await listener(tx, events);
  const { triggers, awaited } = await listeners(tx, [...new Set(events.map((e) => e.type))]);
  const results: PublishResult[] = [];
  for (const [index, event] of events.entries()) {
    const request = requests[index]!;
    const eventTriggers = triggers.filter((t) => t.event_type === event.type);
    const started = eventTriggers.length > 0 ? await startTriggered(tx, services, event, request, eventTriggers) : [];
    const resumed = awaited.has(event.type) ? await wakeWaits(tx, event, now) : [];
    results.push({ id: event.id, started, resumed });
  }
  return results;
}

interface TriggerRow {
  event_type: string;
  workflow_key: string;
  trigger_index: number;
  /** The workflow's latest version, read with the trigger. */
  version: number;
}

/**
 * Who listens to these event types: the workflows they start (in workflow and trigger order) and the
 * types some token waits for — both in one round trip, for the whole batch.
 */
async function listeners(tx: Tx, types: string[]): Promise<{ triggers: TriggerRow[]; awaited: Set<string> }> {
  const { rows } = await sql<{ triggers: TriggerRow[] | null; awaited: string[] | null }>`
    select (select json_agg(json_build_object('event_type', event_type, 'workflow_key', workflow_key,
                                              'trigger_index', trigger_index,
                                              'version', (select max(d.version) from wf_definitions d where d.key = t.workflow_key))
                             order by workflow_key, trigger_index)
            from wf_event_triggers t where event_type = any(${types})) as triggers,
           (select json_agg(distinct wait_event_type) from wf_tokens
            where status = 'waiting' and wait_event_type = any(${types})) as awaited`.execute(tx);
  return { triggers: rows[0]?.triggers ?? [], awaited: new Set(rows[0]?.awaited ?? []) };
}

async function startTriggered(
  tx: Tx,
  services: EngineServices,
  event: StoredEvent,
  request: PublishRequest,
  triggers: TriggerRow[],
) {
  const started: PublishResult['started'] = [];
  for (const t of triggers) {
    const deployed = await services.definitions.get(tx, t.workflow_key, t.version);
    const trigger = deployed.definition.triggers[t.trigger_index];
    if (!trigger || !('event' in trigger)) continue;
    const scope = { event };
    if (trigger.filter && !matchesFilter(trigger.filter, scope)) continue;
    const instance = await startTriggeredInstance(tx, services, {
      workflowKey: t.workflow_key,
      trigger: `event ${event.type} (${event.id})`,
      actor: request.actor,
      requestId: request.requestId ?? null,
      latestVersion: t.version,
      prepare: () => ({
        input: trigger.input === undefined ? event.data : renderTemplate(trigger.input, scope),
        correlationKey: trigger.correlationKey ? stringKey(evaluate(trigger.correlationKey, scope)) : null,
      }),
    });
    started.push(
      'error' in instance
        ? { workflow: t.workflow_key, instanceId: null, created: false, error: instance.error }
        : { workflow: t.workflow_key, instanceId: instance.id, created: instance.created },
    );
  }
  return started;
}

/**
 * Wakes the tokens waiting for this event type with this key (or with no key). Instances are locked
 * in id order, the same order every publisher uses, so two publishers cannot deadlock on them.
 */
async function wakeWaits(tx: Tx, event: StoredEvent, now: Date, onlyInstance?: string): Promise<string[]> {
  const candidates = await tx
    .selectFrom('wf_tokens')
    .select(['id', 'instance_id'])
    .where('status', '=', 'waiting')
    .$if(onlyInstance !== undefined, (q) => q.where('instance_id', '=', onlyInstance!))
    .where('wait_event_type', '=', event.type)
    .where((eb) =>
      event.key === null
        ? eb('wait_event_key', 'is', null)
        : eb.or([eb('wait_event_key', '=', event.key), eb('wait_event_key', 'is', null)]),
    )
    .orderBy('instance_id')
    .orderBy('id')
    .execute();
  const resumed: string[] = [];
  for (const candidate of candidates) {
    const instance = await tx
      .selectFrom('wf_instances')
      .select(['id', 'status', 'context'])
      .where('id', '=', candidate.instance_id)
      .forUpdate()
      .executeTakeFirst();
    if (!instance || isFinished(instance.status)) continue;
    // Re-read under the instance lock: a worker may have timed the wait out meanwhile.
    const token = await tx
      .selectFrom('wf_tokens')
      .selectAll()
      .where('id', '=', candidate.id)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    if (!token) continue;
    const wait = token.wait as TokenWait;
    if (wait.filter && !matchesFilter(wait.filter, { ...(instance.context as InstanceContext), event })) continue;
    await consumeEvent(tx, instance.id, event.id, token.step_id);
    await tx
      .updateTable('wf_tokens')
      .set({
        status: 'ready',
        run_at: now,
        wait: JSON.stringify({ ...wait, resumed: event }),
        wait_event_type: null,
        wait_event_key: null,
        updated_at: now,
      })
      .where('id', '=', token.id)
      .execute();
    await markDue(tx, instance.id, now);
    noteResumed(tx, instance.id);
    resumed.push(instance.id);
  }
  return resumed;
}

/**
 * Instances whose waits an event woke, per transaction. A step's action may publish (through a
 * domain's unit of work) an event that wakes another branch of the very instance the worker is
 * running; the worker's own write of that instance would then not know the branch is due. It asks
 * here after writing, and marks the instance due again.
 */
const resumedInTx = new WeakMap<object, Set<string>>();

function noteResumed(tx: Tx, instanceId: string): void {
  let set = resumedInTx.get(tx);
  if (!set) resumedInTx.set(tx, (set = new Set()));
  set.add(instanceId);
}

/** Whether an event published in this transaction woke a wait of the instance (and forgets it). */
export function takeResumed(tx: Tx, instanceId: string): boolean {
  return resumedInTx.get(tx)?.delete(instanceId) ?? false;
}

/**
 * Events published in a transaction, in order, until a worker takes them. A step's action that
 * publishes through a domain's unit of work does so at once, while the waits its own run began
 * earlier (another branch reached a waitFor) are written only when the run ends: the event found
 * no such wait. The worker takes the events its run published and, after writing the run, offers
 * them to that instance's waits (offerToOwnWaits).
 */
const publishedInTx = new WeakMap<object, StoredEvent[]>();

function notePublished(tx: Tx, events: StoredEvent[]): void {
  const list = publishedInTx.get(tx);
  if (list) list.push(...events);
  else publishedInTx.set(tx, [...events]);
}

/** The events published in this transaction since the last take. */
export function takePublished(tx: Tx): StoredEvent[] {
  const list = publishedInTx.get(tx) ?? [];
  publishedInTx.delete(tx);
  return list;
}

/** Wakes the instance's waits that the events match (see takePublished); returns whether any woke. */
export async function offerToOwnWaits(tx: Tx, instanceId: string, events: StoredEvent[], now: Date): Promise<boolean> {
  // An event the run already took (a wait that began after it was published finds it buffered) is
  // not offered again: each event is taken at most once per instance.
  const taken = new Set(
    (
      await tx
        .selectFrom('wf_event_consumptions')
        .select('event_id')
        .where('instance_id', '=', instanceId)
        .where('event_id', '=', sql<string>`any(${events.map((e) => e.id)}::text[])`)
        .execute()
    ).map((r) => r.event_id),
  );
  let woke = false;
  for (const event of events.filter((e) => !taken.has(e.id))) {
    if ((await wakeWaits(tx, event, now, instanceId)).length > 0) woke = true;
  }
  takeResumed(tx, instanceId);
  return woke;
}

/**
 * Publishes an event from outside and audits it (`event.published`: type, key, the instances it
 * started and woke). The data stays in the event's own row, not in the audit log.
 */
export async function publishAuditedInTx(tx: Tx, services: EngineServices, request: PublishRequest) {
  const result = await publishEventInTx(tx, services, request);
  await appendAudit(
    tx,
    {
      actor: request.actor,
      action: 'event.published',
      entityType: 'event',
      entityId: result.id,
      after: {
        type: request.type,
        key: request.key ?? null,
        started: result.started.map((s) => s.instanceId).filter((id) => id !== null),
        resumed: result.resumed,
      },
      requestId: request.requestId ?? null,
    },
    services.clock,
  );
  return result;
}
