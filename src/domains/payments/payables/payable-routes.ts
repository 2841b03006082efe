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
import { csvBody, csvRequestBody, csvUploadErrors } from '../http/csv-body.js';
import { CalendarDate, Reason, withinDaysBody } from '../http/schemas.js';
import { importPayables, MAX_PAYABLE_LINES, PAYABLE_COLUMNS } from './payable-file.js';
import {
  createPayable,
  decidePayable,
  getPayable,
  listPayables,
  MAX_SCHEDULE_DAYS,
  PAYABLE_STATUSES,
  schedulePayables,
} from './payables.js';

/** /payables: supplier invoices, approved under four eyes, paid by payment instructions when due. */

const read = requirePermission('payments:read');
const initiate = requirePermission('payments:initiate');
const approve = requirePermission('payments:approve');
const IdParam = z.object({ id: z.string().min(1).max(100) });
// eslint-disable-next-line no-control-regex -- rejecting control characters is this pattern's purpose
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;

const DiscountInputSchema = z
  .object({
    date: CalendarDate.openapi({ description: 'Pay by this date (before the due date) to take the discount' }),
    percent: z
      .string()
      .regex(/^\d{1,2}(\.\d{1,4})?$/, 'must be a percentage like "2" or "2.5" (below 100, up to 4 decimals)')
      .optional()
      .openapi({
        example: '2',
        description: 'Of the invoice amount; the discount is rounded half up to the minor unit',
      }),
    amount: minorUnitsString({ positive: true }).optional().openapi({ description: 'A fixed discount, minor units' }),
  })
  .strict()
  .openapi('PayableDiscountInput');

const PayableInputSchema = z
  .object({
    beneficiaryId: z.string().min(1).max(100).openapi({ example: 'ben_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    bankAccountId: z.string().min(1).max(100).optional().openapi({
      description: 'The debtor account to pay from; default: the only active account in the currency',
    }),
    invoiceNumber: z
      .string()
      .trim()
      .min(1)
      .max(140)
      .regex(NO_CONTROL, 'must not contain control characters')
      .openapi({ example: 'INV-2026-0042', description: 'Unique per beneficiary; the payment’s remittance' }),
    amount: minorUnitsString({ positive: true }).openapi({ example: '1000000', description: 'Minor units' }),
    currency: z
      .string()
      .refine(isCurrency, 'must be an ISO 4217 currency code, e.g. "EUR"')
      .openapi({ example: 'EUR' }),
    dueDate: CalendarDate,
    discount: DiscountInputSchema.optional(),
  })
  .strict()
  .openapi('PayableInput');

