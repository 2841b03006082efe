import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.js';
import { DecisionError } from '../../engine/decisions/decision-evaluator.js';
import {
  DECISION_KEY,
  getDecision,
  listDecisions,
  type DecisionSummary,
} from '../../engine/decisions/decision-store.js';
import type { Engine } from '../../engine/engine.js';
import type { App, RouteModule } from '../context.js';
import { rethrowRelocated } from '../located.js';
import { changeApprovalRequired } from '../../changes/change-requests.js';
import { requirePermission } from '../middleware/auth.js';
import { commonErrors, json, notFoundError, unprocessableError } from '../schemas.js';

/** Decisions: GoRules JDM documents, versioned like workflows, evaluated by zen-engine. */

const DecisionKey = z
  .string()
  .regex(DECISION_KEY, 'must be 1-100 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit')
  .openapi({ example: 'credit-limit' });

const JdmSchema = z.looseObject({ nodes: z.array(z.unknown()), edges: z.array(z.unknown()) }).openapi('JdmDocument', {
  description: 'A GoRules JDM decision document, as exported by the GoRules editor',
});

const DeployedDecisionSchema = z
  .object({ key: z.string(), version: z.number().int(), created: z.boolean() })
  .openapi('DeployedDecision');

const DecisionSummarySchema = z
  .object({
    key: z.string(),
    version: z.number().int(),
    checksum: z.string(),
    createdAt: z.string().datetime(),
    createdBy: z.string(),
  })
  .openapi('DecisionSummary');

const DecisionSchema = DecisionSummarySchema.extend({ content: z.record(z.string(), z.unknown()) }).openapi('Decision');

const EvaluationSchema = z
  .object({ key: z.string(), version: z.number().int(), result: z.unknown() })
  .openapi('DecisionEvaluation');

const keyParams = z.object({ key: DecisionKey });
const versionQuery = z.object({
  version: z.coerce.number().int().positive().optional().openapi({ description: 'Default: the latest version' }),
});

const putDef = createRoute({
  method: 'put',
  path: '/decisions/{key}',
  tags: ['decisions'],
  summary: 'Deploy a decision as the next version of its key (identical content: no new version)',
  middleware: [requirePermission('decisions:manage')] as const,
  request: { params: keyParams, body: { required: true, content: { 'application/json': { schema: JdmSchema } } } },
  responses: {
    201: json(DeployedDecisionSchema, 'A new version was stored'),
    200: json(DeployedDecisionSchema, 'Identical to the latest version: nothing stored'),
    ...commonErrors,
  },
});

const listDef = createRoute({
  method: 'get',
  path: '/decisions',
  tags: ['decisions'],
  summary: 'The latest version of every decision (without content)',
  middleware: [requirePermission('workflows:read')] as const,
  responses: { 200: json(z.object({ data: z.array(DecisionSummarySchema) }), 'Decisions by key'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/decisions/{key}',
  tags: ['decisions'],
  summary: 'A decision with its JDM content',
  middleware: [requirePermission('workflows:read')] as const,
  request: { params: keyParams, query: versionQuery },
  responses: { 200: json(DecisionSchema, 'The decision'), ...commonErrors, ...notFoundError },
});

const evaluateDef = createRoute({
  method: 'post',
  path: '/decisions/{key}/evaluate',
  tags: ['decisions'],
  summary: 'Evaluate a decision against an input document',
  description: 'Nothing is stored. A decision that fails while evaluating (a function node throws) gets 422.',
  middleware: [requirePermission('workflows:read')] as const,
  request: {
    params: keyParams,
    query: versionQuery,
    body: {
      required: true,
      content: {
        'application/json': { schema: z.record(z.string(), z.unknown()).openapi({ example: { score: 710 } }) },
      },
    },
  },
  responses: {
    200: json(EvaluationSchema, "The decision's result"),
    ...commonErrors,
    ...notFoundError,
    ...unprocessableError('The decision failed while evaluating; `detail` says why'),
  },
});

const presentSummary = (d: DecisionSummary) => ({
  key: d.key,
  version: d.version,
  checksum: d.checksum,
  createdAt: d.createdAt.toISOString(),
  createdBy: d.createdBy,
});

/** The store names the document `content`; over HTTP it is the request body. */
const inBody = rethrowRelocated({
  code: 'validation_failed',
  rename: (field) => (field === 'content' ? 'body' : `body.${field}`),
});

export function decisionRoutes(engine: Engine): RouteModule {
  return {
    register(app: App) {
      app.openapi(putDef, async (c) => {
        if (c.var.fourEyesChanges) throw changeApprovalRequired('decision', 'POST /changes/decisions/{key}');
        const { key } = c.req.valid('param');
        const content = c.req.valid('json');
        const stored = await engine
          .putDecision({ key, content, actor: c.var.principal.id, requestId: c.var.requestId }, c.var.database)
          .catch(inBody);
        return c.json(stored, stored.created ? 201 : 200);
      });

      app.openapi(listDef, async (c) =>
        c.json({ data: (await listDecisions(c.var.database.db)).map(presentSummary) }, 200),
      );

      app.openapi(getDef, async (c) => {
        const { key } = c.req.valid('param');
        const { version } = c.req.valid('query');
        const decision = await getDecision(c.var.database.db, key, version);
        return c.json({ ...presentSummary(decision), content: decision.content }, 200);
      });

      app.openapi(evaluateDef, async (c) => {
        const { key } = c.req.valid('param');
        const { version } = c.req.valid('query');
        try {
          const outcome = await engine.evaluateDecision(key, c.req.valid('json'), version);
          return c.json({ key: outcome.key, version: outcome.version, result: outcome.result }, 200);
        } catch (error) {
          if (error instanceof DecisionError) {
            throw new AppError('decision_failed', 422, error.message, {
              cause: error,
              details: { key: error.key, version: error.version, ...(error.nodeId ? { nodeId: error.nodeId } : {}) },
            });
          }
          throw error;
        }
      });
    },
  };
}
