import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { commonErrors, json } from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { bestTime, DEFAULT_MIN_SAMPLE } from './best-time.js';
import { collectionKpis } from './kpis.js';
import { DEFAULT_UNIT_COSTS, strategyReport } from './strategies.js';

/** /collections/reports: KPIs, best time to contact, and champion/challenger strategy results. */

const MAX_YEARS = 3;

const Day = z.iso.date({ error: 'must be a date, YYYY-MM-DD' });
const Segment = z.string().min(1).max(60);
const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code, e.g. "EUR"');

/** `to` on or after `from`, and at most three years after it (reports scan every case in the period). */
function checkPeriod(q: { from: string; to: string }, ctx: z.RefinementCtx): void {
  // zod runs this even when a date failed its format check; that failure is already reported.
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
}

const periodFields = {
  from: Day.openapi({ description: 'First day of the period (UTC business date)', example: '2026-03-01' }),
  to: Day.openapi({
    description: 'Last day of the period, included; at most 3 years after from',
    example: '2026-03-31',
  }),
};

const unitCost = (channel: keyof typeof DEFAULT_UNIT_COSTS) =>
  z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000_000)
    .optional()
    .openapi({ description: `Cost of one ${channel}, minor units (default ${DEFAULT_UNIT_COSTS[channel]})` });

const KpiQuerySchema = z
  .object({
    ...periodFields,
    segment: Segment.optional().openapi({ description: 'Cases, promises and recoveries of this segment only' }),
    currency: Currency.optional(),
  })
  .superRefine(checkPeriod);

const StrategyQuerySchema = z
  .object({
    ...periodFields,
    segment: Segment.optional(),
    costEmail: unitCost('email'),
    costSms: unitCost('sms'),
    costCall: unitCost('call'),
    costLetter: unitCost('letter'),
  })
  .superRefine(checkPeriod);

const BestTimeQuerySchema = z.object({
  segment: Segment.optional(),
  channel: z.string().min(1).max(20).optional().openapi({ description: 'email, sms, call, letter, visit, chat' }),
  minSample: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(DEFAULT_MIN_SAMPLE)
    .openapi({ description: 'Least attempts a slot needs to be chosen as the best' }),
});

const Ci = z.object({ low: z.number(), high: z.number() }).nullable().openapi({ description: '95 % interval' });
const RateCi = z.object({
  rate: z.number().nullable(),
  ci: Ci.openapi({ description: '95 % Wilson score interval' }),
});
const Money = z.string().openapi({ description: 'Minor units', example: '125000' });
const PromiseCounts = { kept: z.number(), broken: z.number(), rate: z.number().nullable() };
const Period = z.object({ from: z.string(), to: z.string(), days: z.number() });

const KpisSchema = z
  .object({
    period: Period,
    filters: z.object({ segment: z.string().nullable(), currency: z.string().nullable() }),
    cureRate: RateCi.extend({ cured: z.number(), opened: z.number() }).openapi({
      description: 'Cases opened in the period now closed cured or paid ÷ cases opened in the period',
    }),
    rollRates: z
      .array(
        z.object({
          from: z.string(),
          to: z.string(),
          inBucket: z.number(),
          rolled: z.number(),
          rate: z.number().nullable(),
        }),
      )
      .openapi({
        description: 'Of the receivables in `from` during the period, the share that moved to `to` or worse',
      }),
    promiseKeptRate: z.object({
      overall: z.object(PromiseCounts),
      byCollector: z.array(z.object({ collector: z.string().nullable(), ...PromiseCounts })),
      bySegment: z.array(z.object({ segment: z.string(), ...PromiseCounts })),
    }),
    recoveryRate: z.array(
      z.object({
        currency: z.string(),
        cases: z.number(),
        recovered: Money,
        openedOverdue: Money,
        rate: z.string().nullable().openapi({ example: '0.5610' }),
      }),
    ),
    cei: z.array(
      z.object({
        currency: z.string(),
        beginning: Money,
        creditSales: Money,
        feesCharged: Money,
        sales: Money,
        endingTotal: Money,
        endingCurrent: Money,
        collected: Money,
        adjusted: Money,
        cei: z.string().nullable().openapi({ description: 'Percent, 2 places', example: '56.74' }),
      }),
    ),
    dso: z.array(
      z.object({
        currency: z.string(),
        endingTotal: Money,
        sales: Money,
        days: z.number(),
        dso: z.string().nullable().openapi({ description: 'Days, 2 places', example: '73.85' }),
      }),
    ),
  })
  .openapi('CollectionKpis');

