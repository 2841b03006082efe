import { createHash } from 'node:crypto';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import {
  readStatements,
  type StatementBalance,
  type StatementEntry,
  type StatementHeader,
  type StatementSource,
} from '../../adapters/bank-statements/index.js';
import type { DomainWork } from '../unit-of-work.js';
import { checkBalanceThresholds } from './alerts/alerts.js';
import { entryFingerprint } from './entry-fingerprint.js';
import { entryFields } from './entry-row.js';
import { statementAccount, type StatementAccountMatch } from './statement-account.js';
import type { BankEntriesTable } from './tables.js';
import { sql, type Insertable } from 'kysely';

/**
 * Imports a statement file of any supported format (camt.052/053/054, MT940; recognised from the
 * content) in one transaction of `unit`: every statement's account is found from the file, every
 * booked entry stored once (see entry-fingerprint.ts), and a file that cannot be read or names an
 * unknown account imports nothing. The file is streamed: entries are
 * written in slices as they are read, so a 100 000-entry statement needs little memory.
 */

export interface ImportedStatement {
  id: string;
  bankAccountId: string;
  format: string;
  version: string | null;
  messageId: string;
  statementId: string | null;
  /** Booked entries in the statement, and how many of them were new. */
  entries: number;
  newEntries: number;
  /** Pending or information-only entries: read, not stored. */
  unbookedEntries: number;
  openingBalance: string | null;
  closingBalance: string | null;
  closingDate: string | null;
  /** The id of the earlier import of this very statement when this one brought nothing new. */
  alreadyImportedAs: string | null;
  warnings: string[];
}

export interface StatementImportResult {
  fileSha256: string;
  statements: ImportedStatement[];
  entries: number;
  newEntries: number;
  /** The new entries' ids, in file order (matching starts from them). */
  newEntryIds: string[];
}

/** Entries written per INSERT: large enough to be fast, small enough to keep memory flat. */
const SLICE = 2000;
/** Booked: BOOK, or no status at all (MT940, camt.054 notifications of some banks). */
const isBooked = (entry: StatementEntry) => entry.status === null || entry.status === 'BOOK';

interface OpenStatement {
  id: string;
  header: StatementHeader;
  account: StatementAccountMatch;
  entries: number;
  newEntries: number;
  unbooked: number;
  warnings: string[];
}

export async function importStatementFile(unit: DomainWork, source: StatementSource): Promise<StatementImportResult> {
  const hash = createHash('sha256');
  const hashed = hashing(source, hash);
  const statements: ImportedStatement[] = [];
  const newEntryIds: string[] = [];
  /** Occurrences of each fingerprint so far in this file, per account. */
  const seen = new Map<string, number>();
  let open: OpenStatement | null = null;
  let pending: Insertable<BankEntriesTable>[] = [];
  const now = unit.clock.now();

  const flush = async () => {
    if (pending.length === 0 || !open) return;
    const rows = pending;
    pending = [];
    const inserted = await insertEntries(unit, rows);
    open.newEntries += inserted.length;
    const added = new Set(inserted.map((r) => r.id));
    for (const row of rows) if (added.has(row.id)) newEntryIds.push(row.id);
  };

  for await (const event of readStatements(hashed)) {
    if (event.kind === 'statement') {
      const header = event.statement;
      const account = await statementAccount(unit.tx, header);
      open = {
        id: newId('bst'),
        header,
        account,
        entries: 0,
        newEntries: 0,
        unbooked: 0,
        warnings: [...header.warnings],
      };
      await insertStatement(unit, open, now);
    } else if (event.kind === 'entry') {
      const current = open!;
      const entry = event.entry;
      if (!isBooked(entry)) {
        current.unbooked += 1;
        continue;
      }
      pending.push(entryRow(current, entry, seen, now));
      current.entries += 1;
      if (pending.length >= SLICE) await flush();
    } else {
      await flush();
      statements.push(await closeStatement(unit, open!));
      open = null;
    }
  }
  const fileSha256 = hash.digest('hex');
  if (statements.length === 0) {
    throw new AppError('invalid_statement', 400, 'the file holds no statement', { field: 'body' });
  }
  const ids = statements.filter((s) => s.alreadyImportedAs === null).map((s) => s.id);
  // One array parameter: a file may hold tens of thousands of statements (a year of MT940 messages).
  if (ids.length > 0)
    await unit.tx
      .updateTable('bank_statements')
      .set({ file_sha256: fileSha256 })
      .where('id', '=', sql<string>`any(${ids}::text[])`)
      .execute();
  // Balance alerts with the import, in its transaction: the event stands or falls with the statement.
  const imported = statements.filter((s) => s.alreadyImportedAs === null).map((s) => s.bankAccountId);
  await checkBalanceThresholds(unit, [...new Set(imported)]);
  return {
    fileSha256,
    statements,
    entries: statements.reduce((n, s) => n + s.entries, 0),
    newEntries: newEntryIds.length,
    newEntryIds,
  };
}

