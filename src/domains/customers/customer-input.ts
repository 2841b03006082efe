import { z } from 'zod';
import { isCurrency } from '../../core/money.js';
import { isTimeZone } from '../../core/time-zone.js';

/**
 * What a customer looks like on the way in — the API, the bulk sync and the file import all
 * validate with this one schema, so a bad value gets the same message from each.
 */

const MINOR_UNITS = /^\d{1,18}$/;
const MINOR_UNITS_MESSAGE =
  'must be a whole number of minor units as a string of at most 18 digits, e.g. "150000" for 1 500.00';

/**
 * zod still runs an object's own rules after one of its fields failed a check: such a rule tests
 * `isMinorUnits` before it converts an amount to BigInt.
 */
export const isMinorUnits = (value: string): boolean => MINOR_UNITS.test(value);

/**
 * An amount on the wire: a string of minor units, 0 to 18 digits (fits a PostgreSQL bigint). One
 * check gives one message per field; `positive` adds "must be above 0" only for a well-formed amount,
 * so nothing converts a malformed string to BigInt.
 */
export const minorUnitsString = (options: { positive?: boolean } = {}) =>
  z.string().superRefine((value, ctx) => {
    if (!MINOR_UNITS.test(value)) ctx.addIssue({ code: 'custom', message: MINOR_UNITS_MESSAGE });
    else if (options.positive && BigInt(value) === 0n) ctx.addIssue({ code: 'custom', message: 'must be above 0' });
  });

export const AmountString = minorUnitsString();

export const CurrencyCode = z.string().refine(isCurrency, 'must be an ISO 4217 currency code, e.g. "EUR"');

export function isLanguageTag(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

export const AddressSchema = z
  .object({
    line1: z.string().max(200),
    line2: z.string().max(200),
    city: z.string().max(100),
    postalCode: z.string().max(20),
    region: z.string().max(100),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code, e.g. "ES"'),
  })
  .partial()
  .strict();

export const CustomerFields = {
  name: z.string().trim().min(1).max(300),
  email: z.string().max(320).email().nullable(),
  phone: z
    .string()
    .regex(/^\+?[0-9][0-9 ()-]{3,29}$/, 'must be a phone number, e.g. "+34 600 123 456"')
    .nullable(),
  address: AddressSchema.nullable(),
  language: z.string().refine(isLanguageTag, 'must be a BCP 47 language tag, e.g. "en", "es", "zh-CN"'),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. "Europe/Madrid"'),
  segment: z.string().max(50).nullable(),
  riskRating: z.string().min(1).max(20).nullable(),
  creditLimit: AmountString.nullable(),
  limitCurrency: CurrencyCode.nullable(),
  metadata: z.record(z.string(), z.unknown()),
};

/** Create or update keyed by the core system's id: omitted fields keep their value. */
export const CustomerUpsertSchema = z
  .object({ externalId: z.string().trim().min(1).max(100), ...CustomerFields })
  .partial()
  .required({ externalId: true })
  .strict();

export type CustomerUpsert = z.infer<typeof CustomerUpsertSchema>;

export const CustomerPatchSchema = z.object(CustomerFields).partial().strict();
export type CustomerPatch = z.infer<typeof CustomerPatchSchema>;
