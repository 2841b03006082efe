import { minorUnitDigits } from '../../../core/money.js';
import type { Queryable } from '../../../storage/schema.js';
import type { DomainWork } from '../../unit-of-work.js';
import {
  fileRefused,
  isCalendarDate,
  minorUnitsOf,
  NO_CONTROL,
  readColumnsFile,
  type FileLine,
  type RunIssue,
} from '../runs/run-file.js';
import { discountOf } from './discount.js';
import { createPayable, type Payable, type PayableInput } from './payables.js';

/**
 * A CSV file of supplier invoices (an accounts-payable export) recorded as payables, all lines or
 * none — the same reading and the same all-or-nothing rule as a payment run (runs/run-file.ts).
 * Every line is checked first, against the cells' rules and then the beneficiaries, bank accounts
 * and invoices already recorded, in a few set queries; any problem refuses the whole file (422
 * `payable_file_invalid`, each problem by line and column). Otherwise each line is recorded as
 * POST /payables records one — pending a second person's approval — in one transaction.
 */

export const PAYABLE_COLUMNS = [
  'beneficiaryId',
  'invoiceNumber',
  'amount',
  'currency',
  'dueDate',
  'bankAccountId',
  'discountDate',
  'discountPercent',
  'discountAmount',
] as const;
type PayableColumn = (typeof PAYABLE_COLUMNS)[number];
const REQUIRED: readonly PayableColumn[] = ['beneficiaryId', 'invoiceNumber', 'amount', 'dueDate'];
export const MAX_PAYABLE_LINES = 5_000;

type Line = FileLine<PayableColumn>;
interface Account {
  id: string;
  currency: string;
  status: string;
}

/** What the file's lines name, read in one query per table. */
async function referenced(db: Queryable, lines: Line[]) {
  const ids = (column: PayableColumn) => [
    ...new Set(lines.map((l) => l.cells[column]).filter((v): v is string => v !== undefined)),
  ];
  const beneficiaryIds = ids('beneficiaryId');
  const accountIds = ids('bankAccountId');
  const beneficiaries = new Map(
    beneficiaryIds.length === 0
      ? []
      : (await db.selectFrom('beneficiaries').select(['id', 'status']).where('id', 'in', beneficiaryIds).execute()).map(
          (b) => [b.id, b.status],
        ),
  );
  const accounts = new Map<string, Account>(
    (
      await db
        .selectFrom('bank_accounts')
        .select(['id', 'currency', 'status'])
        .where((eb) => eb.or([eb('status', '=', 'active'), ...(accountIds.length ? [eb('id', 'in', accountIds)] : [])]))
        .execute()
    ).map((a) => [a.id, a]),
  );
  const invoices = new Set(
    beneficiaryIds.length === 0
      ? []
      : (
          await db
            .selectFrom('payables')
            .select(['beneficiary_id', 'invoice_number'])
            .where('beneficiary_id', 'in', beneficiaryIds)
            .execute()
        ).map((p) => `${p.beneficiary_id}\u0000${p.invoice_number}`),
  );
  return { beneficiaries, accounts, invoices };
}

