import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inDomainTransaction } from '../unit-of-work.js';
import { registerDomainActions } from '../../domain-list.js';
import { evaluateContent, getDecision } from '../../engine/index.js';
import { engineHarness, type EngineHarness } from '../../testing/engine-harness.js';
import { ageOn, affordability, contactMismatch, identityMismatch, parseBureau } from './assessment.js';
import { getApplication, submitApplication } from './applications.js';
import type { ApplicationRow } from './tables.js';
import { DEFAULT_PRODUCTS } from './credit-settings.js';
import { installCreditPolicy } from './install.js';
import { POLICY_KEYS, shippedPolicy } from './policy/shipped-policy.js';

/**
 * The shipped credit policy as a risk analyst reads it: the personas the docs describe get the grades
 * and outcomes the docs say, and installing it never overwrites a team's own version.
 */

const policy = Object.fromEntries(shippedPolicy().map((d) => [d.key, d.content]));
const run = async (key: string, input: Record<string, unknown>) => (await evaluateContent(policy[key], input)).result;

describe('shipped credit policy', () => {
  test('scorecard: a strong applicant is grade A with a low PD, a weak one grade E', async () => {
    const good = (await run(POLICY_KEYS.scorecard, {
      bureau_score: 790,
      dti: 0.11,
      employment_status: 'employed',
      months_in_job: 60,
      internal_max_dpd: null,
    })) as { score: number; grade: string; pd: number; points: Record<string, number> };
    assert.equal(good.score, 638);
    assert.equal(good.grade, 'A');
    assert.ok(good.pd < 0.01, String(good.pd));
    assert.deepEqual(good.points, {
      bureau_score: 150,
      dti: 140,
      employment_status: 120,
      months_in_job: 120,
      internal_max_dpd: 108,
    });

    const medium = (await run(POLICY_KEYS.scorecard, {
      bureau_score: 680,
      dti: 0.38,
      employment_status: 'employed',
      months_in_job: 24,
      internal_max_dpd: null,
    })) as { score: number; grade: string };
    assert.deepEqual([medium.score, medium.grade], [546, 'C']);

    const weak = (await run(POLICY_KEYS.scorecard, {
      bureau_score: 520,
      dti: 0.34,
      employment_status: 'unemployed',
      months_in_job: null,
      internal_max_dpd: 95,
    })) as { score: number; grade: string; pd: number };
    assert.equal(weak.grade, 'E');
    assert.ok(weak.pd > 0.35);
  });

  test('knock-outs and anomalies collect every rule that applies', async () => {
    const ko = (await run(POLICY_KEYS.knockouts, {
      age: 17,
      recentDefault: true,
      dti: 0.7,
      internalMaxDpd: null,
      disposableIncome: -5,
    })) as Array<{ code: string }>;
    assert.deepEqual(ko.map((h) => h.code).sort(), ['KO_AGE', 'KO_DEFAULT', 'KO_DISPOSABLE', 'KO_DTI']);
    assert.deepEqual(
      await run(POLICY_KEYS.knockouts, {
        age: 40,
        recentDefault: false,
        dti: 0.2,
        internalMaxDpd: 0,
        disposableIncome: 1000,
      }),
      [],
    );
    const anomalies = (await run(POLICY_KEYS.anomalies, {
      bureauFound: true,
      incomeGap: 1.25,
      amountToAnnualIncome: 1.5,
      identityMismatch: false,
      contactMismatch: true,
      applications30d: 3,
      openCollectionCases: 1,
      brokenPromises: 2,
    })) as Array<{ code: string }>;
    assert.deepEqual(anomalies.map((h) => h.code).sort(), [
      'AN_AMOUNT_INCOME',
      'AN_BROKEN_PROMISES',
      'AN_CONTACT',
      'AN_INCOME_GAP',
      'AN_IN_COLLECTIONS',
      'AN_VELOCITY',
    ]);
  });

  test('routing: knock-out declines, clean small A approves, amount sets the authority level', async () => {
    const route = (input: Record<string, unknown>) =>
      run(POLICY_KEYS.routing, {
        knockouts: 0,
        grade: 'A',
        anomalies: 0,
        withinTerms: true,
        amount: 500_000,
        autoApproveUpTo: 1_500_000,
        ...input,
      }) as Promise<{ outcome: string; level: number; approvalsRequired: number }>;
    assert.equal((await route({ knockouts: 1 })).outcome, 'decline');
    assert.equal((await route({ grade: 'E' })).outcome, 'decline');
    assert.equal((await route({})).outcome, 'approve');
    assert.deepEqual(await route({ anomalies: 1 }).then((r) => [r.outcome, r.level]), ['review', 1]);
    assert.deepEqual(await route({ amount: 2_000_000 }).then((r) => [r.outcome, r.level]), ['review', 2]);
    assert.deepEqual(await route({ amount: 4_000_000 }).then((r) => [r.outcome, r.level, r.approvalsRequired]), [
      'review',
      3,
      2,
    ]);
    assert.deepEqual(await route({ grade: 'D', amount: 400_000, autoApproveUpTo: 0 }).then((r) => r.level), 2);
  });
});

