import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../api/context.js';
import { requirePermission } from '../../api/middleware/auth.js';
import { idempotent } from '../../api/middleware/idempotency.js';
import { commonErrors, IdempotencyKeyHeader, json } from '../../api/schemas.js';
import { AppError } from '../../core/errors.js';
import type { DomainContext } from '../contract.js';
import { MAX_SYNC_ROWS, syncRows } from './sync-service.js';

/** POST /sync/{customers|receivables|payments}: bulk upsert from the core system. */

const SyncRequestSchema = z
  .object({
    mode: z
      .enum(['all_or_nothing', 'per_row'])
      .default('all_or_nothing')
      .openapi({ description: 'all_or_nothing: commit only if every row is good; per_row: keep the good rows' }),
    rows: z
      .array(z.unknown())
      .max(MAX_SYNC_ROWS)
      .openapi({ description: `Up to ${MAX_SYNC_ROWS} rows, each shaped like the single-entity create body` }),
  })
  .strict()
  .openapi('SyncRequest');

const SyncReportSchema = z
  .object({
    kind: z.enum(['customers', 'receivables', 'payments']),
    mode: z.enum(['all_or_nothing', 'per_row']),
    committed: z.boolean(),
    counts: z.object({ created: z.number(), updated: z.number(), unchanged: z.number(), failed: z.number() }),
    rows: z.array(
      z.object({
        index: z.number().openapi({ description: '0-based position in `rows`' }),
        status: z.enum(['created', 'updated', 'unchanged', 'error']),
        id: z.string().optional(),
        errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
      }),
    ),
  })
  .openapi('SyncReport');

const syncDef = createRoute({
  method: 'post',
  path: '/sync/{kind}',
  tags: ['sync'],
  summary: 'Bulk upsert customers, receivables or payments keyed by external id',
  description:
    'Idempotent: rows already applied come back `unchanged`. Errors name the row index and field. ' +
    'Status 200 when committed, 422 when nothing was committed because a row failed (all_or_nothing).',
  middleware: [requirePermission('sync:write'), idempotent()] as const,
  request: {
    params: z.object({ kind: z.enum(['customers', 'receivables', 'payments']) }),
    headers: IdempotencyKeyHeader,
    body: { required: true, content: { 'application/json': { schema: SyncRequestSchema } } },
  },
  responses: {
    200: json(SyncReportSchema, 'Committed (per_row: with the failing rows listed)'),
    422: {
      description:
        'Not committed: at least one row failed (all_or_nothing). problem+json (`sync_rows_failed`) with the ' +
        'report members and `errors` naming `body.rows.<index>.<field>`',
      content: { 'application/problem+json': { schema: SyncReportSchema } },
    },
    ...commonErrors,
  },
});

export function syncRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(syncDef, async (c) => {
        const { kind } = c.req.valid('param');
        const { mode, rows } = c.req.valid('json');
        const report = await syncRows({ ...context, database: c.var.database }, kind, rows, {
          mode,
          actor: c.var.principal.id,
          requestId: c.var.requestId,
        });
        if (report.committed) return c.json(report, 200);
        // Nothing was committed: a refusal, so problem+json like every other one. The report's
        // members stay as they were (kind, mode, committed, counts, rows), and `errors` names
        // each failing field as `body.rows.<index>.<field>`.
        const failed = report.rows.filter((r) => r.status === 'error');
        const issues = failed.flatMap((r) =>
          (r.errors ?? []).map((e) => ({ field: `body.rows.${r.index}.${e.field}`, message: e.message })),
        );
        throw new AppError(
          'sync_rows_failed',
          422,
          `${failed.length} of ${report.rows.length} rows failed; nothing was committed`,
          { issues: issues.slice(0, 100), details: { ...report } },
        );
      });
    },
  };
}
