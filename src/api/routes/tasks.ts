import { createRoute, z } from '@hono/zod-openapi';
import type { Principal } from '../../auth/principal.js';
import { rolesHave } from '../../auth/roles.js';
import type { Engine } from '../../engine/engine.js';
import { getTask, listTasks, parseWorkListCursor, tasksOfUser } from '../../engine/runtime/queries.js';
import type { App, RouteModule } from '../context.js';
import { requirePermission } from '../middleware/auth.js';
import { idempotent } from '../middleware/idempotency.js';
import {
  commonErrors,
  conflictError,
  IdempotencyKeyHeader,
  json,
  notFoundError,
  unprocessableError,
  pageFrom,
  pageOf,
  pageQuery,
} from '../schemas.js';

/**
 * Human tasks. The person working a task is the caller's `worksAs`: a signed-in user's id (`usr_…`),
 * the owner's id for a key a user owns, a system key's **name**. That is what queues list as members
 * and what `assign: { user: … }` names, so a key named "ana" claims and completes the tasks assigned
 * to ana, and a user's second key is still that user for four eyes. The audit log records the
 * principal's id (user or key), as for every other route.
 */

const TASK_STATUSES = ['open', 'completed', 'cancelled'] as const;

const TaskId = z
  .string()
  .regex(/^tsk_[0-9A-Z]{26}$/, 'must be a task id (tsk_…)')
  .openapi({ example: 'tsk_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' });

const TaskSchema = z
  .object({
    id: z.string(),
    instanceId: z.string(),
    step: z.string(),
    queue: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    form: z.unknown().openapi({ description: 'The fields `data` may hold on completion' }),
    outcomes: z.unknown().openapi({ description: 'The outcomes completion may choose from' }),
    data: z.unknown(),
    assignee: z.string().nullable(),
    status: z.enum(TASK_STATUSES),
    dueAt: z.string().datetime().nullable(),
    escalatedAt: z.string().datetime().nullable(),
    outcome: z.string().nullable(),
    result: z.unknown(),
    completedBy: z.string().nullable(),
    createdAt: z.string().datetime(),
    claimedAt: z.string().datetime().nullable(),
    completedAt: z.string().datetime().nullable(),
    excludedUsers: z
      .array(z.string())
      .openapi({ description: 'Users who may not claim or complete this task (four eyes)' }),
  })
  .openapi('Task');

const CompleteSchema = z
  .object({
    outcome: z.string().min(1).max(100).openapi({ example: 'approve' }),
    data: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "Form data, checked against the task's form" }),
  })
  .strict()
  .openapi('CompleteTask');

const idParams = z.object({ id: TaskId });

/**
 * People — users, and the keys they own — work the queues they are members of; those who operate
 * workflows (operators, admins) and system keys may take any task.
 */
const membersOnly = (principal: Principal): boolean =>
  principal.worksAs.startsWith('usr_') && !rolesHave(principal.roles, 'workflows:operate');
const work = requirePermission('tasks:work');

const listDef = createRoute({
  method: 'get',
  path: '/tasks',
  tags: ['tasks'],
  summary: 'List tasks, oldest first, with keyset paging',
  middleware: [work] as const,
  request: {
    query: z.object({
      queue: z.string().max(100).optional(),
      assignee: z.string().max(200).optional(),
      status: z.enum(TASK_STATUSES).optional(),
      instanceId: z.string().max(100).optional(),
      ...pageQuery({ limit: 100, max: 1000 }),
    }),
  },
  responses: {
    200: json(pageOf(TaskSchema), 'A page of tasks'),
    ...commonErrors,
  },
});

/**
 * The work list's cursor, `<due time>~<task id>` (`none~<task id>` past the tasks with a due time):
 * checked here, so that a cursor that cannot be one is a 400 naming `query.after`.
 */
const WorkListCursor = z
  .string()
  .max(100)
  .refine((text) => parseWorkListCursor(text) !== null, 'must be the `next` of a previous page')
  .optional();

