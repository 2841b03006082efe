import { z } from 'zod';
import type { DomainWork } from '../unit-of-work.js';
import { AppError } from '../../core/errors.js';
import { AmountString, CurrencyCode, isMinorUnits } from '../customers/customer-input.js';
import { putDomainSetting } from '../settings-store.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import '../settings-tables.js';

/**
 * What a credit team configures without a deploy: the bureau finflow asks, and the products it
 * lends (kind, schedule method, amount and term ranges). Policy itself — points, knock-outs,
 * anomalies, limits, prices, authority — lives in the decision tables, not here.
 */

export const ProductSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,49}$/, 'must be 1-50 characters of a-z, 0-9 and "-"'),
    /** A loan is booked as a receivable with a schedule; a credit line raises the customer's limit. */
    kind: z.enum(['loan', 'credit_line']),
    method: z.enum(['annuity', 'equal_principal']).default('annuity'),
    /** The stress rate affordability is tested at, before the grade sets the price. */
    assessmentRate: z
      .string()
      .regex(/^0(\.\d{1,6})?$/, 'must be a decimal rate below 1 as a string, e.g. "0.15"')
      .default('0.15'),
    minAmount: AmountString,
    maxAmount: AmountString,
    minTermMonths: z.number().int().min(1).max(600),
    maxTermMonths: z.number().int().min(1).max(600),
    /** Currencies the product is sold in; empty: any. */
    currencies: z.array(CurrencyCode).max(50).default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const amounts = isMinorUnits(p.minAmount) && isMinorUnits(p.maxAmount);
    if (amounts && BigInt(p.minAmount) > BigInt(p.maxAmount)) {
      ctx.addIssue({ code: 'custom', path: ['maxAmount'], message: 'must not be below minAmount' });
    }
    if (p.minTermMonths > p.maxTermMonths) {
      ctx.addIssue({ code: 'custom', path: ['maxTermMonths'], message: 'must not be below minTermMonths' });
    }
  });
export type CreditProduct = z.infer<typeof ProductSchema>;

const BureauSchema = z
  .object({
    url: z
      .string()
      .max(2048)
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL'),
  })
  .strict();

export const CreditSettingsPatchSchema = z
  .object({
    bureau: BureauSchema.nullable().optional(),
    products: z
      .array(ProductSchema)
      .min(1)
      .max(100)
      .refine((list) => new Set(list.map((p) => p.name)).size === list.length, 'product names must be unique')
      .optional(),
  })
  .strict();
export type CreditSettingsPatch = z.infer<typeof CreditSettingsPatchSchema>;

export interface CreditSettings {
  /** null: no bureau configured — every application then goes to review (anomaly AN_NO_BUREAU). */
  bureau: { url: string } | null;
  products: CreditProduct[];
}

export const DEFAULT_PRODUCTS: CreditProduct[] = [
  {
    name: 'personal-loan',
    kind: 'loan',
    method: 'annuity',
    assessmentRate: '0.15',
    minAmount: '50000',
    maxAmount: '10000000',
    minTermMonths: 6,
    maxTermMonths: 84,
    currencies: [],
  },
  {
    name: 'credit-line',
    kind: 'credit_line',
    method: 'annuity',
    assessmentRate: '0.15',
    minAmount: '50000',
    maxAmount: '5000000',
    minTermMonths: 12,
    maxTermMonths: 60,
    currencies: [],
  },
];

const KEYS = { bureau: 'credit.bureau', products: 'credit.products' } as const;

export async function readCreditSettings(db: Queryable | Tx): Promise<CreditSettings> {
  const rows = await db
    .selectFrom('domain_settings')
    .select(['key', 'value'])
    .where('key', 'in', Object.values(KEYS))
    .execute();
  const value = (key: string) => rows.find((r) => r.key === key)?.value;
  const bureau = value(KEYS.bureau);
  const products = value(KEYS.products);
  return {
    bureau: bureau === undefined ? null : (bureau as CreditSettings['bureau']),
    products: products === undefined ? DEFAULT_PRODUCTS : (products as CreditProduct[]),
  };
}

/** Applies the fields given (validated at the route); each changed key is audited. */
export async function updateCreditSettings(unit: DomainWork, patch: CreditSettingsPatch): Promise<CreditSettings> {
  const before = await readCreditSettings(unit.tx);
  const after: CreditSettings = {
    bureau: patch.bureau === undefined ? before.bureau : patch.bureau,
    products: patch.products ?? before.products,
  };
  for (const name of ['bureau', 'products'] as const) {
    if (patch[name] === undefined) continue;
    await putDomainSetting(unit, { key: KEYS[name], before: before[name], after: after[name] });
  }
  return after;
}

/** The product named, or a 422 naming `body.product`. */
export function findProduct(settings: CreditSettings, name: string): CreditProduct {
  const product = settings.products.find((p) => p.name === name);
  if (!product) {
    throw outsideProduct('body.product', `unknown product; one of ${settings.products.map((p) => p.name).join(', ')}`);
  }
  return product;
}

/** A well-formed application the product cannot take (unknown product, amount or term out of range). */
export function outsideProduct(field: string, message: string): AppError {
  return new AppError('outside_product', 422, `${field}: ${message}`, { issues: [{ field, message }] });
}
