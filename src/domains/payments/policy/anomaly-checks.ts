import { decisionTable, text, type JdmDocument } from '../../../engine/index.js';

/**
 * The shipped anomaly checks: which facts about a payment are suspicious enough to need a person,
 * and why — a decision table (collect: every matching row is a hit) deployed when absent and edited
 * like any decision. The facts are computed by `anomaly-facts.ts` in SQL; the thresholds (the
 * duplicate window, what is large, new or round, the business hours) live only here, so a treasury
 * changes them without a release. A payment evaluates the latest version when its approval starts.
 *
 * Outputs per hit: `check` (a stable code) and `reason` (shown to the approver and stored).
 * The shipped amounts suit EUR, USD, GBP and CHF minor units, like the approval matrix.
 */

export const ANOMALY_CHECKS_KEY = 'payments.anomaly-checks';

interface Row {
  check: string;
  cells: Record<string, string>;
  /** A zen expression (the facts are in scope). */
  reason: string;
}

const ROWS: Row[] = [
  {
    check: 'duplicate_amount',
    cells: { duplicateDays: '< 7' },
    reason: `'same beneficiary, amount and currency as ' + duplicateOf + ', created less than 7 days apart'`,
  },
  {
    check: 'duplicate_reference',
    cells: { sameReferenceDays: '>= 0' },
    reason: `'same remittance reference (' + reference + ') to this beneficiary as ' + sameReferenceOf`,
  },
  {
    check: 'new_bank_details',
    cells: { detailsAgeDays: '< 30', amount: '>= 500000' },
    reason:
      `(detailsChanged ? 'bank details changed' : 'new beneficiary: bank details approved') + ` +
      `' less than 30 days ago, and an amount of 5 000.00 or more (' + amountText + ')'`,
  },
  {
    check: 'above_history',
    cells: { expression: 'historyCount > 0 and amount > 3 * historyMax' },
    reason: `amountText + ' is more than 3 times the largest previous payment to this beneficiary (' + historyMaxText + ')'`,
  },
  {
    check: 'unusual_hour',
    cells: { createdHour: '$ < 6 or $ >= 20' },
    reason: `'created at ' + createdTime + ' (' + timeZone + '), outside 06:00–20:00'`,
  },
  {
    check: 'non_business_day',
    cells: { createdWeekday: '6, 7' },
    reason: `'created on a ' + createdDay + ' (' + timeZone + ')'`,
  },
  {
    check: 'round_amount',
    cells: { expression: 'amountMajor % 1000 == 0', beneficiaryAgeDays: '< 30' },
    reason: `'round amount (' + amountText + ') to a beneficiary entered less than 30 days ago'`,
  },
];

export function anomalyChecksJdm(): JdmDocument {
  return decisionTable({
    name: 'Payment anomaly checks',
    hitPolicy: 'collect',
    inputs: [
      { id: 'duplicateDays', name: 'Days to the nearest same-amount payment', field: 'duplicateDays' },
      { id: 'sameReferenceDays', name: 'Days to the nearest same-reference payment', field: 'sameReferenceDays' },
      { id: 'detailsAgeDays', name: 'Days since bank details approved', field: 'detailsAgeDays' },
      { id: 'beneficiaryAgeDays', name: 'Days since the beneficiary was entered', field: 'beneficiaryAgeDays' },
      { id: 'amount', name: 'Amount (minor units)', field: 'amount' },
      { id: 'createdHour', name: 'Hour created (local)', field: 'createdHour' },
      { id: 'createdWeekday', name: 'Weekday created (1 = Monday … 7)', field: 'createdWeekday' },
      // No field: each cell is a whole expression over the facts.
      { id: 'expression', name: 'Expression', field: '' },
    ],
    outputs: [
      { id: 'check', name: 'Check', field: 'check' },
      { id: 'reason', name: 'Reason', field: 'reason' },
    ],
    rules: ROWS.map((row) => ({
      id: row.check,
      cells: { ...row.cells, check: text(row.check), reason: row.reason },
    })),
  });
}
