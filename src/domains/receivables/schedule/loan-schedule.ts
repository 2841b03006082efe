import { Decimal } from 'decimal.js';
import type { FieldIssue } from '../../../core/errors.js';
import { validationError } from '../../../core/errors.js';
import { isCurrency } from '../../../core/money.js';
import { addMonthsClamped, isCalendarDate } from './due-dates.js';

/**
 * Loan amortization schedules. Pure functions: the same terms always give the same installments,
 * to the minor unit. All amounts are integer minor units (bigint); rates are decimal strings and
 * all rate arithmetic uses decimal.js, never JS floats.
 *
 * Rules (the tests check them against tables computed independently with Python's `decimal`):
 * - monthly rate r = annualRate / 12 (unrounded, 60 significant digits);
 * - interest of a period = round-half-up(outstanding balance × r) to a whole minor unit;
 * - annuity: level payment A = round-half-up(P·r / (1 − (1+r)^−n)), or round-half-up(P / n) when
 *   r = 0; principal_k = A − interest_k; the last installment repays the whole remaining balance,
 *   so Σ principal = P exactly and the last payment may differ from A by the accumulated rounding;
 * - equal principal: principal_k = floor(P / n), the remainder P − n·floor(P / n) goes to the last
 *   installment; interest on the declining balance;
 * - installment k (1-based) is due k − 1 months after `firstDueDate`, computed from the original
 *   date and clamped to month end (Jan 31 → Feb 28/29 → Mar 31 → Apr 30).
 *
 * Amounts are already in minor units, so the currency's minor-unit digits (EUR 2, JPY 0, BHD 3)
 * are implicit in the integers: rounding to a whole minor unit is rounding to the currency's
 * precision. The currency is validated so a schedule is never built for an unknown code.
 *
 * Degenerate annuities (a tiny principal over a long term, or a very high rate over a long term)
 * can reach a zero balance before the last installment because A was rounded up; the remaining
 * installments then carry no principal and no interest. Σ principal = P holds regardless.
 */

export type LoanMethod = 'annuity' | 'equal_principal';

export interface LoanTerms {
  /** Minor units, > 0. */
  principal: bigint;
  /** Decimal string, e.g. "0.12" for 12 % p.a.; 0 ≤ rate < 10. */
  annualRate: string;
  /** 1..600. */
  termMonths: number;
  method: LoanMethod;
  /** 'YYYY-MM-DD'; installment k is due k − 1 months later (end-of-month clamped). */
  firstDueDate: string;
  /** ISO 4217. */
  currency: string;
  /** Minor units, ≥ 0: `upfront` is added to installment 1's fee, `perInstallment` to every installment. */
  fees?: { upfront?: bigint; perInstallment?: bigint };
}

export interface ScheduledInstallment {
  seq: number;
  dueDate: string;
  principalDue: bigint;
  interestDue: bigint;
  feeDue: bigint;
}

export const MAX_TERM_MONTHS = 600;

/** Private decimal context so the global Decimal configuration of other modules cannot matter. */
const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP });
type Dec = InstanceType<typeof D>;

const RATE_PATTERN = /^\d{1,3}(\.\d{1,30})?$/;

function roundHalfUp(x: Dec): bigint {
  return BigInt(x.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0));
}

function checkRate(annualRate: unknown, field: string, issues: FieldIssue[]): void {
  if (typeof annualRate !== 'string' || !RATE_PATTERN.test(annualRate)) {
    issues.push({ field, message: `${JSON.stringify(annualRate)} is not a decimal string such as "0.12"` });
  } else if (new D(annualRate).gte(10)) {
    issues.push({ field, message: `${annualRate} must be less than 10 (1000 % p.a.)` });
  }
}

function checkTerm(termMonths: unknown, field: string, issues: FieldIssue[]): void {
  if (
    typeof termMonths !== 'number' ||
    !Number.isInteger(termMonths) ||
    termMonths < 1 ||
    termMonths > MAX_TERM_MONTHS
  ) {
    issues.push({ field, message: `${String(termMonths)} must be an integer from 1 to ${MAX_TERM_MONTHS}` });
  }
}

