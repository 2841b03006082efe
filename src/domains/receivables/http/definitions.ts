import { createRoute, z } from '@hono/zod-openapi';
import { requirePermission } from '../../../api/middleware/auth.js';
import { idempotent } from '../../../api/middleware/idempotency.js';
import {
  commonErrors,
  conflictError,
  IdempotencyKeyHeader,
  idempotencyErrors,
  json,
  notFoundError,
  unprocessableError,
  pageOf,
  pageQuery,
} from '../../../api/schemas.js';
import { AmountString } from '../../customers/customer-input.js';
import { BillingPlanInputSchema } from '../billing-plans.js';
import { CalendarDate, PaymentInputSchema, ReceivableInputSchema } from '../receivable-input.js';
import {
  BillingPlanSchema,
  InstallmentSchema,
  PaymentSchema,
  ReceivableSchema,
  ReportSchema,
  SettingsSchema,
} from './schemas.js';

/**
 * The receivables API's routes as OpenAPI declares them (paths, permissions, bodies, responses);
 * routes.ts gives each its handler.
 */

const read = requirePermission('receivables:read');
const write = requirePermission('receivables:write');
const pay = requirePermission('payments:post');
const IdParam = z.object({ id: z.string().min(1).max(120).openapi({ description: 'Receivable id or external id' }) });
const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const createDef = createRoute({
  method: 'post',
  path: '/receivables',
  tags: ['receivables'],
  summary: 'Create an invoice or a loan (its schedule is generated)',
  description:
    'The same externalId with the same terms again is a no-op (200); with other terms a 409 — terms never change after creation.',
  middleware: [write, idempotent()] as const,
  request: { headers: IdempotencyKeyHeader, body: body(ReceivableInputSchema.openapi('ReceivableInput')) },
  responses: {
    201: json(ReceivableSchema, 'Created'),
    200: json(ReceivableSchema, 'Already there, unchanged (or its metadata updated)'),
    ...commonErrors,
    ...conflictError,
    ...unprocessableError('Unknown customer, or Idempotency-Key reused with a different request'),
  },
});

export const listDef = createRoute({
  method: 'get',
  path: '/receivables',
  tags: ['receivables'],
  summary: 'List receivables',
  middleware: [read] as const,
  request: {
    query: z.object({
      customerId: z.string().max(120).optional(),
      kind: z.enum(['invoice', 'loan']).optional(),
      status: z.enum(['open', 'paid', 'cancelled', 'written_off']).optional(),
      bucket: z.string().max(40).optional(),
      minDpd: z.coerce.number().int().min(0).optional(),
      ...pageQuery({ limit: 100, max: 1000 }),
    }),
  },
  responses: {
    200: json(pageOf(ReceivableSchema), 'A page by id'),
    ...commonErrors,
  },
});

export const getDef = createRoute({
  method: 'get',
  path: '/receivables/{id}',
  tags: ['receivables'],
  summary: 'A receivable',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(ReceivableSchema, 'The receivable'), ...commonErrors, ...notFoundError },
});

export const scheduleDef = createRoute({
  method: 'get',
  path: '/receivables/{id}/schedule',
  tags: ['receivables'],
  summary: 'The repayment schedule (installments with what is due and paid) and invoice lines',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: {
    200: json(
      z.object({ receivable: ReceivableSchema, installments: z.array(InstallmentSchema), lines: z.array(z.unknown()) }),
      'The schedule',
    ),
    ...commonErrors,
    ...notFoundError,
  },
});

