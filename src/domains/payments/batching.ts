import { newId } from '../../core/ids.js';
import type { DomainWork } from '../unit-of-work.js';
import { payingAccount } from './bank-accounts.js';
import { paymentMethod, type BankDetails } from './bank-details.js';
import { validateBatchFiles, writeBatchFile, type BatchFile, type BatchFileInput } from './batch-file.js';
import { presentBatch, presentBatchDetail, type PaymentBatchDetail } from './batches.js';
import { nextBusinessDay } from './business-dates.js';
import { transitionMany } from './instructions.js';
import type { BankAccountRow, PaymentRow } from './tables.js';
import { earliestValueDate, valueDaysByAccount, type ValueDays } from './value-dates.js';

/**
 * A batching run: every approved payment in no batch yet (narrowed by the filter) is locked —
 * `FOR UPDATE SKIP LOCKED`, so two runs at once never take the same payment: the second skips what
 * the first holds — grouped per debtor account × value date × method, and written as one pain.001
 * file per group (or per `maxPerFile` payments of it) in the account's version. Every file is
 * validated against its XSD before anything is stored; one invalid file refuses the whole run
 * (422), so a run is all or nothing. Then, in the same transaction, the batches, their files and
 * items are stored and the payments move approved → batched through `transitionMany` (history, audit,
 * `payment.batched`).
 */

export const DEFAULT_MAX_PER_FILE = 10_000;
export const MAX_PER_FILE_LIMIT = 100_000;
const METHOD_ORDER = ['sepa', 'international'];

export interface BatchRunFilter {
  bankAccountId?: string | undefined;
  /** Only payments whose requested execution date is on or before this date. */
  valueDateUpTo?: string | undefined;
  maxPerFile?: number | undefined;
}

interface Group {
  account: BankAccountRow;
  valueDate: string;
  method: 'sepa' | 'international';
  payments: PaymentRow[];
}

export async function createBatches(
  unit: DomainWork,
  filter: BatchRunFilter,
  createdBy: string,
): Promise<PaymentBatchDetail[]> {
  // An unknown or closed account named in the filter is refused (422 naming body.bankAccountId).
  if (filter.bankAccountId !== undefined) await payingAccount(unit.tx, filter.bankAccountId);

  let query = unit.tx
    .selectFrom('payment_instructions')
    .selectAll()
    .where('status', '=', 'approved')
    .where('batch_id', 'is', null);
  if (filter.bankAccountId !== undefined) query = query.where('bank_account_id', '=', filter.bankAccountId);
  if (filter.valueDateUpTo !== undefined) query = query.where('requested_execution_date', '<=', filter.valueDateUpTo);
  const selected = await query.orderBy('id').forUpdate().skipLocked().execute();
  if (selected.length === 0) return [];

  const accounts = new Map(
    (
      await unit.tx
        .selectFrom('bank_accounts')
        .selectAll()
        .where('id', 'in', [...new Set(selected.map((p) => p.bank_account_id))])
        .execute()
    ).map((a) => [a.id, a]),
  );
  const valueDays = await valueDaysByAccount(unit.tx, accounts.values());
  const groups = groupPayments(selected, accounts, valueDays, unit.clock.now());
  const maxPerFile = filter.maxPerFile ?? DEFAULT_MAX_PER_FILE;

  const now = unit.clock.now();
  const planned: Array<{ id: string; input: BatchFileInput; file: BatchFile }> = [];
  for (const group of groups) {
    for (let start = 0; start < group.payments.length; start += maxPerFile) {
      const id = newId('pbt', now.getTime());
      // pain.001 identifiers take no underscore: the batch id's ULID, which is unique, after "FFB".
      const messageId = `FFB${id.slice(4)}`;
      const input: BatchFileInput = {
        account: group.account,
        valueDate: group.valueDate,
        method: group.method,
        messageId,
        paymentInformationId: `${messageId}-1`,
        createdAt: now,
        payments: group.payments.slice(start, start + maxPerFile),
      };
      planned.push({ id, input, file: writeBatchFile(input) });
    }
  }
  await validateBatchFiles(planned);

  const created: PaymentBatchDetail[] = [];
  for (const { id, input, file } of planned) created.push(await storeBatch(unit, id, input, file, createdBy));
  return created;
}

