import { currentDecisionVersions, getDecision, type DecisionEvaluator } from '../../engine/index.js';
import type { DomainWork } from '../unit-of-work.js';
import type { Queryable } from '../../storage/schema.js';
import type { Applicant } from './application-input.js';
import type { ApplicationRow } from './tables.js';
import {
  affordability,
  ageOn,
  contactMismatch,
  identityMismatch,
  internalHistory,
  parseBureau,
  type BureauReport,
} from './assessment.js';
import { findProduct, readCreditSettings } from './credit-settings.js';
import { SCORECARD_FEATURES } from './policy/application-scorecard.js';
import { POLICY_KEYS, type PolicyPart } from './policy/shipped-policy.js';

/**
 * Applies the credit policy to one application: builds the features from the application, the
 * bureau and the applicant's history; evaluates the five policy decisions (at the versions pinned
 * when the application was submitted); and records the score, every rule that fired with its
 * decision version, the reasons and the authority the case needs. The combination is itself a
 * decision (credit.routing) — nothing here decides an outcome.
 */

export type Pinned = Partial<Record<PolicyPart, number>>;

/** The latest version of each policy decision, pinned on an application when it is submitted. */
export async function currentPolicyVersions(db: Queryable): Promise<Pinned> {
  const versions = await currentDecisionVersions(db, Object.values(POLICY_KEYS));
  const pinned: Pinned = {};
  for (const [part, key] of Object.entries(POLICY_KEYS) as Array<[PolicyPart, string]>) {
    const version = versions.get(key);
    if (version !== undefined) pinned[part] = version;
  }
  return pinned;
}

export interface FiredRule {
  decision: string;
  version: number;
  kind: 'score' | 'knockout' | 'anomaly' | 'terms' | 'routing';
  code: string;
  reason: string;
}

export interface Reason {
  code: string;
  text: string;
}

export interface Terms {
  maxAmount: number;
  annualRate: string | null;
  maxTermMonths: number;
  riskBand: string;
  autoApproveUpTo: number;
}

export interface DecisionRecord {
  pinned: Pinned;
  score: {
    score: number;
    grade: string;
    pd: number;
    riskBand: string;
    points: Record<string, number>;
    decision: { key: string; version: number };
  };
  rules: FiredRule[];
  decisions: Array<{ key: string; version: number }>;
  reasons: Reason[];
  terms: Terms;
  authority: { level: number; approvalsRequired: number; queues: string[] } | null;
}

export type Outcome = 'approve' | 'decline' | 'review';

