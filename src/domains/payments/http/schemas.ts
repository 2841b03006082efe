import { z } from '@hono/zod-openapi';
import { isCurrency } from '../../../core/money.js';
import { minorUnitsString } from '../../customers/customer-input.js';
import { ACCOUNT_CODE, ACCOUNT_CODE_RULE } from '../../ledger/ledger-model.js';
import { BANK_ACCOUNT_STATUSES, PAIN001_VERSIONS } from '../bank-accounts.js';
import { bankDetailsIssues, endToEndIdIssue, isCreditorReference, type BankDetailsInput } from '../bank-details.js';
import { BENEFICIARY_KINDS, BENEFICIARY_STATUSES, CHANGE_STATUSES } from '../beneficiaries.js';
import { PAYMENT_SOURCES, PAYMENT_STATUSES } from '../instructions.js';
import { CUT_OFF_TIME } from '../value-dates.js';
import { CALENDAR_NAME } from '../../../engine/index.js';

/**
 * The payments API's wire shapes (docs/payments.md): bank accounts, beneficiaries with their
 * proposed bank-detail changes, and payment instructions. Money is minor units as a decimal string;
 * dates are YYYY-MM-DD. Every check here names the failing field in a 400.
 */

const Currency = z
  .string()
  .refine(isCurrency, 'must be an ISO 4217 currency code, e.g. "EUR"')
  .openapi({ example: 'EUR' });

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar day (not 2026-02-30): the date round-trips through Date unchanged. */
function isCalendarDate(value: string): boolean {
  if (!CALENDAR_DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
export const CalendarDate = z
  .string()
  .refine(isCalendarDate, 'must be a date YYYY-MM-DD')
  .openapi({ example: '2026-03-04' });

const Name = z.string().trim().min(1).max(140);
// Unicode's Cc category (C0, DEL, C1) without the `u` flag: OpenAPI patterns carry no regex flags.
// eslint-disable-next-line no-control-regex -- rejecting control characters is this pattern's purpose
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/** The fields of a set of bank details, spread into a body schema with `checkBankDetails` below. */
const bankDetailsFields = {
  iban: z
    .string()
    .max(50)
    .optional()
    .openapi({ example: 'DE89370400440532013000', description: 'Spaces allowed; stored in electronic format' }),
  accountNumber: z.string().max(35).optional().openapi({ description: 'Without an IBAN: the local account number' }),
  bankCode: z
    .string()
    .max(35)
    .optional()
    .openapi({ description: 'Without an IBAN: the bank code (sort code, routing)' }),
  bic: z.string().max(11).optional().openapi({ example: 'COBADEFFXXX' }),
  country: z
    .string()
    .max(2)
    .optional()
    .openapi({ example: 'DE', description: 'ISO 3166-1 alpha-2; from the IBAN when absent (required without one)' }),
};

/** ibantools' checks, each issue on its own field (body.iban, body.bankDetails.bic…). */
function checkBankDetails(value: BankDetailsInput, ctx: z.RefinementCtx): void {
  for (const issue of bankDetailsIssues(value)) {
    ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.message });
  }
}

