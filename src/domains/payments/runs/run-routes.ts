import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { idempotent } from '../../../api/middleware/idempotency.js';
import {
  commonErrors,
  idCursor,
  IdempotencyKeyHeader,
  json,
  notFoundError,
  pageFrom,
  pageOf,
  pageQuery,
} from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { csvBody, csvRequestBody, csvUploadErrors } from '../http/csv-body.js';
import { PaymentSchema } from '../http/schemas.js';
import { createPaymentRun, getPaymentRun, listPaymentRuns, MAX_RUN_LINES } from './payment-runs.js';
import { RUN_COLUMNS } from './run-file.js';

/** /payment-runs: CSV files of payments (payroll, supplier runs), all lines or none. */

const read = requirePermission('payments:read');
const initiate = requirePermission('payments:initiate');
const IdParam = z.object({ id: z.string().min(1).max(100) });

const RunSchema = z
  .object({
    id: z.string().openapi({ example: 'prr_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    fileSha256: z.string(),
    paymentCount: z.number().int(),
    totals: z
      .array(z.object({ currency: z.string(), amount: z.string().openapi({ description: 'Minor units' }) }))
      .openapi({ description: 'The sum of the run’s payments per currency' }),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .openapi('PaymentRun');

const RunDetailSchema = RunSchema.extend({
  statuses: z.record(z.string(), z.number().int()).openapi({
    description: 'How many of the run’s payments are in each status now (pending_approval, approved, …)',
  }),
  payments: z.array(z.object({ line: z.number().int(), payment: PaymentSchema })).openapi({
    description: 'A page of the run’s payments in file order, each with its line in the file',
  }),
  next: z.string().nullable().openapi({ description: 'Pass as `after` for the next page; null on the last' }),
}).openapi('PaymentRunDetail');

const createDef = createRoute({
  method: 'post',
  path: '/payment-runs',
  tags: ['payments'],
  summary: 'Upload a CSV file of payments (a payroll or supplier run): all its lines become payments, or none',
  description:
    `The body is the CSV file (\`text/csv\`, UTF-8, comma-separated, a header line naming the columns: ${RUN_COLUMNS.join(', ')}; ` +
    'beneficiaryId and amount are required; see docs/payments.md, Payment runs). `amount` is in major units ' +
    '("1234.56"), converted exactly to minor units by the currency’s decimals (more decimals are refused, never rounded). ' +
    'Every line is checked before anything is written: any problem is 422 `payment_run_invalid` listing each by line ' +
    '(the header is line 1) and column in `issues` (and `errors`), and nothing is created. Otherwise every line becomes a ' +
    'payment instruction (source `csv`) pending approval, each with its own approval workflow, in one transaction. ' +
    `At most ${MAX_RUN_LINES} lines. An Idempotency-Key is required: the same key and file again returns the same run.`,
  middleware: [initiate, idempotent({ required: true })] as const,
  request: {
    headers: IdempotencyKeyHeader,
    query: z.object({
      bankAccountId: z
        .string()
        .min(1)
        .max(100)
        .optional()
        .openapi({ description: 'The debtor account (bac_…) for lines without a bankAccountId' }),
    }),
    body: csvRequestBody,
  },
  responses: {
    201: json(RunSchema, 'Created: every line is a payment pending approval'),
    ...commonErrors,
    ...csvUploadErrors,
  },
});

const listDef = createRoute({
  method: 'get',
  path: '/payment-runs',
  tags: ['payments'],
  summary: 'List payment runs, newest first',
  middleware: [read] as const,
  request: { query: z.object({ ...pageQuery({ limit: 50, max: 500, cursor: idCursor('prr') }) }) },
  responses: { 200: json(pageOf(RunSchema), 'A page'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/payment-runs/{id}',
  tags: ['payments'],
  summary: 'A payment run with its payments (paged, in file order) and how many are in each status',
  middleware: [read] as const,
  request: {
    params: IdParam,
    query: z.object({
      after: z
        .string()
        .regex(/^\d{1,9}$/, 'must be the `next` of a previous page (a line number)')
        .optional()
        .openapi({ description: 'The `next` of the previous page' }),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: { 200: json(RunDetailSchema, 'The run'), ...commonErrors, ...notFoundError },
});

export function paymentRunRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(createDef, async (c) => {
        const bytes = await csvBody(c, 'a payment run');
        const { bankAccountId } = c.req.valid('query');
        const run = await inRequestUnit(context, c, (unit) =>
          createPaymentRun(unit, bytes, { bankAccountId }, c.var.principal.worksAs),
        );
        return c.json(run, 201);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        return c.json(pageFrom(await listPaymentRuns(c.var.database.db, q), q.limit), 200);
      });

      app.openapi(getDef, async (c) => {
        const { after, limit } = c.req.valid('query');
        const run = await getPaymentRun(c.var.database.db, c.req.valid('param').id, {
          after: after === undefined ? undefined : Number(after),
          limit,
        });
        return c.json(run, 200);
      });
    },
  };
}
