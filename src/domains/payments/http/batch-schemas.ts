import { z } from '@hono/zod-openapi';
import { PAYMENT_STATUSES } from '../instructions.js';
import { BATCH_METHODS, BATCH_STATUSES } from '../batches.js';
import { MAX_PER_FILE_LIMIT } from '../batching.js';
import { CalendarDate } from './schemas.js';

/** The wire shapes of payment batches (docs/payments.md, Batching). */

const BANK_ACCOUNT_ID = /^bac_[0-9A-HJKMNP-TV-Z]{26}$/;

export const BatchRunInputSchema = z
  .object({
    bankAccountId: z
      .string()
      .regex(BANK_ACCOUNT_ID, 'must be a bank account id (bac_…)')
      .optional()
      .openapi({ description: 'Only this debtor account’s payments', example: 'bac_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    valueDateUpTo: CalendarDate.optional().openapi({
      description: 'Only payments whose requested execution date is on or before this date',
    }),
    maxPerFile: z
      .number()
      .int()
      .min(1)
      .max(MAX_PER_FILE_LIMIT)
      .optional()
      .openapi({ description: 'At most this many payments in one file; a larger group is split. Default 10000' }),
  })
  .strict()
  .openapi('PaymentBatchRunInput');

export const PaymentBatchSchema = z
  .object({
    id: z.string().openapi({ example: 'pbt_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    status: z.enum(BATCH_STATUSES),
    bankAccountId: z.string(),
    valueDate: z.string().openapi({ description: 'The requested execution date written in the file' }),
    method: z.enum(BATCH_METHODS),
    pain001Version: z.string(),
    messageId: z.string().openapi({ description: 'GrpHdr/MsgId: unique towards the bank' }),
    paymentInformationId: z.string().openapi({ description: "The file's payment information block (PmtInfId)" }),
    numberOfTransactions: z.number().int(),
    controlSum: z.string().openapi({ description: 'Minor units' }),
    currency: z.string(),
    fileName: z.string(),
    fileSha256: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    releaseStartedBy: z.string().nullable(),
    releaseStartedAt: z.string().nullable(),
    releasedBy: z.string().nullable(),
    releasedAt: z.string().nullable(),
    deliveryLocation: z.string().nullable().openapi({ description: 'Where the delivery put the file' }),
    cancelledBy: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    cancelReason: z.string().nullable(),
  })
  .openapi('PaymentBatch');

export const PaymentBatchDetailSchema = PaymentBatchSchema.extend({
  payments: z
    .array(
      z.object({
        id: z.string(),
        position: z.number().int(),
        endToEndId: z.string(),
        amount: z.string(),
        currency: z.string(),
        beneficiaryId: z.string(),
        beneficiaryName: z.string().nullable(),
        status: z.enum(PAYMENT_STATUSES),
        inBatch: z.boolean().openapi({ description: 'False once the batch was cancelled' }),
      }),
    )
    .openapi({ description: 'The payments of the file, in file order' }),
}).openapi('PaymentBatchDetail');

export const BatchRunSchema = z
  .object({ data: z.array(PaymentBatchDetailSchema) })
  .openapi('PaymentBatchRun', { description: 'The batches this run created; empty when nothing was batchable' });