/** Passes the file's pieces through unchanged, hashing them on the way (the file's sha256 is recorded). */
async function* hashing(
  source: StatementSource,
  hash: ReturnType<typeof createHash>,
): AsyncGenerator<string | Uint8Array> {
  if (typeof source === 'string' || source instanceof Uint8Array) {
    hash.update(source);
    yield source;
    return;
  }
  for await (const piece of source as AsyncIterable<string | Uint8Array>) {
    if (typeof piece === 'string' || piece instanceof Uint8Array) hash.update(piece);
    yield piece;
  }
}

function entryRow(
  statement: OpenStatement,
  entry: StatementEntry,
  seen: Map<string, number>,
  now: Date,
): Insertable<BankEntriesTable> {
  const bookingDate = entry.bookingDate ?? entry.bookingDateTime?.slice(0, 10) ?? entry.valueDate ?? null;
  if (!bookingDate) {
    throw new AppError('invalid_statement', 400, `${entry.path}: a booked entry without a booking or value date`, {
      field: 'body',
    });
  }
  // Banks do send entries in another currency than the account's (Goldman Sachs' US sample books a
  // EUR amount on a USD account). The entry is kept as the bank wrote it, never converted by guess,
  // and named in the statement's warnings; matching leaves it to a person.
  if (entry.amount.currency !== statement.account.currency && statement.warnings.length < 100) {
    statement.warnings.push(
      `${entry.path}: the entry is in ${entry.amount.currency}, the account in ${statement.account.currency}`,
    );
  }
  const fingerprint = entryFingerprint(entry);
  const key = `${statement.account.id} ${fingerprint}`;
  const occurrence = (seen.get(key) ?? 0) + 1;
  seen.set(key, occurrence);
  const f = entryFields(entry, bookingDate);
  return {
    id: newId('bke'),
    bank_account_id: statement.account.id,
    statement_id: statement.id,
    fingerprint,
    occurrence,
    amount: f.amount,
    currency: f.currency,
    direction: f.direction,
    reversal: f.reversal,
    booking_date: f.bookingDate,
    value_date: f.valueDate,
    entry_reference: f.entryReference,
    account_servicer_reference: f.accountServicerReference,
    bank_transaction_code: f.bankTransactionCode,
    end_to_end_id: f.endToEndId,
    creditor_reference: f.creditorReference,
    remittance: f.remittance,
    counterparty_name: f.counterpartyName,
    counterparty_account: f.counterpartyAccount,
    return_reason: f.returnReason,
    charges: f.charges,
    transaction_count: f.transactionCount,
    details: f.details,
    status: 'unmatched',
    created_at: now,
  };
}

/** Signed minor units: a credit balance positive, a debit (overdrawn) one negative. */
const signed = (b: StatementBalance) => (b.creditDebit === 'CRDT' ? b.amount.amount : -b.amount.amount);
const balanceOf = (header: StatementHeader, types: string[]) =>
  types.map((t) => header.balances.find((b) => b.type === t && b.subType !== 'INTM')).find(Boolean) ?? null;

async function insertStatement(unit: DomainWork, s: OpenStatement, now: Date): Promise<void> {
  const h = s.header;
  const opening = balanceOf(h, ['OPBD', 'PRCD']);
  const closing = balanceOf(h, ['CLBD', 'ITBD']);
  await unit.tx
    .insertInto('bank_statements')
    .values({
      id: s.id,
      bank_account_id: s.account.id,
      format: h.format,
      version: h.version,
      message_id: h.messageId,
      statement_id: h.statementId,
      sequence_number: h.electronicSequenceNumber,
      period_from: h.from,
      period_to: h.to,
      opening_balance: opening ? signed(opening) : null,
      opening_date: opening?.date ?? opening?.dateTime?.slice(0, 10) ?? null,
      closing_balance: closing ? signed(closing) : null,
      closing_date: closing?.date ?? closing?.dateTime?.slice(0, 10) ?? null,
      entry_count: 0,
      new_entry_count: 0,
      unbooked_count: 0,
      file_sha256: '',
      warnings: '[]',
      imported_by: unit.actor,
      imported_at: now,
    })
    .execute();
}

/**
 * Records the statement's counts. A statement that brought nothing new and was imported before (same
 * account, message, statement id, sequence and closing balance) is not kept twice: its new row is
 * dropped and the earlier import named, so importing a file again changes nothing.
 */
