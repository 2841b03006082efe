import { createRoute, z } from '@hono/zod-openapi';
import { API_PREFIX, PUBLIC_HOOKS_PREFIX } from '../../../api/app.js';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { commonErrors, json, notFoundError, problem } from '../../../api/schemas.js';
import { inRequestUnit } from '../../unit-of-work.js';
import type { DomainContext } from '../../contract.js';
import { deleteSource, getSource, listSources, putSource, type InboundSource } from './inbound-source-service.js';
import { receiveInbound } from './receive.js';
import { SOURCE_NAME, SourceConfigInput } from './source-config.js';

/**
 * /inbound-sources (configure, behind an API key) and /hooks/inbound/{name}, where providers post.
 * The receiving route sits under the public /hooks prefix (no API key: a provider cannot hold ours);
 * each message is authenticated by its signature instead.
 */

const manage = requirePermission('webhooks:manage');
const read = requirePermission('channels:read');
const tags = ['inbound webhooks'];
const NameParam = z.object({
  name: z
    .string()
    .regex(SOURCE_NAME, 'must be 1-63 characters of a-z, 0-9, "_" or "-", starting with a letter or digit')
    .openapi({ example: 'psp' }),
});

const SourceSchema = z
  .object({
    name: z.string(),
    scheme: z.enum(['standard-webhooks', 'hmac-sha256']),
    secret: z.string().openapi({ description: 'The secret NAME' }),
    secretSet: z.boolean().openapi({ description: 'Whether this server has a value for the secret' }),
    receiveUrl: z.string().openapi({ description: 'Where the provider posts' }),
    signatureHeader: z.string(),
    timestampHeader: z.string().nullable(),
    idHeader: z.string().nullable(),
    idField: z.string().nullable(),
    typeField: z.string().nullable(),
    eventType: z.string().nullable(),
    eventPrefix: z.string(),
    keyField: z.string().nullable(),
    toleranceSeconds: z.number().int(),
    description: z.string().nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('InboundSource');

const putDef = createRoute({
  method: 'put',
  path: '/inbound-sources/{name}',
  tags,
  summary: 'Create or replace an inbound webhook source',
  description: 'An identical PUT changes nothing. The body names a secret; its value is read at each request.',
  middleware: [manage] as const,
  request: {
    params: NameParam,
    body: {
      required: true,
      content: { 'application/json': { schema: SourceConfigInput.openapi('InboundSourcePut') } },
    },
  },
  responses: {
    201: json(SourceSchema, 'Created'),
    200: json(SourceSchema, 'Replaced (or unchanged)'),
    ...commonErrors,
  },
});

const listDef = createRoute({
  method: 'get',
  path: '/inbound-sources',
  tags,
  summary: 'List inbound webhook sources',
  middleware: [read] as const,
  responses: { 200: json(z.object({ data: z.array(SourceSchema) }), 'Sources by name'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/inbound-sources/{name}',
  tags,
  summary: 'An inbound webhook source',
  middleware: [read] as const,
  request: { params: NameParam },
  responses: { 200: json(SourceSchema, 'The source'), ...commonErrors, ...notFoundError },
});

const deleteDef = createRoute({
  method: 'delete',
  path: '/inbound-sources/{name}',
  tags,
  summary: 'Delete an inbound webhook source (its posts then get 401, as an unknown source does)',
  middleware: [manage] as const,
  request: { params: NameParam },
  responses: { 204: { description: 'Deleted' }, ...commonErrors, ...notFoundError },
});

const ReceiptSchema = z
  .object({
    eventId: z.string().openapi({ example: 'evt_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    duplicate: z.boolean().openapi({ description: 'true: this message id was received before; nothing was published' }),
  })
  .openapi('InboundReceipt');

const receiveDef = createRoute({
  method: 'post',
  path: `${PUBLIC_HOOKS_PREFIX}/inbound/{name}`,
  tags,
  summary: 'Receive a provider notification (no API key: verified by its signature)',
  description:
    'The raw JSON body is verified against the source’s signature scheme, de-duplicated by its message id and ' +
    'published as the engine event `<eventPrefix><type>` with the body as data.',
  security: [],
  request: { params: NameParam },
  responses: {
    200: json(ReceiptSchema, 'Published, or a duplicate of a message already received'),
    400: problem('The body is not JSON, or lacks the id or type field'),
    401: problem('The signature could not be verified, or there is no such source (the answers are the same)'),
    503: problem('The source cannot verify messages (its secret is not set on this server)'),
  },
});

export function inboundRoutes(context: DomainContext): RouteModule {
  const present = (source: InboundSource) => ({
    name: source.name,
    ...source.config,
    secretSet: Boolean(context.secrets?.get(source.config.secret)),
    receiveUrl: `${context.publicUrl?.() ?? ''}${API_PREFIX}${PUBLIC_HOOKS_PREFIX}/inbound/${source.name}`,
    createdAt: source.createdAt,
    createdBy: source.createdBy,
    updatedAt: source.updatedAt,
    updatedBy: source.updatedBy,
  });
  return {
    register(app: App) {
      app.openapi(putDef, async (c) => {
        const { name } = c.req.valid('param');
        const body = c.req.valid('json');
        const { source, created } = await inRequestUnit(context, c, (unit) => putSource(unit, name, body));
        return c.json(present(source), created ? 201 : 200);
      });

      app.openapi(listDef, async (c) => c.json({ data: (await listSources(c.var.database.db)).map(present) }, 200));

      app.openapi(getDef, async (c) =>
        c.json(present(await getSource(c.var.database.db, c.req.valid('param').name)), 200),
      );

      app.openapi(deleteDef, async (c) => {
        const { name } = c.req.valid('param');
        await inRequestUnit(context, c, (unit) => deleteSource(unit, name));
        return c.body(null, 204);
      });

      app.openapi(receiveDef, async (c) => {
        const receipt = await receiveInbound(
          { ...context, database: c.var.database },
          {
            source: c.req.valid('param').name,
            raw: Buffer.from(await c.req.arrayBuffer()),
            header: (name) => c.req.header(name),
            requestId: c.var.requestId,
          },
          c.var.logger,
        );
        return c.json(receipt, 200);
      });
    },
  };
}
