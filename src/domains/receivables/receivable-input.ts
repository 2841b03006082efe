import { z } from 'zod';
import { AmountString, CurrencyCode, minorUnitsString } from '../customers/customer-input.js';
import { isCalendarDate } from './schedule/due-dates.js';

/**
 * A receivable on the way in (API, bulk sync, file import). Invoices carry lines (or one total)
 * and a due date or payment terms; loans carry principal, rate, term and schedule method — the
 * schedule itself is always generated here, so its arithmetic is finflow's, not each caller's.
 */

export const CalendarDate = z.string().refine(isCalendarDate, 'must be a date YYYY-MM-DD');
const DecimalString = z.string().regex(/^\d{1,6}(\.\d{1,10})?$/, 'must be a decimal number as a string, e.g. "0.12"');

export const InvoiceLineSchema = z
  .object({
    description: z.string().min(1).max(500),
    quantity: z.string().regex(/^\d{1,12}(\.\d{1,6})?$/, 'must be a positive decimal string, e.g. "2" or "1.5"'),
    unitPrice: AmountString,
    taxRate: DecimalString.optional(),
  })
  .strict();

export const ReceivableInputSchema = z
  .object({
    externalId: z.string().trim().min(1).max(100),
    customerExternalId: z.string().trim().min(1).max(100),
    kind: z.enum(['invoice', 'loan']),
    currency: CurrencyCode,
    issueDate: CalendarDate,
    // invoices
    lines: z.array(InvoiceLineSchema).min(1).max(500).optional(),
    amount: AmountString.optional(),
    dueDate: CalendarDate.optional(),
    paymentTerms: z.string().min(1).max(50).optional(),
    // loans
    principal: AmountString.optional(),
    annualRate: DecimalString.optional(),
    termMonths: z.number().int().min(1).max(600).optional(),
    method: z.enum(['annuity', 'equal_principal']).optional(),
    firstDueDate: CalendarDate.optional(),
    fees: z.object({ upfront: AmountString.optional(), perInstallment: AmountString.optional() }).strict().optional(),
    waterfall: z.unknown().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const need = (field: keyof typeof value, why: string) => {
      if (value[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required ${why}` });
    };
    const forbid = (field: keyof typeof value, why: string) => {
      if (value[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `not allowed ${why}` });
    };
    if (value.kind === 'invoice') {
      if ((value.lines === undefined) === (value.amount === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['lines'], message: 'an invoice has either lines or an amount' });
      }
      if ((value.dueDate === undefined) === (value.paymentTerms === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['dueDate'], message: 'an invoice has either dueDate or paymentTerms' });
      }
      for (const f of ['principal', 'annualRate', 'termMonths', 'method', 'firstDueDate', 'fees'] as const) {
        forbid(f, 'on an invoice');
      }
    } else {
      for (const f of ['principal', 'annualRate', 'termMonths', 'method', 'firstDueDate'] as const)
        need(f, 'for a loan');
      for (const f of ['lines', 'amount', 'dueDate', 'paymentTerms'] as const) forbid(f, 'on a loan');
    }
  });

export type ReceivableInput = z.infer<typeof ReceivableInputSchema>;

export const PaymentInputSchema = z
  .object({
    externalId: z.string().trim().min(1).max(100),
    amount: minorUnitsString({ positive: true }),
    currency: CurrencyCode,
    receivedOn: CalendarDate,
  })
  .strict();
export type PaymentInput = z.infer<typeof PaymentInputSchema>;

/** A payment in a bulk sync names its receivable by external id. */
export const SyncPaymentSchema = PaymentInputSchema.extend({
  receivableExternalId: z.string().trim().min(1).max(100),
}).strict();
