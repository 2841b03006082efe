import { z } from 'zod';
import { validationError, type FieldIssue } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DomainWork } from '../unit-of-work.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import '../settings-tables.js';
import './tables.js';

/**
 * Customer risk ratings: the scale operations staff tune (a JSON document in `domain_settings`, shown
 * and changed with the receivables settings), the checks a rating must pass, and the history every
 * change of rating leaves. A move to a worse rating is published as `customer.risk_rating_worsened`.
 */

export const RATING_SCALE_KEY = 'customers.rating_scale';

/** Best first: a move to a later entry is a worsening. */
export const DEFAULT_RATING_SCALE = ['A', 'B', 'C', 'D', 'E'];

export function parseRatingScale(value: unknown, field = 'ratingScale'): string[] {
  const parsed = z.array(z.string().min(1).max(20)).min(2).max(50).safeParse(value);
  if (!parsed.success || new Set(parsed.data).size !== parsed.data.length) {
    throw validationError([{ field, message: 'must be 2–50 distinct ratings, best first' }]);
  }
  return parsed.data;
}

/** The scale from its stored document (undefined when never set). */
export function ratingScaleFrom(stored: unknown): string[] {
  return stored === undefined ? DEFAULT_RATING_SCALE : parseRatingScale(stored);
}

export async function readRatingScale(db: Queryable | Tx): Promise<string[]> {
  const row = await db
    .selectFrom('domain_settings')
    .select('value')
    .where('key', '=', RATING_SCALE_KEY)
    .executeTakeFirst();
  return ratingScaleFrom(row?.value);
}

const perUnit = new WeakMap<DomainWork, Promise<string[]>>();

/**
 * The scale as one unit of work sees it, read once: a bulk sync of customers checks every rating.
 * The scale changes only through the settings route, in its own transaction.
 */
export function unitRatingScale(unit: DomainWork): Promise<string[]> {
  let scale = perUnit.get(unit);
  if (!scale) {
    scale = readRatingScale(unit.tx);
    perUnit.set(unit, scale);
  }
  return scale;
}

export function ratingIssues(rating: string, ratingScale: string[]): FieldIssue[] {
  return ratingScale.includes(rating)
    ? []
    : [{ field: 'riskRating', message: `must be one of ${ratingScale.join(', ')}` }];
}

export async function checkRating(unit: DomainWork, rating: string, scale?: string[]): Promise<void> {
  const issues = ratingIssues(rating, scale ?? (await unitRatingScale(unit)));
  if (issues.length) throw validationError(issues);
}

/** Keeps the history row of a change of rating; a worse rating raises `customer.risk_rating_worsened`. */
export async function recordRating(
  unit: DomainWork,
  customerId: string,
  rating: string,
  previous: string | null,
  reason: string,
  scale?: string[],
): Promise<void> {
  const now = unit.clock.now();
  await unit.tx
    .insertInto('customer_risk_ratings')
    .values({
      id: newId('rat', now.getTime()),
      customer_id: customerId,
      rating,
      previous,
      reason,
      rated_at: now,
      rated_by: unit.actor,
    })
    .execute();
  if (previous === null) return;
  const ratings = scale ?? (await unitRatingScale(unit));
  if (ratings.indexOf(rating) > ratings.indexOf(previous)) {
    unit.publish('customer.risk_rating_worsened', customerId, { customerId, from: previous, to: rating, reason });
  }
}

export async function ratingHistory(db: Queryable, customerId: string) {
  const rows = await db
    .selectFrom('customer_risk_ratings')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('rated_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    rating: r.rating,
    previous: r.previous,
    reason: r.reason,
    ratedAt: r.rated_at.toISOString(),
    ratedBy: r.rated_by,
  }));
}
