import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import type { App, RouteModule } from '../../api/context.js';
import { rethrowInBody } from '../../api/located.js';
import { requirePermission } from '../../api/middleware/auth.js';
import { idempotent } from '../../api/middleware/idempotency.js';
import {
  commonErrors,
  conflictError,
  IdempotencyKeyHeader,
  idempotencyErrors,
  json,
  notFoundError,
  unprocessableError,
} from '../../api/schemas.js';
import { AmountString } from '../customers/customer-input.js';
import { inDomainTransaction } from '../unit-of-work.js';
import type { DomainContext } from '../contract.js';
import { BillingPlanInputSchema, createBillingPlan, getBillingPlan } from './billing-plans.js';
import { adjustReceivable } from './adjustments.js';
import { runCloseOfBusiness } from './delinquency/close-of-business.js';
import { chargeFee } from './fees.js';
import { listPayments, recordPayment, reversePayment } from './payments.js';
import { CalendarDate, PaymentInputSchema, ReceivableInputSchema } from './receivable-input.js';
import { createReceivable, getReceivable, getSchedule, listReceivables } from './receivable-service.js';
import { readSettings, updateSettings } from './settings.js';

/** /receivables (+ schedule, payments, fees), close of business, settings and billing plans. */

const ReceivableSchema = z
  .object({
    id: z.string().openapi({ example: 'rcv_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    externalId: z.string(),
    customerId: z.string(),
    kind: z.enum(['invoice', 'loan']),
    currency: z.string(),
    status: z.string().openapi({ description: 'open, paid, cancelled or written_off' }),
    issueDate: z.string(),
    paymentTerms: z.string().nullable(),
    principal: z.string(),
    annualRate: z.string().nullable(),
    termMonths: z.number().nullable(),
    scheduleMethod: z.string().nullable(),
    firstDueDate: z.string(),
    maturityDate: z.string(),
    totalDue: z.string(),
    totalPaid: z.string(),
    outstanding: z.string(),
    oldestUnpaidDueDate: z.string().nullable(),
    dpd: z.number().openapi({ description: 'Days past due of the oldest unpaid installment' }),
    bucket: z.string().openapi({ example: '31-60' }),
    overdueSince: z.string().nullable(),
    waterfall: z.unknown(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Receivable');

const InstallmentSchema = z
  .object({
    seq: z.number(),
    dueDate: z.string(),
    principalDue: z.string(),
    interestDue: z.string(),
    feeDue: z.string(),
    principalPaid: z.string(),
    interestPaid: z.string(),
    feePaid: z.string(),
    outstanding: z.string(),
  })
  .openapi('Installment');

const PaymentSchema = z
  .object({
    id: z.string(),
    externalId: z.string(),
    receivableId: z.string(),
    customerId: z.string(),
    amount: z.string(),
    currency: z.string(),
    receivedOn: z.string(),
    status: z.enum(['posted', 'reversed']),
    unallocated: z.string().openapi({ description: 'Overpayment held as customer credit' }),
    allocations: z.array(z.object({ seq: z.number(), component: z.string(), amount: z.string() })),
    journalId: z.string(),
    reversalJournalId: z.string().nullable(),
    reversedAt: z.string().nullable(),
    reversalReason: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Payment');

const SettingsSchema = z
  .object({
    buckets: z.array(z.object({ name: z.string(), minDpd: z.number().int(), maxDpd: z.number().int().nullable() })),
    waterfall: z.object({
      order: z.array(z.enum(['fee', 'interest', 'principal'])),
      mode: z.enum(['installment_first', 'component_first']),
    }),
    ratingScale: z.array(z.string()),
  })
  .openapi('ReceivableSettings');

const read = requirePermission('receivables:read');
const write = requirePermission('receivables:write');
const pay = requirePermission('payments:post');
const IdParam = z.object({ id: z.string().min(1).max(120).openapi({ description: 'Receivable id or external id' }) });
const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const createDef = createRoute({
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

const listDef = createRoute({
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
      after: z.string().max(100).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: {
    200: json(z.object({ data: z.array(ReceivableSchema), next: z.string().nullable() }), 'A page by id'),
    ...commonErrors,
  },
});

const getDef = createRoute({
  method: 'get',
  path: '/receivables/{id}',
  tags: ['receivables'],
  summary: 'A receivable',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(ReceivableSchema, 'The receivable'), ...commonErrors, ...notFoundError },
});

const scheduleDef = createRoute({
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

const payDef = createRoute({
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

const listPaymentsDef = createRoute({
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

const reverseDef = createRoute({
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

const feeDef = createRoute({
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

const creditNoteDef = createRoute({
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

const ReportSchema = z
  .object({
    asOf: z.string(),
    open: z.number(),
    changed: z.number(),
    events: z.record(z.string(), z.number()),
    expiredHolds: z.number(),
    durationMs: z.number(),
    alreadyRan: z.boolean(),
  })
  .openapi('CloseOfBusinessReport');

const cobDef = createRoute({
  method: 'post',
  path: '/receivables/close-of-business',
  tags: ['receivables'],
  summary: 'Run close of business: days past due and buckets for the whole portfolio, with transition events',
  description: 'Once per business date: a second run for the same date returns the first report (alreadyRan).',
  middleware: [write] as const,
  request: { body: body(z.object({ asOf: CalendarDate.optional() }).strict()) },
  responses: { 200: json(ReportSchema, 'The run'), ...commonErrors, ...conflictError },
});

const bucketsDef = createRoute({
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

const getSettingsDef = createRoute({
  method: 'get',
  path: '/receivables/settings',
  tags: ['receivables'],
  summary: 'Delinquency buckets, the default payment waterfall and the risk-rating scale',
  middleware: [read] as const,
  responses: { 200: json(SettingsSchema, 'The settings'), ...commonErrors },
});

const putSettingsDef = createRoute({
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

const BillingPlanSchema = z
  .object({
    id: z.string(),
    externalId: z.string(),
    customerId: z.string(),
    currency: z.string(),
    lines: z.unknown(),
    intervalMonths: z.number(),
    paymentTermsDays: z.number(),
    nextIssueDate: z.string(),
    endDate: z.string().nullable(),
    status: z.string(),
    issuedCount: z.number(),
  })
  .openapi('BillingPlan');

const createPlanDef = createRoute({
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

const getPlanDef = createRoute({
  method: 'get',
  path: '/billing-plans/{id}',
  tags: ['receivables'],
  summary: 'A billing plan',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(BillingPlanSchema, 'The plan'), ...commonErrors, ...notFoundError },
});

export function receivableRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      const work = <T>(
        c: { var: { database: DomainContext['database']; principal: { id: string }; requestId: string } },
        fn: Parameters<typeof inDomainTransaction<T>>[2],
      ) =>
        inDomainTransaction(
          { ...context, database: c.var.database },
          { actor: c.var.principal.id, requestId: c.var.requestId },
          fn,
        ).catch(rethrowInBody);

      app.openapi(createDef, async (c) => {
        const input = c.req.valid('json');
        const { receivable, status } = await work(c, (unit) => createReceivable(unit, input));
        return c.json(receivable, status === 'created' ? 201 : 200);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        const data = await listReceivables(c.var.database.db, q);
        return c.json({ data, next: data.length === q.limit ? data[data.length - 1]!.id : null }, 200);
      });

      // Static paths before /receivables/{id}, so "buckets" and "settings" are not taken for ids.
      app.openapi(bucketsDef, async (c) => {
        const rows = await c.var.database.db
          .selectFrom('receivables')
          .select([
            'bucket',
            'currency',
            sql<string>`count(*)`.as('count'),
            sql<string>`sum(outstanding)`.as('outstanding'),
          ])
          .where('status', '=', 'open')
          .groupBy(['bucket', 'currency'])
          .orderBy('currency')
          .orderBy(sql`min(dpd)`)
          .execute();
        return c.json(
          {
            data: rows.map((r) => ({
              bucket: r.bucket,
              currency: r.currency,
              count: Number(r.count),
              outstanding: String(r.outstanding),
            })),
          },
          200,
        );
      });

      app.openapi(getSettingsDef, async (c) => c.json(await readSettings(c.var.database.db), 200));

      app.openapi(putSettingsDef, async (c) => {
        const patch = c.req.valid('json');
        const settings = await c.var.database
          .transaction((tx) => updateSettings(tx, patch, c.var.principal.id, context.clock, c.var.requestId))
          .catch(rethrowInBody);
        return c.json(settings, 200);
      });

      app.openapi(getDef, async (c) => c.json(await getReceivable(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(scheduleDef, async (c) => c.json(await getSchedule(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(payDef, async (c) => {
        const { id } = c.req.valid('param');
        const input = c.req.valid('json');
        const { payment, receivable, status } = await work(c, (unit) => recordPayment(unit, id, input));
        return c.json({ payment, receivable }, status === 'created' ? 201 : 200);
      });

      app.openapi(listPaymentsDef, async (c) =>
        c.json({ data: await listPayments(c.var.database.db, c.req.valid('param').id) }, 200),
      );

      app.openapi(reverseDef, async (c) => {
        const { paymentId } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        const { payment, receivable } = await work(c, (unit) => reversePayment(unit, paymentId, reason));
        return c.json({ payment, receivable }, 200);
      });

      app.openapi(feeDef, async (c) => {
        const { id } = c.req.valid('param');
        const input = c.req.valid('json');
        const result = await work(c, (unit) =>
          chargeFee(unit, id, { kind: input.kind, amount: BigInt(input.amount), installmentSeq: input.installmentSeq }),
        );
        return c.json(result, 201);
      });

      app.openapi(creditNoteDef, async (c) => {
        const { id } = c.req.valid('param');
        const input = c.req.valid('json');
        const result = await work(c, (unit) =>
          adjustReceivable(unit, id, { kind: 'credit_note', amount: BigInt(input.amount), reason: input.reason }),
        );
        return c.json(result, 201);
      });

      app.openapi(cobDef, async (c) => {
        const { asOf } = c.req.valid('json');
        const report = await runCloseOfBusiness(
          { ...context, database: c.var.database },
          { asOf, actor: c.var.principal.id, requestId: c.var.requestId },
        );
        return c.json(report, 200);
      });

      app.openapi(createPlanDef, async (c) => {
        const input = c.req.valid('json');
        return c.json(await work(c, (unit) => createBillingPlan(unit, input)), 201);
      });

      app.openapi(getPlanDef, async (c) =>
        c.json(await getBillingPlan(c.var.database.db, c.req.valid('param').id), 200),
      );
    },
  };
}