export async function decideApplication(
  unit: DomainWork,
  evaluator: DecisionEvaluator,
  app: ApplicationRow,
  bureauAnswer: unknown,
): Promise<{ outcome: Outcome; record: DecisionRecord; assessment: Record<string, unknown> }> {
  const settings = await readCreditSettings(unit.tx);
  const product = findProduct(settings, app.product);
  const applicant = app.applicant as Applicant;
  const employment = app.employment as { status: string; monthsInJob?: number };
  const customer = await unit.tx
    .selectFrom('customers')
    .select(['name', 'email', 'phone'])
    .where('id', '=', app.customer_id)
    .executeTakeFirstOrThrow();
  const bureau = parseBureau(bureauAnswer);
  const history = await internalHistory(unit.tx, app, unit.clock.now());
  const afford = affordability(app, product, bureau, history);
  const age = ageOn(applicant.dateOfBirth, unit.today());
  const income = Number(app.monthly_income);

  const pinned = (app.decision as { pinned?: Pinned } | null)?.pinned ?? {};
  const used: Array<{ key: string; version: number }> = [];
  // Every decision runs at the application's pinned version, and is recorded as used.
  const run = async (part: PolicyPart, input: Record<string, unknown>) => {
    const outcome = await evaluator.evaluate(unit.tx, POLICY_KEYS[part], input, pinned[part]);
    used.push({ key: outcome.key, version: outcome.version });
    return outcome;
  };
  const evaluate = async <T>(part: PolicyPart, input: Record<string, unknown>): Promise<T & { version: number }> => {
    const { result, version } = await run(part, input);
    return { ...(result as T), version };
  };
  // A collect table answers a list of {code, reason} hits.
  const collect = async (part: PolicyPart, input: Record<string, unknown>) => {
    const { result, version } = await run(part, input);
    return { hits: listHits(result), version };
  };

  const score = await evaluate<{ score: number; grade: string; pd: number; points: Record<string, number> }>(
    'scorecard',
    {
      bureau_score: bureau?.score ?? null,
      dti: afford.dti,
      employment_status: employment.status,
      months_in_job: employment.monthsInJob ?? null,
      internal_max_dpd: history.maxDpd,
    },
  );
  const knockouts = await collect('knockouts', {
    age,
    recentDefault: bureau?.recentDefault ?? false,
    dti: afford.dti,
    internalMaxDpd: history.maxDpd,
    disposableIncome: Number(afford.disposableIncome),
  });
  const anomalies = await collect('anomalies', {
    bureauFound: bureau?.found ?? false,
    incomeGap: incomeGap(app.monthly_income, bureau),
    amountToAnnualIncome: income > 0 ? Number(app.amount) / (income * 12) : null,
    identityMismatch: identityMismatch(applicant, bureau, customer.name),
    contactMismatch: history.existingCustomer && contactMismatch(applicant, customer),
    applications30d: history.applications30d,
    openCollectionCases: history.openCollectionCases,
    brokenPromises: history.brokenPromises,
  });
  const terms = await evaluate<Terms>('terms', { grade: score.grade, product: app.product, currency: app.currency });
  const withinTerms = Number(app.amount) <= terms.maxAmount && app.term_months <= terms.maxTermMonths;
  const routing = await evaluate<{
    outcome: Outcome;
    level: number;
    approvalsRequired: number;
    queues?: string[];
    code: string;
    reason: string;
  }>('routing', {
    knockouts: knockouts.hits.length,
    grade: score.grade,
    anomalies: anomalies.hits.length,
    withinTerms,
    amount: Number(app.amount),
    autoApproveUpTo: terms.autoApproveUpTo,
  });

  const rules: FiredRule[] = [
    fired('scorecard', score.version, 'score', `GRADE_${score.grade}`, `score ${score.score}, grade ${score.grade}`),
    ...knockouts.hits.map((h) => fired('knockouts', knockouts.version, 'knockout', h.code, h.reason)),
    ...anomalies.hits.map((h) => fired('anomalies', anomalies.version, 'anomaly', h.code, h.reason)),
    fired(
      'terms',
      terms.version,
      'terms',
      `TERMS_${score.grade}`,
      `grade ${score.grade}: up to ${terms.maxAmount} over ${terms.maxTermMonths} months at ${terms.annualRate ?? '—'}`,
    ),
    fired('routing', routing.version, 'routing', routing.code, routing.reason),
  ];

  let reasons: Reason[] = [];
  if (routing.outcome === 'decline') {
    const ceilings = await pointCeilings(unit.tx, score.version);
    reasons = [
      ...knockouts.hits.map(({ code, reason }) => ({ code, text: reason })),
      ...scoreReasons(score.points, ceilings),
    ];
  } else if (routing.outcome === 'review') {
    reasons = [
      ...anomalies.hits.map(({ code, reason }) => ({ code, text: reason })),
      ...(withinTerms
        ? []
        : [
            {
              code: 'TM_LIMIT',
              text: `grade ${score.grade} lends up to ${terms.maxAmount} over ${terms.maxTermMonths} months`,
            },
          ]),
      { code: routing.code, text: routing.reason },
    ];
  }

  const record: DecisionRecord = {
    pinned,
    score: {
      score: score.score,
      grade: score.grade,
      pd: Math.round(score.pd * 1e6) / 1e6,
      riskBand: terms.riskBand,
      points: score.points,
      decision: { key: POLICY_KEYS.scorecard, version: score.version },
    },
    rules,
    decisions: used,
    reasons,
    terms: {
      maxAmount: terms.maxAmount,
      annualRate: terms.annualRate,
      maxTermMonths: terms.maxTermMonths,
      riskBand: terms.riskBand,
      autoApproveUpTo: terms.autoApproveUpTo,
    },
    authority:
      routing.outcome === 'review'
        ? {
            level: routing.level,
            approvalsRequired: routing.approvalsRequired,
            queues: Array.isArray(routing.queues) ? routing.queues.map(String) : [],
          }
        : null,
  };
  const assessment = {
    age,
    bureau: bureau && presentBureau(bureau),
    history,
    affordability: afford,
  };
  return { outcome: routing.outcome, record, assessment };
}

