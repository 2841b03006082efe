import { z } from 'zod';
import { validationError, type FieldIssue } from '../../../core/errors.js';
import type { Queryable } from '../../../storage/schema.js';
import { putDomainSetting } from '../../settings-store.js';
import type { DomainWork } from '../../unit-of-work.js';
import '../../settings-tables.js';

/**
 * How likely an open installment is to be collected, by its receivable's days past due: the
 * forecast weights expected collections by these. A domain setting (`domain_settings`, audited on
 * change) so treasury tunes it from its own collection history without a deploy.
 */

export const COLLECTION_PROBABILITIES_KEY = 'treasury.forecast.collection_probabilities';

export interface ProbabilityBand {
  /** Days past due up to and including this; null: open-ended (the last band). */
  maxDpd: number | null;
  /** 0–1, at most 4 decimals (a whole number of basis points: what is stored is what weights). */
  probability: number;
}

export const DEFAULT_PROBABILITIES: ProbabilityBand[] = [
  { maxDpd: 0, probability: 0.95 },
  { maxDpd: 30, probability: 0.7 },
  { maxDpd: 60, probability: 0.5 },
  { maxDpd: 90, probability: 0.3 },
  { maxDpd: null, probability: 0.1 },
];

/**
 * The forecast weights in basis points, so a probability with more decimals would be used rounded
 * while the setting showed it unrounded: refused instead.
 */
export const PROBABILITY = z
  .number()
  .min(0)
  .max(1)
  .multipleOf(0.0001, 'must have at most 4 decimals (a whole number of basis points)');

const BandSchema = z
  .object({
    maxDpd: z.number().int().min(0).max(100_000).nullable(),
    probability: PROBABILITY,
  })
  .strict();

/** Bands rise strictly and the last is open-ended, so every receivable falls in exactly one. */
export function parseProbabilities(value: unknown, field = 'body.bands'): ProbabilityBand[] {
  const parsed = z.array(BandSchema).min(1).max(20).safeParse(value);
  if (!parsed.success) {
    throw validationError(
      parsed.error.issues.map((i) => ({ field: [field, ...i.path].join('.'), message: i.message })),
    );
  }
  const bands = parsed.data;
  const issues: FieldIssue[] = [];
  bands.forEach((band, index) => {
    const last = index === bands.length - 1;
    if (last !== (band.maxDpd === null)) {
      issues.push({
        field: `${field}.${index}.maxDpd`,
        message: last ? 'the last band must be open-ended (null)' : 'required',
      });
    } else if (index > 0 && band.maxDpd !== null && band.maxDpd <= bands[index - 1]!.maxDpd!) {
      issues.push({ field: `${field}.${index}.maxDpd`, message: 'must be above the previous band’s maxDpd' });
    }
  });
  if (issues.length) throw validationError(issues);
  return bands;
}

export async function readProbabilities(db: Queryable): Promise<ProbabilityBand[]> {
  const row = await db
    .selectFrom('domain_settings')
    .select('value')
    .where('key', '=', COLLECTION_PROBABILITIES_KEY)
    .executeTakeFirst();
  return row ? parseProbabilities(row.value) : DEFAULT_PROBABILITIES;
}

export async function updateProbabilities(unit: DomainWork, value: unknown): Promise<ProbabilityBand[]> {
  const after = parseProbabilities(value);
  const before = await readProbabilities(unit.tx);
  await putDomainSetting(unit, { key: COLLECTION_PROBABILITIES_KEY, before, after });
  return after;
}
