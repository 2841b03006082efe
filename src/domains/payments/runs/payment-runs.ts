import { createHash } from 'node:crypto';
import { notFound, type AppError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import { minorUnitDigits } from '../../../core/money.js';
import type { Queryable } from '../../../storage/schema.js';
import type { DomainWork } from '../../unit-of-work.js';
import { isCreditorReference } from '../bank-details.js';
import { presentPayment, type Remittance } from '../instructions.js';
import { earliestValueDate, MONDAY_TO_FRIDAY, valueDateProblem, valueDaysByAccount } from '../value-dates.js';
import {
  fileRefused,
  isCalendarDate,
  minorUnitsOf,
  NO_CONTROL,
  readRunFile,
  type RunIssue,
  type RunLine,
} from './run-file.js';
import { submitPayments, type NewPayment } from './submit-payments.js';
import type { PaymentRunRow } from './tables.js';
import './tables.js';

/**
 * CSV payment runs (payroll, supplier runs): a file whose every line is a payment. All or nothing:
 * every line is checked first — the cells, then the beneficiaries, bank accounts and source
 * references it names, in a few set queries — and any problem refuses the whole file (422, each
 * problem by line and column); otherwise all its payments are submitted in one transaction, each to
 * its own approval workflow like a payment made by POST /payments, under one run record (`prr_…`).
 */

export const MAX_RUN_LINES = 20_000;

export interface RunOptions {
  /** The debtor account for lines without a bankAccountId. */
  bankAccountId?: string | undefined;
}

/** 422 `payment_run_invalid` listing every problem (see fileRefused). */
export const runRefused = (issues: RunIssue[]): AppError => fileRefused('payment_run_invalid', issues);

interface Checked {
  line: number;
  payment: NewPayment;
}

/** Every line checked against the cells' rules and the database; the payments, or every problem found. */
async function checkLines(
  db: Queryable,
  lines: RunLine[],
  options: RunOptions,
  today: string,
  now: Date,
): Promise<{ ok: true; checked: Checked[] } | { ok: false; issues: RunIssue[] }> {
  const issues: RunIssue[] = [];
  const issue = (line: number, column: string, message: string, value?: string) =>
    issues.push({ line, column, message, ...(value === undefined ? {} : { value }) });

  const accountIds = new Set(lines.map((l) => l.cells.bankAccountId ?? options.bankAccountId).filter(Boolean));
  const beneficiaryIds = new Set(lines.map((l) => l.cells.beneficiaryId!).filter(Boolean));
  const refs = lines.map((l) => l.cells.sourceRef).filter((r): r is string => r !== undefined);
  const accounts = new Map(
    accountIds.size === 0
      ? []
      : (
          await db
            .selectFrom('bank_accounts')
            .select(['id', 'currency', 'status', 'calendar', 'cut_off_time'])
            .where('id', 'in', [...accountIds] as string[])
            .execute()
        ).map((a) => [a.id, a]),
  );
  const beneficiaries = new Map(
    beneficiaryIds.size === 0
      ? []
      : (
          await db
            .selectFrom('beneficiaries')
            .select(['id', 'status'])
            .where('id', 'in', [...beneficiaryIds])
            .execute()
        ).map((b) => [b.id, b]),
  );
  const valueDays = await valueDaysByAccount(db, accounts.values());
  const takenRefs = new Map<string, string>();
  for (let i = 0; i < refs.length; i += 5000) {
    const taken = await db
      .selectFrom('payment_instructions')
      .select(['id', 'source_ref'])
      .where('source', '=', 'csv')
      .where('source_ref', 'in', refs.slice(i, i + 5000))
      .execute();
    for (const t of taken) takenRefs.set(t.source_ref!, t.id);
  }

  const refLines = new Map<string, number>();
  const checked: Checked[] = [];
  for (const { line, cells } of lines) {
    const before = issues.length;
    const beneficiaryId = cells.beneficiaryId;
    const beneficiary = beneficiaryId === undefined ? undefined : beneficiaries.get(beneficiaryId);
    if (beneficiaryId === undefined) issue(line, 'beneficiaryId', 'is required');
    else if (!beneficiary) issue(line, 'beneficiaryId', `beneficiary ${beneficiaryId} does not exist`, beneficiaryId);
    else if (beneficiary.status === 'blocked') {
      issue(line, 'beneficiaryId', `beneficiary ${beneficiaryId} is blocked: no payment may go to it`, beneficiaryId);
    }

    const accountId = cells.bankAccountId ?? options.bankAccountId;
    const account = accountId === undefined ? undefined : accounts.get(accountId);
    if (accountId === undefined) {
      issue(line, 'bankAccountId', 'is required (or give the bankAccountId query parameter for the whole file)');
    } else if (!account) issue(line, 'bankAccountId', `bank account ${accountId} does not exist`, accountId);
    else if (account.status !== 'active')
      issue(line, 'bankAccountId', `bank account ${accountId} is ${account.status}`);

    const currency = cells.currency ?? account?.currency;
    if (cells.currency !== undefined && account && cells.currency !== account.currency) {
      issue(line, 'currency', `must be the debtor account's currency (${account.currency}) or empty`, cells.currency);
    }
    let amount: bigint | undefined;
    if (cells.amount === undefined) issue(line, 'amount', 'is required');
    else if (currency !== undefined && account) {
      const minor = minorUnitsOf(cells.amount, minorUnitDigits(account.currency), account.currency);
      if (typeof minor === 'string') issue(line, 'amount', minor, cells.amount);
      else amount = minor;
    }

    // A business day of the debtor bank's calendar; absent, the first one the bank still executes.
    const days = (account && valueDays.get(account.id)) ?? MONDAY_TO_FRIDAY;
    let date = earliestValueDate(now, days);
    const requested = cells.requestedExecutionDate;
    if (requested !== undefined) {
      const problem = !isCalendarDate(requested)
        ? 'must be a date YYYY-MM-DD'
        : valueDateProblem(requested, today, days);
      if (problem) issue(line, 'requestedExecutionDate', problem, requested);
      else date = requested;
    }

    let remittance: Remittance | null = null;
    if (cells.remittance !== undefined && cells.creditorReference !== undefined) {
      issue(line, 'creditorReference', 'give either remittance or creditorReference, not both');
    } else if (cells.remittance !== undefined) {
      if (cells.remittance.length > 140) issue(line, 'remittance', 'must be at most 140 characters');
      else if (!NO_CONTROL.test(cells.remittance)) issue(line, 'remittance', 'must not contain control characters');
      else remittance = { unstructured: cells.remittance };
    } else if (cells.creditorReference !== undefined) {
      if (!isCreditorReference(cells.creditorReference)) {
        issue(line, 'creditorReference', 'must be an ISO 11649 creditor reference (RF…)', cells.creditorReference);
      } else remittance = { creditorReference: cells.creditorReference.replace(/ /g, '').toUpperCase() };
    }
    if (cells.purpose !== undefined && !/^[A-Z]{4}$/.test(cells.purpose)) {
      issue(line, 'purpose', 'must be an ISO 20022 purpose code of 4 capital letters, e.g. "SALA"', cells.purpose);
    }
    const ref = cells.sourceRef;
    if (ref !== undefined) {
      const earlier = refLines.get(ref);
      if (ref.length > 100) issue(line, 'sourceRef', 'must be at most 100 characters');
      else if (!NO_CONTROL.test(ref)) issue(line, 'sourceRef', 'must not contain control characters');
      else if (earlier !== undefined) issue(line, 'sourceRef', `repeats line ${earlier}`, ref);
      else if (takenRefs.has(ref))
        issue(line, 'sourceRef', `payment ${takenRefs.get(ref)} was already made for it`, ref);
      refLines.set(ref, refLines.get(ref) ?? line);
    }
    if (issues.length === before) {
      checked.push({
        line,
        payment: {
          bankAccountId: account!.id,
          beneficiaryId: beneficiary!.id,
          amount: amount!,
          currency: account!.currency,
          requestedExecutionDate: date,
          remittance,
          purpose: cells.purpose ?? null,
          source: 'csv',
          sourceRef: ref ?? null,
        },
      });
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, checked };
}

export function presentRun(row: PaymentRunRow) {
  return {
    id: row.id,
    fileSha256: row.file_sha256.trim(),
    paymentCount: row.payment_count,
    totals: Object.entries(row.totals)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, amount]) => ({ currency, amount })),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}