/**
 * Groups in a stable order (account, value date, method), payments in id order within each. The value
 * date is the payment's requested one, unless the bank no longer executes on it: one that has passed
 * (or is today, after the account's cut-off) goes out on the first value date the bank still executes
 * on, and one that became a holiday of the account's calendar since it was requested on the next
 * business day. A payment on a closed account stays approved (nothing may leave a closed account).
 */
function groupPayments(
  payments: PaymentRow[],
  accounts: Map<string, BankAccountRow>,
  valueDays: Map<string, ValueDays>,
  now: Date,
): Group[] {
  const groups = new Map<string, Group>();
  const earliest = new Map<string, string>();
  for (const payment of payments) {
    const account = accounts.get(payment.bank_account_id);
    if (!account || account.status !== 'active') continue;
    const creditor = payment.beneficiary_snapshot as BankDetails;
    const method = paymentMethod(payment.currency, account.country, creditor.country);
    const days = valueDays.get(account.id)!;
    let first = earliest.get(account.id);
    if (first === undefined) earliest.set(account.id, (first = earliestValueDate(now, days)));
    const requested = payment.requested_execution_date;
    const valueDate = requested < first ? first : nextBusinessDay(requested, days.days);
    const key = `${account.id}|${valueDate}|${METHOD_ORDER.indexOf(method)}`;
    let group = groups.get(key);
    if (!group) {
      group = { account, valueDate, method, payments: [] };
      groups.set(key, group);
    }
    group.payments.push(payment);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
}

async function storeBatch(
  unit: DomainWork,
  id: string,
  input: BatchFileInput,
  file: BatchFile,
  createdBy: string,
): Promise<PaymentBatchDetail> {
  const now = unit.clock.now();
  const controlSum = input.payments.reduce((sum, p) => sum + p.amount, 0n);
  const row = await unit.tx
    .insertInto('payment_batches')
    .values({
      id,
      bank_account_id: input.account.id,
      value_date: input.valueDate,
      method: input.method,
      pain001_version: input.account.pain001_version,
      message_id: input.messageId,
      payment_information_id: input.paymentInformationId,
      status: 'created',
      number_of_transactions: input.payments.length,
      control_sum: controlSum,
      currency: input.account.currency,
      file_name: file.name,
      file_sha256: file.sha256,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await unit.tx
    .insertInto('payment_files')
    .values({ batch_id: id, content: file.content, sha256: file.sha256, size: file.content.length, created_at: now })
    .execute();
  const items = input.payments.map((p, position) => ({
    batch_id: id,
    payment_id: p.id,
    position,
    end_to_end_id: p.end_to_end_id,
    amount: p.amount,
  }));
  // 5 parameters a row: 10 000 rows per INSERT stays under PostgreSQL's 65 535.
  for (let from = 0; from < items.length; from += 10_000) {
    await unit.tx
      .insertInto('payment_batch_items')
      .values(items.slice(from, from + 10_000))
      .execute();
  }
  await transitionMany(unit, input.payments, 'batched', {
    by: createdBy,
    change: { batch: { id, paymentInformationId: input.paymentInformationId } },
    data: {
      batchId: id,
      messageId: input.messageId,
      paymentInformationId: input.paymentInformationId,
      fileName: file.name,
    },
  });
  const batch = presentBatch(row);
  // Which payments: each one's own `payment.batched` audit row names this batch (a file may hold 10 000).
  unit.audit({
    action: 'payment_batch.created',
    entityType: 'payment_batch',
    entityId: id,
    before: null,
    after: batch,
  });
  unit.publish('payment_batch.created', id, {
    batchId: id,
    bankAccountId: batch.bankAccountId,
    valueDate: batch.valueDate,
    method: batch.method,
    messageId: batch.messageId,
    numberOfTransactions: batch.numberOfTransactions,
    controlSum: batch.controlSum,
    currency: batch.currency,
    fileName: batch.fileName,
    createdBy,
  });
  return presentBatchDetail(unit.tx, row);
}
