import { z } from '@hono/zod-openapi';
import { BATCH_STATUSES } from '../batches.js';
import { PAYMENT_STATUSES } from '../instructions.js';
import { PaymentBatchDetailSchema } from './batch-schemas.js';

/** The wire shapes of pain.002 status reports (docs/payments.md, Status reports). */

const Level = z.enum(['group', 'payment_information', 'transaction']);

const BankReasonSchema = z
  .object({
    code: z.string().nullable().openapi({ description: 'ISO external status reason code (Rsn/Cd)', example: 'AC01' }),
    name: z
      .string()
      .nullable()
      .openapi({ description: "The code's name, when finflow knows it", example: 'IncorrectAccountNumber' }),
    proprietary: z.string().nullable().openapi({ description: "The bank's own reason (Rsn/Prtry)" }),
    additionalInfo: z.array(z.string()).openapi({ description: "The bank's text (AddtlInf)" }),
  })
  .openapi('BankStatusReason');

export const StatusReportSummarySchema = z
  .object({
    id: z.string().openapi({ example: 'psr_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    batchId: z.string(),
    messageId: z.string().openapi({ description: "The report's GrpHdr/MsgId (once per batch)" }),
    originalMessageId: z.string().openapi({ description: "OrgnlMsgId: the batch's message id" }),
    version: z.string().nullable().openapi({ example: 'pain.002.001.10' }),
    reportCreatedAt: z.string().nullable().openapi({ description: 'GrpHdr/CreDtTm as the bank wrote it' }),
    groupStatus: z.string().nullable().openapi({ example: 'PART' }),
    fileSha256: z.string(),
    receivedBy: z.string(),
    receivedAt: z.string(),
    counts: z.object({
      accepted: z.number().int().openapi({ description: 'Payments this report moved sent → accepted' }),
      rejected: z.number().int().openapi({ description: 'Payments this report rejected' }),
      unchanged: z.number().int().openapi({ description: 'Payments it named that stayed as they were' }),
      unmatched: z
        .number()
        .int()
        .openapi({ description: 'Blocks or transactions it named that the batch does not hold' }),
    }),
    batchStatusBefore: z.enum(BATCH_STATUSES),
    batchStatusAfter: z.enum(BATCH_STATUSES),
  })
  .openapi('PaymentStatusReportSummary');

export const StatusReportSchema = StatusReportSummarySchema.extend({
  statuses: z
    .object({
      group: z.object({ status: z.string().nullable(), reasons: z.array(BankReasonSchema) }),
      paymentInformation: z.array(
        z.object({
          id: z.string().nullable(),
          status: z.string().nullable(),
          reasons: z.array(BankReasonSchema),
          transactions: z.array(
            z.object({
              endToEndId: z.string().nullable(),
              instructionId: z.string().nullable(),
              status: z.string().nullable(),
              reasons: z.array(BankReasonSchema),
            }),
          ),
        }),
      ),
    })
    .openapi({ description: 'What the report said, level by level' }),
  changes: z
    .array(
      z.object({
        paymentId: z.string(),
        endToEndId: z.string(),
        from: z.enum(PAYMENT_STATUSES),
        to: z.enum(['accepted', 'rejected']),
        level: Level,
        bankStatus: z.string(),
        reason: BankReasonSchema.nullable(),
      }),
    )
    .openapi({ description: 'The payments it moved' }),
  unmatched: z.array(
    z.object({
      level: z.enum(['payment_information', 'transaction']),
      id: z.string().nullable(),
      status: z.string().nullable(),
    }),
  ),
  warnings: z.array(z.string()),
}).openapi('PaymentStatusReport');

export const StatusReportResultSchema = z
  .object({
    alreadyApplied: z.boolean().openapi({
      description: 'True when this report (same message id, same bytes) was applied before: nothing changed',
    }),
    report: StatusReportSchema,
    batch: PaymentBatchDetailSchema,
  })
  .openapi('PaymentStatusReportResult');

export const PaymentBatchWithReportsSchema = PaymentBatchDetailSchema.extend({
  statusReports: z
    .array(StatusReportSummarySchema)
    .openapi({ description: "The bank's pain.002 reports on this batch, oldest first" }),
}).openapi('PaymentBatchWithReports');
