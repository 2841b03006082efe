import { z } from '@hono/zod-openapi';
import { EntrySchema } from '../../http/schemas.js';

const Minor = z.string().openapi({ description: 'Integer minor units as a decimal string', example: '125000' });
const PositiveMinor = z
  .string()
  .regex(/^[1-9]\d{0,17}$/, 'must be a positive whole number of minor units, at most 18 digits')
  .openapi({ description: 'Positive integer minor units as a decimal string', example: '125000' });
const TargetKind = z.enum(['outgoing_payment', 'receivable', 'charge', 'writeoff']);

export const SuggestionSchema = z
  .object({
    rank: z.number().int(),
    targetKind: z.string(),
    targetId: z.string(),
    label: z.string().openapi({ description: "The receivable's external id or the payment's end-to-end id" }),
    targetName: z.string().nullable(),
    openAmount: Minor,
    amount: Minor.openapi({ description: 'What this target would take from the entry' }),
    rule: z.string(),
    code: z.string().openapi({ description: 'The row of treasury.reconciliation-rules that scored it' }),
    confidence: z.number().int(),
    reason: z.string(),
  })
  .openapi('ReconciliationSuggestion');

export const MatchSchema = z
  .object({
    id: z.string(),
    bankEntryId: z.string(),
    targetKind: TargetKind,
    targetId: z.string().nullable(),
    amount: Minor,
    currency: z.string(),
    ruleCode: z.string().openapi({ description: 'The decision row that matched, or `manual`' }),
    decisionVersion: z.number().int().nullable(),
    confidence: z.number().int(),
    matchedBy: z.string().openapi({ description: '`auto`, or the person who matched' }),
    matchedAt: z.string(),
    note: z.string().nullable(),
    receivablePaymentId: z.string().nullable(),
    journalId: z.string().nullable(),
    reversedAt: z.string().nullable(),
    reversedBy: z.string().nullable(),
    reversalReason: z.string().nullable(),
  })
  .openapi('BankMatch');

export const ReconciliationEntrySchema = EntrySchema.extend({
  remaining: Minor.openapi({ description: 'What no active match covers yet' }),
  exceptionReason: z.string().nullable(),
  exceptionAt: z.string().nullable(),
  ignoredReason: z.string().nullable(),
  reconciledAt: z.string().nullable(),
  suggestions: z.array(SuggestionSchema),
  matches: z.array(MatchSchema),
}).openapi('ReconciliationEntry');

export const RunSummarySchema = z
  .object({
    entries: z.number().int(),
    matched: z.number().int(),
    partlyMatched: z.number().int().openapi({ description: 'Matched in part; the rest is an exception' }),
    exceptions: z.number().int(),
    skipped: z.number().int().openapi({ description: 'Already matched or ignored meanwhile' }),
  })
  .openapi('ReconciliationRun');

export const RunBodySchema = z
  .object({
    bankAccountId: z.string().min(1).max(100).optional(),
    includeExceptions: z
      .boolean()
      .default(true)
      .openapi({ description: 'Try exception entries again too (new receivables may have come)' }),
  })
  .strict();

export const MatchBodySchema = z
  .object({
    targets: z
      .array(
        z
          .object({
            kind: TargetKind,
            targetId: z
              .string()
              .min(1)
              .max(100)
              .optional()
              .openapi({ description: 'The receivable (id or external id) or payment; none for charge and writeoff' }),
            amount: PositiveMinor,
          })
          .strict(),
      )
      .min(1)
      .max(50),
    note: z.string().trim().min(1).max(500).optional(),
  })
  .strict();

export const ReasonBodySchema = z.object({ reason: z.string().trim().min(1).max(500) }).strict();

const Amounts = z.array(z.object({ currency: z.string(), amount: Minor }));

export const ReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    entries: z.number().int(),
    matched: z.number().int(),
    autoMatched: z.number().int(),
    manuallyMatched: z.number().int(),
    exceptions: z.number().int(),
    unmatched: z.number().int(),
    ignored: z.number().int(),
    matchRate: z.number().nullable().openapi({ description: 'Matched of the entries not ignored, 0–1' }),
    exceptionsByAge: z.array(z.object({ age: z.string(), count: z.number().int(), amounts: Amounts })),
    unreconciled: z.array(
      z.object({
        bankAccountId: z.string(),
        currency: z.string(),
        bookingDate: z.string(),
        entries: z.number().int(),
        credit: Minor,
        debit: Minor,
      }),
    ),
  })
  .openapi('ReconciliationReport');
