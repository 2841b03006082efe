import { createRoute, z } from '@hono/zod-openapi';
import { isRole, ROLES } from '../../auth/roles.js';
import { getUser, setRoles } from '../../auth/users.js';
import {
  CHANGE_KINDS,
  CHANGE_STATUSES,
  decideChange,
  getChange,
  listChanges,
  proposeChange,
  type ChangeHandlers,
  type ChangeKind,
  type ChangeKindHandler,
  type ChangeRequest,
} from '../../changes/change-requests.js';
import { validationError } from '../../core/errors.js';
import type { Engine } from '../../engine/engine.js';
import type { App, AppVariables, RouteModule } from '../context.js';
import { requirePermission } from '../middleware/auth.js';
import { commonErrors, conflictError, json, notFoundError } from '../schemas.js';

// Four-eyes changes: a workflow definition, a decision version or a role grant proposed by one person
// takes effect only when a second person approves it. Approval applies it in the same transaction.

const tags = ['changes'];

const ChangeSchema = z
  .object({
    id: z.string().openapi({ example: 'chg_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    kind: z.enum(CHANGE_KINDS),
    target: z.string().openapi({ description: 'The workflow key, decision key or user id it changes' }),
    payload: z.record(z.string(), z.unknown()),
    reason: z.string().nullable(),
    status: z.enum(CHANGE_STATUSES),
    proposedBy: z.string().openapi({ description: 'The maker (a user id, or a system key’s name)' }),
    proposedActor: z.string(),
    proposedAt: z.string().datetime(),
    decidedBy: z.string().nullable().openapi({ description: 'The checker: never the maker' }),
    decidedActor: z.string().nullable(),
    decidedAt: z.string().datetime().nullable(),
    decisionReason: z.string().nullable(),
    result: z.unknown().openapi({ description: 'What applying it gave, e.g. the new version' }),
  })
  .openapi('ChangeRequest');

const Reason = z.string().max(2000).optional();
const ProposeWorkflowSchema = z
  .object({ source: z.string().max(1_000_000), format: z.enum(['yaml', 'json']).optional(), reason: Reason })
  .strict()
  .openapi('ProposeWorkflow');
const ProposeDecisionSchema = z
  .object({ content: z.record(z.string(), z.unknown()), reason: Reason })
  .strict()
  .openapi('ProposeDecision');
const ProposeRolesSchema = z
  .object({ roles: z.array(z.string().max(50)).min(1).max(20), reason: Reason })
  .strict()
  .openapi('ProposeRoles');
const DecideSchema = z.object({ reason: Reason }).strict().openapi('ChangeDecision');

const body = <T extends z.ZodType>(schema: T, required = true) => ({
  body: { required, content: { 'application/json': { schema } } },
});
const created = { 201: json(ChangeSchema, 'Proposed: waiting for a second person'), ...commonErrors };

const proposeWorkflowDef = createRoute({
  method: 'post',
  path: '/changes/workflows',
  tags,
  summary: 'Propose a workflow definition (checked now, deployed when a second person approves)',
  middleware: [requirePermission('workflows:deploy')] as const,
  request: body(ProposeWorkflowSchema),
  responses: created,
});
const proposeDecisionDef = createRoute({
  method: 'post',
  path: '/changes/decisions/{key}',
  tags,
  summary: 'Propose a new version of a decision (checked now, deployed when a second person approves)',
  middleware: [requirePermission('decisions:manage')] as const,
  request: { params: z.object({ key: z.string().max(100) }), ...body(ProposeDecisionSchema) },
  responses: created,
});
const proposeRolesDef = createRoute({
  method: 'post',
  path: '/changes/user-roles/{user}',
  tags,
  summary: "Propose a user's roles (granted when a second person, not that user, approves)",
  middleware: [requirePermission('users:manage')] as const,
  request: {
    params: z.object({ user: z.string().min(1).max(254).openapi({ description: 'id (usr_…) or email' }) }),
    ...body(ProposeRolesSchema),
  },
  responses: { ...created, ...notFoundError },
});
const listDef = createRoute({
  method: 'get',
  path: '/changes',
  tags,
  summary: 'Change requests, newest first',
  middleware: [requirePermission('workflows:read')] as const,
  request: {
    query: z.object({
      status: z.enum(CHANGE_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: { 200: json(z.object({ data: z.array(ChangeSchema) }), 'Change requests'), ...commonErrors },
});
const getDef = createRoute({
  method: 'get',
  path: '/changes/{id}',
  tags,
  summary: 'One change request',
  middleware: [requirePermission('workflows:read')] as const,
  request: { params: z.object({ id: z.string().max(100) }) },
  responses: { 200: json(ChangeSchema, 'The change request'), ...commonErrors, ...notFoundError },
});
const decideDef = (verb: 'approve' | 'reject') =>
  createRoute({
    method: 'post',
    path: `/changes/{id}/${verb}`,
    tags,
    summary:
      verb === 'approve'
        ? 'Approve and apply a change another person proposed (409 separation_of_duties for the maker)'
        : 'Reject a proposed change (the maker may withdraw their own)',
    middleware: [requirePermission('changes:review')] as const,
    request: { params: z.object({ id: z.string().max(100) }), ...body(DecideSchema, false) },
    responses: { 200: json(ChangeSchema, 'Decided'), ...commonErrors, ...notFoundError, ...conflictError },
  });

/** A role grant: checked (known roles, an existing user) when proposed, set when approved. */
export const userRoleChanges: ChangeKindHandler = {
  check: async (database, payload, target) => {
    const roles = payload.roles as string[];
    const unknown = roles.filter((role) => !isRole(role));
    if (unknown.length) {
      throw validationError([
        { field: 'body.roles', message: `unknown role ${unknown.join(', ')}: one of ${ROLES.join(', ')}` },
      ]);
    }
    return (await getUser(database.db, target)).id;
  },
  apply: async (database, change, who) => {
    const user = await setRoles(database, {
      user: change.target,
      roles: change.payload.roles as string[],
      actor: who.actor,
      ...(who.requestId ? { requestId: who.requestId } : {}),
    });
    return { roles: user.roles };
  },
};

/** A proposal by the request's principal. */
export async function proposeAs(
  c: { var: AppVariables },
  handler: ChangeKindHandler,
  change: { kind: ChangeKind; target: string; payload: Record<string, unknown>; reason: string | undefined },
): Promise<ReturnType<typeof present>> {
  return present(
    await proposeChange(
      c.var.database,
      handler,
      { ...change, principal: c.var.principal, requestId: c.var.requestId },
      c.var.clock,
    ),
  );
}

/** How each kind is checked at proposal and applied at approval, on the engine and the users module. */
function handlersFor(engine: Engine): ChangeHandlers {
  const text = (payload: Record<string, unknown>, field: string): string => {
    const value = payload[field];
    if (typeof value !== 'string') throw validationError([{ field: `body.${field}`, message: 'is required' }]);
    return value;
  };
  const format = (payload: Record<string, unknown>) => payload.format as 'yaml' | 'json' | undefined;
  return {
    workflow: {
      check: (_database, payload) => Promise.resolve(engine.validate(text(payload, 'source'), format(payload)).key),
      apply: (database, change, who) =>
        engine.deploy({ source: text(change.payload, 'source'), format: format(change.payload), ...who }, database),
    },
    decision: {
      check: (_database, payload, target) => {
        engine.checkDecision(target, payload.content);
        return Promise.resolve(target);
      },
      apply: (database, change, who) =>
        engine.putDecision(
          {
            key: change.target,
            content: change.payload.content,
            actor: who.actor,
            ...(who.requestId ? { requestId: who.requestId } : {}),
          },
          database,
        ),
    },
    user_roles: userRoleChanges,
  };
}

const present = (change: ChangeRequest) => ({
  ...change,
  proposedAt: change.proposedAt.toISOString(),
  decidedAt: change.decidedAt?.toISOString() ?? null,
});

export function changeRoutes(engine: Engine): RouteModule {
  const handlers = handlersFor(engine);
  return {
    register(app: App) {
      const propose = (
        c: { var: AppVariables },
        kind: ChangeKind,
        target: string,
        payload: Record<string, unknown>,
        reason: string | undefined,
      ) => proposeAs(c, handlers[kind], { kind, target, payload, reason });

      app.openapi(proposeWorkflowDef, async (c) => {
        const { reason, ...payload } = c.req.valid('json');
        return c.json(await propose(c, 'workflow', '', payload, reason), 201);
      });
      app.openapi(proposeDecisionDef, async (c) => {
        const { reason, ...payload } = c.req.valid('json');
        return c.json(await propose(c, 'decision', c.req.valid('param').key, payload, reason), 201);
      });
      app.openapi(proposeRolesDef, async (c) => {
        const { reason, ...payload } = c.req.valid('json');
        return c.json(await propose(c, 'user_roles', c.req.valid('param').user, payload, reason), 201);
      });
      app.openapi(listDef, async (c) => {
        const query = c.req.valid('query');
        return c.json({ data: (await listChanges(c.var.database.db, query)).map(present) }, 200);
      });
      app.openapi(getDef, async (c) =>
        c.json(present(await getChange(c.var.database.db, c.req.valid('param').id)), 200),
      );
      for (const verb of ['approve', 'reject'] as const) {
        app.openapi(decideDef(verb), async (c) => {
          const reason = (c.req.valid('json') as { reason?: string } | undefined)?.reason;
          const decided = await decideChange(
            c.var.database,
            handlers,
            {
              id: c.req.valid('param').id,
              approve: verb === 'approve',
              reason,
              principal: c.var.principal,
              requestId: c.var.requestId,
            },
            c.var.clock,
          );
          return c.json(present(decided), 200);
        });
      }
    },
  };
}
