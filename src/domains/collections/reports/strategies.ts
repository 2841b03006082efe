import { sql } from 'kysely';
import { storedEventsOfType } from '../../../engine/index.js';
import { readSettings } from '../../receivables/settings.js';
import type { Queryable } from '../../../storage/schema.js';
import { caseMessages } from './best-time.js';
import { bucketRank, dpdRank, periodOf, RECOVERED_NOW, andIf, type RateWithCi } from './kpis.js';
import {
  diffOfProportions,
  meanCi,
  moneyRatio,
  rate,
  round,
  roundInterval,
  wilson,
  type Interval,
  type MeanInterval,
} from './statistics.js';
import '../tables.js';

/**
 * How each strategy variant did with the cases it opened in a period, per segment: cure and roll
 * rates with confidence intervals, what it recovered, what it cost, and for each challenger whether
 * its cure rate differs from its segment's champion's by more than chance would explain. A case
 * rolled when its receivable reached a worse bucket than the one it was in at opening while the case
 * was open. Costs are counts times a unit cost, in minor units of whatever currency the unit costs
 * are in; a completed call task records an outbound call contact, so calls count tasks and calls
 * recorded by hand alike.
 */

export type CostChannel = 'email' | 'sms' | 'call' | 'letter';
export type UnitCosts = Record<CostChannel, bigint>;
export const DEFAULT_UNIT_COSTS: UnitCosts = { email: 1n, sms: 5n, call: 200n, letter: 80n };
export const CHAMPION = 'champion';

export interface StrategyQuery {
  from: string;
  to: string;
  segment?: string | undefined;
  unitCosts?: Partial<UnitCosts> | undefined;
}

export interface VariantReport {
  segment: string;
  variant: string;
  cases: number;
  cured: number;
  cureRate: RateWithCi;
  rolled: number;
  rollRate: RateWithCi;
  recovery: {
    /** Σ recovered ÷ Σ overdue at opening, per currency (4 places). */
    byCurrency: Array<{
      currency: string;
      cases: number;
      recovered: string;
      openedOverdue: string;
      rate: string | null;
    }>;
    /** The mean of each case's recovered ÷ overdue at opening, with a normal-approximation 95 % interval. */
    perCase: MeanInterval | null;
  };
  cost: {
    emails: number;
    sms: number;
    calls: number;
    letters: number;
    total: string;
    /** total ÷ cases, 2 places. */
    perCase: string | null;
  };
}

export interface ChallengerComparison {
  segment: string;
  champion: string;
  challenger: string;
  /** challenger's cure rate − champion's (4 places); null when either has no cases. */
  cureRateDifference: number | null;
  /** Newcombe's hybrid score 95 % interval of the difference. */
  ci: Interval | null;
  /** The interval excludes 0. */
  significant: boolean;
}

export interface StrategyReport {
  period: { from: string; to: string; days: number };
  filters: { segment: string | null };
  unitCosts: Record<CostChannel, string>;
  variants: VariantReport[];
  comparisons: ChallengerComparison[];
}

interface CaseFacts {
  id: string;
  segment: string;
  variant: string;
  currency: string;
  cured: boolean;
  rolled: boolean;
  recovered: string;
  opened_overdue: string;
  emails: number;
  sms: number;
  calls: number;
  letters: number;
}

export async function strategyReport(db: Queryable, q: StrategyQuery): Promise<StrategyReport> {
  const period = periodOf(q.from, q.to);
  const costs: UnitCosts = { ...DEFAULT_UNIT_COSTS, ...q.unitCosts };
  const { buckets } = await readSettings(db);
  const { rows } = await sql<CaseFacts>`
    WITH ${caseMessages()},
    cases AS (
      SELECT k.id, k.segment, k.variant, k.currency, k.status, k.outcome, k.receivable_id, k.opened_at, k.closed_at,
             k.opened_overdue, ${RECOVERED_NOW} AS recovered,
             ${dpdRank(sql`k.opened_dpd`, buckets)} AS opened_rank
        FROM collection_cases k JOIN receivables r ON r.id = k.receivable_id
       WHERE k.opened_at >= ${period.start}::timestamptz AND k.opened_at < ${period.end}::timestamptz
         ${andIf(q.segment, sql`k.segment = ${q.segment}`)}
    )
    SELECT c.id, c.segment, c.variant, c.currency,
           (c.status = 'closed' AND c.outcome IN ('cured', 'paid')) AS cured,
           EXISTS (
             SELECT 1 FROM ${storedEventsOfType('receivable.bucket_changed')} e
              WHERE e.key = c.receivable_id
                AND e.published_at >= c.opened_at AND (c.closed_at IS NULL OR e.published_at <= c.closed_at)
                AND ${bucketRank(sql`e.data->>'bucket'`, buckets)} > c.opened_rank
           ) AS rolled,
           c.recovered::text AS recovered, c.opened_overdue::text AS opened_overdue,
           (SELECT count(*) FROM case_messages m WHERE m.case_id = c.id AND m.channel = 'email')::int AS emails,
           (SELECT count(*) FROM case_messages m WHERE m.case_id = c.id AND m.channel = 'sms')::int AS sms,
           (SELECT count(*) FROM collection_contacts t
             WHERE t.case_id = c.id AND t.direction = 'outbound' AND t.channel = 'call')::int AS calls,
           (SELECT count(*) FROM collection_contacts t
             WHERE t.case_id = c.id AND t.direction = 'outbound' AND t.channel = 'letter')::int AS letters
      FROM cases c
     ORDER BY c.segment, c.variant, c.id`.execute(db);

  const keys = [...new Set(rows.map((r) => `${r.segment}\u0000${r.variant}`))]
    .map((k) => k.split('\u0000') as [string, string])
    .sort(([sa, va], [sb, vb]) => sa.localeCompare(sb) || championFirst(va, vb));
  const variants = keys.map(([segment, variant]) =>
    variantReport(
      segment,
      variant,
      rows.filter((r) => r.segment === segment && r.variant === variant),
      costs,
    ),
  );
  return {
    period: { from: period.from, to: period.to, days: period.days },
    filters: { segment: q.segment ?? null },
    unitCosts: {
      email: costs.email.toString(),
      sms: costs.sms.toString(),
      call: costs.call.toString(),
      letter: costs.letter.toString(),
    },
    variants,
    comparisons: compare(variants),
  };
}

