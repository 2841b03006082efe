import { Decimal } from 'decimal.js';

/**
 * The few statistics the collections reports need, as pure functions of counts and rates. Rates and
 * intervals are plain numbers (they are shares, not money); the reports round them for display.
 *
 * Every interval is two-sided at confidence `z` (1.96: 95 %). With small samples the Wilson score
 * interval is used for a proportion and Newcombe's hybrid score interval for a difference of two:
 * both keep close to their nominal coverage where the textbook Wald interval collapses (0 of 5 gives
 * Wald [0, 0], Wilson [0, 0.43]).
 */

export const Z95 = 1.96;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval for `successes` out of `n`; null when there are no trials. */
export function wilson(successes: number, n: number, z = Z95): Interval | null {
  if (n <= 0) return null;
  if (successes < 0 || successes > n) throw new RangeError(`${successes} successes out of ${n}`);
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // The bounds are exact at 0 and 1, but floating point can step a hair outside.
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface Proportion {
  successes: number;
  n: number;
}

export interface Difference extends Interval {
  /** p1 − p2 */
  difference: number;
  /** The interval excludes 0. */
  significant: boolean;
}

/**
 * p1 − p2 with Newcombe's hybrid score interval (his method 10, Statistics in Medicine 1998), built
 * from the Wilson intervals of each proportion; null when either has no trials.
 */
export function diffOfProportions(a: Proportion, b: Proportion, z = Z95): Difference | null {
  const wa = wilson(a.successes, a.n, z);
  const wb = wilson(b.successes, b.n, z);
  if (!wa || !wb) return null;
  const pa = a.successes / a.n;
  const pb = b.successes / b.n;
  const difference = pa - pb;
  const low = difference - Math.sqrt((pa - wa.low) ** 2 + (wb.high - pb) ** 2);
  const high = difference + Math.sqrt((wa.high - pa) ** 2 + (pb - wb.low) ** 2);
  return { difference, low, high, significant: low > 0 || high < 0 };
}

export interface MeanInterval {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); null for a single value. */
  sd: number | null;
  /** mean ± z · sd / √n (normal approximation); null for a single value. */
  low: number | null;
  high: number | null;
}

/** The mean of `values` with a normal-approximation interval; null when there are none. */
export function meanCi(values: number[], z = Z95): MeanInterval | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { n, mean, sd: null, low: null, high: null };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = (z * sd) / Math.sqrt(n);
  return { n, mean, sd, low: mean - half, high: mean + half };
}

/** Rounded to `places` decimals for the reports (rates are shown to 4). */
export function round(value: number, places = 4): number {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor + 0; // + 0 turns -0 into 0
}

/** A rate from counts, rounded; null when there is nothing to divide by. */
export function rate(successes: number, n: number): number | null {
  return n > 0 ? round(successes / n) : null;
}

/** An interval rounded for display. */
export function roundInterval(interval: Interval | null): Interval | null {
  return interval && { low: round(interval.low), high: round(interval.high) };
}

/**
 * numerator ÷ denominator × scale as a decimal string with `places` decimals (half-up): for ratios of
 * money, computed exactly from the minor-unit integers and never through a float. Null for a zero
 * denominator.
 */
export function moneyRatio(numerator: bigint, denominator: bigint, places = 4, scale = 1): string | null {
  if (denominator === 0n) return null;
  return new Decimal(numerator.toString())
    .times(scale)
    .dividedBy(denominator.toString())
    .toFixed(places, Decimal.ROUND_HALF_UP);
}
