import { z } from 'zod';
import { AmountString, CurrencyCode, CustomerFields, minorUnitsString } from '../customers/customer-input.js';
import { CalendarDate } from '../receivables/receivable-input.js';

/**
 * A credit application as it arrives (API). Money in minor units as strings, dates as YYYY-MM-DD.
 * The applicant is a new or an existing customer by external id; for an existing one the contact
 * details given are compared (a mismatch is an anomaly), never written over the customer's.
 */

export const EMPLOYMENT_STATUSES = ['employed', 'self_employed', 'retired', 'student', 'unemployed', 'other'] as const;

export const ApplicantSchema = z
  .object({
    externalId: z.string().trim().min(1).max(100),
    name: CustomerFields.name,
    dateOfBirth: CalendarDate,
    nationalId: z.string().trim().min(1).max(50).optional(),
    email: z.string().max(320).email().optional(),
    phone: CustomerFields.phone.unwrap().optional(),
    language: CustomerFields.language.optional(),
    timeZone: CustomerFields.timeZone.optional(),
  })
  .strict();

export const ApplicationInputSchema = z
  .object({
    applicant: ApplicantSchema,
    product: z.string().min(1).max(50),
    amount: minorUnitsString({ positive: true }),
    currency: CurrencyCode,
    termMonths: z.number().int().min(1).max(600),
    purpose: z.string().trim().min(1).max(100),
    monthlyIncome: AmountString,
    monthlyExpenses: AmountString,
    employment: z
      .object({
        status: z.enum(EMPLOYMENT_STATUSES),
        monthsInJob: z.number().int().min(0).max(900).optional(),
        employer: z.string().trim().min(1).max(200).optional(),
      })
      .strict(),
    consent: z
      .object({
        bureauCheck: z.literal(true, { error: 'must be true: the applicant must consent to the bureau check' }),
        at: z.iso.datetime({ offset: true }).optional(),
      })
      .strict(),
  })
  .strict();

export type ApplicationInput = z.infer<typeof ApplicationInputSchema>;
export type Applicant = z.infer<typeof ApplicantSchema>;

/** The applicant's answer to a counter-offer. */
export const OfferAnswerSchema = z.object({ accept: z.boolean() }).strict();
