import { z } from 'zod';
import { validationError, type FieldIssue } from '../../core/errors.js';
import { parseRatingScale, RATING_SCALE_KEY, readRatingScale } from '../customers/ratings.js';
import { putDomainSetting } from '../settings-store.js';
import type { DomainWork } from '../unit-of-work.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import { DEFAULT_WATERFALL, parseWaterfall, type Waterfall } from './allocation/waterfall.js';
import '../settings-tables.js';

/**
 * The policies operations staff tune without a deploy: delinquency buckets and the default payment
 * waterfall. Stored as JSON documents in `domain_settings`; every change is audited with before and
 * after. The settings route also shows and changes the customers' risk-rating scale
 * (customers/ratings.ts), so its document is these two plus that one.
 */

export interface Bucket {
  name: string;
  minDpd: number;
  /** null: open-ended (the last bucket). */
  maxDpd: number | null;
}

export const CURRENT_BUCKET = 'current';

export const DEFAULT_BUCKETS: Bucket[] = [
  { name: '1-30', minDpd: 1, maxDpd: 30 },
  { name: '31-60', minDpd: 31, maxDpd: 60 },
  { name: '61-90', minDpd: 61, maxDpd: 90 },
  { name: '90+', minDpd: 91, maxDpd: null },
];

export interface ReceivableSettings {
  buckets: Bucket[];
  waterfall: Waterfall;
}

/** What GET and PUT /receivables/settings show. */
export interface SettingsDocument extends ReceivableSettings {
  ratingScale: string[];
}

const SETTING_KEYS = {
  buckets: 'delinquency.buckets',
  waterfall: 'payments.waterfall',
  ratingScale: RATING_SCALE_KEY,
} as const;

const BucketSchema = z
  .object({
    name: z.string().min(1).max(40),
    minDpd: z.number().int().min(1),
    maxDpd: z.number().int().min(1).nullable(),
  })
  .strict();

/** Buckets must tile 1…∞ without gaps or overlaps, so every overdue receivable has exactly one. */
export function parseBuckets(value: unknown, field = 'buckets'): Bucket[] {
  const parsed = z.array(BucketSchema).min(1).max(20).safeParse(value);
  if (!parsed.success) {
    throw validationError(
      parsed.error.issues.map((i) => ({ field: [field, ...i.path].join('.'), message: i.message })),
    );
  }
  const buckets = parsed.data;
  const issues: FieldIssue[] = [];
  let expectedMin = 1;
  const names = new Set<string>();
  buckets.forEach((bucket, index) => {
    const at = `${field}.${index}`;
    if (bucket.name === CURRENT_BUCKET || names.has(bucket.name)) {
      issues.push({ field: `${at}.name`, message: `"${bucket.name}" is reserved or used twice` });
    }
    names.add(bucket.name);
    if (bucket.minDpd !== expectedMin) {
      issues.push({
        field: `${at}.minDpd`,
        message: `must be ${expectedMin} (buckets cover 1 day upwards without gaps)`,
      });
    }
    const last = index === buckets.length - 1;
    if (last !== (bucket.maxDpd === null)) {
      issues.push({ field: `${at}.maxDpd`, message: last ? 'the last bucket must be open-ended (null)' : 'required' });
    } else if (bucket.maxDpd !== null && bucket.maxDpd < bucket.minDpd) {
      issues.push({ field: `${at}.maxDpd`, message: 'must not be below minDpd' });
    }
    expectedMin = (bucket.maxDpd ?? 0) + 1;
  });
  if (issues.length) throw validationError(issues);
  return buckets;
}

export function bucketFor(dpd: number, buckets: Bucket[]): string {
  if (dpd <= 0) return CURRENT_BUCKET;
  return buckets.find((b) => dpd >= b.minDpd && (b.maxDpd === null || dpd <= b.maxDpd))!.name;
}

export async function readSettings(db: Queryable | Tx): Promise<ReceivableSettings> {
  const rows = await db.selectFrom('domain_settings').select(['key', 'value']).execute();
  const value = (key: string) => rows.find((r) => r.key === key)?.value;
  const buckets = value(SETTING_KEYS.buckets);
  const waterfall = value(SETTING_KEYS.waterfall);
  return {
    buckets: buckets === undefined ? DEFAULT_BUCKETS : parseBuckets(buckets),
    waterfall: waterfall === undefined ? DEFAULT_WATERFALL : parseWaterfall(waterfall),
  };
}

export async function readSettingsDocument(db: Queryable | Tx): Promise<SettingsDocument> {
  return { ...(await readSettings(db)), ratingScale: await readRatingScale(db) };
}

const perUnit = new WeakMap<DomainWork, Promise<ReceivableSettings>>();

/**
 * The settings as one unit of work sees them, read once: a bulk sync of 10 000 payments asks for the
 * waterfall and buckets 10 000 times. Settings change only through updateSettings, in its own transaction.
 */
export function unitSettings(unit: DomainWork): Promise<ReceivableSettings> {
  let settings = perUnit.get(unit);
  if (!settings) {
    settings = readSettings(unit.tx);
    perUnit.set(unit, settings);
  }
  return settings;
}

/** Replaces the settings given (others keep their value); audited per key that changed. */
export async function updateSettings(
  unit: DomainWork,
  patch: Partial<Record<keyof SettingsDocument, unknown>>,
): Promise<SettingsDocument> {
  const before = await readSettingsDocument(unit.tx);
  const parsed: Partial<SettingsDocument> = {
    ...(patch.buckets !== undefined ? { buckets: parseBuckets(patch.buckets) } : {}),
    ...(patch.waterfall !== undefined ? { waterfall: parseWaterfall(patch.waterfall) } : {}),
    ...(patch.ratingScale !== undefined ? { ratingScale: parseRatingScale(patch.ratingScale) } : {}),
  };
  for (const name of Object.keys(parsed) as Array<keyof SettingsDocument>) {
    await putDomainSetting(unit, { key: SETTING_KEYS[name], before: before[name], after: parsed[name] });
  }
  return { ...before, ...parsed };
}
