import { createRoute, z } from '@hono/zod-openapi';
import type { Engine } from '../../engine/engine.js';
import { type StoredQueue, listQueues, putQueue, QUEUE_NAME } from '../../engine/tasks/queue-store.js';
import { CALENDAR_NAME, listCalendars, putCalendar, type StoredCalendar } from '../../engine/time/calendar-store.js';
import type { App, RouteModule } from '../context.js';
import { rethrowRelocated } from '../located.js';
import { requirePermission } from '../middleware/auth.js';
import { commonErrors, json } from '../schemas.js';

/**
 * Business calendars (holidays for `businessDays` waits) and work queues (members human tasks are
 * assigned to). A PUT creates or replaces the whole entity; an identical PUT writes nothing.
 */

const CalendarName = z
  .string()
  .regex(CALENDAR_NAME, 'must be 1-50 characters of A-Z, a-z, 0-9, "_" or "-"')
  .openapi({ example: 'ES' });
const QueueName = z
  .string()
  .regex(QUEUE_NAME, 'must be 1-100 characters of A-Z, a-z, 0-9, ".", "_" or "-"')
  .openapi({ example: 'credit-reviewers' });

const PutCalendarSchema = z
  .object({
    timezone: z.string().min(1).max(100).openapi({ example: 'Europe/Madrid' }),
    weekend: z
      .array(z.number().int())
      .max(7)
      .optional()
      .openapi({ description: 'ISO weekdays, 1 (Monday) to 7 (Sunday); default [6, 7]', example: [6, 7] }),
    holidays: z
      .array(z.string())
      .max(5000)
      .openapi({ description: 'Dates YYYY-MM-DD', example: ['2026-01-01', '2026-12-25'] }),
  })
  .strict()
  .openapi('PutCalendar');

const CalendarSchema = z
  .object({
    name: z.string(),
    timezone: z.string(),
    weekend: z.array(z.number().int()),
    holidays: z.array(z.string()),
    updatedAt: z.string().datetime(),
    updatedBy: z.string(),
  })
  .openapi('Calendar');

const PutQueueSchema = z
  .object({
    members: z
      .array(z.string())
      .max(10_000)
      .openapi({ description: 'User names (API key names), in round-robin order', example: ['ana', 'bo'] }),
  })
  .strict()
  .openapi('PutQueue');

const QueueSchema = z
  .object({
    name: z.string(),
    members: z.array(z.string()),
    updatedAt: z.string().datetime(),
    updatedBy: z.string(),
  })
  .openapi('Queue');

const manage = requirePermission('decisions:manage');
const read = requirePermission('workflows:read');

const putCalendarDef = createRoute({
  method: 'put',
  path: '/calendars/{name}',
  tags: ['calendars'],
  summary: 'Create or replace a business calendar',
  middleware: [manage] as const,
  request: {
    params: z.object({ name: CalendarName }),
    body: { required: true, content: { 'application/json': { schema: PutCalendarSchema } } },
  },
  responses: {
    201: json(CalendarSchema, 'Created'),
    200: json(CalendarSchema, 'Replaced (or unchanged)'),
    ...commonErrors,
  },
});

const listCalendarsDef = createRoute({
  method: 'get',
  path: '/calendars',
  tags: ['calendars'],
  summary: 'List business calendars',
  middleware: [read] as const,
  responses: { 200: json(z.object({ data: z.array(CalendarSchema) }), 'Calendars by name'), ...commonErrors },
});

const putQueueDef = createRoute({
  method: 'put',
  path: '/queues/{name}',
  tags: ['queues'],
  summary: 'Create a work queue or replace its members (the round-robin position is kept)',
  middleware: [manage] as const,
  request: {
    params: z.object({ name: QueueName }),
    body: { required: true, content: { 'application/json': { schema: PutQueueSchema } } },
  },
  responses: {
    201: json(QueueSchema, 'Created'),
    200: json(QueueSchema, 'Replaced (or unchanged)'),
    ...commonErrors,
  },
});

const listQueuesDef = createRoute({
  method: 'get',
  path: '/queues',
  tags: ['queues'],
  summary: 'List work queues',
  middleware: [read] as const,
  responses: { 200: json(z.object({ data: z.array(QueueSchema) }), 'Queues by name'), ...commonErrors },
});

const presentCalendar = (c: StoredCalendar) => ({
  name: c.name,
  timezone: c.timezone,
  weekend: c.weekend,
  holidays: c.holidays,
  updatedAt: c.updatedAt.toISOString(),
  updatedBy: c.updatedBy,
});

const presentQueue = (q: StoredQueue) => ({
  name: q.name,
  members: q.members,
  updatedAt: q.updatedAt.toISOString(),
  updatedBy: q.updatedBy,
});

/** The stores name fields as their input does (`timezone`, `holidays[0]`); over HTTP they are `body.…`/`path.name`. */
const rethrowLocated = rethrowRelocated({
  code: 'validation_failed',
  rename: (field) => (field === 'name' ? 'path.name' : `body.${field}`),
});

export function calendarQueueRoutes(engine: Engine): RouteModule {
  const clock = engine.services.clock;
  return {
    register(app: App) {
      app.openapi(putCalendarDef, async (c) => {
        const { name } = c.req.valid('param');
        const body = c.req.valid('json');
        const result = await putCalendar(
          c.var.database,
          { name, ...body, actor: c.var.principal.id, requestId: c.var.requestId },
          clock,
        ).catch(rethrowLocated);
        return c.json(presentCalendar(result.calendar), result.created ? 201 : 200);
      });

      app.openapi(listCalendarsDef, async (c) =>
        c.json({ data: (await listCalendars(c.var.database.db)).map(presentCalendar) }, 200),
      );

      app.openapi(putQueueDef, async (c) => {
        const { name } = c.req.valid('param');
        const { members } = c.req.valid('json');
        const result = await putQueue(
          c.var.database,
          { name, members, actor: c.var.principal.id, requestId: c.var.requestId },
          clock,
        ).catch(rethrowLocated);
        return c.json(presentQueue(result.queue), result.created ? 201 : 200);
      });

      app.openapi(listQueuesDef, async (c) =>
        c.json({ data: (await listQueues(c.var.database.db)).map(presentQueue) }, 200),
      );
    },
  };
}