describe('assessment', () => {
  const app = (fields: Partial<ApplicationRow>) =>
    ({
      amount: 500_000n,
      term_months: 24,
      monthly_income: 400_000n,
      monthly_expenses: 100_000n,
      ...fields,
    }) as ApplicationRow;
  const history = { monthlyInstallments: '15000' } as Parameters<typeof affordability>[3];

  test('affordability at the stress rate, with the bureau’s debts or else ours', () => {
    const product = DEFAULT_PRODUCTS[0]!;
    const withBureau = affordability(
      app({}),
      product,
      parseBureau({ found: true, monthlyDebtPayments: 20000 }),
      history,
    );
    // 500 000 over 24 months at 15 %: 24 243 a month.
    assert.deepEqual(withBureau, {
      installment: '24243',
      assessmentRate: '0.15',
      existingDebtPayments: '20000',
      disposableIncome: String(400_000 - 100_000 - 20_000 - 24_243),
      dti: 0.1106,
      pti: 0.0606,
    });
    const noBureau = affordability(app({}), product, null, history);
    assert.equal(noBureau.existingDebtPayments, '15000');
    assert.equal(affordability(app({ monthly_income: 0n }), product, null, history).dti, null);
  });

  test('age, identity and contact checks', () => {
    assert.equal(ageOn('2008-11-26', '2026-11-25'), 17);
    assert.equal(ageOn('2008-11-25', '2026-11-25'), 18);
    const applicant = { externalId: 'C', name: 'José Pérez', dateOfBirth: '1980-02-01' };
    const bureau = parseBureau({ found: true, name: 'JOSE PEREZ', dateOfBirth: '1980-02-01' });
    assert.equal(identityMismatch(applicant, bureau, 'Jose Perez'), false);
    assert.equal(identityMismatch(applicant, { ...bureau!, dateOfBirth: '1981-02-01' }, 'Jose Perez'), true);
    assert.equal(identityMismatch(applicant, null, 'Someone Else'), true);
    assert.equal(contactMismatch({ ...applicant, email: 'a@x.com' }, { email: 'A@X.com', phone: null }), false);
    assert.equal(contactMismatch({ ...applicant, phone: '+34 600 1' }, { email: null, phone: '+346002' }), true);
    assert.equal(parseBureau({ found: false, score: 700 })!.score, null);
    assert.equal(parseBureau(null), null);
  });
});

describe('installing the shipped policy', () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness();
    registerDomainActions({ database: h.database, clock: h.clock, engine: h.engine });
  });
  after(() => h.close());

  test('deploys the five decisions and the workflow once, and never over a team’s own version', async () => {
    const context = { database: h.database, clock: h.clock, engine: h.engine };
    const first = await installCreditPolicy(context);
    assert.deepEqual(first.deployed.sort(), [
      'credit-application@1',
      'credit.anomalies@1',
      'credit.knockouts@1',
      'credit.routing@1',
      'credit.scorecard@1',
      'credit.terms@1',
    ]);
    const own = structuredClone(policy[POLICY_KEYS.terms]) as { nodes: Array<{ content?: { rules?: unknown[] } }> };
    own.nodes[1]!.content!.rules = own.nodes[1]!.content!.rules!.slice(0, 4);
    await h.engine.putDecision({ key: POLICY_KEYS.terms, content: own, actor: 'risk' });
    assert.deepEqual((await installCreditPolicy(context)).deployed, []);
    assert.equal((await getDecision(h.database.db, POLICY_KEYS.terms)).version, 2);
  });

  test('an application is decided by the versions current when it was submitted, not by later ones', async () => {
    const context = { database: h.database, clock: h.clock, engine: h.engine };
    const input = {
      applicant: { externalId: 'PIN-1', name: 'Pia Nolan', dateOfBirth: '1980-01-01' },
      product: 'personal-loan',
      amount: '300000',
      currency: 'EUR',
      termMonths: 12,
      purpose: 'car',
      monthlyIncome: '300000',
      monthlyExpenses: '100000',
      employment: { status: 'employed' as const, monthsInJob: 40 },
      consent: { bureauCheck: true as const },
    };
    const submitted = await inDomainTransaction(context, { actor: 'test' }, (unit) =>
      submitApplication(unit, input, 'test'),
    );
    // A scorecard change lands while the application waits for a worker.
    const card = structuredClone(policy[POLICY_KEYS.scorecard]) as { nodes: Array<{ name?: string }> };
    card.nodes[0]!.name = 'Application (v2)';
    assert.equal((await h.engine.putDecision({ key: POLICY_KEYS.scorecard, content: card, actor: 'risk' })).version, 2);
    await h.drain();
    const decided = await getApplication(h.database.db, submitted.id);
    assert.equal(decided.status, 'in_review', 'no bureau configured: a person looks');
    assert.deepEqual(decided.score?.decision, { key: POLICY_KEYS.scorecard, version: 1 });
    assert.deepEqual(
      decided.decisions.map((d) => `${d.key}@${d.version}`),
      ['credit.scorecard@1', 'credit.knockouts@1', 'credit.anomalies@1', 'credit.terms@2', 'credit.routing@1'],
    );
    assert.ok(decided.rules.some((r) => r.code === 'AN_NO_BUREAU' && r.decision === 'credit.anomalies'));

    const later = await inDomainTransaction(context, { actor: 'test' }, (unit) =>
      submitApplication(unit, { ...input, applicant: { ...input.applicant, externalId: 'PIN-2' } }, 'test'),
    );
    await h.drain();
    assert.deepEqual((await getApplication(h.database.db, later.id)).score?.decision, {
      key: POLICY_KEYS.scorecard,
      version: 2,
    });
  });
});
