import type { Selectable } from 'kysely';
import { conflict, notFound } from '../../../core/errors.js';
import type { DomainWork } from '../../unit-of-work.js';
import type { Queryable } from '../../../storage/schema.js';
import type { DeliveryStatus, WebhookAttemptsTable, WebhookDeliveriesTable } from './tables.js';
import './tables.js';

/** Reading deliveries and their attempts, and replaying one. */

type Row = Selectable<WebhookDeliveriesTable>;

export interface Delivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  firstAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface Attempt {
  id: string;
  attemptedAt: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  responseBody: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toDelivery(row: Row): Delivery {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: iso(row.next_attempt_at),
    firstAttemptAt: iso(row.first_attempt_at),
    lastAttemptAt: iso(row.last_attempt_at),
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    deliveredAt: iso(row.delivered_at),
  };
}

function toAttempt(row: Selectable<WebhookAttemptsTable>): Attempt {
  return {
    id: row.id,
    attemptedAt: row.attempted_at.toISOString(),
    statusCode: row.status_code,
    error: row.error,
    durationMs: row.duration_ms,
    responseBody: row.response_body,
  };
}

/** Newest first; `after` is the last id of the previous page. */
export async function listDeliveries(
  db: Queryable,
  subscriptionId: string,
  options: { status?: DeliveryStatus | undefined; after?: string | undefined; limit: number },
): Promise<Delivery[]> {
  let query = db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('id', 'desc')
    .limit(options.limit);
  if (options.status) query = query.where('status', '=', options.status);
  if (options.after) query = query.where('id', '<', options.after);
  return (await query.execute()).map(toDelivery);
}

export async function getDelivery(
  db: Queryable,
  id: string,
): Promise<Delivery & { payload: unknown; attemptHistory: Attempt[] }> {
  const row = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('webhook delivery', id);
  const attempts = await db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', '=', id)
    .orderBy('attempted_at')
    .orderBy('id')
    .execute();
  return { ...toDelivery(row), payload: row.payload, attemptHistory: attempts.map(toAttempt) };
}

/**
 * Sends a delivered or dead delivery again, now, with the same webhook-id (receivers that already
 * processed it can drop it). It starts a new round: three more days of retries. A pending delivery
 * is refused — it is already on its way, and resetting it could race the attempt in flight.
 */
export async function replayDelivery(unit: DomainWork, id: string): Promise<Delivery> {
  const existing = await unit.tx
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
    .selectAll('d')
    .select('s.deleted_at as subscription_deleted_at')
    .where('d.id', '=', id)
    .forUpdate(['d'])
    .executeTakeFirst();
  if (!existing) throw notFound('webhook delivery', id);
  if (existing.subscription_deleted_at !== null) {
    throw conflict('subscription_deleted', `the subscription of delivery ${id} was deleted`);
  }
  if (existing.status === 'pending') {
    throw conflict('delivery_pending', `delivery ${id} is pending; it is retried at its nextAttemptAt`, {
      nextAttemptAt: iso(existing.next_attempt_at),
    });
  }
  const row = await unit.tx
    .updateTable('webhook_deliveries')
    .set({
      status: 'pending',
      attempts: 0,
      first_attempt_at: null,
      next_attempt_at: unit.clock.now(),
      delivered_at: null,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: 'webhook.delivery.replayed',
    entityType: 'webhook_delivery',
    entityId: id,
    before: { status: existing.status, attempts: existing.attempts },
    after: { status: row.status },
  });
  return toDelivery(row);
}