async function closeStatement(unit: DomainWork, s: OpenStatement): Promise<ImportedStatement> {
  const row = await unit.tx
    .updateTable('bank_statements')
    .set({
      entry_count: s.entries,
      new_entry_count: s.newEntries,
      unbooked_count: s.unbooked,
      warnings: JSON.stringify(s.warnings.slice(0, 100)),
    })
    .where('id', '=', s.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  let alreadyImportedAs: string | null = null;
  if (s.newEntries === 0) {
    const earlier = await unit.tx
      .selectFrom('bank_statements')
      .select('id')
      .where('bank_account_id', '=', s.account.id)
      .where('id', '<>', s.id)
      .where('message_id', '=', row.message_id)
      .where((eb) =>
        eb.and([
          eb('statement_id', 'is not distinct from', row.statement_id),
          eb('sequence_number', 'is not distinct from', row.sequence_number),
          eb('closing_balance', 'is not distinct from', row.closing_balance),
        ]),
      )
      .orderBy('id')
      .executeTakeFirst();
    if (earlier) {
      await unit.tx.deleteFrom('bank_statements').where('id', '=', s.id).execute();
      alreadyImportedAs = earlier.id;
    }
  }
  const statement: ImportedStatement = {
    id: alreadyImportedAs ?? s.id,
    bankAccountId: s.account.id,
    format: s.header.format,
    version: s.header.version,
    messageId: s.header.messageId,
    statementId: s.header.statementId,
    entries: s.entries,
    newEntries: s.newEntries,
    unbookedEntries: s.unbooked,
    openingBalance: row.opening_balance === null ? null : String(row.opening_balance),
    closingBalance: row.closing_balance === null ? null : String(row.closing_balance),
    closingDate: row.closing_date,
    alreadyImportedAs,
    warnings: s.warnings,
  };
  if (!alreadyImportedAs) {
    unit.audit({
      action: 'bank_statement.imported',
      entityType: 'bank_statement',
      entityId: s.id,
      before: null,
      after: { ...statement, warnings: statement.warnings.length },
    });
    unit.publish('bank_statement.imported', s.account.id, {
      statementId: s.id,
      bankAccountId: s.account.id,
      format: statement.format,
      entries: statement.entries,
      newEntries: statement.newEntries,
      closingBalance: statement.closingBalance,
      closingDate: statement.closingDate,
    });
  }
  return statement;
}

/** bank_entries' columns in the order the INSERT below lists them, with each one's SQL type. */
const ENTRY_COLUMNS = [
  ['id', 'text'],
  ['bank_account_id', 'text'],
  ['statement_id', 'text'],
  ['fingerprint', 'text'],
  ['occurrence', 'int'],
  ['amount', 'bigint'],
  ['currency', 'text'],
  ['direction', 'text'],
  ['reversal', 'boolean'],
  ['booking_date', 'date'],
  ['value_date', 'date'],
  ['entry_reference', 'text'],
  ['account_servicer_reference', 'text'],
  ['bank_transaction_code', 'text'],
  ['end_to_end_id', 'text'],
  ['creditor_reference', 'text'],
  ['remittance', 'text'],
  ['counterparty_name', 'text'],
  ['counterparty_account', 'text'],
  ['return_reason', 'text'],
  ['charges', 'bigint'],
  ['transaction_count', 'int'],
  ['details', 'jsonb'],
  ['status', 'text'],
  ['created_at', 'timestamptz'],
] as const satisfies ReadonlyArray<readonly [keyof BankEntriesTable, string]>;

/**
 * A slice of entries in one INSERT … SELECT FROM unnest(…): one array parameter per column instead of
 * one parameter per value, so PostgreSQL parses 25 parameters whatever the slice's size (a VALUES
 * list of 2 000 rows would be 50 000). Entries already stored are skipped by their key.
 */
async function insertEntries(unit: DomainWork, rows: Insertable<BankEntriesTable>[]): Promise<Array<{ id: string }>> {
  const arrays = ENTRY_COLUMNS.map(([column, type]) => {
    const values = rows.map((row) => {
      const value = row[column] as unknown;
      return typeof value === 'bigint' ? value.toString() : (value ?? null);
    });
    return sql`${values}::${sql.raw(type)}[]`;
  });
  const columns = sql.join(ENTRY_COLUMNS.map(([column]) => sql.ref(column)));
  const { rows: inserted } = await sql<{ id: string }>`
    INSERT INTO bank_entries (${columns})
    SELECT * FROM unnest(${sql.join(arrays)})
    ON CONFLICT (bank_account_id, fingerprint, occurrence) DO NOTHING
    RETURNING id`.execute(unit.tx);
  return inserted;
}
