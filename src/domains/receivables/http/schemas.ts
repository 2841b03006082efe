import { z } from '@hono/zod-openapi';

/** The receivables API's response shapes, as named OpenAPI components. */

export const ReceivableSchema = z
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

export const InstallmentSchema = z
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

export const PaymentSchema = z
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

export const SettingsSchema = z
  .object({
    buckets: z.array(z.object({ name: z.string(), minDpd: z.number().int(), maxDpd: z.number().int().nullable() })),
    waterfall: z.object({
      order: z.array(z.enum(['fee', 'interest', 'principal'])),
      mode: z.enum(['installment_first', 'component_first']),
    }),
    ratingScale: z.array(z.string()),
  })
  .openapi('ReceivableSettings');

export const ReportSchema = z
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

export const BillingPlanSchema = z
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
