import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../storage/schema.js';

/**
 * Kysely types of the treasury tables (SQL in storage/migrations/0021_bank_statements.sql and
 * 0023_reconciliation.sql).
 */
declare module '../../storage/schema.js' {
  interface Tables {
    bank_statements: BankStatementsTable;
    bank_entries: BankEntriesTable;
    bank_matches: BankMatchesTable;
  }
}

type Amount = bigint | string | number;

export interface BankStatementsTable {
  id: string;
  bank_account_id: string;
  format: string;
  version: string | null;
  message_id: string;
  statement_id: string | null;
  sequence_number: string | null;
  period_from: string | null;
  period_to: string | null;
  opening_balance: Amount | null;
  opening_date: string | null;
  closing_balance: Amount | null;
  closing_date: string | null;
  entry_count: number;
  new_entry_count: number;
  unbooked_count: number;
  file_sha256: string;
  warnings: Json;
  imported_by: string;
  imported_at: Timestamp;
}

export interface BankEntriesTable {
  id: string;
  bank_account_id: string;
  statement_id: string;
  fingerprint: string;
  occurrence: number;
  amount: Amount;
  currency: string;
  direction: 'credit' | 'debit';
  reversal: boolean;
  booking_date: string;
  value_date: string | null;
  entry_reference: string | null;
  account_servicer_reference: string | null;
  bank_transaction_code: string | null;
  end_to_end_id: string | null;
  creditor_reference: string | null;
  remittance: string | null;
  counterparty_name: string | null;
  counterparty_account: string | null;
  return_reason: string | null;
  charges: Amount | null;
  transaction_count: number;
  details: Json;
  status: string;
  created_at: Timestamp;
  exception_reason: ColumnType<string | null, string | null | undefined, string | null>;
  suggestions: ColumnType<unknown, string | null | undefined, string | null>;
  exception_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  ignored_reason: ColumnType<string | null, string | null | undefined, string | null>;
  reconciled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type MatchTargetKind = 'outgoing_payment' | 'receivable' | 'charge' | 'writeoff';

export interface BankMatchesTable {
  id: string;
  bank_entry_id: string;
  target_kind: MatchTargetKind;
  target_id: string | null;
  amount: ColumnType<bigint, Amount, Amount>;
  currency: string;
  rule_code: string;
  decision_version: number | null;
  confidence: number;
  matched_by: string;
  matched_at: Timestamp;
  note: string | null;
  receivable_payment_id: string | null;
  journal_id: string | null;
  reversed_at: Timestamp | null;
  reversed_by: string | null;
  reversal_reason: string | null;
}
