import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { commonErrors, json } from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { MAX_POINTS, pointDates, portfolioReport, defaultInterval } from './portfolio-report.js';

/** /receivables/reports/portfolio: the portfolio by delinquency bucket over time (dashboards). */

const MAX_YEARS = 3;
const Day = z.iso.date({ error: 'must be a date, YYYY-MM-DD' });

const QuerySchema = z
  .object({
    from: Day.openapi({ description: 'First day of the period (UTC business date)', example: '2026-01-01' }),
    to: Day.openapi({
      description: 'Last day of the period, included; at most 3 years after from',
      example: '2026-03-31',
    }),
    interval: z.enum(['day', 'week', 'month']).optional().openapi({
      description: 'One point at the end of each; default: days up to 45 days, weeks up to 210, else months',
    }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code, e.g. "EUR"')
      .optional(),
    segment: z.string().min(1).max(60).optional().openapi({ description: "The customer's segment" }),
    product: z
      .string()
      .min(1)
      .max(60)
      .optional()
      .openapi({ description: 'Receivable kind (`loan`, `invoice`) or the credit product that booked it' }),
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
      return;
    }
    if (pointDates(q.from, q.to, q.interval ?? defaultInterval(q.from, q.to)).length > MAX_POINTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['interval'],
        message: `gives more than ${MAX_POINTS} points: choose a longer one`,
      });
    }
  });

const ReportSchema = z
  .object({
    period: z.object({ from: z.string(), to: z.string(), days: z.number() }),
    interval: z.enum(['day', 'week', 'month']),
    filters: z.object({
      currency: z.string().nullable(),
      segment: z.string().nullable(),
      product: z.string().nullable(),
    }),
    buckets: z.array(z.string()).openapi({ description: 'current, then the configured buckets in order' }),
    dates: z.array(z.string()).openapi({ description: 'The dates the points are taken at' }),
    points: z.array(
      z.object({
        date: z.string(),
        bucket: z.string(),
        currency: z.string(),
        receivables: z.number().int(),
        owed: z.string().openapi({ description: 'Minor units', example: '125000' }),
      }),
    ),
    options: z
      .object({ segments: z.array(z.string()), products: z.array(z.string()), currencies: z.array(z.string()) })
      .openapi({ description: 'What the filters can take: the segments, products and currencies in use' }),
  })
  .openapi('PortfolioByBucket');

const portfolioDef = createRoute({
  method: 'get',
  path: '/receivables/reports/portfolio',
  tags: ['receivables'],
  summary:
    'The portfolio by delinquency bucket over time: receivables owing and what they owed, per bucket and currency',
  middleware: [requirePermission('receivables:read')] as const,
  request: { query: QuerySchema },
  responses: { 200: json(ReportSchema, 'One row per date, bucket and currency with something owed'), ...commonErrors },
});

export function portfolioReportRoutes(_context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(portfolioDef, async (c) =>
        c.json(await portfolioReport(c.var.database.db, c.req.valid('query')), 200),
      );
    },
  };
}