const SlotSchema = z.object({
  channel: z.string(),
  segment: z.string(),
  weekday: z.number().openapi({ description: 'ISO weekday in the customer’s time zone, 1 = Monday' }),
  hour: z.number().openapi({ description: 'Hour of day in the customer’s time zone' }),
  attempts: z.number(),
  messages: z.number(),
  contacts: z.number(),
  rightParty: z.number(),
  paid: z.number(),
  rightPartyRate: z.number().nullable(),
  paymentRate: z.number().nullable(),
});

const BestTimeSchema = z
  .object({
    filters: z.object({ segment: z.string().nullable(), channel: z.string().nullable() }),
    minSample: z.number(),
    rows: z.array(SlotSchema),
    best: z.array(
      z.object({
        channel: z.string(),
        segment: z.string(),
        best: z
          .object({
            weekday: z.number(),
            hour: z.number(),
            attempts: z.number(),
            paymentRate: z.number().nullable(),
            rightPartyRate: z.number().nullable(),
          })
          .nullable(),
      }),
    ),
  })
  .openapi('CollectionsBestTime');

const VariantSchema = z.object({
  segment: z.string(),
  variant: z.string(),
  cases: z.number(),
  cured: z.number(),
  cureRate: RateCi,
  rolled: z.number(),
  rollRate: RateCi,
  recovery: z.object({
    byCurrency: z.array(
      z.object({
        currency: z.string(),
        cases: z.number(),
        recovered: Money,
        openedOverdue: Money,
        rate: z.string().nullable(),
      }),
    ),
    perCase: z
      .object({
        n: z.number(),
        mean: z.number(),
        sd: z.number().nullable(),
        low: z.number().nullable(),
        high: z.number().nullable(),
      })
      .nullable(),
  }),
  cost: z.object({
    emails: z.number(),
    sms: z.number(),
    calls: z.number(),
    letters: z.number(),
    total: Money,
    perCase: z.string().nullable(),
  }),
});

const StrategiesSchema = z
  .object({
    period: Period,
    filters: z.object({ segment: z.string().nullable() }),
    unitCosts: z.object({ email: Money, sms: Money, call: Money, letter: Money }),
    variants: z.array(VariantSchema),
    comparisons: z.array(
      z.object({
        segment: z.string(),
        champion: z.string(),
        challenger: z.string(),
        cureRateDifference: z.number().nullable(),
        ci: Ci.openapi({ description: "Newcombe's hybrid score 95 % interval" }),
        significant: z.boolean(),
      }),
    ),
  })
  .openapi('CollectionsStrategyReport');

const read = requirePermission('collections:read');

const kpisDef = createRoute({
  method: 'get',
  path: '/collections/reports/kpis',
  tags: ['collections'],
  summary: 'Collections KPIs for a period: cure, roll, promise-kept and recovery rates, CEI and DSO',
  middleware: [read] as const,
  request: { query: KpiQuerySchema },
  responses: { 200: json(KpisSchema, 'Each figure with the inputs it was computed from'), ...commonErrors },
});

const bestTimeDef = createRoute({
  method: 'get',
  path: '/collections/reports/best-time',
  tags: ['collections'],
  summary: "Right-party and payment rates by channel, segment, weekday and hour in the customer's time zone",
  middleware: [read] as const,
  request: { query: BestTimeQuerySchema },
  responses: { 200: json(BestTimeSchema, 'Slots, and the best slot per channel and segment'), ...commonErrors },
});

const strategiesDef = createRoute({
  method: 'get',
  path: '/collections/reports/strategies',
  tags: ['collections'],
  summary: 'Champion/challenger results per segment for the cases opened in a period, with confidence intervals',
  middleware: [read] as const,
  request: { query: StrategyQuerySchema },
  responses: { 200: json(StrategiesSchema, 'Per variant, and each challenger against its champion'), ...commonErrors },
});

const bigintOrUndefined = (value: number | undefined) => (value === undefined ? undefined : BigInt(value));

export function collectionsReportRoutes(_context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(kpisDef, async (c) => c.json(await collectionKpis(c.var.database.db, c.req.valid('query')), 200));

      app.openapi(bestTimeDef, async (c) => c.json(await bestTime(c.var.database.db, c.req.valid('query')), 200));

      app.openapi(strategiesDef, async (c) => {
        const { costEmail, costSms, costCall, costLetter, ...q } = c.req.valid('query');
        const unitCosts = Object.fromEntries(
          Object.entries({
            email: bigintOrUndefined(costEmail),
            sms: bigintOrUndefined(costSms),
            call: bigintOrUndefined(costCall),
            letter: bigintOrUndefined(costLetter),
          }).filter(([, v]) => v !== undefined),
        );
        return c.json(await strategyReport(c.var.database.db, { ...q, unitCosts }), 200);
      });
    },
  };
}
