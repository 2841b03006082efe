import { Decimal } from 'decimal.js';
import type { FieldIssue } from '../../../core/errors.js';
import { validationError } from '../../../core/errors.js';
import { addDays, endOfMonth, isCalendarDate } from './due-dates.js';
import type { ScheduledInstallment } from './loan-schedule.js';

/**
 * Invoice amounts: line totals, the single-installment schedule of an invoice, and due dates from
 * payment terms. Amounts are integer minor units (bigint); quantities and tax rates are decimal
 * strings computed with decimal.js, never JS floats.
 */

export interface InvoiceLineInput {
  description: string;
  /** Decimal string > 0, e.g. "3" or "1.5". */
  quantity: string;
  /** Minor units, ≥ 0. */
  unitPrice: bigint;
  /** Decimal string, 0 ≤ rate ≤ 1, e.g. "0.21" for 21 % (a rate above 1 is almost always "21" meant as 21 %). */
  taxRate?: string;
}

export interface InvoiceLine extends InvoiceLineInput {
  /** 1-based position on the invoice. */
  lineNo: number;
  /** round-half-up(quantity × unitPrice × (1 + taxRate)), minor units. */
  amount: bigint;
}

const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP });

const QUANTITY_PATTERN = /^\d{1,15}(\.\d{1,10})?$/;
const TAX_RATE_PATTERN = /^\d(\.\d{1,10})?$/;
const MAX_DESCRIPTION = 1000;
const MAX_TERM_DAYS = 3650;

function lineIssues(line: InvoiceLineInput, i: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const at = `lines[${i}]`;
  if (typeof line !== 'object' || line === null) {
    return [{ field: at, message: 'must be an object' }];
  }
  if (typeof line.description !== 'string' || line.description.trim() === '') {
    issues.push({ field: `${at}.description`, message: 'must be a non-empty string' });
  } else if (line.description.length > MAX_DESCRIPTION) {
    issues.push({ field: `${at}.description`, message: `must be at most ${MAX_DESCRIPTION} characters` });
  }
  if (typeof line.quantity !== 'string' || !QUANTITY_PATTERN.test(line.quantity) || new D(line.quantity).lte(0)) {
    issues.push({
      field: `${at}.quantity`,
      message: `${JSON.stringify(line.quantity)} must be a decimal string greater than 0, e.g. "2" or "1.5"`,
    });
  }
  if (typeof line.unitPrice !== 'bigint' || line.unitPrice < 0n) {
    issues.push({
      field: `${at}.unitPrice`,
      message: `${String(line.unitPrice)} must be an amount in minor units ≥ 0`,
    });
  }
  if (
    line.taxRate !== undefined &&
    (typeof line.taxRate !== 'string' || !TAX_RATE_PATTERN.test(line.taxRate) || new D(line.taxRate).gt(1))
  ) {
    issues.push({
      field: `${at}.taxRate`,
      message: `${JSON.stringify(line.taxRate)} must be a decimal string from 0 to 1, e.g. "0.21" for 21 %`,
    });
  }
  return issues;
}

/** Numbers the lines, computes each line's amount (tax included) and the invoice total. */
export function invoiceLines(lines: InvoiceLineInput[]): { lines: InvoiceLine[]; total: bigint } {
  if (!Array.isArray(lines) || lines.length === 0) {
    throw validationError([{ field: 'lines', message: 'an invoice needs at least one line' }]);
  }
  const issues = lines.flatMap((line, i) => lineIssues(line, i));
  if (issues.length > 0) throw validationError(issues);

  let total = 0n;
  const out = lines.map((line, i): InvoiceLine => {
    const factor = new D(1).plus(line.taxRate ?? '0');
    const exact = new D(line.quantity).times(line.unitPrice.toString()).times(factor);
    const amount = BigInt(exact.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0));
    total += amount;
    return { ...line, lineNo: i + 1, amount };
  });
  return { lines: out, total };
}

/** An invoice is one installment: the whole total due on `dueDate`, no interest, no fee. */
export function invoiceSchedule(total: bigint, dueDate: string): ScheduledInstallment[] {
  const issues: FieldIssue[] = [];
  if (typeof total !== 'bigint' || total <= 0n) {
    issues.push({ field: 'total', message: `${String(total)} must be a positive amount in minor units` });
  }
  if (!isCalendarDate(dueDate)) {
    issues.push({ field: 'dueDate', message: `${JSON.stringify(dueDate)} is not a calendar date (YYYY-MM-DD)` });
  }
  if (issues.length > 0) throw validationError(issues);
  return [{ seq: 1, dueDate, principalDue: total, interestDue: 0n, feeDue: 0n }];
}

/**
 * The due date an invoice issued on `issueDate` gets under `paymentTerms`. Case and spacing are
 * ignored. The supported terms, deliberately few:
 * - `due on receipt`            → the issue date;
 * - `net N` (also `netN`)       → N calendar days after issue (`net 0` = the issue date);
 * - `N eom` (also `net N eom`)  → the last day of the month in which issue date + N days falls;
 * - `eom`                       → the last day of the issue month (= `0 eom`).
 * N is 0..3650. Anything else is a validation error naming `paymentTerms`.
 */
export function dueDateFromTerms(issueDate: string, paymentTerms: string): string {
  if (!isCalendarDate(issueDate)) {
    throw validationError([
      { field: 'issueDate', message: `${JSON.stringify(issueDate)} is not a calendar date (YYYY-MM-DD)` },
    ]);
  }
  const bad = (): Error =>
    validationError([
      {
        field: 'paymentTerms',
        message: `${JSON.stringify(paymentTerms)} is not supported; use "due on receipt", "net N", "N eom" or "eom"`,
      },
    ]);
  if (typeof paymentTerms !== 'string') throw bad();
  const terms = paymentTerms.trim().toLowerCase().replace(/\s+/g, ' ');

  if (terms === 'due on receipt') return issueDate;
  if (terms === 'eom') return endOfMonth(issueDate);

  const net = /^net ?(\d{1,4})$/.exec(terms);
  const eom = /^(?:net ?)?(\d{1,4}) ?eom$/.exec(terms);
  const days = Number((net ?? eom)?.[1] ?? Number.NaN);
  if (!Number.isInteger(days) || days > MAX_TERM_DAYS) throw bad();
  const shifted = addDays(issueDate, days);
  return eom ? endOfMonth(shifted) : shifted;
}
