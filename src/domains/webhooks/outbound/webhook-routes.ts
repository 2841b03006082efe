import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { rethrowInBody } from '../../../api/located.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { idempotent } from '../../../api/middleware/idempotency.js';
import {
  commonErrors,
  conflictError,
  idCursor,
  IdempotencyKeyHeader,
  idempotencyErrors,
  json,
  notFoundError,
  pageFrom,
  pageOf,
  pageQuery,
} from '../../../api/schemas.js';
import { inRequestUnit } from '../../unit-of-work.js';
import type { DomainContext } from '../../contract.js';
import { getDelivery, listDeliveries, replayDelivery } from './delivery-service.js';
import { outboundPolicy } from '../../../net/outbound-policy.js';
import {
  assertSubscriptionExisted,
  checkSubscriptionUrl,
  createSubscription,
  deleteSubscription,
  getSubscription,
  getSubscriptionSecret,
  listSubscriptions,
  updateSubscription,
} from './subscription-service.js';
import { DELIVERY_STATUSES } from './tables.js';
import { wakeDispatchers } from './wakeups.js';
import { SubscriptionCreateSchema, SubscriptionPatchSchema } from './webhook-input.js';

/**
 * /webhooks (subscriptions) and /webhook-deliveries (the outbox, its attempts, replay). See
 * docs/webhooks.md. The secret is shown on create and rotation, and on the admin-only /secret route.
 */