const PayableSchema = z
  .object({
    id: z.string().openapi({ example: 'pbl_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    beneficiaryId: z.string(),
    bankAccountId: z.string(),
    invoiceNumber: z.string(),
    amount: z.string(),
    currency: z.string(),
    dueDate: z.string(),
    discount: z
      .object({
        date: z.string(),
        percent: z.string().nullable(),
        amount: z.string().openapi({ description: 'The discount, minor units' }),
        payAmount: z.string().openapi({ description: 'What is paid by the discount date, minor units' }),
      })
      .nullable(),
    status: z.enum(PAYABLE_STATUSES),
    paymentId: z.string().nullable().openapi({ description: 'The payment instruction made for it, once scheduled' }),
    paidAmount: z.string().nullable().openapi({ description: 'That instruction’s amount (discounted or not)' }),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .openapi('Payable');

const ScheduleResultSchema = z
  .object({
    asOf: z.string(),
    horizon: z.string().openapi({ description: 'Payables to pay on or before this date were scheduled' }),
    scheduled: z.array(
      z.object({
        payableId: z.string(),
        paymentId: z.string(),
        amount: z.string(),
        currency: z.string(),
        requestedExecutionDate: z.string(),
        discounted: z.boolean(),
      }),
    ),
  })
  .openapi('PayableScheduleResult');

const createDef = createRoute({
  method: 'post',
  path: '/payables',
  tags: ['payments'],
  summary: 'Record a supplier invoice to pay; a second person approves it',
  description:
    '409 `duplicate_invoice` when the beneficiary’s invoice number is already recorded, `beneficiary_blocked`; ' +
    '422 naming the field for an unknown beneficiary or bank account, another currency than the account’s, or a ' +
    'discount that is not before the due date or not below the amount. Event `payable.pending_approval`.',
  middleware: [initiate, idempotent()] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: { required: true, content: { 'application/json': { schema: PayableInputSchema } } },
  },
  responses: {
    201: json(PayableSchema, 'Recorded, pending approval'),
    ...commonErrors,
    ...conflictError,
    ...unprocessableError('Unknown beneficiary or bank account, a refused currency or discount'),
  },
});

const importDef = createRoute({
  method: 'post',
  path: '/payables/import',
  tags: ['payments'],
  summary: 'Upload a CSV file of supplier invoices: every line becomes a payable pending approval, or none',
  description:
    `The body is the CSV file (\`text/csv\`, UTF-8, a header line naming the columns: ${PAYABLE_COLUMNS.join(', ')}; ` +
    'beneficiaryId, invoiceNumber, amount and dueDate are required; see docs/payments.md, Payables). `amount` and ' +
    '`discountAmount` are in major units ("1234.56"), converted exactly by the currency’s decimals (never rounded). ' +
    'Without bankAccountId the line is paid from the only active account in its `currency`. Every line is checked ' +
    'before anything is written: any problem is 422 `payable_file_invalid` listing each by line (the header is ' +
    'line 1) and column in `issues`, and nothing is recorded. Otherwise each line is recorded as POST /payables ' +
    `records one, in one transaction. At most ${MAX_PAYABLE_LINES} lines. An Idempotency-Key is required: the same ` +
    'key and file again returns the same answer.',
  middleware: [initiate, idempotent({ required: true })] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: csvRequestBody,
  },
  responses: {
    201: json(
      z.object({ count: z.number().int(), payables: z.array(PayableSchema) }).openapi('PayableImport'),
      'Recorded: every line is a payable pending approval, in file order',
    ),
    ...commonErrors,
    ...csvUploadErrors,
  },
});

const decisionBody = {
  required: false,
  content: { 'application/json': { schema: z.object({ reason: Reason.optional() }).strict() } },
};

const approveDef = createRoute({
  method: 'post',
  path: '/payables/{id}/approve',
  tags: ['payments'],
  summary: 'Approve a payable (four eyes: not by the person who recorded it)',
  description: '409 `separation_of_duties` for its maker; 409 `payable_state` unless pending approval.',
  middleware: [approve, idempotent()] as const,
  request: { params: IdParam, headers: IdempotencyKeyHeader, body: decisionBody },
  responses: { 200: json(PayableSchema, 'Approved'), ...commonErrors, ...notFoundError, ...conflictError },
});

const rejectDef = createRoute({
  method: 'post',
  path: '/payables/{id}/reject',
  tags: ['payments'],
  summary: 'Reject a payable pending approval (its maker may withdraw it)',
  middleware: [approve, idempotent()] as const,
  request: { params: IdParam, headers: IdempotencyKeyHeader, body: decisionBody },
  responses: { 200: json(PayableSchema, 'Rejected'), ...commonErrors, ...notFoundError, ...conflictError },
});

const scheduleDef = createRoute({
  method: 'post',
  path: '/payables/schedule',
  tags: ['payments'],
  summary: 'Turn the approved payables due within N days into payment instructions (each at most once)',
  description:
    'A payable is paid on its early-payment discount date for the discounted amount while that date has not passed, ' +
    'else on its due date for the full amount (a weekend date moves to the Friday before; a past one to the next ' +
    'business day). Each instruction (source `payable`, sourceRef the payable id, remittance the invoice number) ' +
    'starts its approval workflow. Running it again schedules nothing twice. The shipped workflow ' +
    '`payables-schedule` runs it every morning.',
  middleware: [initiate, idempotent()] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: withinDaysBody(MAX_SCHEDULE_DAYS),
  },
  responses: { 200: json(ScheduleResultSchema, 'What was scheduled'), ...commonErrors },
});

const listDef = createRoute({
  method: 'get',
  path: '/payables',
  tags: ['payments'],
  summary: 'List payables, oldest first, with their status',
  middleware: [read] as const,
  request: {
    query: z.object({
      status: z.enum(PAYABLE_STATUSES).optional(),
      beneficiary: z.string().max(100).optional().openapi({ description: 'Beneficiary id' }),
      dueBy: CalendarDate.optional().openapi({ description: 'Due on or before' }),
      ...pageQuery({ limit: 50, max: 500, cursor: idCursor('pbl') }),
    }),
  },
  responses: { 200: json(pageOf(PayableSchema), 'A page'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/payables/{id}',
  tags: ['payments'],
  summary: 'A payable',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(PayableSchema, 'The payable'), ...commonErrors, ...notFoundError },
});

export function payableRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(createDef, async (c) => {
        const input = c.req.valid('json');
        const payable = await inRequestUnit(context, c, (unit) => createPayable(unit, input, c.var.principal.worksAs));
        return c.json(payable, 201);
      });

      app.openapi(importDef, async (c) => {
        const bytes = await csvBody(c, 'a file of payables');
        const result = await inRequestUnit(context, c, (unit) => importPayables(unit, bytes, c.var.principal.worksAs));
        return c.json(result, 201);
      });

      // Before /payables/{id}: a literal path segment wins over the parameter.
      app.openapi(scheduleDef, async (c) => {
        const { withinDays } = c.req.valid('json');
        const result = await inRequestUnit(context, c, (unit) => schedulePayables(unit, withinDays ?? 0));
        return c.json(result, 200);
      });

      for (const [def, approving] of [
        [approveDef, true],
        [rejectDef, false],
      ] as const) {
        app.openapi(def, async (c) => {
          const { id } = c.req.valid('param');
          const { reason } = c.req.valid('json');
          const payable = await inRequestUnit(context, c, (unit) =>
            decidePayable(unit, { id, approve: approving, by: c.var.principal.worksAs, reason: reason ?? null }),
          );
          return c.json(payable, 200);
        });
      }

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        return c.json(pageFrom(await listPayables(c.var.database.db, q), q.limit), 200);
      });

      app.openapi(getDef, async (c) => c.json(await getPayable(c.var.database.db, c.req.valid('param').id), 200));
    },
  };
}