/** Each line's payable, or every problem found. */
async function checkLines(
  db: Queryable,
  lines: Line[],
): Promise<{ ok: true; inputs: PayableInput[] } | { ok: false; issues: RunIssue[] }> {
  const { beneficiaries, accounts, invoices } = await referenced(db, lines);
  const active = [...accounts.values()].filter((a) => a.status === 'active');
  const issues: RunIssue[] = [];
  const issue = (line: number, column: PayableColumn, message: string, value?: string) =>
    issues.push({ line, column, message, ...(value === undefined ? {} : { value }) });
  const inputs: PayableInput[] = [];
  const seen = new Map<string, number>();

  for (const { line, cells } of lines) {
    const before = issues.length;
    const beneficiaryId = cells.beneficiaryId;
    const beneficiary = beneficiaryId === undefined ? undefined : beneficiaries.get(beneficiaryId);
    if (beneficiaryId === undefined) issue(line, 'beneficiaryId', 'is required');
    else if (beneficiary === undefined)
      issue(line, 'beneficiaryId', `beneficiary ${beneficiaryId} does not exist`, beneficiaryId);
    else if (beneficiary === 'blocked')
      issue(line, 'beneficiaryId', `beneficiary ${beneficiaryId} is blocked: no payment may go to it`, beneficiaryId);

    // The debtor account: the one named, else the only active account in the line's currency.
    let account: Account | undefined;
    if (cells.bankAccountId !== undefined) {
      account = accounts.get(cells.bankAccountId);
      if (!account) issue(line, 'bankAccountId', `bank account ${cells.bankAccountId} does not exist`);
      else if (account.status !== 'active')
        issue(line, 'bankAccountId', `bank account ${account.id} is ${account.status}`);
      else if (cells.currency !== undefined && cells.currency !== account.currency)
        issue(line, 'currency', `must be the debtor account's currency (${account.currency}) or empty`, cells.currency);
    } else if (cells.currency === undefined) {
      issue(line, 'currency', 'is required when the line names no bankAccountId');
    } else {
      const candidates = active.filter((a) => a.currency === cells.currency);
      if (candidates.length === 1) account = candidates[0];
      else
        issue(
          line,
          'bankAccountId',
          candidates.length === 0
            ? `there is no active bank account in ${cells.currency} to pay from`
            : `there are several active bank accounts in ${cells.currency}: name the one to pay from`,
        );
    }
    const currency = account?.currency;
    const money = (column: PayableColumn): bigint | undefined => {
      const text = cells[column];
      if (text === undefined || currency === undefined) return undefined;
      const minor = minorUnitsOf(text, minorUnitDigits(currency), currency);
      if (typeof minor === 'string') issue(line, column, minor, text);
      else return minor;
      return undefined;
    };

    const invoice = cells.invoiceNumber;
    if (invoice === undefined) issue(line, 'invoiceNumber', 'is required');
    else if (invoice.length > 140) issue(line, 'invoiceNumber', 'must be at most 140 characters');
    else if (!NO_CONTROL.test(invoice)) issue(line, 'invoiceNumber', 'must not contain control characters');
    else if (beneficiaryId !== undefined) {
      const key = `${beneficiaryId}\u0000${invoice}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) issue(line, 'invoiceNumber', `repeats line ${earlier}`, invoice);
      else if (invoices.has(key))
        issue(line, 'invoiceNumber', `invoice ${invoice} of beneficiary ${beneficiaryId} is already recorded`, invoice);
      seen.set(key, earlier ?? line);
    }

    const amount = cells.amount === undefined ? (issue(line, 'amount', 'is required'), undefined) : money('amount');
    const dueDate = cells.dueDate;
    if (dueDate === undefined) issue(line, 'dueDate', 'is required');
    else if (!isCalendarDate(dueDate)) issue(line, 'dueDate', 'must be a date YYYY-MM-DD', dueDate);

    const { discountDate, discountPercent } = cells;
    const discountAmount = money('discountAmount');
    const anyDiscount = [discountDate, discountPercent, cells.discountAmount].some((v) => v !== undefined);
    let discount: PayableInput['discount'];
    if (anyDiscount) {
      if (discountDate === undefined) issue(line, 'discountDate', 'is required with a discount');
      else if (!isCalendarDate(discountDate)) issue(line, 'discountDate', 'must be a date YYYY-MM-DD', discountDate);
      // Judged only when its parts are readable: a bad amount or date has its own issue already.
      else if (
        amount !== undefined &&
        dueDate !== undefined &&
        isCalendarDate(dueDate) &&
        (cells.discountAmount === undefined || discountAmount !== undefined)
      ) {
        discount = {
          date: discountDate,
          percent: discountPercent,
          amount: discountAmount?.toString(),
        };
        const result = discountOf(amount, dueDate, discount);
        if (!result.ok) {
          const column = { 'discount.date': 'discountDate', 'discount.percent': 'discountPercent' }[result.field];
          issue(line, (column ?? 'discountAmount') as PayableColumn, result.message);
        }
      }
    }

    if (issues.length === before) {
      inputs.push({
        beneficiaryId: beneficiaryId!,
        bankAccountId: account!.id,
        invoiceNumber: invoice!,
        amount: amount!.toString(),
        currency: currency!,
        dueDate: dueDate!,
        discount,
      });
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, inputs };
}

/** Reads, checks and — when every line is right — records the file's payables, in file order. */
export async function importPayables(
  unit: DomainWork,
  file: Uint8Array,
  createdBy: string,
): Promise<{ count: number; payables: Payable[] }> {
  const read = readColumnsFile(file, {
    columns: PAYABLE_COLUMNS,
    required: REQUIRED,
    record: 'payable',
    maxLines: MAX_PAYABLE_LINES,
  });
  if (!read.ok) throw fileRefused('payable_file_invalid', read.issues);
  const result = await checkLines(unit.tx, read.lines);
  if (!result.ok || read.issues.length > 0) {
    const issues = [...read.issues, ...(result.ok ? [] : result.issues)];
    throw fileRefused(
      'payable_file_invalid',
      issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    );
  }
  const payables: Payable[] = [];
  for (const input of result.inputs) payables.push(await createPayable(unit, input, createdBy));
  return { count: payables.length, payables };
}