function checkPrincipal(principal: unknown, field: string, issues: FieldIssue[]): void {
  if (typeof principal !== 'bigint' || principal <= 0n) {
    issues.push({ field, message: `${String(principal)} must be a positive amount in minor units` });
  }
}

function validateTerms(terms: LoanTerms): void {
  const issues: FieldIssue[] = [];
  checkPrincipal(terms.principal, 'principal', issues);
  checkRate(terms.annualRate, 'annualRate', issues);
  checkTerm(terms.termMonths, 'termMonths', issues);
  if (terms.method !== 'annuity' && terms.method !== 'equal_principal') {
    issues.push({ field: 'method', message: `${JSON.stringify(terms.method)} must be "annuity" or "equal_principal"` });
  }
  if (!isCalendarDate(terms.firstDueDate)) {
    issues.push({
      field: 'firstDueDate',
      message: `${JSON.stringify(terms.firstDueDate)} is not a calendar date (YYYY-MM-DD)`,
    });
  }
  if (typeof terms.currency !== 'string' || !isCurrency(terms.currency)) {
    issues.push({ field: 'currency', message: `${JSON.stringify(terms.currency)} is not an ISO 4217 currency code` });
  }
  if (terms.fees !== undefined && (typeof terms.fees !== 'object' || terms.fees === null)) {
    issues.push({ field: 'fees', message: 'must be an object with "upfront" and/or "perInstallment"' });
  } else if (terms.fees !== undefined) {
    for (const key of ['upfront', 'perInstallment'] as const) {
      const fee = terms.fees[key];
      if (fee !== undefined && (typeof fee !== 'bigint' || fee < 0n)) {
        issues.push({ field: `fees.${key}`, message: `${String(fee)} must be an amount in minor units ≥ 0` });
      }
    }
  }
  if (issues.length > 0) throw validationError(issues);
}

function levelPayment(principal: bigint, monthlyRate: Dec, n: number): bigint {
  const p = new D(principal.toString());
  if (monthlyRate.isZero()) return roundHalfUp(p.div(n));
  const discount = new D(1).minus(monthlyRate.plus(1).pow(-n));
  return roundHalfUp(p.times(monthlyRate).div(discount));
}

/**
 * The level annuity payment (principal + interest, fees excluded) for the given terms, in minor
 * units: round-half-up(P·r / (1 − (1+r)^−n)) with r = annualRate / 12, or round-half-up(P / n) at 0 %.
 * Every annuity installment but the last pays exactly this.
 */
export function annuityPayment(principal: bigint, annualRate: string, termMonths: number): bigint {
  const issues: FieldIssue[] = [];
  checkPrincipal(principal, 'principal', issues);
  checkRate(annualRate, 'annualRate', issues);
  checkTerm(termMonths, 'termMonths', issues);
  if (issues.length > 0) throw validationError(issues);
  return levelPayment(principal, new D(annualRate).div(12), termMonths);
}

/** The installment schedule of a loan; see the module comment for the exact rules. */
export function loanSchedule(terms: LoanTerms): ScheduledInstallment[] {
  validateTerms(terms);
  const { principal, termMonths: n, method, firstDueDate } = terms;
  const r = new D(terms.annualRate).div(12);
  const upfrontFee = terms.fees?.upfront ?? 0n;
  const perInstallmentFee = terms.fees?.perInstallment ?? 0n;

  const payment = method === 'annuity' ? levelPayment(principal, r, n) : 0n;
  const equalPrincipal = principal / BigInt(n); // bigint division floors for positive operands

  const installments: ScheduledInstallment[] = [];
  let balance = principal;
  for (let seq = 1; seq <= n; seq++) {
    const interestDue = roundHalfUp(new D(balance.toString()).times(r));
    let principalDue: bigint;
    if (seq === n) {
      principalDue = balance;
    } else if (method === 'annuity') {
      const share = payment - interestDue;
      principalDue = share < 0n ? 0n : share > balance ? balance : share;
    } else {
      principalDue = equalPrincipal;
    }
    balance -= principalDue;
    installments.push({
      seq,
      dueDate: addMonthsClamped(firstDueDate, seq - 1),
      principalDue,
      interestDue,
      feeDue: perInstallmentFee + (seq === 1 ? upfrontFee : 0n),
    });
  }
  return installments;
}
