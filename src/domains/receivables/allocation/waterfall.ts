import type { FieldIssue } from '../../../core/errors.js';
import { validationError } from '../../../core/errors.js';
import { isCalendarDate } from '../schedule/due-dates.js';

/**
 * Payment allocation ("waterfall"): how an incoming payment is split over the unpaid fee, interest
 * and principal of a receivable's installments. Pure; amounts are integer minor units (bigint).
 *
 * 1. Installments due on or before `asOf` are paid first:
 *    - `installment_first`: the oldest due installment completely (its components in `order`),
 *      then the next one;
 *    - `component_first`: the first component of every due installment (oldest first), then the
 *      second component of every due installment, and so on.
 * 2. Whatever remains prepays the not-yet-due installments, oldest first, each completely in
 *    `order` before the next (in both modes).
 * 3. Anything left over is returned as `unallocated` (an overpayment).
 *
 * Installments are ordered by due date, then seq, whatever order they are passed in. Allocations
 * come back in the order they were applied and never carry a zero amount.
 */

export type Component = 'fee' | 'interest' | 'principal';

export interface Waterfall {
  /** A permutation of the three components. */
  order: Component[];
  mode: 'installment_first' | 'component_first';
}

export const COMPONENTS: readonly Component[] = Object.freeze(['fee', 'interest', 'principal'] as const);
const MODES: readonly Waterfall['mode'][] = ['installment_first', 'component_first'];

export const DEFAULT_WATERFALL: Waterfall = Object.freeze({
  order: Object.freeze(['fee', 'interest', 'principal']) as Component[],
  mode: 'installment_first',
});

/**
 * Validates a waterfall from configuration or an API body. `undefined` gives the default; a missing
 * `order` or `mode` takes the default's. Errors name `${field}.order`, `${field}.mode` or unknown keys.
 * Always returns a fresh object.
 */
export function parseWaterfall(value: unknown, field = 'waterfall'): Waterfall {
  if (value === undefined) return { order: [...DEFAULT_WATERFALL.order], mode: DEFAULT_WATERFALL.mode };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError([{ field, message: 'must be an object with "order" and "mode"' }]);
  }
  const issues: FieldIssue[] = [];
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'order' && key !== 'mode') {
      issues.push({ field: `${field}.${key}`, message: 'is not a waterfall setting (expected "order" and "mode")' });
    }
  }
  const order = record.order ?? DEFAULT_WATERFALL.order;
  const mode = record.mode ?? DEFAULT_WATERFALL.mode;
  if (
    !Array.isArray(order) ||
    order.length !== COMPONENTS.length ||
    !COMPONENTS.every((c) => order.includes(c)) ||
    new Set(order).size !== COMPONENTS.length
  ) {
    issues.push({
      field: `${field}.order`,
      message: `must list each of ${COMPONENTS.map((c) => `"${c}"`).join(', ')} exactly once`,
    });
  }
  if (typeof mode !== 'string' || !(MODES as readonly string[]).includes(mode)) {
    issues.push({ field: `${field}.mode`, message: `must be ${MODES.map((m) => `"${m}"`).join(' or ')}` });
  }
  if (issues.length > 0) throw validationError(issues);
  return { order: [...(order as Component[])], mode: mode as Waterfall['mode'] };
}

/** Amounts still unpaid, per component, of one installment. */
export interface InstallmentOutstanding {
  seq: number;
  dueDate: string;
  fee: bigint;
  interest: bigint;
  principal: bigint;
}

export interface Allocation {
  seq: number;
  component: Component;
  amount: bigint;
}

function validateInput(amount: bigint, installments: InstallmentOutstanding[], waterfall: Waterfall, asOf: string) {
  const issues: FieldIssue[] = [];
  if (typeof amount !== 'bigint' || amount < 0n) {
    issues.push({ field: 'amount', message: `${String(amount)} must be an amount in minor units ≥ 0` });
  }
  if (!isCalendarDate(asOf)) {
    issues.push({ field: 'asOf', message: `${JSON.stringify(asOf)} is not a calendar date (YYYY-MM-DD)` });
  }
  if (!Array.isArray(installments)) {
    issues.push({ field: 'installments', message: 'must be an array' });
  } else {
    const seen = new Set<number>();
    installments.forEach((inst, i) => {
      const at = `installments[${i}]`;
      if (!Number.isSafeInteger(inst.seq)) {
        issues.push({ field: `${at}.seq`, message: `${String(inst.seq)} must be an integer` });
      } else if (seen.has(inst.seq)) {
        issues.push({ field: `${at}.seq`, message: `seq ${inst.seq} appears more than once` });
      }
      seen.add(inst.seq);
      if (!isCalendarDate(inst.dueDate)) {
        issues.push({
          field: `${at}.dueDate`,
          message: `${JSON.stringify(inst.dueDate)} is not a calendar date (YYYY-MM-DD)`,
        });
      }
      for (const c of COMPONENTS) {
        const v = inst[c];
        if (typeof v !== 'bigint' || v < 0n) {
          issues.push({ field: `${at}.${c}`, message: `${String(v)} must be an amount in minor units ≥ 0` });
        }
      }
    });
  }
  if (issues.length > 0) throw validationError(issues);
  // Re-validates a waterfall built in code (not parsed), so a bad order cannot silently skip a component.
  parseWaterfall(waterfall);
}

/** Splits `amount` over the installments' outstanding components; see the module comment. */
export function allocatePayment(
  amount: bigint,
  installments: InstallmentOutstanding[],
  waterfall: Waterfall,
  asOf: string,
): { allocations: Allocation[]; unallocated: bigint } {
  validateInput(amount, installments, waterfall, asOf);
  const sorted = [...installments].sort((a, b) =>
    a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.seq - b.seq,
  );
  const due = sorted.filter((i) => i.dueDate <= asOf);
  const notDue = sorted.filter((i) => i.dueDate > asOf);

  const allocations: Allocation[] = [];
  let remaining = amount;
  const pay = (inst: InstallmentOutstanding, component: Component): void => {
    const take = inst[component] < remaining ? inst[component] : remaining;
    if (take === 0n) return;
    allocations.push({ seq: inst.seq, component, amount: take });
    remaining -= take;
  };

  if (waterfall.mode === 'installment_first') {
    for (const inst of due) for (const c of waterfall.order) pay(inst, c);
  } else {
    for (const c of waterfall.order) for (const inst of due) pay(inst, c);
  }
  for (const inst of notDue) for (const c of waterfall.order) pay(inst, c);

  return { allocations, unallocated: remaining };
}
