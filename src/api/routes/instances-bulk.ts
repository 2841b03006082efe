import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.js';
import type { Engine } from '../../engine/engine.js';
import { countInstances, matchingInstanceIds } from '../../engine/runtime/queries.js';
import type { App, RouteModule } from '../context.js';
import { requirePermission } from '../middleware/auth.js';
import { commonErrors, json } from '../schemas.js';
import { InstanceFilterSchema } from './instances.js';

/**
 * Operator actions on a whole filtered set of instances (the console's bulk retry of failed
 * instances): the same filter as GET /instances, a count of what it matches, and one action applied
 * to every match — each instance in its own transaction, audited like the single action, with its
 * own outcome reported. Registered before instanceRoutes so `/instances/count` is not read as an id.
 */

export const BULK_ACTIONS = ['retry', 'cancel', 'suspend', 'resume'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
/** At most this many instances per call; the answer says when more matched. */
export const BULK_MAX = 10_000;
/** Instances handled between two yields to the event loop. */
const BATCH = 100;
/** The count stops here: enough to say "more than a hundred thousand". */
const COUNT_CAP = 1_000_000;

const countDef = createRoute({
  method: 'get',
  path: '/instances/count',
  tags: ['instances'],
  summary: 'How many instances match the list filter (e.g. failed ones, before a bulk action)',
  middleware: [requirePermission('workflows:read')] as const,
  request: { query: InstanceFilterSchema },
  responses: {
    200: json(
      z.object({ count: z.number().int(), capped: z.boolean() }).openapi('InstanceCount'),
      'The count; `capped` when it reached the counting limit',
    ),
    ...commonErrors,
  },
});

const BulkSchema = InstanceFilterSchema.extend({
  version: z.number().int().positive().optional().openapi({ description: 'Only this version of the workflow' }),
  action: z.enum(BULK_ACTIONS),
  reason: z.string().max(500).optional().openapi({ description: "Recorded in each instance's timeline and audit" }),
  limit: z
    .number()
    .int()
    .min(1)
    .max(BULK_MAX)
    .optional()
    .openapi({ description: `At most this many instances, oldest first (default and maximum ${BULK_MAX})` }),
})
  .strict()
  .openapi('BulkInstanceAction');

const OUTCOMES = ['ok', 'skipped', 'failed'] as const;

const BulkResultSchema = z
  .object({
    action: z.enum(BULK_ACTIONS),
    matched: z.number().int().openapi({ description: 'Instances the filter matched when the call began (processed)' }),
    truncated: z.boolean().openapi({ description: 'More instances matched than `limit`: call again for the rest' }),
    counts: z.object({ ok: z.number().int(), skipped: z.number().int(), failed: z.number().int() }),
    results: z.array(
      z.object({
        id: z.string(),
        outcome: z.enum(OUTCOMES),
        code: z.string().nullable(),
        reason: z.string().nullable(),
      }),
    ),
  })
  .openapi('BulkInstanceResult');

const bulkDef = createRoute({
  method: 'post',
  path: '/instances/bulk',
  tags: ['instances'],
  summary: 'Retry, cancel, suspend or resume every instance the filter matches',
  description:
    `The filter is the list's (status, workflow, version, correlationKey, q). At most ${BULK_MAX} instances per ` +
    'call, oldest first; each is changed in its own transaction and audited like the single action. Every ' +
    'instance gets its outcome: `ok`, `skipped` (not in a state the action applies to, e.g. retrying one that ' +
    'no longer failed) or `failed` (with the reason).',
  middleware: [requirePermission('workflows:operate')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: BulkSchema } } } },
  responses: { 200: json(BulkResultSchema, 'Each instance’s outcome'), ...commonErrors },
});

type Outcome = z.infer<typeof BulkResultSchema>['results'][number];

export function instanceBulkRoutes(engine: Engine): RouteModule {
  return {
    register(app: App) {
      app.openapi(countDef, async (c) => {
        const count = await countInstances(c.var.database.db, c.req.valid('query'), COUNT_CAP);
        return c.json({ count, capped: count >= COUNT_CAP }, 200);
      });

      app.openapi(bulkDef, async (c) => {
        const { action, reason, limit = BULK_MAX, ...filter } = c.req.valid('json');
        // The set is fixed when the call begins: instances that change meanwhile are not picked up twice.
        const ids = await matchingInstanceIds(c.var.database.db, filter, limit + 1);
        const truncated = ids.length > limit;
        if (truncated) ids.length = limit;
        const results: Outcome[] = [];
        for (let start = 0; start < ids.length; start += BATCH) {
          for (const id of ids.slice(start, start + BATCH)) {
            const request = { instanceId: id, actor: c.var.principal.id, reason, requestId: c.var.requestId };
            try {
              // c.var.database, not a transaction: each instance commits (or fails) on its own.
              await engine[action](request, c.var.database);
              results.push({ id, outcome: 'ok', code: null, reason: null });
            } catch (error) {
              if (error instanceof AppError && error.status === 409) {
                results.push({ id, outcome: 'skipped', code: error.code, reason: error.message });
              } else if (error instanceof AppError && error.status < 500) {
                results.push({ id, outcome: 'failed', code: error.code, reason: error.message });
              } else {
                c.var.logger.error({ err: error, instanceId: id, action }, 'bulk instance action failed');
                results.push({ id, outcome: 'failed', code: 'internal_error', reason: 'unexpected error; see logs' });
              }
            }
          }
          await new Promise((resolve) => setImmediate(resolve)); // let other requests in between batches
        }
        const counts = { ok: 0, skipped: 0, failed: 0 };
        for (const r of results) counts[r.outcome] += 1;
        return c.json({ action, matched: ids.length, truncated, counts, results }, 200);
      });
    },
  };
}