const SubscriptionSchema = z
  .object({
    id: z.string().openapi({ example: 'wh_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string().nullable(),
    active: z.boolean(),
    previousSecretExpiresAt: z
      .string()
      .nullable()
      .openapi({ description: 'After a rotation: until when the old secret also signs' }),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('WebhookSubscription');

const Secret = z.string().openapi({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });

const DeliverySchema = z
  .object({
    id: z.string().openapi({ description: 'The webhook-id header, the same on every retry and replay' }),
    subscriptionId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int().openapi({ description: 'Attempts in the current round (a replay starts a new one)' }),
    nextAttemptAt: z.string().nullable(),
    firstAttemptAt: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .openapi('WebhookDelivery');

const AttemptSchema = z.object({
  id: z.string(),
  attemptedAt: z.string(),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
  responseBody: z.string().nullable().openapi({ description: 'The first 1 KB of the response' }),
});

const manage = requirePermission('webhooks:manage');
const read = requirePermission('channels:read');
const IdParam = z.object({ id: z.string().min(1).max(100) });
const tags = ['webhooks'];

const createDef = createRoute({
  method: 'post',
  path: '/webhooks',
  tags,
  summary: 'Subscribe a URL to events',
  description: 'The response carries the signing secret; store it, it is not shown in reads.',
  middleware: [manage, idempotent()] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: {
      required: true,
      content: { 'application/json': { schema: SubscriptionCreateSchema.openapi('WebhookSubscriptionCreate') } },
    },
  },
  responses: {
    201: json(SubscriptionSchema.extend({ secret: Secret }), 'Created, with its secret'),
    ...commonErrors,
    ...idempotencyErrors,
  },
});

const listDef = createRoute({
  method: 'get',
  path: '/webhooks',
  tags,
  summary: 'List subscriptions, oldest first, with keyset paging',
  middleware: [read] as const,
  request: { query: z.object(pageQuery({ limit: 100, max: 1000, cursor: idCursor('wh') })) },
  responses: { 200: json(pageOf(SubscriptionSchema), 'A page of subscriptions'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/webhooks/{id}',
  tags,
  summary: 'A subscription (without its secret)',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(SubscriptionSchema, 'The subscription'), ...commonErrors, ...notFoundError },
});

const secretDef = createRoute({
  method: 'get',
  path: '/webhooks/{id}/secret',
  tags,
  summary: "A subscription's signing secret",
  middleware: [manage] as const,
  request: { params: IdParam },
  responses: { 200: json(z.object({ secret: Secret }), 'The secret'), ...commonErrors, ...notFoundError },
});

const patchDef = createRoute({
  method: 'patch',
  path: '/webhooks/{id}',
  tags,
  summary: 'Change a subscription, or rotate its secret',
  middleware: [manage] as const,
  request: {
    params: IdParam,
    body: {
      required: true,
      content: { 'application/json': { schema: SubscriptionPatchSchema.openapi('WebhookSubscriptionPatch') } },
    },
  },
  responses: {
    200: json(
      SubscriptionSchema.extend({ secret: Secret.optional().openapi({ description: 'Only when rotated' }) }),
      'The subscription after the change',
    ),
    ...commonErrors,
    ...notFoundError,
  },
});

const deleteDef = createRoute({
  method: 'delete',
  path: '/webhooks/{id}',
  tags,
  summary: 'Delete a subscription; its pending deliveries are not sent',
  middleware: [manage] as const,
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...commonErrors, ...notFoundError },
});

const deliveriesDef = createRoute({
  method: 'get',
  path: '/webhooks/{id}/deliveries',
  tags,
  summary: "A subscription's deliveries, newest first",
  middleware: [read] as const,
  request: {
    params: IdParam,
    query: z.object({
      status: z.enum(DELIVERY_STATUSES).optional(),
      ...pageQuery({ limit: 100, max: 1000 }),
    }),
  },
  responses: {
    200: json(pageOf(DeliverySchema), 'A page of deliveries'),
    ...commonErrors,
    ...notFoundError,
  },
});

const deliveryDef = createRoute({
  method: 'get',
  path: '/webhook-deliveries/{id}',
  tags,
  summary: 'A delivery with its payload and every attempt',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: {
    200: json(DeliverySchema.extend({ payload: z.unknown(), attemptHistory: z.array(AttemptSchema) }), 'The delivery'),
    ...commonErrors,
    ...notFoundError,
  },
});

const replayDef = createRoute({
  method: 'post',
  path: '/webhook-deliveries/{id}/replay',
  tags,
  summary: 'Send a delivered or dead delivery again, now',
  description: 'Same webhook-id and body; a new round of retries. 409 while it is still pending.',
  middleware: [manage, idempotent()] as const,
  request: { headers: IdempotencyKeyHeader, params: IdParam },
  responses: {
    202: json(DeliverySchema, 'Queued'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...idempotencyErrors,
  },
});

export function webhookRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      const outbound = outboundPolicy({ allow: context.config?.outboundAllow ?? [] });
      // The request's database (joined to the Idempotency-Key transaction when there is one) and caller.
      app.openapi(createDef, async (c) => {
        const body = c.req.valid('json');
        await checkSubscriptionUrl(outbound, body.url);
        const created = await inRequestUnit(context, c, (unit) => createSubscription(unit, body)).catch(rethrowInBody);
        return c.json(created, 201);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        return c.json(pageFrom(await listSubscriptions(c.var.database.db, q), q.limit), 200);
      });

      app.openapi(getDef, async (c) => c.json(await getSubscription(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(secretDef, async (c) =>
        c.json({ secret: await getSubscriptionSecret(c.var.database.db, c.req.valid('param').id) }, 200),
      );

      app.openapi(patchDef, async (c) => {
        const { id } = c.req.valid('param');
        const patch = c.req.valid('json');
        if (patch.url !== undefined) await checkSubscriptionUrl(outbound, patch.url);
        const updated = await inRequestUnit(context, c, (unit) => updateSubscription(unit, id, patch)).catch(
          rethrowInBody,
        );
        // Re-enabling releases the deliveries that waited.
        if (patch.active === true) wakeDispatchers(context.engine);
        return c.json(updated, 200);
      });

      app.openapi(deleteDef, async (c) => {
        const { id } = c.req.valid('param');
        await inRequestUnit(context, c, (unit) => deleteSubscription(unit, id));
        return c.body(null, 204);
      });

      app.openapi(deliveriesDef, async (c) => {
        const { id } = c.req.valid('param');
        const q = c.req.valid('query');
        await assertSubscriptionExisted(c.var.database.db, id);
        const data = await listDeliveries(c.var.database.db, id, q);
        return c.json(pageFrom(data, q.limit), 200);
      });

      app.openapi(deliveryDef, async (c) => c.json(await getDelivery(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(replayDef, async (c) => {
        const { id } = c.req.valid('param');
        const delivery = await inRequestUnit(context, c, (unit) => replayDelivery(unit, id));
        wakeDispatchers(context.engine);
        return c.json(delivery, 202);
      });
    },
  };
}
