import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { commonErrors, json } from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { CalendarDate } from '../../payments/http/schemas.js';
import { CurrencyCode } from '../positions/routes.js';
import { cashForecast, forecastCsv } from './forecast.js';
import { readProbabilities, updateProbabilities } from './forecast-settings.js';

/** GET /treasury/forecast (JSON or CSV) and its collection probabilities, GET/PUT /treasury/forecast/settings. */

const read = requirePermission('payments:read');
const manage = requirePermission('bankaccounts:manage');
const Minor = z.string().openapi({ description: 'Signed minor units', example: '125000' });

const BandSchema = z
  .object({
    maxDpd: z.number().int().min(0).nullable().openapi({ description: 'Days past due up to this; null: the rest' }),
    probability: z
      .number()
      .min(0)
      .max(1)
      .multipleOf(0.0001, 'must have at most 4 decimals (a whole number of basis points)')
      .openapi({ description: '0–1, at most 4 decimals' }),
  })
  .openapi('CollectionProbabilityBand');
const SettingsSchema = z.object({ bands: z.array(BandSchema) }).openapi('ForecastSettings');

const BucketSchema = z
  .object({
    start: z.string(),
    end: z.string(),
    opening: Minor,
    inflows: Minor.openapi({ description: 'Expected collections, weighted by probability of payment' }),
    outflows: Minor.openapi({ description: 'Payments and pending credit disbursements' }),
    closing: Minor,
    collectionsDue: Minor.openapi({ description: 'Collections due before weighting' }),
    payments: Minor,
    disbursements: Minor,
  })
  .openapi('ForecastBucket');

const ForecastSchema = z
  .object({
    currency: z.string(),
    from: z.string(),
    to: z.string(),
    granularity: z.enum(['week', 'day']),
    opening: z.object({
      balance: Minor,
      accounts: z.number().int(),
      accountsWithoutStatement: z.number().int(),
    }),
    probabilities: z.array(BandSchema),
    buckets: z.array(BucketSchema),
    totals: z.object({
      inflows: Minor,
      outflows: Minor,
      collectionsDue: Minor,
      payments: Minor,
      disbursements: Minor,
    }),
  })
  .openapi('CashForecast');

const forecastDef = createRoute({
  method: 'get',
  path: '/treasury/forecast',
  tags: ['treasury'],
  summary: 'Cash forecast of one currency by week or day: opening balance, expected inflows and outflows',
  description:
    'Opening: the accounts’ latest statement balances. Outflows: payments not settled (draft to accepted) by ' +
    'requested execution date, and pending credit disbursements (first day). Inflows: open receivables ' +
    'installments by due date, weighted by the probability of payment of their delinquency band ' +
    '(GET /treasury/forecast/settings). What is already due falls on the first day. `format=csv` or ' +
    '`Accept: text/csv` answers the buckets as CSV.',
  middleware: [read] as const,
  request: {
    query: z.object({
      currency: CurrencyCode,
      weeks: z.coerce.number().int().min(1).max(52).default(13),
      granularity: z.enum(['week', 'day']).default('week'),
      from: CalendarDate.optional().openapi({ description: 'First day; default today' }),
      format: z.enum(['json', 'csv']).optional(),
    }),
  },
  responses: {
    200: {
      description: 'The forecast',
      content: { 'application/json': { schema: ForecastSchema }, 'text/csv': { schema: z.string() } },
    },
    ...commonErrors,
  },
});

const settingsDef = createRoute({
  method: 'get',
  path: '/treasury/forecast/settings',
  tags: ['treasury'],
  summary: 'The probability of payment by days past due the forecast weights collections with',
  middleware: [read] as const,
  responses: { 200: json(SettingsSchema, 'The bands'), ...commonErrors },
});

const putSettingsDef = createRoute({
  method: 'put',
  path: '/treasury/forecast/settings',
  tags: ['treasury'],
  summary: 'Replace the probability-of-payment bands (rising maxDpd, the last open-ended); audited',
  middleware: [manage] as const,
  request: { body: { required: true, content: { 'application/json': { schema: SettingsSchema } } } },
  responses: { 200: json(SettingsSchema, 'The bands now'), ...commonErrors },
});

const wantsCsv = (format: string | undefined, accept: string | undefined) =>
  format === 'csv' || (format === undefined && /\btext\/csv\b/i.test(accept ?? ''));

export function forecastRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(forecastDef, async (c) => {
        const q = c.req.valid('query');
        const now = context.clock.now();
        const today = now.toISOString().slice(0, 10);
        const db = c.var.database.db;
        const forecast = await cashForecast(db, {
          currency: q.currency,
          from: q.from ?? today,
          weeks: q.weeks,
          granularity: q.granularity,
          today,
          now,
          probabilities: await readProbabilities(db),
        });
        if (wantsCsv(q.format, c.req.header('accept'))) {
          return c.body(forecastCsv(forecast), 200, { 'content-type': 'text/csv; charset=utf-8' });
        }
        return c.json(forecast, 200);
      });

      app.openapi(settingsDef, async (c) => c.json({ bands: await readProbabilities(c.var.database.db) }, 200));

      app.openapi(putSettingsDef, async (c) => {
        const { bands } = c.req.valid('json');
        const saved = await inRequestUnit(context, c, (unit) => updateProbabilities(unit, bands));
        return c.json({ bands: saved }, 200);
      });
    },
  };
}
