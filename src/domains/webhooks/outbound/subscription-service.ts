import type { Selectable } from 'kysely';
import { notFound, validationError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import type { DomainWork } from '../../unit-of-work.js';
import { displayUrl, OutboundRefused, type OutboundPolicy } from '../../../net/outbound-policy.js';
import type { Queryable, Tx } from '../../../storage/schema.js';
import { generateSecret } from './signing.js';
import type { WebhookSubscriptionsTable } from './tables.js';
import type { SubscriptionCreate, SubscriptionPatch } from './webhook-input.js';
import './tables.js';

/** Webhook subscriptions: create, read, change (and rotate the secret), delete. */

/** How long the old secret keeps signing after a rotation, so receivers can switch without a gap. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

type Row = Selectable<WebhookSubscriptionsTable>;

export interface Subscription {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  active: boolean;
  /** After a rotation: until when the previous secret also signs. */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/** Never carries the secret: this is what lists, reads and audit rows show. */
export function toSubscription(row: Row): Subscription {
  return {
    id: row.id,
    // A URL stored before credentials were refused still never shows them.
    url: displayUrl(row.url),
    eventTypes: row.event_types as string[],
    description: row.description,
    active: row.active,
    previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}

async function findRow(db: Queryable | Tx, id: string, lock = false): Promise<Row> {
  let query = db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).where('deleted_at', 'is', null);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('webhook subscription', id);
  return row;
}

export async function getSubscription(db: Queryable, id: string): Promise<Subscription> {
  return toSubscription(await findRow(db, id));
}

export async function getSubscriptionSecret(db: Queryable, id: string): Promise<string> {
  return (await findRow(db, id)).secret;
}

/** Live subscriptions oldest first (ids sort by creation), a page at a time on the primary key. */
export async function listSubscriptions(
  db: Queryable,
  page: { after?: string | undefined; limit: number },
): Promise<Subscription[]> {
  let query = db
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .limit(page.limit);
  if (page.after !== undefined) query = query.where('id', '>', page.after);
  return (await query.execute()).map(toSubscription);
}

/**
 * The outbound URL policy's registration check (scheme, credentials, a public host or one the
 * outboundAllow setting lists): a refusal is a 400 naming `field`. Run before the transaction opens,
 * as it may wait for DNS.
 */
export async function checkSubscriptionUrl(policy: OutboundPolicy, url: string, field = 'body.url'): Promise<void> {
  try {
    await policy.check(url);
  } catch (error) {
    if (error instanceof OutboundRefused) throw validationError([{ field, message: error.message }]);
    throw error;
  }
}

export async function createSubscription(
  unit: DomainWork,
  input: SubscriptionCreate,
): Promise<Subscription & { secret: string }> {
  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('webhook_subscriptions')
    .values({
      id: newId('wh', now.getTime()),
      url: input.url,
      event_types: JSON.stringify(input.eventTypes),
      secret: input.secret ?? generateSecret(),
      description: input.description ?? null,
      active: input.active ?? true,
      created_at: now,
      created_by: unit.actor,
      updated_at: now,
      updated_by: unit.actor,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const subscription = toSubscription(row);
  unit.audit({
    action: 'webhook.subscription.created',
    entityType: 'webhook_subscription',
    entityId: row.id,
    after: subscription,
  });
  return { ...subscription, secret: row.secret };
}

/** Returns the new secret only when this change rotated it. */
export async function updateSubscription(
  unit: DomainWork,
  id: string,
  patch: SubscriptionPatch,
): Promise<Subscription & { secret?: string }> {
  const existing = await findRow(unit.tx, id, true);
  const now = unit.clock.now();
  const rotate = patch.rotateSecret === true || patch.secret !== undefined;
  const secret = rotate ? (patch.secret ?? generateSecret()) : undefined;
  const row = await unit.tx
    .updateTable('webhook_subscriptions')
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.eventTypes !== undefined ? { event_types: JSON.stringify(patch.eventTypes) } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      ...(secret !== undefined
        ? {
            secret,
            previous_secret: existing.secret,
            previous_secret_expires_at: new Date(now.getTime() + ROTATION_OVERLAP_MS),
          }
        : {}),
      updated_at: now,
      updated_by: unit.actor,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const subscription = toSubscription(row);
  unit.audit({
    action: 'webhook.subscription.updated',
    entityType: 'webhook_subscription',
    entityId: id,
    before: toSubscription(existing),
    after: { ...subscription, ...(rotate ? { secretRotated: true } : {}) },
  });
  return secret !== undefined ? { ...subscription, secret } : subscription;
}

/**
 * Soft delete, so its deliveries stay readable. Its pending deliveries become dead ("subscription
 * deleted") in the same transaction: nothing more is sent to a subscription that is gone.
 */
export async function deleteSubscription(unit: DomainWork, id: string): Promise<void> {
  const existing = await findRow(unit.tx, id, true);
  const now = unit.clock.now();
  await unit.tx
    .updateTable('webhook_subscriptions')
    .set({ deleted_at: now, active: false, updated_at: now, updated_by: unit.actor })
    .where('id', '=', id)
    .execute();
  const dropped = await unit.tx
    .updateTable('webhook_deliveries')
    .set({ status: 'dead', next_attempt_at: null, last_error: 'subscription deleted' })
    .where('subscription_id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  unit.audit({
    action: 'webhook.subscription.deleted',
    entityType: 'webhook_subscription',
    entityId: id,
    before: toSubscription(existing),
    after: { pendingDeliveriesDropped: Number(dropped.numUpdatedRows) },
  });
}

/** Deliveries stay readable after their subscription is deleted; 404 only for an id never created. */
export async function assertSubscriptionExisted(db: Queryable, id: string): Promise<void> {
  const row = await db.selectFrom('webhook_subscriptions').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('webhook subscription', id);
}
