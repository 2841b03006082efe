import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { commonErrors, json, notFoundError } from '../../../api/schemas.js';
import { notFound } from '../../../core/errors.js';
import type { Queryable } from '../../../storage/schema.js';
import '../tables.js';

/** /channels/messages: what was sent (or skipped, and why) to whom, with its delivery status. */

const MessageSchema = z
  .object({
    id: z.string(),
    channel: z.enum(['email', 'sms', 'letter']),
    customerId: z.string().nullable(),
    recipient: z.string(),
    template: z.string().nullable(),
    locale: z.string().nullable(),
    subject: z.string().nullable(),
    bodyText: z.string(),
    status: z.string().openapi({
      description: 'sent, delivered, undelivered, failed, skipped (a contact rule) or dropped (its purpose lapsed)',
    }),
    providerId: z.string().nullable(),
    segments: z.number().int().nullable(),
    encoding: z.string().nullable(),
    attachments: z.array(z.unknown()),
    instanceId: z.string().nullable(),
    stepId: z.string().nullable(),
    error: z.string().nullable().openapi({ description: 'Why it was skipped or failed' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('ChannelMessage');

const read = requirePermission('channels:read');

const listDef = createRoute({
  method: 'get',
  path: '/channels/messages',
  tags: ['channels'],
  summary: 'Messages, newest first',
  middleware: [read] as const,
  request: {
    query: z.object({
      customer: z.string().max(120).optional().openapi({ description: 'Customer id' }),
      channel: z.enum(['email', 'sms', 'letter']).optional(),
      status: z.string().max(20).optional(),
      instance: z.string().max(120).optional().openapi({ description: 'Workflow instance id' }),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: { 200: json(z.object({ data: z.array(MessageSchema) }), 'Messages'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/channels/messages/{id}',
  tags: ['channels'],
  summary: 'One message',
  middleware: [read] as const,
  request: { params: z.object({ id: z.string().min(1).max(120) }) },
  responses: { 200: json(MessageSchema, 'The message'), ...commonErrors, ...notFoundError },
});

function baseQuery(db: Queryable) {
  return db.selectFrom('channel_messages').selectAll();
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

function present(r: Row) {
  return {
    id: r.id,
    channel: r.channel,
    customerId: r.customer_id,
    recipient: r.recipient,
    template: r.template,
    locale: r.locale,
    subject: r.subject,
    bodyText: r.body_text,
    status: r.status,
    providerId: r.provider_id,
    segments: r.segments,
    encoding: r.encoding,
    attachments: (r.attachments ?? []) as unknown[],
    instanceId: r.instance_id,
    stepId: r.step_id,
    error: r.error,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export function messageRoutes(): RouteModule {
  return {
    register(app: App) {
      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        let query = baseQuery(c.var.database.db).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit);
        if (q.customer) query = query.where('customer_id', '=', q.customer);
        if (q.channel) query = query.where('channel', '=', q.channel);
        if (q.status) query = query.where('status', '=', q.status);
        if (q.instance) query = query.where('instance_id', '=', q.instance);
        return c.json({ data: (await query.execute()).map(present) }, 200);
      });

      app.openapi(getDef, async (c) => {
        const { id } = c.req.valid('param');
        const row = await baseQuery(c.var.database.db).where('id', '=', id).executeTakeFirst();
        if (!row) throw notFound('message', id);
        return c.json(present(row), 200);
      });
    },
  };
}
