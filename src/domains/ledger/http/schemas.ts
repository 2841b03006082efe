import { z } from '@hono/zod-openapi';
import { SeqCursor } from '../../../api/schemas.js';
import { ACCOUNT_CODE, ACCOUNT_CODE_RULE, CLIENT_ID, CLIENT_ID_RULE } from '../ledger-model.js';
import { TRANSFER_KINDS } from '../tables.js';

/**
 * The ledger's wire shapes (docs/ledger.md): accounts, journal entries of transfers, two-phase holds,
 * reversals, balances and the trial balance. Amounts are decimal strings of minor units.
 */

export const ClientId = z.string().regex(CLIENT_ID, CLIENT_ID_RULE);
export const AmountString = z
  .string()
  .regex(/^-?\d{1,30}$/, 'must be an integer amount in minor units, as a string (e.g. "12345")')
  .openapi({ example: '12345', description: 'Minor units (cents) as a decimal string' });
const Money = z.string().openapi({ description: 'Minor units as a decimal string', example: '12345' });
const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code')
  .openapi({ example: 'EUR' });
const Metadata = z.record(z.string(), z.unknown()).openapi({ description: 'Any JSON object, kept as given' });
export const Reason = z.string().min(1).max(500).openapi({ description: 'Recorded in the audit log' });
export const Limit = z.coerce.number().int().min(1).max(1000).default(100);
export const AfterSeq = SeqCursor;

export const AccountSchema = z
  .object({
    id: z.string().openapi({ example: 'acc_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    code: z.string().openapi({ example: 'liabilities:customer_credit' }),
    currency: z.string(),
    normalSide: z.enum(['debit', 'credit']),
    debitsMustNotExceedCredits: z.boolean(),
    creditsMustNotExceedDebits: z.boolean(),
    debitsPending: Money,
    debitsPosted: Money,
    creditsPending: Money,
    creditsPosted: Money,
    metadata: Metadata,
    createdAt: z.string().datetime(),
  })
  .openapi('LedgerAccount');

const BalanceSchema = z
  .object({
    asOf: z.string().datetime().nullable().openapi({ description: 'null: now, from the account row' }),
    debitsPosted: Money,
    creditsPosted: Money,
    debitsPending: Money,
    creditsPending: Money,
    balance: Money.openapi({ description: 'Posted balance on the normal side (may be negative)' }),
    available: Money.openapi({ description: 'balance minus the pending holds against it' }),
  })
  .openapi('LedgerBalance');

export const AccountWithBalanceSchema = AccountSchema.extend({ balance: BalanceSchema }).openapi(
  'LedgerAccountWithBalance',
);

export const CreateAccountSchema = z
  .object({
    id: ClientId.optional().openapi({ description: 'Default: a new acc_… id' }),
    code: z.string().regex(ACCOUNT_CODE, ACCOUNT_CODE_RULE).openapi({ example: 'liabilities:customer_credit' }),
    currency: Currency,
    normalSide: z.enum(['debit', 'credit']).openapi({
      description: 'debit: assets and expenses; credit: liabilities, equity and income',
    }),
    debitsMustNotExceedCredits: z
      .boolean()
      .optional()
      .openapi({ description: 'No overdraft for a credit-normal account (e.g. a customer balance)' }),
    creditsMustNotExceedDebits: z.boolean().optional().openapi({ description: 'The same for a debit-normal account' }),
    metadata: Metadata.optional(),
  })
  .strict()
  .openapi('CreateLedgerAccount');

export const TransferSchema = z
  .object({
    id: z.string(),
    journalId: z.string(),
    seq: z.string().openapi({ description: 'Write order (decimal string)' }),
    debitAccountId: z.string(),
    creditAccountId: z.string(),
    amount: Money,
    currency: z.string(),
    kind: z.enum(TRANSFER_KINDS),
    pendingId: z.string().nullable().openapi({ description: 'post_pending, void_pending, expire_pending: the hold' }),
    reversesId: z.string().nullable().openapi({ description: 'reversal: the transfer it reverses' }),
    expiresAt: z.string().datetime().nullable(),
    code: z.string().nullable(),
    reference: z.string().nullable(),
    metadata: Metadata,
    postedAt: z.string().datetime(),
    postedBy: z.string(),
  })
  .openapi('LedgerTransfer');

const TransferInputSchema = z
  .object({
    id: ClientId.openapi({
      description: 'Chosen by you, unique forever: the same request again changes nothing',
      example: 'pay-2026-0001.cash',
    }),
    debitAccountId: z.string().min(1).max(200),
    creditAccountId: z.string().min(1).max(200),
    amount: AmountString,
    currency: Currency,
    pending: z.boolean().optional().openapi({ description: 'A hold, posted or voided later' }),
    expiresAt: z
      .string()
      .datetime({ offset: true })
      .nullish()
      .openapi({ description: 'pending only: after this the hold can no longer be posted' }),
    code: z.string().min(1).max(200).nullish().openapi({ example: 'payment.received' }),
    reference: z.string().min(1).max(200).nullish().openapi({ example: 'INV-1' }),
    metadata: Metadata.optional(),
  })
  .strict()
  .openapi('LedgerTransferInput');

export const PostTransfersSchema = z
  .object({
    journalId: ClientId.optional().openapi({ description: "Default: the first transfer's id" }),
    transfers: z.array(TransferInputSchema).min(1).max(100),
    reason: Reason.optional(),
  })
  .strict()
  .openapi('PostLedgerTransfers');

export const JournalSchema = z
  .object({
    journalId: z.string(),
    created: z.boolean().openapi({ description: 'false: an identical earlier request had written it' }),
    transfers: z.array(TransferSchema),
  })
  .openapi('LedgerJournal');

export const ResolutionSchema = z
  .object({ transfer: TransferSchema, created: z.boolean() })
  .openapi('LedgerPendingResolution');

export const TrialBalanceSchema = z
  .object({
    data: z.array(
      z.object({
        currency: z.string(),
        debits: Money,
        credits: Money,
        debitsPending: Money,
        creditsPending: Money,
        balanced: z.boolean().openapi({ description: 'debits = credits and debitsPending = creditsPending' }),
      }),
    ),
  })
  .openapi('LedgerTrialBalance');
