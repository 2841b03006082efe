import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../api/context.js';
import { commonErrors, json, notFoundError, unprocessableError } from '../../../api/schemas.js';
import { AppError, notFound } from '../../../core/errors.js';
import { addDays } from '../../receivables/schedule/due-dates.js';
import { receivableColumns } from '../../receivables/receivable-queries.js';
import type { DomainContext } from '../../contract.js';
import { strategyStages } from '../dunning/strategy-stages.js';
import { STRATEGY_DECISION } from '../policy/shipped-strategies.js';
import { IdParam, read } from './schemas.js';

/**
 * GET /collections/cases/{id}/strategy: the stages of the strategy the case runs (its segment and
 * variant, at the `collections.strategy` version pinned when it opened), each marked done (with
 * when it ran and its result), next (the first not yet run, with the day it falls due) or pending.
 * What a collector reads to know what the case has been through and what comes next.
 */

const StrategyStageSchema = z
  .object({
    stage: z.string(),
    seq: z.number(),
    dpd: z.number(),
    kind: z.string(),
    template: z.string().nullable(),
    fee: z.string().nullable().openapi({ description: 'Minor units, for a fee stage' }),
    status: z.enum(['done', 'next', 'pending']),
    ranAt: z.string().nullable(),
    result: z.unknown().nullable(),
    dueOn: z
      .string()
      .nullable()
      .openapi({ description: 'The day the stage falls due: oldest unpaid due date + its DPD (not yet run)' }),
  })
  .openapi('CollectionStrategyStage');

const StrategySchema = z
  .object({
    caseId: z.string(),
    segment: z.string(),
    variant: z.string(),
    decision: z.object({ key: z.string(), version: z.number() }),
    state: z.string(),
    stages: z.array(StrategyStageSchema),
  })
  .openapi('CollectionCaseStrategy');

const strategyDef = createRoute({
  method: 'get',
  path: '/collections/cases/{id}/strategy',
  tags: ['collections'],
  summary: "The case's strategy: its stages in order, each done, next or pending",
  middleware: [read] as const,
  request: { params: IdParam },
  responses: {
    200: json(StrategySchema, 'The strategy'),
    ...commonErrors,
    ...notFoundError,
    ...unprocessableError('The pinned strategy version cannot be read'),
  },
});

export function registerStrategyRoutes(app: App, context: DomainContext): void {
  app.openapi(strategyDef, async (c) => {
    const { id } = c.req.valid('param');
    const db = c.var.database.db;
    const theCase = await db.selectFrom('collection_cases').selectAll().where('id', '=', id).executeTakeFirst();
    if (!theCase) throw notFound('collection case', id);
    let table: Awaited<ReturnType<typeof strategyStages>>;
    try {
      table = await strategyStages(
        db,
        context.engine.services.decisions,
        { segment: theCase.segment, variant: theCase.variant },
        theCase.strategy_version,
      );
    } catch (error) {
      throw new AppError(
        'strategy_unreadable',
        422,
        `${STRATEGY_DECISION}@${theCase.strategy_version}: ${String(error)}`,
      );
    }
    const [runs, account] = await Promise.all([
      db.selectFrom('collection_stage_runs').selectAll().where('case_id', '=', id).execute(),
      receivableColumns(db, theCase.receivable_id, ['oldest_unpaid_due_date']),
    ]);
    const ran = new Map(runs.map((r) => [r.stage, r]));
    const open = theCase.status === 'open';
    let nextMarked = false;
    const stages = table.stages.map((s) => {
      const run = ran.get(s.stage);
      let status: 'done' | 'next' | 'pending' = 'pending';
      if (run) status = 'done';
      else if (open && !nextMarked) {
        status = 'next';
        nextMarked = true;
      }
      const oldest = account.oldest_unpaid_due_date;
      return {
        stage: s.stage,
        seq: s.seq,
        dpd: s.dpd,
        kind: s.kind,
        template: s.template,
        fee: s.fee === null ? null : s.fee.toString(),
        status,
        ranAt: run ? run.ran_at.toISOString() : null,
        result: run ? (run.result ?? null) : null,
        dueOn: !run && open && oldest ? addDays(oldest, s.dpd) : null,
      };
    });
    return c.json(
      {
        caseId: theCase.id,
        segment: theCase.segment,
        variant: theCase.variant,
        decision: { key: STRATEGY_DECISION, version: table.version },
        state: theCase.state,
        stages,
      },
      200,
    );
  });
}
