import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { idempotent } from '../../../api/middleware/idempotency.js';
import {
  commonErrors,
  conflictError,
  idCursor,
  IdempotencyKeyHeader,
  json,
  notFoundError,
  pageFrom,
  pageOf,
  pageQuery,
  unprocessableError,
} from '../../../api/schemas.js';
import { isCurrency } from '../../../core/money.js';
import { minorUnitsString } from '../../customers/customer-input.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { CalendarDate, Reason, RemittanceSchema, withinDaysBody } from '../http/schemas.js';
import {
  cancelRecurring,
  createRecurring,
  getRecurring,
  listRecurring,
  MAX_RUN_DAYS,
  RECURRING_STATUSES,
  runRecurring,
} from './recurring-payments.js';

/** /recurring-payments: standing orders whose occurrences become payment instructions when due. */

const read = requirePermission('payments:read');
const initiate = requirePermission('payments:initiate');
const IdParam = z.object({ id: z.string().min(1).max(100) });

const ScheduleInputSchema = z
  .object({
    frequency: z.enum(['monthly', 'weekly']),
    day: z.union([z.number().int().min(1).max(31), z.literal('last_business_day')]).openapi({
      description:
        'Monthly: the day of the month 1-31 (past the month’s end: its last day) or "last_business_day"; ' +
        'weekly: the ISO weekday 1 (Monday) to 7 (Sunday)',
      example: 31,
    }),
    startDate: CalendarDate.openapi({ description: 'Today or later; the first occurrence is on or after it' }),
    endDate: CalendarDate.optional().openapi({ description: 'No occurrence after it' }),
  })
  .strict()
  .openapi('RecurringScheduleInput');