const mineDef = createRoute({
  method: 'get',
  path: '/me/tasks',
  tags: ['tasks'],
  summary: "The caller's work: open tasks assigned to them, and unassigned ones in their queues, due first first",
  description:
    "The caller is the signed-in user (or, for an API key, the key's owner, or a system key's name). " +
    'Tasks without a due time come last. Paged with a keyset cursor over (due time, id): pass `next` as `after`.',
  middleware: [work] as const,
  request: { query: z.object(pageQuery({ limit: 200, max: 1000, cursor: WorkListCursor })) },
  responses: { 200: json(pageOf(TaskSchema), 'A page of the work list'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/tasks/{id}',
  tags: ['tasks'],
  summary: 'One task',
  middleware: [work] as const,
  request: { params: idParams },
  responses: { 200: json(TaskSchema, 'The task'), ...commonErrors, ...notFoundError },
});

const claimDef = createRoute({
  method: 'post',
  path: '/tasks/{id}/claim',
  tags: ['tasks'],
  summary: 'Claim an open task for the caller (the user, or the API key’s owner or name)',
  middleware: [work] as const,
  request: { params: idParams },
  responses: {
    200: json(TaskSchema, 'The claimed task'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
  },
});

const completeDef = createRoute({
  method: 'post',
  path: '/tasks/{id}/complete',
  tags: ['tasks'],
  summary: 'Complete a task with one of its outcomes; its instance continues',
  description:
    '409 `task_not_open` when it was already completed (or cancelled), 409 `separation_of_duties` when the ' +
    'user is one the task excludes (four eyes), 409 `task_assigned` when it is assigned ' +
    "to someone else, 403 `not_queue_member` when a person outside the task's queue takes an unassigned task, 422 when the outcome is not one of the task's outcomes, 400 naming `body.data.<field>` for " +
    'form data that does not fit.',
  middleware: [work, idempotent()] as const,
  request: {
    params: idParams,
    headers: IdempotencyKeyHeader,
    body: { required: true, content: { 'application/json': { schema: CompleteSchema } } },
  },
  responses: {
    200: json(TaskSchema, 'The completed task'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...unprocessableError('The outcome is not allowed, or the Idempotency-Key was reused'),
  },
});

const ReassignSchema = z
  .object({
    assignee: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .nullable()
      .openapi({ description: 'Who works it now (a queue member); null puts it back in the queue', example: 'ana' }),
    reason: z.string().max(500).optional(),
  })
  .strict()
  .openapi('ReassignTask');

/**
 * Reassigning is a manager's move: it needs `decisions:manage`, the permission that already lets a
 * manager (credit or collections) and an admin create and replace queues and their members.
 */
const reassignDef = createRoute({
  method: 'post',
  path: '/tasks/{id}/reassign',
  tags: ['tasks'],
  summary: 'Give an open task to another person of its queue, or back to the queue (managers)',
  description:
    '409 `task_not_open` when it is no longer open, 409 `separation_of_duties` when the new assignee is one ' +
    'the task excludes (four eyes), 400 naming `body.assignee` when the queue has members and the new ' +
    'assignee is not one of them. Audited as `task.reassigned`.',
  middleware: [requirePermission('decisions:manage')] as const,
  request: {
    params: idParams,
    body: { required: true, content: { 'application/json': { schema: ReassignSchema } } },
  },
  responses: {
    200: json(TaskSchema, 'The reassigned task'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
  },
});

export function taskRoutes(engine: Engine): RouteModule {
  return {
    register(app: App) {
      app.openapi(listDef, async (c) => {
        const query = c.req.valid('query');
        const data = await listTasks(c.var.database.db, query);
        return c.json(pageFrom(data, query.limit), 200);
      });

      app.openapi(mineDef, async (c) => {
        const { after, limit } = c.req.valid('query');
        const rows = await tasksOfUser(c.var.database.db, c.var.principal.worksAs, {
          after: after === undefined ? undefined : (parseWorkListCursor(after) ?? undefined),
          limit,
        });
        const page = pageFrom(rows, limit, (last) => last.cursor);
        return c.json({ data: page.data.map((row) => row.task), next: page.next }, 200);
      });

      app.openapi(getDef, async (c) => c.json(await getTask(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(claimDef, async (c) => {
        const { id } = c.req.valid('param');
        await engine.claimTask(
          {
            taskId: id,
            user: c.var.principal.worksAs,
            actor: c.var.principal.id,
            requestId: c.var.requestId,
            membersOnly: membersOnly(c.var.principal),
          },
          c.var.database,
        );
        return c.json(await getTask(c.var.database.db, id), 200);
      });

      app.openapi(reassignDef, async (c) => {
        const { id } = c.req.valid('param');
        const body = c.req.valid('json');
        await engine.reassignTask(
          {
            taskId: id,
            assignee: body.assignee,
            actor: c.var.principal.id,
            requestId: c.var.requestId,
            reason: body.reason ?? null,
          },
          c.var.database,
        );
        return c.json(await getTask(c.var.database.db, id), 200);
      });

      app.openapi(completeDef, async (c) => {
        const { id } = c.req.valid('param');
        const body = c.req.valid('json');
        await engine.completeTask(
          {
            taskId: id,
            outcome: body.outcome,
            data: body.data,
            user: c.var.principal.worksAs,
            actor: c.var.principal.id,
            requestId: c.var.requestId,
            membersOnly: membersOnly(c.var.principal),
          },
          c.var.database,
        );
        return c.json(await getTask(c.var.database.db, id), 200);
      });
    },
  };
}
