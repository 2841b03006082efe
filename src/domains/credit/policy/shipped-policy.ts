import { applicationScorecardJdm } from './application-scorecard.js';
import { decisionTable, text, type JdmDocument } from '../../../engine/index.js';

/**
 * The credit policy finflow ships, as five decisions deployed when absent (a team's own versions are
 * never overwritten). Each is edited and versioned like any decision (PUT /api/v1/decisions/{key});
 * every application pins the versions current when it was submitted and records them.
 *
 *   credit.scorecard  features → points, score, grade, pd
 *   credit.knockouts  [{code, reason}] — any hit declines
 *   credit.anomalies  [{code, reason}] — any hit sends the case to a person even when the score passes
 *   credit.terms      grade, product → maxAmount, annualRate, maxTermMonths, riskBand, autoApproveUpTo
 *   credit.routing    → outcome (approve / decline / review), authority level, approvals required
 *
 * Amounts are minor units of the application's currency; the shipped limits suit EUR/USD/GBP-sized
 * units — a lender in other currencies adds rows with a `currency` condition.
 */

export const POLICY_KEYS = {
  scorecard: 'credit.scorecard',
  knockouts: 'credit.knockouts',
  anomalies: 'credit.anomalies',
  terms: 'credit.terms',
  routing: 'credit.routing',
} as const;
export type PolicyPart = keyof typeof POLICY_KEYS;

const collectColumns = [
  { id: 'code', name: 'Reason code', field: 'code' },
  { id: 'reason', name: 'Reason', field: 'reason' },
];

const knockouts = decisionTable({
  name: 'Knock-out rules',
  hitPolicy: 'collect',
  inputs: [
    { id: 'age', name: 'Age (years)', field: 'age' },
    { id: 'recentDefault', name: 'Default at the bureau (24 months)', field: 'recentDefault' },
    { id: 'dti', name: 'Debt-to-income with this loan', field: 'dti' },
    { id: 'internalMaxDpd', name: 'Worst days past due with us', field: 'internalMaxDpd' },
    { id: 'disposableIncome', name: 'Disposable income (minor units)', field: 'disposableIncome' },
  ],
  outputs: collectColumns,
  rules: [
    { id: 'KO_AGE', cells: { age: '< 18', code: text('KO_AGE'), reason: text('applicant under 18') } },
    {
      id: 'KO_DEFAULT',
      cells: {
        recentDefault: 'true',
        code: text('KO_DEFAULT'),
        reason: text('a default reported by the credit bureau in the last 24 months'),
      },
    },
    {
      id: 'KO_DTI',
      cells: { dti: '> 0.6', code: text('KO_DTI'), reason: text('debt payments would exceed 60% of income') },
    },
    {
      id: 'KO_ARREARS',
      cells: {
        internalMaxDpd: '>= 90',
        code: text('KO_ARREARS'),
        reason: text('an account with us 90 or more days past due'),
      },
    },
    {
      id: 'KO_DISPOSABLE',
      cells: {
        disposableIncome: '< 0',
        code: text('KO_DISPOSABLE'),
        reason: text('expenses and debt payments would exceed income'),
      },
    },
  ],
});

const anomalies = decisionTable({
  name: 'Anomaly triggers',
  hitPolicy: 'collect',
  inputs: [
    { id: 'bureauFound', name: 'Bureau file found', field: 'bureauFound' },
    { id: 'incomeGap', name: 'Declared vs bureau income gap (ratio)', field: 'incomeGap' },
    { id: 'amountToAnnualIncome', name: 'Amount / annual declared income', field: 'amountToAnnualIncome' },
    { id: 'identityMismatch', name: 'Identity mismatch', field: 'identityMismatch' },
    { id: 'contactMismatch', name: 'Contact mismatch', field: 'contactMismatch' },
    { id: 'applications30d', name: 'Applications in 30 days', field: 'applications30d' },
    { id: 'openCollectionCases', name: 'Open collection cases', field: 'openCollectionCases' },
    { id: 'brokenPromises', name: 'Broken promises to pay (180 days)', field: 'brokenPromises' },
  ],
  outputs: collectColumns,
  rules: [
    {
      id: 'AN_NO_BUREAU',
      cells: {
        bureauFound: 'false',
        code: text('AN_NO_BUREAU'),
        reason: text('no credit bureau file: identity and debts unverified'),
      },
    },
    {
      id: 'AN_INCOME_GAP',
      cells: {
        incomeGap: '> 0.3',
        code: text('AN_INCOME_GAP'),
        reason: text('declared income differs from the bureau estimate by more than 30%'),
      },
    },
    {
      id: 'AN_AMOUNT_INCOME',
      cells: {
        amountToAnnualIncome: '> 1',
        code: text('AN_AMOUNT_INCOME'),
        reason: text('requested amount above a year of declared income'),
      },
    },
    {
      id: 'AN_IDENTITY',
      cells: {
        identityMismatch: 'true',
        code: text('AN_IDENTITY'),
        reason: text('name or date of birth differs from the bureau file or our records'),
      },
    },
    {
      id: 'AN_CONTACT',
      cells: {
        contactMismatch: 'true',
        code: text('AN_CONTACT'),
        reason: text('email or phone differs from the contact details on file'),
      },
    },
    {
      id: 'AN_VELOCITY',
      cells: {
        applications30d: '>= 3',
        code: text('AN_VELOCITY'),
        reason: text('3 or more applications in 30 days'),
      },
    },
    {
      id: 'AN_IN_COLLECTIONS',
      cells: {
        openCollectionCases: '> 0',
        code: text('AN_IN_COLLECTIONS'),
        reason: text('an account of the customer is in collections'),
      },
    },
    {
      id: 'AN_BROKEN_PROMISES',
      cells: {
        brokenPromises: '>= 2',
        code: text('AN_BROKEN_PROMISES'),
        reason: text('2 or more broken promises to pay in 180 days'),
      },
    },
  ],
});