export const BankDetailsInputSchema = z
  .object(bankDetailsFields)
  .strict()
  .superRefine(checkBankDetails)
  .openapi('BankDetailsInput', { example: { iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' } });

const BankDetailsSchema = z
  .object({
    iban: z.string().nullable(),
    accountNumber: z.string().nullable(),
    bankCode: z.string().nullable(),
    bic: z.string().nullable(),
    country: z.string(),
  })
  .openapi('BankDetails');

// ---- bank accounts ----------------------------------------------------------------------------

const CalendarName = z
  .string()
  .regex(CALENDAR_NAME, 'must be a calendar name: 1-50 letters, digits, _ or -')
  .openapi({
    example: 'TARGET2',
    description:
      'The business calendar its bank keeps (PUT /calendars/{name}: weekend days, bank holidays, time zone). ' +
      'Value dates are business days of it; absent, Monday to Friday.',
  });
const CutOffTime = z
  .string()
  .regex(CUT_OFF_TIME, 'must be a time HH:MM (00:00 to 23:59)')
  .openapi({
    example: '15:00',
    description:
      "The bank's cut-off, in the calendar's time zone (UTC without a calendar): from then on, today is no " +
      'longer a value date and new payments are dated the next business day.',
  });

export const BankAccountInputSchema = z
  .object({
    name: Name.openapi({ example: 'Main EUR account' }),
    currency: Currency,
    ...bankDetailsFields,
    ownerName: Name.openapi({ example: 'Finflow Lending S.L.', description: 'The debtor name on payment files' }),
    ledgerAccount: z.string().regex(ACCOUNT_CODE, ACCOUNT_CODE_RULE).openapi({
      example: 'cash:bank:main-eur',
      description: 'Code of the ledger cash account (debit-normal) it is tied to; created when absent',
    }),
    pain001Version: z.enum(PAIN001_VERSIONS).optional().openapi({ description: 'Default pain.001.001.09' }),
    calendar: CalendarName.optional(),
    cutOffTime: CutOffTime.optional(),
  })
  .strict()
  .superRefine(checkBankDetails)
  .openapi('BankAccountInput', {
    example: {
      name: 'Main EUR account',
      currency: 'EUR',
      iban: 'DE89370400440532013000',
      bic: 'COBADEFFXXX',
      ownerName: 'Finflow Lending GmbH',
      ledgerAccount: 'cash:bank:main-eur',
    },
  });

export const BankAccountUpdateSchema = z
  .object({
    calendar: CalendarName.nullable().optional(),
    cutOffTime: CutOffTime.nullable().optional(),
    pain001Version: z.enum(PAIN001_VERSIONS).optional(),
  })
  .strict()
  .openapi('BankAccountUpdate', {
    description: 'The fields to change; null clears the calendar or the cut-off, an absent field stays',
    example: { calendar: 'TARGET2', cutOffTime: '15:00' },
  });

export const BankAccountSchema = z
  .object({
    id: z.string().openapi({ example: 'bac_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    name: z.string(),
    currency: z.string(),
    iban: z.string().nullable(),
    accountNumber: z.string().nullable(),
    bankCode: z.string().nullable(),
    bic: z.string().nullable(),
    country: z.string(),
    ownerName: z.string(),
    ledgerAccount: z.string(),
    ledgerAccountId: z.string(),
    pain001Version: z.string(),
    calendar: z.string().nullable().openapi({ description: 'Its business calendar; null: Monday to Friday' }),
    cutOffTime: z.string().nullable().openapi({ description: "HH:MM in the calendar's zone; null: none" }),
    status: z.enum(BANK_ACCOUNT_STATUSES),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('BankAccount');

// ---- beneficiaries ----------------------------------------------------------------------------

export const BeneficiaryInputSchema = z
  .object({
    name: Name.openapi({ example: 'Acme GmbH' }),
    kind: z.enum(BENEFICIARY_KINDS),
    customerId: z.string().min(1).max(100).optional().openapi({ description: 'For refunds: the customer it is' }),
    bankDetails: BankDetailsInputSchema.openapi({
      description: 'Proposed: they become the details payments go to when a second person approves them',
    }),
  })
  .strict()
  .openapi('BeneficiaryInput', {
    example: { name: 'Acme GmbH', kind: 'supplier', bankDetails: { iban: 'DE89370400440532013000' } },
  });

export const BeneficiaryChangeSchema = z
  .object({
    id: z.string().openapi({ example: 'bch_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    beneficiaryId: z.string(),
    bankDetails: BankDetailsSchema,
    status: z.enum(CHANGE_STATUSES),
    proposedBy: z.string(),
    proposedAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .openapi('BeneficiaryChange');

export const BeneficiarySchema = z
  .object({
    id: z.string().openapi({ example: 'ben_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    name: z.string(),
    kind: z.enum(BENEFICIARY_KINDS),
    customerId: z.string().nullable(),
    status: z.enum(BENEFICIARY_STATUSES),
    bankDetails: BankDetailsSchema.nullable().openapi({ description: 'The approved details; null until approved' }),
    detailsVersion: z.number().int(),
    verifiedAt: z.string().nullable(),
    verifiedBy: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Beneficiary');

export const BeneficiaryDetailSchema = BeneficiarySchema.extend({
  changes: z.array(BeneficiaryChangeSchema).openapi({ description: 'Every proposal of bank details, oldest first' }),
}).openapi('BeneficiaryDetail');

export const ChangeDecisionSchema = z
  .object({ beneficiary: BeneficiarySchema, change: BeneficiaryChangeSchema })
  .openapi('BeneficiaryChangeDecision');

export const Reason = z.string().trim().min(1).max(500).openapi({ description: 'Recorded in the audit log' });

// ---- payments ---------------------------------------------------------------------------------

export const RemittanceSchema = z
  .object({
    unstructured: z
      .string()
      .min(1)
      .max(140)
      .regex(NO_CONTROL, 'must not contain control characters')
      .optional()
      .openapi({ example: 'Invoice 2026-0042' }),
    creditorReference: z
      .string()
      .max(35)
      .refine(isCreditorReference, 'must be an ISO 11649 creditor reference (RF, check digits, up to 21 characters)')
      .optional()
      .openapi({ example: 'RF18539007547034' }),
  })
  .strict()
  .superRefine((value, ctx) => {
    const given = [value.unstructured, value.creditorReference].filter((v) => v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [value.unstructured === undefined ? 'unstructured' : 'creditorReference'],
        message: 'give exactly one of unstructured and creditorReference',
      });
    }
  })
  .openapi('Remittance');

export const PaymentInputSchema = z
  .object({
    bankAccountId: z.string().min(1).max(100).openapi({ example: 'bac_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    beneficiaryId: z.string().min(1).max(100).openapi({ example: 'ben_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    amount: minorUnitsString({ positive: true }).openapi({ example: '2500000', description: 'Minor units' }),
    currency: Currency.optional().openapi({ description: "The debtor account's currency; checked when given" }),
    requestedExecutionDate: CalendarDate.optional().openapi({
      description: 'Value date: a business day, today or later; default today (or the next business day)',
    }),
    endToEndId: z
      .string()
      .superRefine((value, ctx) => {
        const problem = endToEndIdIssue(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .openapi({ example: 'INV-2026-0042', description: 'Unique; generated when absent' }),
    remittance: RemittanceSchema.optional(),
    purpose: z
      .string()
      .regex(/^[A-Z]{4}$/, 'must be an ISO 20022 purpose code of 4 capital letters, e.g. "SUPP"')
      .optional()
      .openapi({ example: 'SUPP' }),
    sourceRef: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'Your own reference (an invoice, a payroll line): one payment per reference' }),
  })
  .strict()
  .openapi('PaymentInstructionInput');

const ApprovalSchema = z.object({
  by: z.string(),
  level: z.number().int(),
  of: z.number().int(),
  outcome: z.string(),
  comment: z.string().nullable(),
  taskId: z.string(),
  at: z.string(),
});

export const PaymentSchema = z
  .object({
    id: z.string().openapi({ example: 'pmt_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    status: z.enum(PAYMENT_STATUSES),
    bankAccountId: z.string(),
    beneficiaryId: z.string(),
    amount: z.string(),
    currency: z.string(),
    requestedExecutionDate: z.string(),
    endToEndId: z.string(),
    remittance: z.record(z.string(), z.unknown()).nullable(),
    purpose: z.string().nullable(),
    source: z.enum(PAYMENT_SOURCES),
    sourceRef: z.string().nullable(),
    approval: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "The matrix's answer: required approvers, queues, rule, decision key@version" }),
    approvals: z.array(ApprovalSchema),
    beneficiarySnapshot: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'The bank details the approvers saw: what the payment goes to' }),
    hold: z
      .object({ transferId: z.string(), state: z.enum(['held', 'posted', 'voided']) })
      .nullable()
      .openapi({ description: 'The ledger hold (pending transfer) placed on approval' }),
    rejection: z.object({ code: z.string(), reason: z.string(), by: z.string(), at: z.string() }).nullable(),
    anomalies: z.array(z.object({ check: z.string(), reason: z.string() })).openapi({
      description:
        'What the anomaly checks (decision payments.anomaly-checks) found when the approval started; empty when nothing. ' +
        'A hit needs at least one approver.',
    }),
    instanceId: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    approvedAt: z.string().nullable(),
    batchId: z.string().nullable().openapi({
      description: 'The payment batch (pain.001 file) it is in; null before batching or once that batch is cancelled',
    }),
    paymentInformationId: z
      .string()
      .nullable()
      .openapi({ description: "Its payment information block's id (PmtInfId) in the batch's file" }),
  })
  .openapi('PaymentInstruction');

export const PaymentDetailSchema = PaymentSchema.extend({
  history: z
    .array(
      z.object({
        at: z.string(),
        by: z.string(),
        from: z.string().nullable(),
        to: z.string(),
        reason: z.string().nullable(),
        data: z.record(z.string(), z.unknown()),
      }),
    )
    .openapi({ description: 'Every status change, oldest first' }),
  tasks: z
    .array(
      z.object({
        id: z.string(),
        step: z.string(),
        queue: z.string(),
        status: z.string(),
        assignee: z.string().nullable(),
        outcome: z.string().nullable(),
      }),
    )
    .openapi({ description: 'The approval tasks (complete them with POST /tasks/{id}/complete)' }),
}).openapi('PaymentDetail');

/** The optional body of the daily runs (payables, recurring payments): how many days ahead to make. */
export const withinDaysBody = (max: number) => ({
  required: false,
  content: {
    'application/json': {
      schema: z
        .object({
          withinDays: z
            .number()
            .int()
            .min(0)
            .max(max)
            .optional()
            .openapi({ description: 'Days ahead of today (default 0: due today or earlier)' }),
        })
        .strict(),
    },
  },
});