export type PaymentRun = ReturnType<typeof presentRun>;

/** Reads, checks and — when every line is right — submits the file's payments under a new run. */
export async function createPaymentRun(
  unit: DomainWork,
  file: Uint8Array,
  options: RunOptions,
  createdBy: string,
): Promise<PaymentRun> {
  const read = readRunFile(file, MAX_RUN_LINES);
  if (!read.ok) throw runRefused(read.issues);
  const result = await checkLines(unit.tx, read.lines, options, unit.today(), unit.clock.now());
  if (!result.ok || read.issues.length > 0) {
    // In file order; a line's own problems in column order as found.
    const issues = [...read.issues, ...(result.ok ? [] : result.issues)];
    throw runRefused(issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  }

  const rows = await submitPayments(
    unit,
    result.checked.map((c) => c.payment),
    createdBy,
  );
  const totals: Record<string, bigint> = {};
  for (const row of rows) totals[row.currency] = (totals[row.currency] ?? 0n) + row.amount;
  const now = unit.clock.now();
  const run = await unit.tx
    .insertInto('payment_runs')
    .values({
      id: newId('prr', now.getTime()),
      file_sha256: createHash('sha256').update(file).digest('hex'),
      payment_count: rows.length,
      totals: JSON.stringify(Object.fromEntries(Object.entries(totals).map(([c, a]) => [c, a.toString()]))),
      created_by: createdBy,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  for (let i = 0; i < rows.length; i += 5000) {
    await unit.tx
      .insertInto('payment_run_items')
      .values(
        rows
          .slice(i, i + 5000)
          .map((row, j) => ({ run_id: run.id, line: result.checked[i + j]!.line, payment_id: row.id })),
      )
      .execute();
  }
  const presented = presentRun(run);
  unit.audit({
    action: 'payment_run.created',
    entityType: 'payment_run',
    entityId: run.id,
    before: null,
    after: presented,
  });
  return presented;
}

/** A run with a page of its payments in line order (`after`: the last line of the previous page). */
export async function getPaymentRun(db: Queryable, id: string, page: { after?: number | undefined; limit: number }) {
  const row = await db.selectFrom('payment_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('payment run', id);
  let query = db
    .selectFrom('payment_run_items as i')
    .innerJoin('payment_instructions as p', 'p.id', 'i.payment_id')
    .selectAll('p')
    .select('i.line')
    .where('i.run_id', '=', id)
    .orderBy('i.line')
    .limit(page.limit);
  if (page.after !== undefined) query = query.where('i.line', '>', page.after);
  const items = await query.execute();
  const statuses = await db
    .selectFrom('payment_run_items as i')
    .innerJoin('payment_instructions as p', 'p.id', 'i.payment_id')
    .select(['p.status', (eb) => eb.fn.countAll<string>().as('count')])
    .where('i.run_id', '=', id)
    .groupBy('p.status')
    .orderBy('p.status')
    .execute();
  return {
    ...presentRun(row),
    statuses: Object.fromEntries(statuses.map((s) => [s.status, Number(s.count)])),
    payments: items.map(({ line, ...payment }) => ({ line, payment: presentPayment(payment) })),
    next: items.length === page.limit ? String(items.at(-1)!.line) : null,
  };
}

/** Newest first, paged by id. */
export async function listPaymentRuns(db: Queryable, page: { after?: string | undefined; limit: number }) {
  let query = db.selectFrom('payment_runs').selectAll().orderBy('id', 'desc').limit(page.limit);
  if (page.after) query = query.where('id', '<', page.after);
  return (await query.execute()).map(presentRun);
}
