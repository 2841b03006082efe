import { newId } from '../../../core/ids.js';
import type { StoredEvent } from '../../../engine/index.js';
import type { Tx } from '../../../storage/schema.js';
import './tables.js';

/**
 * The transactional outbox: called by the engine inside the transaction that stores a batch of
 * events, it writes one delivery row per (event, matching subscription). The rows commit with the
 * event and the change that caused it, or roll back with them; the dispatcher only ever sends what
 * committed. One subscription query per batch, one insert per thousand rows.
 */

const INSERT_CHUNK = 1000;

/** `*` matches everything, `receivable.*` every type under `receivable.`, anything else itself. */
export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/** The Standard Webhooks envelope (`type`, `timestamp`, `data`) plus the event's key and id. */
export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
  key: string | null;
  eventId: string;
}

export function payloadOf(event: StoredEvent): WebhookPayload {
  const data = event.data;
  return {
    type: event.type,
    timestamp: event.publishedAt,
    // The spec wants an object; an event published with a scalar or array carries it as `value`.
    data:
      data !== null && typeof data === 'object' && !Array.isArray(data)
        ? (data as Record<string, unknown>)
        : { value: data },
    key: event.key,
    eventId: event.id,
  };
}

/**
 * The body as sent. jsonb gives keys back in its own order, so the envelope is rebuilt in a fixed
 * order: every retry and replay of a delivery sends the same bytes.
 */
export function bodyOf(payload: WebhookPayload): string {
  return JSON.stringify({
    type: payload.type,
    timestamp: payload.timestamp,
    data: payload.data,
    key: payload.key,
    eventId: payload.eventId,
  });
}

/** Returns how many deliveries it queued. */
export async function writeOutbox(tx: Tx, events: StoredEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const subscriptions = await tx
    .selectFrom('webhook_subscriptions')
    .select(['id', 'event_types'])
    .where('active', '=', true)
    .where('deleted_at', 'is', null)
    .execute();
  if (subscriptions.length === 0) return 0;
  const rows = [];
  for (const event of events) {
    const at = new Date(event.publishedAt);
    for (const subscription of subscriptions) {
      if (!matchesEventType(subscription.event_types as string[], event.type)) continue;
      rows.push({
        id: newId('msg', at.getTime()),
        subscription_id: subscription.id,
        event_id: event.id,
        event_type: event.type,
        payload: JSON.stringify(payloadOf(event)),
        status: 'pending' as const,
        next_attempt_at: at,
        created_at: at,
      });
    }
  }
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  }
  return rows.length;
}