const RecurringInputSchema = z
  .object({
    beneficiaryId: z.string().min(1).max(100).openapi({ example: 'ben_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    bankAccountId: z.string().min(1).max(100).openapi({ example: 'bac_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    amount: minorUnitsString({ positive: true }).openapi({ example: '250000', description: 'Minor units' }),
    currency: z
      .string()
      .refine(isCurrency, 'must be an ISO 4217 currency code, e.g. "EUR"')
      .optional()
      .openapi({ example: 'EUR', description: "The debtor account's currency; checked when given" }),
    remittance: RemittanceSchema.optional(),
    purpose: z
      .string()
      .regex(/^[A-Z]{4}$/, 'must be an ISO 20022 purpose code of 4 capital letters, e.g. "RENT"')
      .optional()
      .openapi({ example: 'RENT' }),
    schedule: ScheduleInputSchema,
    calendar: z.string().min(1).max(50).optional().openapi({
      description: 'A business calendar (PUT /calendars/{name}); default Monday to Friday',
      example: 'TARGET2',
    }),
  })
  .strict()
  .openapi('RecurringPaymentInput');

const RecurringSchema = z
  .object({
    id: z.string().openapi({ example: 'rcp_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    beneficiaryId: z.string(),
    bankAccountId: z.string(),
    amount: z.string(),
    currency: z.string(),
    remittance: z.object({ unstructured: z.string().optional(), creditorReference: z.string().optional() }).nullable(),
    purpose: z.string().nullable(),
    schedule: z.object({
      frequency: z.enum(['monthly', 'weekly']),
      day: z.union([z.number().int(), z.literal('last_business_day')]),
      startDate: z.string(),
      endDate: z.string().nullable(),
    }),
    calendar: z.string().nullable(),
    status: z.enum(RECURRING_STATUSES),
    lastOccurrence: z
      .string()
      .nullable()
      .openapi({ description: 'The latest occurrence (nominal date) made into a payment' }),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    cancelledBy: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .openapi('RecurringPayment');

const RecurringDetailSchema = RecurringSchema.extend({
  payments: z.array(
    z.object({
      occurrence: z.string().openapi({ description: 'The nominal date' }),
      paymentId: z.string(),
      requestedExecutionDate: z.string(),
      status: z.string(),
    }),
  ),
}).openapi('RecurringPaymentDetail');

const RunResultSchema = z
  .object({
    asOf: z.string(),
    horizon: z.string().openapi({ description: 'Occurrences to pay on or before this date were made' }),
    created: z.array(
      z.object({
        recurringPaymentId: z.string(),
        occurrence: z.string(),
        paymentId: z.string(),
        amount: z.string(),
        currency: z.string(),
        requestedExecutionDate: z.string(),
      }),
    ),
  })
  .openapi('RecurringRunResult');

const createDef = createRoute({
  method: 'post',
  path: '/recurring-payments',
  tags: ['payments'],
  summary: 'Create a recurring payment (a standing order); each occurrence becomes a payment instruction',
  description:
    '422 naming the field for an unknown beneficiary, bank account or calendar, another currency than the ' +
    'account’s, a start date in the past, an end date before the start, a weekly day above 7; 409 ' +
    '`beneficiary_blocked`; 400 without an Idempotency-Key. Audited `recurring_payment.created`.',
  middleware: [initiate, idempotent({ required: true })] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: { required: true, content: { 'application/json': { schema: RecurringInputSchema } } },
  },
  responses: {
    201: json(RecurringSchema, 'Created, active'),
    ...commonErrors,
    ...conflictError,
    ...unprocessableError('Unknown beneficiary, bank account or calendar; a refused currency or date'),
  },
});

const cancelDef = createRoute({
  method: 'post',
  path: '/recurring-payments/{id}/cancel',
  tags: ['payments'],
  summary: 'Cancel a recurring payment: no further occurrence is made (payments already made stay)',
  description: '409 `recurring_payment_state` when already cancelled.',
  middleware: [initiate, idempotent()] as const,
  request: {
    params: IdParam,
    headers: IdempotencyKeyHeader,
    body: {
      required: false,
      content: { 'application/json': { schema: z.object({ reason: Reason.optional() }).strict() } },
    },
  },
  responses: { 200: json(RecurringSchema, 'Cancelled'), ...commonErrors, ...notFoundError, ...conflictError },
});

const runDef = createRoute({
  method: 'post',
  path: '/recurring-payments/run',
  tags: ['payments'],
  summary: 'Make the payment instructions of the occurrences due within N days (each occurrence at most once)',
  description:
    'Each occurrence is paid on its date, or the business day before when that is not one (by the recurring ' +
    'payment’s calendar; "last_business_day" is the month’s last business day). Each instruction (source ' +
    '`recurring`, sourceRef `<id>:<occurrence date>`) starts its approval workflow, its maker the recurring ' +
    'payment’s. The shipped workflow `recurring-payments-run` runs it every morning.',
  middleware: [initiate, idempotent()] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: withinDaysBody(MAX_RUN_DAYS),
  },
  responses: { 200: json(RunResultSchema, 'What was made'), ...commonErrors },
});

const listDef = createRoute({
  method: 'get',
  path: '/recurring-payments',
  tags: ['payments'],
  summary: 'List recurring payments, oldest first',
  middleware: [read] as const,
  request: {
    query: z.object({
      status: z.enum(RECURRING_STATUSES).optional(),
      beneficiary: z.string().max(100).optional().openapi({ description: 'Beneficiary id' }),
      ...pageQuery({ limit: 50, max: 500, cursor: idCursor('rcp') }),
    }),
  },
  responses: { 200: json(pageOf(RecurringSchema), 'A page'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/recurring-payments/{id}',
  tags: ['payments'],
  summary: 'A recurring payment with the payments its occurrences made',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(RecurringDetailSchema, 'The recurring payment'), ...commonErrors, ...notFoundError },
});

export function recurringRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      // Before /recurring-payments/{id}: a literal path segment wins over the parameter.
      app.openapi(runDef, async (c) => {
        const { withinDays } = c.req.valid('json');
        const result = await inRequestUnit(context, c, (unit) => runRecurring(unit, withinDays ?? 0));
        return c.json(result, 200);
      });

      app.openapi(createDef, async (c) => {
        const input = c.req.valid('json');
        const recurring = await inRequestUnit(context, c, (unit) =>
          createRecurring(unit, input, c.var.principal.worksAs),
        );
        return c.json(recurring, 201);
      });

      app.openapi(cancelDef, async (c) => {
        const { id } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        const recurring = await inRequestUnit(context, c, (unit) =>
          cancelRecurring(unit, { id, by: c.var.principal.worksAs, reason: reason ?? null }),
        );
        return c.json(recurring, 200);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        return c.json(pageFrom(await listRecurring(c.var.database.db, q), q.limit), 200);
      });

      app.openapi(getDef, async (c) => c.json(await getRecurring(c.var.database.db, c.req.valid('param').id), 200));
    },
  };
}
