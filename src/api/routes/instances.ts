import { createRoute, z } from '@hono/zod-openapi';
import type { Engine } from '../../engine/engine.js';
import { getInstance, listInstances } from '../../engine/runtime/queries.js';
import type { App, RouteModule } from '../context.js';
import { requirePermission } from '../middleware/auth.js';
import { commonErrors, conflictError, json, notFoundError, pageFrom, pageOf, pageQuery } from '../schemas.js';

/** Workflow instances: list, inspect (state and timeline), and operator actions. */

export const INSTANCE_STATUSES = ['running', 'suspended', 'failed', 'completed', 'cancelled'] as const;

const InstanceId = z
  .string()
  .regex(/^wfi_[0-9A-Z]{26}$/, 'must be an instance id (wfi_…)')
  .openapi({ example: 'wfi_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' });

const InstanceSummarySchema = z
  .object({
    id: z.string(),
    workflow: z.string(),
    version: z.number().int(),
    status: z.enum(INSTANCE_STATUSES),
    correlationKey: z.string().nullable(),
    outcome: z.string().nullable(),
    parentId: z.string().nullable(),
    nextRunAt: z.string().datetime().nullable(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
    endedAt: z.string().datetime().nullable(),
  })
  .openapi('InstanceSummary');

const TimelineEntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string().datetime(),
    step: z.string().nullable(),
    type: z.string().nullable(),
    event: z.string().openapi({ example: 'completed' }),
    attempt: z.number().int().nullable(),
    actor: z.string().nullable(),
    data: z.unknown(),
  })
  .openapi('TimelineEntry');

const InstanceSchema = InstanceSummarySchema.extend({
  output: z.unknown(),
  error: z.unknown(),
  context: z.unknown().openapi({ description: 'input, step outputs (`steps.<id>`) and instance facts' }),
  startedBy: z.string(),
  at: z
    .array(
      z.object({
        tokenId: z.string(),
        step: z.string(),
        status: z.string(),
        runAt: z.string().datetime().nullable(),
        attempt: z.number().int(),
        branch: z.string().nullable(),
        waitingFor: z.union([z.object({ event: z.string(), key: z.string().nullable() }), z.string(), z.null()]),
      }),
    )
    .openapi({ description: 'Where the instance stands: its active tokens' }),
  tasks: z.array(
    z.object({
      id: z.string(),
      step: z.string(),
      queue: z.string(),
      status: z.string(),
      assignee: z.string().nullable(),
      outcome: z.string().nullable(),
    }),
  ),
  timeline: z.array(TimelineEntrySchema),
}).openapi('Instance');

const idParams = z.object({ id: InstanceId });
const reason = z.string().max(500).optional().openapi({ description: 'Recorded in the timeline and audit log' });
const ReasonSchema = z.object({ reason }).strict();
const RetrySchema = z
  .object({
    reason,
    fromStep: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'Restart from this step (same step list as the failed one) instead of the failed step' }),
  })
  .strict();
const MigrateSchema = z
  .object({
    reason,
    toVersion: z.number().int().positive().optional().openapi({ description: 'Default: the latest version' }),
  })
  .strict();

/** The instance list's filter: the list, the count and the bulk actions take the same one. */
export const InstanceFilterSchema = z.object({
  status: z.enum(INSTANCE_STATUSES).optional(),
  workflow: z.string().max(100).optional(),
  correlationKey: z.string().max(200).optional(),
  version: z.coerce.number().int().positive().optional().openapi({ description: 'Only this version of the workflow' }),
  q: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'Free text: an instance id, or part of the correlation key, workflow key or error' }),
});

const listDef = createRoute({
  method: 'get',
  path: '/instances',
  tags: ['instances'],
  summary: 'List instances, oldest first, with keyset paging',
  middleware: [requirePermission('workflows:read')] as const,
  request: {
    query: InstanceFilterSchema.extend(pageQuery({ limit: 100, max: 1000 })),
  },
  responses: {
    200: json(pageOf(InstanceSummarySchema), 'A page of instances'),
    ...commonErrors,
  },
});

