import { decisionTable, text, type JdmDocument } from '../../../engine/index.js';

/**
 * The shipped approval matrix: how many people approve a payment, and from which task queues —
 * a decision table (first hit) deployed when absent and edited like any decision (the console's
 * decision editor, four eyes). A payment evaluates the latest version when its approval starts and
 * records key@version with the rule that answered.
 *
 * Inputs: amount (minor units, a number), currency, method (`sepa` | `international`),
 * beneficiaryKind, beneficiaryVerified, beneficiaryAgeDays (days since its current bank details were
 * approved). Outputs: approvers (0 = approved automatically, 1 or 2), queues (the task queue of each
 * approval, in order), code and reason.
 *
 * The shipped bands suit EUR, USD, GBP and CHF minor units; any other currency takes two approvals
 * until a treasury adds rows for it.
 */

export const APPROVAL_MATRIX_KEY = 'payments.approval-matrix';
/** Where the shipped matrix sends approvals: the installation puts its payment approvers in it. */
export const APPROVER_QUEUE = 'payment-approvers';

const two = `['${APPROVER_QUEUE}', '${APPROVER_QUEUE}']`;
const one = `['${APPROVER_QUEUE}']`;

interface Row {
  id: string;
  cells: Record<string, string>;
  approvers: number;
  reason: string;
}

const ROWS: Row[] = [
  {
    id: 'MX_UNVERIFIED',
    cells: { beneficiaryVerified: 'false' },
    approvers: 2,
    reason: 'beneficiary bank details not verified',
  },
  {
    id: 'MX_CURRENCY',
    cells: { currency: "not in ['EUR', 'USD', 'GBP', 'CHF']" },
    approvers: 2,
    reason: 'no amount bands for this currency: two approvals',
  },
  {
    id: 'MX_AUTO',
    cells: { amount: '<= 100000' },
    approvers: 0,
    reason: 'up to 1 000.00 to a verified beneficiary: approved automatically',
  },
  {
    id: 'MX_NEW_BENEFICIARY',
    cells: { beneficiaryAgeDays: '< 30' },
    approvers: 2,
    reason: 'bank details approved less than 30 days ago: two approvals',
  },
  { id: 'MX_ONE', cells: { amount: '<= 1000000' }, approvers: 1, reason: 'up to 10 000.00: one approval' },
  { id: 'MX_TWO', cells: {}, approvers: 2, reason: 'above 10 000.00: two approvals' },
];

export function approvalMatrixJdm(): JdmDocument {
  return decisionTable({
    name: 'Payment approval matrix',
    hitPolicy: 'first',
    inputs: [
      { id: 'beneficiaryVerified', name: 'Beneficiary verified', field: 'beneficiaryVerified' },
      { id: 'currency', name: 'Currency', field: 'currency' },
      { id: 'method', name: 'Method (sepa, international)', field: 'method' },
      { id: 'beneficiaryKind', name: 'Beneficiary kind', field: 'beneficiaryKind' },
      { id: 'amount', name: 'Amount (minor units)', field: 'amount' },
      { id: 'beneficiaryAgeDays', name: 'Days since bank details approved', field: 'beneficiaryAgeDays' },
    ],
    outputs: [
      { id: 'approvers', name: 'Approvers (0 = automatic)', field: 'approvers' },
      { id: 'queues', name: 'Approver queues, in order', field: 'queues' },
      { id: 'code', name: 'Code', field: 'code' },
      { id: 'reason', name: 'Reason', field: 'reason' },
    ],
    rules: ROWS.map((row) => ({
      id: row.id,
      cells: {
        ...row.cells,
        approvers: String(row.approvers),
        queues: row.approvers === 0 ? '[]' : row.approvers === 1 ? one : two,
        code: text(row.id),
        reason: text(row.reason),
      },
    })),
  });
}
