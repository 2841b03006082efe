import { createRoute, z } from '@hono/zod-openapi';
import type { Engine } from '../../engine/engine.js';
import { engineHealth } from '../../engine/runtime/health-report.js';
import type { App, RouteModule } from '../context.js';
import { requirePermission } from '../middleware/auth.js';
import { commonErrors, json } from '../schemas.js';

/** /reports/engine-health: instances by status, failed instances, task backlog and SLA breaches (dashboards). */

const Count = z.number().int();

const EngineHealthSchema = z
  .object({
    asOf: z.string().datetime(),
    days: z.number().int().openapi({ description: 'The window of the completed and completedLate counts' }),
    instances: z.array(z.object({ status: z.string(), count: Count })),
    byWorkflow: z
      .array(
        z.object({
          workflow: z.string(),
          running: Count,
          suspended: Count,
          failed: Count,
          completed: Count,
          cancelled: Count,
        }),
      )
      .openapi({ description: 'The 50 workflows with the most instances' }),
    failed: z.object({ count: Count, oldestAt: z.string().datetime().nullable() }),
    queues: z.array(
      z.object({
        queue: z.string(),
        open: Count,
        unassigned: Count,
        overdue: Count.openapi({ description: 'Open and past their due time (SLA breached)' }),
        escalated: Count,
        oldestOpenAt: z.string().datetime().nullable(),
        completed: Count.openapi({ description: 'Completed in the last `days` days' }),
        completedLate: Count.openapi({ description: 'Of those, completed after their due time' }),
      }),
    ),
  })
  .openapi('EngineHealth');

const healthDef = createRoute({
  method: 'get',
  path: '/reports/engine-health',
  tags: ['instances'],
  summary: 'Engine health: instances by status and workflow, failed instances, task backlog and SLA breaches per queue',
  middleware: [requirePermission('workflows:read')] as const,
  request: {
    query: z.object({
      days: z.coerce
        .number()
        .int()
        .min(1)
        .max(366)
        .default(7)
        .openapi({ description: 'Completed tasks counted over this many days (default 7)' }),
    }),
  },
  responses: { 200: json(EngineHealthSchema, 'The counts'), ...commonErrors },
});

export function engineHealthRoutes(engine: Engine): RouteModule {
  return {
    register(app: App) {
      app.openapi(healthDef, async (c) => {
        const { days } = c.req.valid('query');
        return c.json(await engineHealth(c.var.database.db, engine.services.clock.now(), days), 200);
      });
    },
  };
}