const getDef = createRoute({
  method: 'get',
  path: '/instances/{id}',
  tags: ['instances'],
  summary: 'An instance: state, where it stands, its tasks and its whole timeline',
  middleware: [requirePermission('workflows:read')] as const,
  request: { params: idParams },
  responses: { 200: json(InstanceSchema, 'The instance'), ...commonErrors, ...notFoundError },
});

type Operation = 'cancel' | 'suspend' | 'resume' | 'retry';

const SUMMARIES: Record<Operation, string> = {
  cancel: 'Cancel an unfinished instance (and its child instances)',
  suspend: 'Suspend a running instance: nothing runs until it is resumed',
  resume: 'Resume a suspended instance; timers that fell due meanwhile fire at once',
  retry: 'Retry a failed instance from its failed step, or from `fromStep`',
};

const operationDef = <T extends z.ZodType>(operation: Operation, schema: T) =>
  createRoute({
    method: 'post',
    path: `/instances/{id}/${operation}`,
    tags: ['instances'],
    summary: SUMMARIES[operation],
    middleware: [requirePermission('workflows:operate')] as const,
    request: { params: idParams, body: { required: false, content: { 'application/json': { schema } } } },
    responses: {
      200: json(InstanceSchema, 'The instance after the change'),
      ...commonErrors,
      ...notFoundError,
      ...conflictError,
    },
  });

const migrateDef = createRoute({
  method: 'post',
  path: '/instances/{id}/migrate',
  tags: ['instances'],
  summary: 'Move an unfinished instance to another (default: the latest) version of its workflow',
  description: 'Refused with 409 `migration_impossible` when a step the instance stands on does not exist there.',
  middleware: [requirePermission('workflows:operate')] as const,
  request: { params: idParams, body: { required: false, content: { 'application/json': { schema: MigrateSchema } } } },
  responses: {
    200: json(
      z.object({ id: z.string(), from: z.number().int(), to: z.number().int(), migrated: z.boolean() }),
      'The versions; `migrated` false when it already was on that version',
    ),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
  },
});

export function instanceRoutes(engine: Engine): RouteModule {
  return {
    register(app: App) {
      app.openapi(listDef, async (c) => {
        const query = c.req.valid('query');
        const data = await listInstances(c.var.database.db, query);
        return c.json(pageFrom(data, query.limit), 200);
      });

      app.openapi(getDef, async (c) => c.json(await getInstance(c.var.database.db, c.req.valid('param').id), 200));

      const simple = { cancel: ReasonSchema, suspend: ReasonSchema, resume: ReasonSchema } as const;
      for (const operation of ['cancel', 'suspend', 'resume'] as const) {
        app.openapi(operationDef(operation, simple[operation]), async (c) => {
          const { id } = c.req.valid('param');
          const body = c.req.valid('json'); // {} when no body was sent
          const request = {
            instanceId: id,
            actor: c.var.principal.id,
            reason: body.reason,
            requestId: c.var.requestId,
          };
          await engine[operation](request, c.var.database);
          return c.json(await getInstance(c.var.database.db, id), 200);
        });
      }

      app.openapi(operationDef('retry', RetrySchema), async (c) => {
        const { id } = c.req.valid('param');
        const body = c.req.valid('json'); // {} when no body was sent
        await engine.retry(
          {
            instanceId: id,
            actor: c.var.principal.id,
            reason: body.reason,
            fromStep: body.fromStep,
            requestId: c.var.requestId,
          },
          c.var.database,
        );
        return c.json(await getInstance(c.var.database.db, id), 200);
      });

      app.openapi(migrateDef, async (c) => {
        const { id } = c.req.valid('param');
        const body = c.req.valid('json'); // {} when no body was sent
        const result = await engine.migrate(
          {
            instanceId: id,
            actor: c.var.principal.id,
            reason: body.reason,
            toVersion: body.toVersion,
            requestId: c.var.requestId,
          },
          c.var.database,
        );
        return c.json({ id, ...result }, 200);
      });
    },
  };
}
