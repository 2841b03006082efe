import type { Selectable } from 'kysely';
import { notFound } from '../../core/errors.js';
import type { Queryable } from '../../storage/schema.js';
import type { BankEntriesTable, BankStatementsTable } from './tables.js';

/** Statements and booked entries as the API shows them: amounts as decimal strings of minor units. */

const text = (v: bigint | string | number | null) => (v === null ? null : String(v));

export function presentStatement(r: Selectable<BankStatementsTable>) {
  return {
    id: r.id,
    bankAccountId: r.bank_account_id,
    format: r.format,
    version: r.version,
    messageId: r.message_id,
    statementId: r.statement_id,
    sequenceNumber: r.sequence_number,
    periodFrom: r.period_from,
    periodTo: r.period_to,
    openingBalance: text(r.opening_balance),
    openingDate: r.opening_date,
    closingBalance: text(r.closing_balance),
    closingDate: r.closing_date,
    entries: r.entry_count,
    newEntries: r.new_entry_count,
    unbookedEntries: r.unbooked_count,
    fileSha256: r.file_sha256,
    warnings: r.warnings as string[],
    importedBy: r.imported_by,
    importedAt: r.imported_at.toISOString(),
  };
}
export type StatementView = ReturnType<typeof presentStatement>;

export function presentEntry(r: Selectable<BankEntriesTable>) {
  return {
    id: r.id,
    bankAccountId: r.bank_account_id,
    statementId: r.statement_id,
    occurrence: r.occurrence,
    amount: String(r.amount),
    currency: r.currency,
    direction: r.direction,
    reversal: r.reversal,
    bookingDate: r.booking_date,
    valueDate: r.value_date,
    entryReference: r.entry_reference,
    accountServicerReference: r.account_servicer_reference,
    bankTransactionCode: r.bank_transaction_code,
    endToEndId: r.end_to_end_id,
    creditorReference: r.creditor_reference,
    remittance: r.remittance,
    counterpartyName: r.counterparty_name,
    counterpartyAccount: r.counterparty_account,
    returnReason: r.return_reason,
    charges: text(r.charges),
    transactionCount: r.transaction_count,
    status: r.status,
    details: r.details as Record<string, unknown>,
  };
}
export type EntryView = ReturnType<typeof presentEntry>;

export async function getStatement(db: Queryable, id: string): Promise<StatementView> {
  const row = await db.selectFrom('bank_statements').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('bank statement', id);
  return presentStatement(row);
}

export interface StatementFilter {
  bankAccountId?: string | undefined;
  after?: string | undefined;
  limit: number;
}

export async function listStatements(db: Queryable, f: StatementFilter): Promise<StatementView[]> {
  let q = db.selectFrom('bank_statements').selectAll().orderBy('id').limit(f.limit);
  if (f.bankAccountId) q = q.where('bank_account_id', '=', f.bankAccountId);
  if (f.after) q = q.where('id', '>', f.after);
  return (await q.execute()).map(presentStatement);
}

export interface EntryFilter {
  bankAccountId?: string | undefined;
  statementId?: string | undefined;
  status?: string | undefined;
  after?: string | undefined;
  limit: number;
}

export async function listEntries(db: Queryable, f: EntryFilter): Promise<EntryView[]> {
  let q = db.selectFrom('bank_entries').selectAll().orderBy('id').limit(f.limit);
  if (f.bankAccountId) q = q.where('bank_account_id', '=', f.bankAccountId);
  if (f.statementId) q = q.where('statement_id', '=', f.statementId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.after) q = q.where('id', '>', f.after);
  return (await q.execute()).map(presentEntry);
}