export const payDef = createRoute({
  method: 'post',
  path: '/receivables/{id}/payments',
  tags: ['receivables'],
  summary: 'Record an incoming payment (allocated by the waterfall, posted to the ledger)',
  description: 'Keyed by externalId: the same payment again is a no-op (200); other content under it a 409.',
  middleware: [pay, idempotent()] as const,
  request: { params: IdParam, headers: IdempotencyKeyHeader, body: body(PaymentInputSchema.openapi('PaymentInput')) },
  responses: {
    201: json(z.object({ payment: PaymentSchema, receivable: ReceivableSchema }), 'Recorded'),
    200: json(z.object({ payment: PaymentSchema, receivable: ReceivableSchema }), 'Recorded before'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...unprocessableError('Currency differs from the receivable, or Idempotency-Key reused'),
  },
});

export const listPaymentsDef = createRoute({
  method: 'get',
  path: '/receivables/{id}/payments',
  tags: ['receivables'],
  summary: 'Payments of a receivable with their allocations',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: {
    200: json(z.object({ data: z.array(PaymentSchema) }), 'Oldest first'),
    ...commonErrors,
    ...notFoundError,
  },
});

export const reverseDef = createRoute({
  method: 'post',
  path: '/payments/{paymentId}/reverse',
  tags: ['receivables'],
  summary: 'Reverse a payment (bounced, recalled): its allocations are undone and its journal reversed',
  middleware: [pay, idempotent()] as const,
  request: {
    params: z.object({ paymentId: z.string().min(1).max(120).openapi({ description: 'Payment id or external id' }) }),
    headers: IdempotencyKeyHeader,
    body: body(z.object({ reason: z.string().min(1).max(1000) }).strict()),
  },
  responses: {
    200: json(z.object({ payment: PaymentSchema, receivable: ReceivableSchema }), 'Reversed (or already reversed)'),
    ...commonErrors,
    ...notFoundError,
    ...idempotencyErrors,
  },
});

export const feeDef = createRoute({
  method: 'post',
  path: '/receivables/{id}/fees',
  tags: ['receivables'],
  summary: 'Charge a fee (added to the oldest unpaid installment unless installmentSeq says otherwise)',
  middleware: [write, idempotent()] as const,
  request: {
    params: IdParam,
    headers: IdempotencyKeyHeader,
    body: body(
      z
        .object({
          kind: z.string().min(1).max(50).openapi({ example: 'late_fee' }),
          amount: AmountString,
          installmentSeq: z.number().int().min(1).optional(),
        })
        .strict(),
    ),
  },
  responses: {
    201: json(
      z.object({
        fee: z.object({ id: z.string(), kind: z.string(), amount: z.string(), installmentSeq: z.number() }),
        receivable: ReceivableSchema,
      }),
      'Charged',
    ),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...unprocessableError('No such installment, or Idempotency-Key reused'),
  },
});

export const creditNoteDef = createRoute({
  method: 'post',
  path: '/receivables/{id}/credit-notes',
  tags: ['receivables'],
  summary: 'Issue a credit note: reduce what is owed (oldest installment first) without a payment',
  description:
    'For a charge found wrong (a valid dispute). Comes off fees, then interest, then principal of the oldest ' +
    'installments; on an invoice it reverses revenue, on a loan it is booked as a loss. Publishes ' +
    '`receivable.credit_note`, and `receivable.cured` if the arrears are gone.',
  middleware: [write, idempotent({ required: true })] as const,
  request: {
    params: IdParam,
    headers: IdempotencyKeyHeader,
    body: body(
      z
        .object({ amount: AmountString, reason: z.string().trim().min(1).max(500) })
        .strict()
        .openapi('CreditNoteInput'),
    ),
  },
  responses: {
    201: json(z.object({ adjustment: z.record(z.string(), z.unknown()), receivable: ReceivableSchema }), 'Issued'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...unprocessableError('Amount above the outstanding balance, or Idempotency-Key reused'),
  },
});

export const cobDef = createRoute({
  method: 'post',
  path: '/receivables/close-of-business',
  tags: ['receivables'],
  summary: 'Run close of business: days past due and buckets for the whole portfolio, with transition events',
  description: 'Once per business date: a second run for the same date returns the first report (alreadyRan).',
  middleware: [write] as const,
  request: { body: body(z.object({ asOf: CalendarDate.optional() }).strict()) },
  responses: { 200: json(ReportSchema, 'The run'), ...commonErrors, ...conflictError },
});

export const bucketsDef = createRoute({
  method: 'get',
  path: '/receivables/buckets',
  tags: ['receivables'],
  summary: 'The portfolio by delinquency bucket: count and outstanding per currency',
  middleware: [read] as const,
  responses: {
    200: json(
      z.object({
        data: z.array(
          z.object({ bucket: z.string(), currency: z.string(), count: z.number(), outstanding: z.string() }),
        ),
      }),
      'Open receivables by bucket',
    ),
    ...commonErrors,
  },
});

export const getSettingsDef = createRoute({
  method: 'get',
  path: '/receivables/settings',
  tags: ['receivables'],
  summary: 'Delinquency buckets, the default payment waterfall and the risk-rating scale',
  middleware: [read] as const,
  responses: { 200: json(SettingsSchema, 'The settings'), ...commonErrors },
});

export const putSettingsDef = createRoute({
  method: 'patch',
  path: '/receivables/settings',
  tags: ['receivables'],
  summary: 'Change settings (each given key is replaced and audited)',
  middleware: [write] as const,
  request: {
    body: body(
      z
        .object({
          buckets: z.unknown().optional(),
          waterfall: z.unknown().optional(),
          ratingScale: z.unknown().optional(),
        })
        .strict(),
    ),
  },
  responses: { 200: json(SettingsSchema, 'The settings after the change'), ...commonErrors },
});

export const createPlanDef = createRoute({
  method: 'post',
  path: '/billing-plans',
  tags: ['receivables'],
  summary: 'Create a recurring billing plan (billing.issue_due issues its invoices)',
  middleware: [write, idempotent()] as const,
  request: { headers: IdempotencyKeyHeader, body: body(BillingPlanInputSchema.openapi('BillingPlanInput')) },
  responses: {
    201: json(BillingPlanSchema, 'Created'),
    ...commonErrors,
    ...conflictError,
    ...unprocessableError('Unknown customer, or Idempotency-Key reused'),
  },
});

export const getPlanDef = createRoute({
  method: 'get',
  path: '/billing-plans/{id}',
  tags: ['receivables'],
  summary: 'A billing plan',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(BillingPlanSchema, 'The plan'), ...commonErrors, ...notFoundError },
});
