import { createRoute, z } from '@hono/zod-openapi';
import { DECISION_KEY } from '../../engine/decisions/decision-store.js';
import type { Engine } from '../../engine/engine.js';
import type { App, RouteModule } from '../context.js';
import { rethrowRelocated } from '../located.js';
import { requirePermission } from '../middleware/auth.js';
import { commonErrors, json, notFoundError, unprocessableError } from '../schemas.js';

/**
 * The decision editor's simulator: evaluates a decision on a sample input WITH zen's trace (every
 * node's input, output and the rules that matched) — either an edited document that is not stored
 * yet (`content`), or a stored version. Nothing is stored. Evaluating a document the caller wrote
 * runs its function nodes, so it takes the permission of those who deploy decisions.
 */

const TraceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    input: z.unknown(),
    output: z.unknown(),
    performance: z.string().nullable().optional(),
    traceData: z.unknown().optional(),
    order: z.number().int().optional(),
  })
  .openapi('DecisionTraceNode');

const SimulateSchema = z
  .object({
    input: z.record(z.string(), z.unknown()).openapi({ example: { grade: 'A', product: 'personal-loan' } }),
    content: z
      .looseObject({ nodes: z.array(z.unknown()), edges: z.array(z.unknown()) })
      .optional()
      .openapi({ description: 'An edited JDM document to evaluate instead of a stored version' }),
    version: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: 'Without `content`: the stored version (default: the latest)' }),
  })
  .strict()
  .openapi('DecisionSimulation');

const SimulatedSchema = z
  .object({
    key: z.string(),
    version: z.number().int().nullable().openapi({ description: 'null when an edited document was evaluated' }),
    result: z.unknown(),
    performance: z.string(),
    trace: z.record(z.string(), TraceSchema).openapi({ description: 'Per node id, in evaluation `order`' }),
  })
  .openapi('DecisionSimulated');

const simulateDef = createRoute({
  method: 'post',
  path: '/decisions/{key}/simulate',
  tags: ['decisions'],
  summary: 'Evaluate an edited (or stored) decision on a sample input, with the trace of every node',
  middleware: [requirePermission('decisions:manage')] as const,
  request: {
    params: z.object({
      key: z.string().regex(DECISION_KEY, 'must be a decision key').openapi({ example: 'credit.terms' }),
    }),
    body: { required: true, content: { 'application/json': { schema: SimulateSchema } } },
  },
  responses: {
    200: json(SimulatedSchema, 'The result and the trace'),
    ...commonErrors,
    ...notFoundError,
    ...unprocessableError('The decision failed while evaluating; `detail` says why'),
  },
});

const inBody = rethrowRelocated({
  code: 'validation_failed',
  rename: (field) => (field === 'content' ? 'body.content' : `body.content.${field.replace(/^content\./, '')}`),
});

export function decisionSimulateRoutes(engine: Engine): RouteModule {
  return {
    register(app: App) {
      app.openapi(simulateDef, async (c) => {
        const { key } = c.req.valid('param');
        const { input, content, version } = c.req.valid('json');
        if (content) {
          const outcome = await engine.simulateDecision(content, input).catch(inBody);
          return c.json(
            {
              key,
              version: null,
              result: outcome.result,
              performance: outcome.performance,
              trace: outcome.trace ?? {},
            },
            200,
          );
        }
        const outcome = await engine.evaluateDecision(key, input, version, { trace: true });
        return c.json(
          {
            key,
            version: outcome.version,
            result: outcome.result,
            performance: outcome.performance,
            trace: outcome.trace ?? {},
          },
          200,
        );
      });
    },
  };
}
