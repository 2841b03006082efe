import { createRoute, z } from '@hono/zod-openapi';
import type { Engine } from '../../engine/engine.js';
import type { App, RouteModule } from '../context.js';
import { requirePermission } from '../middleware/auth.js';
import { idempotent } from '../middleware/idempotency.js';
import { commonErrors, IdempotencyKeyHeader, idempotencyErrors, json } from '../schemas.js';

/** Engine events: start the workflows they trigger and wake the waits (`waitFor`) they match. */

// No regex flags: the pattern is published in the OpenAPI document, where JSON Schema has none.
export const EVENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const PublishEventSchema = z
  .object({
    type: z
      .string()
      .max(200)
      .regex(EVENT_TYPE, 'must start with a letter or digit and hold only letters, digits, ".", "_" and "-"')
      .openapi({ example: 'payment.received' }),
    key: z
      .string()
      .min(1)
      .max(200)
      .nullish()
      .openapi({ description: 'Correlation key: wakes waits on this key (and waits on no key)', example: 'inv-1' }),
    data: z.unknown().optional().openapi({ description: 'Any JSON; triggers and waits see it as `event.data`' }),
  })
  .strict()
  .openapi('PublishEvent');

const PublishedSchema = z
  .object({
    id: z.string().openapi({ example: 'evt_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    started: z
      .array(
        z.object({
          workflow: z.string(),
          instanceId: z.string().nullable(),
          created: z.boolean(),
          error: z.string().optional(),
        }),
      )
      .openapi({ description: 'Instances the event triggered (`created` false: one with its key was running)' }),
    resumed: z.array(z.string()).openapi({ description: 'Instances whose waits the event woke' }),
  })
  .openapi('PublishedEvent');

const publishDef = createRoute({
  method: 'post',
  path: '/events',
  tags: ['events'],
  summary: 'Publish an event',
  description:
    'Stored, then matched in the same transaction: event triggers start their workflows and matching `waitFor` ' +
    'steps resume. Send an `Idempotency-Key` to make a retry safe: a replay publishes nothing.',
  middleware: [requirePermission('workflows:run'), idempotent()] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: { required: true, content: { 'application/json': { schema: PublishEventSchema } } },
  },
  responses: { 202: json(PublishedSchema, 'Accepted'), ...commonErrors, ...idempotencyErrors },
});

export function eventRoutes(engine: Engine): RouteModule {
  return {
    register(app: App) {
      app.openapi(publishDef, async (c) => {
        const event = c.req.valid('json');
        const published = await engine.publishFromOutside(
          {
            type: event.type,
            key: event.key ?? null,
            data: event.data ?? {},
            actor: c.var.principal.id,
            requestId: c.var.requestId,
          },
          c.var.database,
        );
        return c.json(published, 202);
      });
    },
  };
}
