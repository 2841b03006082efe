import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { commonErrors, json } from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { decisionReport, SCORE_BAND } from './decision-report.js';

/** /credit/reports/decisions: approve, decline and review rates and the score distribution (dashboards). */

const MAX_YEARS = 3;
const Day = z.iso.date({ error: 'must be a date, YYYY-MM-DD' });

const QuerySchema = z
  .object({
    from: Day.openapi({ description: 'First day (UTC) of the submissions counted', example: '2026-01-01' }),
    to: Day.openapi({ description: 'Last day, included; at most 3 years after from', example: '2026-03-31' }),
    product: z.string().min(1).max(60).optional().openapi({ description: 'Credit product, e.g. personal-loan' }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code, e.g. "EUR"')
      .optional(),
    segment: z.string().min(1).max(60).optional().openapi({ description: "The applicant's customer segment" }),
  })
  .superRefine((q, ctx) => {
    if (!Day.safeParse(q.from).success || !Day.safeParse(q.to).success) return;
    if (q.to < q.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
      return;
    }
    const limit = new Date(`${q.from}T00:00:00Z`);
    limit.setUTCFullYear(limit.getUTCFullYear() + MAX_YEARS);
    if (q.to > limit.toISOString().slice(0, 10)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `the period must be at most ${MAX_YEARS} years` });
    }
  });

const Outcomes = {
  approve: z.number().int(),
  decline: z.number().int(),
  review: z.number().int(),
  pending: z.number().int().openapi({ description: 'Submitted, no automatic decision yet' }),
  total: z.number().int(),
  approveRate: z.number().nullable().openapi({ description: 'Of the decided, 4 places' }),
  declineRate: z.number().nullable(),
  reviewRate: z.number().nullable(),
};

const ReportSchema = z
  .object({
    period: z.object({ from: z.string(), to: z.string() }),
    filters: z.object({
      product: z.string().nullable(),
      currency: z.string().nullable(),
      segment: z.string().nullable(),
    }),
    outcomes: z.object(Outcomes),
    byProduct: z.array(z.object({ product: z.string(), ...Outcomes })),
    scoreBands: z
      .array(
        z.object({
          low: z.number().int(),
          high: z.number().int(),
          approve: z.number().int(),
          decline: z.number().int(),
          review: z.number().int(),
          total: z.number().int(),
        }),
      )
      .openapi({ description: `Scores in bands of ${SCORE_BAND} points, with the outcome of each` }),
    grades: z.array(z.object({ grade: z.string(), count: z.number().int() })),
  })
  .openapi('CreditDecisionReport');

const decisionsDef = createRoute({
  method: 'get',
  path: '/credit/reports/decisions',
  tags: ['credit'],
  summary: 'How policy decided the applications submitted in a period: outcome rates and the score distribution',
  middleware: [requirePermission('credit:read')] as const,
  request: { query: QuerySchema },
  responses: { 200: json(ReportSchema, 'Counts, rates, score bands and grades'), ...commonErrors },
});

export function creditReportRoutes(_context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(decisionsDef, async (c) =>
        c.json(await decisionReport(c.var.database.db, c.req.valid('query')), 200),
      );
    },
  };
}