function fired(part: PolicyPart, version: number, kind: FiredRule['kind'], code: string, reason: string): FiredRule {
  return { decision: POLICY_KEYS[part], version, kind, code, reason };
}

/** The {code, reason} rows of a collect table's answer; anything else an analyst added is ignored. */
function listHits(result: unknown): Array<{ code: string; reason: string }> {
  const rows: unknown[] = Array.isArray(result) ? result : [];
  return rows.flatMap((row) => {
    const r = row as { code?: unknown; reason?: unknown } | null;
    return r && typeof r.code === 'string'
      ? [{ code: r.code, reason: typeof r.reason === 'string' ? r.reason : '' }]
      : [];
  });
}

function incomeGap(declared: bigint, bureau: BureauReport | null): number | null {
  const estimate = bureau?.estimatedMonthlyIncome;
  if (!estimate || estimate === 0n) return null;
  const gap = declared > estimate ? declared - estimate : estimate - declared;
  return Math.round((Number(gap) / Number(estimate)) * 10_000) / 10_000;
}

function presentBureau(b: BureauReport) {
  return {
    found: b.found,
    score: b.score,
    estimatedMonthlyIncome: b.estimatedMonthlyIncome?.toString() ?? null,
    monthlyDebtPayments: b.monthlyDebtPayments?.toString() ?? null,
    recentDefault: b.recentDefault,
  };
}

/** Each scorecard attribute's best points, read from the card's points tables (versions never change). */
const ceilingCache = new Map<string, Map<string, number>>();

async function pointCeilings(db: Queryable, version: number): Promise<Map<string, number>> {
  const cacheKey = `${POLICY_KEYS.scorecard}@${version}`;
  const cached = ceilingCache.get(cacheKey);
  if (cached) return cached;
  const { content } = await getDecision(db, POLICY_KEYS.scorecard, version);
  const ceilings = new Map<string, number>();
  const nodes = (content as { nodes?: unknown[] }).nodes ?? [];
  for (const node of nodes as Array<{ type?: string; content?: Record<string, unknown> }>) {
    if (node.type !== 'decisionTableNode') continue;
    const outputs = (node.content?.outputs ?? []) as Array<{ id: string; field: string }>;
    const inputs = (node.content?.inputs ?? []) as Array<{ field: string }>;
    const points = outputs.find((o) => o.field.startsWith('points.'));
    if (!points || inputs.length !== 1) continue;
    const values = ((node.content?.rules ?? []) as Array<Record<string, string>>)
      .map((r) => Number(r[points.id]))
      .filter(Number.isFinite);
    if (values.length) ceilings.set(points.field.slice('points.'.length), Math.max(...values));
  }
  ceilingCache.set(cacheKey, ceilings);
  return ceilings;
}

/**
 * Adverse-action reasons from the score: the attributes that cost the most points against their best
 * band, largest first, at most four (as ECOA/Regulation B notices list principal reasons).
 */
function scoreReasons(points: Record<string, number>, ceilings: Map<string, number>): Reason[] {
  return Object.entries(points)
    .map(([name, got]) => ({ name, shortfall: (ceilings.get(name) ?? got) - got }))
    .filter((a) => a.shortfall > 0)
    .sort((a, b) => b.shortfall - a.shortfall)
    .slice(0, 4)
    .map(({ name }) => ({
      code: `SC_${name.toUpperCase()}`,
      text: SCORECARD_FEATURES[name as keyof typeof SCORECARD_FEATURES] ?? name.replace(/_/g, ' '),
    }));
}