const terms = decisionTable({
  name: 'Limit, price and term by grade',
  hitPolicy: 'first',
  inputs: [
    { id: 'grade', name: 'Grade', field: 'grade' },
    { id: 'product', name: 'Product', field: 'product' },
  ],
  outputs: [
    { id: 'maxAmount', name: 'Maximum amount (minor units)', field: 'maxAmount' },
    { id: 'annualRate', name: 'Annual rate', field: 'annualRate' },
    { id: 'maxTermMonths', name: 'Maximum term (months)', field: 'maxTermMonths' },
    { id: 'riskBand', name: 'Risk band', field: 'riskBand' },
    { id: 'autoApproveUpTo', name: 'Auto-approve up to (minor units)', field: 'autoApproveUpTo' },
  ],
  rules: [
    ['A', 5_000_000, '0.069', 84, 'low', 1_500_000],
    ['B', 3_000_000, '0.089', 72, 'low', 1_000_000],
    ['C', 1_500_000, '0.129', 60, 'medium', 0],
    ['D', 800_000, '0.169', 48, 'high', 0],
    ['E', 0, null, 0, 'high', 0],
  ].map(([grade, max, rate, term, band, auto]) => ({
    id: `grade-${grade}`,
    cells: {
      grade: text(String(grade)),
      maxAmount: String(max),
      annualRate: rate === null ? 'null' : text(String(rate)),
      maxTermMonths: String(term),
      riskBand: text(String(band)),
      autoApproveUpTo: String(auto),
    },
  })),
});

const routing = decisionTable({
  name: 'Outcome and approval authority',
  hitPolicy: 'first',
  inputs: [
    { id: 'knockouts', name: 'Knock-outs hit', field: 'knockouts' },
    { id: 'grade', name: 'Grade', field: 'grade' },
    { id: 'anomalies', name: 'Anomalies hit', field: 'anomalies' },
    { id: 'withinTerms', name: 'Amount and term within the grade', field: 'withinTerms' },
    { id: 'autoLimit', name: 'Within the auto-approval limit', field: 'amount <= autoApproveUpTo' },
    { id: 'amount', name: 'Amount (minor units)', field: 'amount' },
  ],
  outputs: [
    { id: 'outcome', name: 'Outcome', field: 'outcome' },
    { id: 'level', name: 'Authority level', field: 'level' },
    { id: 'approvals', name: 'Approvals required', field: 'approvalsRequired' },
    { id: 'queues', name: 'Approver queues, in order', field: 'queues' },
    { id: 'code', name: 'Code', field: 'code' },
    { id: 'reason', name: 'Reason', field: 'reason' },
  ],
  rules: (
    [
      {
        id: 'RT_KNOCKOUT',
        cells: { knockouts: '> 0', outcome: text('decline'), level: '0', approvals: '0', code: text('RT_KNOCKOUT') },
      },
      {
        id: 'RT_SCORE',
        cells: { grade: text('E'), outcome: text('decline'), level: '0', approvals: '0', code: text('RT_SCORE') },
      },
      {
        id: 'RT_AUTO',
        cells: {
          anomalies: '0',
          withinTerms: 'true',
          autoLimit: 'true',
          outcome: text('approve'),
          level: '0',
          approvals: '0',
          code: text('RT_AUTO'),
        },
      },
      {
        id: 'RT_LEVEL1',
        description: 'credit officer',
        cells: {
          grade: "'A', 'B', 'C'",
          amount: '<= 1000000',
          outcome: text('review'),
          level: '1',
          approvals: '1',
          queues: "['credit-officers']",
          code: text('RT_LEVEL1'),
        },
      },
      {
        id: 'RT_LEVEL2',
        description: 'credit manager',
        cells: {
          amount: '<= 2500000',
          outcome: text('review'),
          level: '2',
          approvals: '1',
          queues: "['credit-managers']",
          code: text('RT_LEVEL2'),
        },
      },
      {
        id: 'RT_LEVEL3',
        description: 'credit manager, then the credit committee',
        cells: {
          outcome: text('review'),
          level: '3',
          approvals: '2',
          queues: "['credit-managers', 'credit-committee']",
          code: text('RT_LEVEL3'),
        },
      },
    ] as Array<{ id: string; description?: string; cells: Record<string, string> }>
  ).map((rule) => ({
    ...rule,
    cells: {
      ...rule.cells,
      reason: text(
        {
          RT_KNOCKOUT: 'a knock-out rule applies',
          RT_SCORE: 'score below the policy cut-off',
          RT_AUTO: 'within the automatic approval limits',
          RT_LEVEL1: 'a credit officer decides',
          RT_LEVEL2: 'a credit manager decides',
          RT_LEVEL3: 'two approvals: a credit manager and the credit committee',
        }[rule.id]!,
      ),
    },
  })),
});

export function shippedPolicy(): Array<{ key: string; content: JdmDocument }> {
  return [
    { key: POLICY_KEYS.scorecard, content: applicationScorecardJdm() },
    { key: POLICY_KEYS.knockouts, content: knockouts },
    { key: POLICY_KEYS.anomalies, content: anomalies },
    { key: POLICY_KEYS.terms, content: terms },
    { key: POLICY_KEYS.routing, content: routing },
  ];
}
