import { createRoute, z } from '@hono/zod-openapi';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../../auth/api-keys.js';
import { ROLES } from '../../auth/roles.js';
import { requirePermission } from '../middleware/auth.js';
import type { App, RouteModule } from '../context.js';
import { commonErrors, idCursor, json, notFoundError, pageFrom, pageOf, pageQuery } from '../schemas.js';

const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: 'key_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    name: z.string(),
    role: z.enum(ROLES),
    owner: z.string().nullable().openapi({ description: 'The user (usr_…) the key acts for; null for a system key' }),
    createdAt: z.string().datetime(),
    createdBy: z.string(),
    lastUsedAt: z.string().datetime().nullable(),
    revokedAt: z.string().datetime().nullable(),
  })
  .openapi('ApiKey');

const CreatedApiKeySchema = ApiKeySchema.extend({
  token: z.string().openapi({ description: 'The bearer token. Shown only in this response; store it now.' }),
}).openapi('CreatedApiKey');

const CreateApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: 'core-banking sync' }),
    role: z.enum(ROLES),
    owner: z
      .string()
      .min(1)
      .max(254)
      .optional()
      .openapi({
        description:
          'A user (id or email) the key acts for: four eyes treat it as that user, it holds only a role the user holds, ' +
          'and it stops working when the user is disabled or loses the role. Without it, a system key.',
      }),
  })
  .strict()
  .openapi('CreateApiKey');

const manage = requirePermission('apikeys:manage');

const createRouteDef = createRoute({
  method: 'post',
  path: '/api-keys',
  tags: ['api keys'],
  summary: 'Create an API key; its token is shown once',
  middleware: [manage] as const,
  request: { body: { required: true, content: { 'application/json': { schema: CreateApiKeySchema } } } },
  responses: { 201: json(CreatedApiKeySchema, 'The new key with its token'), ...commonErrors },
});

const listRouteDef = createRoute({
  method: 'get',
  path: '/api-keys',
  tags: ['api keys'],
  summary: 'List API keys (never their tokens), oldest first, with keyset paging',
  middleware: [manage] as const,
  request: { query: z.object(pageQuery({ limit: 100, max: 1000, cursor: idCursor('key') })) },
  responses: {
    200: json(pageOf(ApiKeySchema), 'A page of keys, revoked ones included'),
    ...commonErrors,
  },
});

const revokeRouteDef = createRoute({
  method: 'post',
  path: '/api-keys/{id}/revoke',
  tags: ['api keys'],
  summary: 'Revoke an API key (takes effect on the next request)',
  middleware: [manage] as const,
  request: {
    params: z.object({ id: z.string().regex(/^key_[0-9A-Z]{26}$/, 'must be an API key id (key_…)') }),
    body: {
      required: false,
      content: { 'application/json': { schema: z.object({ reason: z.string().max(500).optional() }).strict() } },
    },
  },
  responses: { 200: json(ApiKeySchema, 'The revoked key'), ...commonErrors, ...notFoundError },
});

const present = (key: ApiKey) => ({
  ...key,
  createdAt: key.createdAt.toISOString(),
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  revokedAt: key.revokedAt?.toISOString() ?? null,
});

export const apiKeyRoutes: RouteModule = {
  register(app: App) {
    // No Idempotency-Key here on purpose: replaying would have to store the token to return it again.
    app.openapi(createRouteDef, async (c) => {
      const input = c.req.valid('json');
      const created = await createApiKey(
        c.var.database,
        { ...input, actor: c.var.principal.id, requestId: c.var.requestId, fieldPrefix: 'body.' },
        c.var.clock,
      );
      return c.json({ ...present(created), token: created.token }, 201);
    });

    app.openapi(listRouteDef, async (c) => {
      const query = c.req.valid('query');
      return c.json(pageFrom((await listApiKeys(c.var.database, query)).map(present), query.limit), 200);
    });

    app.openapi(revokeRouteDef, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json') as { reason?: string } | undefined;
      const revoked = await revokeApiKey(
        c.var.database,
        { id, actor: c.var.principal.id, reason: body?.reason, requestId: c.var.requestId },
        c.var.clock,
      );
      return c.json(present(revoked), 200);
    });
  },
};