const championFirst = (a: string, b: string) =>
  a === CHAMPION ? (b === CHAMPION ? 0 : -1) : b === CHAMPION ? 1 : a.localeCompare(b);

function variantReport(segment: string, variant: string, cases: CaseFacts[], costs: UnitCosts): VariantReport {
  const n = cases.length;
  const cured = cases.filter((c) => c.cured).length;
  const rolled = cases.filter((c) => c.rolled).length;
  const currencies = [...new Set(cases.map((c) => c.currency))].sort();
  const byCurrency = currencies.map((currency) => {
    const mine = cases.filter((c) => c.currency === currency);
    const recovered = mine.reduce((s, c) => s + BigInt(c.recovered), 0n);
    const openedOverdue = mine.reduce((s, c) => s + BigInt(c.opened_overdue), 0n);
    return {
      currency,
      cases: mine.length,
      recovered: recovered.toString(),
      openedOverdue: openedOverdue.toString(),
      rate: moneyRatio(recovered, openedOverdue, 4),
    };
  });
  // Each case's ratio is a share, not money: exact to 6 places, then a number for the interval.
  const ratios = cases
    .filter((c) => BigInt(c.opened_overdue) > 0n)
    .map((c) => Number(moneyRatio(BigInt(c.recovered), BigInt(c.opened_overdue), 6)));
  const perCase = meanCi(ratios);
  const count = (key: 'emails' | 'sms' | 'calls' | 'letters') => cases.reduce((s, c) => s + c[key], 0);
  const emails = count('emails');
  const sms = count('sms');
  const calls = count('calls');
  const letters = count('letters');
  const total =
    BigInt(emails) * costs.email +
    BigInt(sms) * costs.sms +
    BigInt(calls) * costs.call +
    BigInt(letters) * costs.letter;
  return {
    segment,
    variant,
    cases: n,
    cured,
    cureRate: { rate: rate(cured, n), ci: roundInterval(wilson(cured, n)) },
    rolled,
    rollRate: { rate: rate(rolled, n), ci: roundInterval(wilson(rolled, n)) },
    recovery: {
      byCurrency,
      perCase: perCase && {
        n: perCase.n,
        mean: round(perCase.mean),
        sd: perCase.sd === null ? null : round(perCase.sd),
        low: perCase.low === null ? null : round(perCase.low),
        high: perCase.high === null ? null : round(perCase.high),
      },
    },
    cost: { emails, sms, calls, letters, total: total.toString(), perCase: moneyRatio(total, BigInt(n), 2) },
  };
}

/** Each challenger against its segment's champion: the difference in cure rate and its interval. */
function compare(variants: VariantReport[]): ChallengerComparison[] {
  const comparisons: ChallengerComparison[] = [];
  for (const champion of variants.filter((v) => v.variant === CHAMPION)) {
    for (const challenger of variants.filter((v) => v.segment === champion.segment && v.variant !== CHAMPION)) {
      const d = diffOfProportions(
        { successes: challenger.cured, n: challenger.cases },
        { successes: champion.cured, n: champion.cases },
      );
      comparisons.push({
        segment: champion.segment,
        champion: champion.variant,
        challenger: challenger.variant,
        cureRateDifference: d && round(d.difference),
        ci: d && roundInterval(d),
        significant: d?.significant ?? false,
      });
    }
  }
  return comparisons;
}
