import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Json, Timestamp } from '../../storage/schema.js';

/**
 * Kysely types of the payments tables (SQL in storage/migrations/0017_payments.sql and
 * 0020_payment_batches.sql).
 */
declare module '../../storage/schema.js' {
  interface Tables {
    bank_accounts: BankAccountsTable;
    beneficiaries: BeneficiariesTable;
    beneficiary_changes: BeneficiaryChangesTable;
    payment_instructions: PaymentInstructionsTable;
    payment_history: PaymentHistoryTable;
    payment_batches: PaymentBatchesTable;
    payment_files: PaymentFilesTable;
    payment_batch_items: PaymentBatchItemsTable;
  }
}

type Amount = bigint | string | number;

export interface BankAccountsTable {
  id: string;
  name: string;
  currency: string;
  iban: string | null;
  account_number: string | null;
  bank_code: string | null;
  bic: string | null;
  country: string;
  owner_name: string;
  ledger_account: string;
  ledger_account_id: string;
  pain001_version: string;
  status: string;
  /** The bank connection (SFTP/HTTP settings, secrets by name); null: the bank-outbox folder. */
  connection: ColumnType<unknown, string | null | undefined, string | null>;
  /** The engine business calendar the bank keeps (wf_calendars.name); null: Monday to Friday. */
  calendar: ColumnType<string | null, string | null | undefined, string | null>;
  /** 'HH:MM' in the calendar's zone (UTC without one) after which today is no longer a value date. */
  cut_off_time: ColumnType<string | null, string | null | undefined, string | null>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BeneficiariesTable {
  id: string;
  name: string;
  kind: string;
  customer_id: string | null;
  status: string;
  details: Json;
  details_version: number;
  verified_at: Timestamp | null;
  verified_by: string | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BeneficiaryChangesTable {
  id: string;
  beneficiary_id: string;
  details: Json;
  status: string;
  proposed_by: string;
  proposed_at: Timestamp;
  decided_by: string | null;
  decided_at: Timestamp | null;
  reason: string | null;
}

export interface PaymentInstructionsTable {
  id: string;
  bank_account_id: string;
  beneficiary_id: string;
  amount: ColumnType<bigint, Amount, Amount>;
  currency: string;
  /** YYYY-MM-DD (dates are read as strings). */
  requested_execution_date: string;
  end_to_end_id: string;
  remittance: Json;
  purpose: string | null;
  source: string;
  source_ref: string | null;
  status: string;
  approval: Json;
  approvals: ColumnType<unknown, string | undefined, string>;
  beneficiary_snapshot: Json;
  hold_transfer_id: string | null;
  rejection: Json;
  instance_id: string | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  approved_at: Timestamp | null;
  /** The batch (payment file) it is in now; null before batching and after its batch is cancelled. */
  batch_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Its PmtInfId in that batch's file. */
  payment_information_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** What the anomaly checks found when its approval started: [{check, reason}] (0026). */
  anomalies: ColumnType<unknown, string | undefined, string>;
}

export interface PaymentHistoryTable {
  seq: Generated<bigint>;
  payment_id: string;
  at: Timestamp;
  by: string;
  from_status: string | null;
  to_status: string;
  reason: string | null;
  data: ColumnType<unknown, string | undefined, string>;
}

export interface PaymentBatchesTable {
  id: string;
  bank_account_id: string;
  /** YYYY-MM-DD. */
  value_date: string;
  method: string;
  pain001_version: string;
  message_id: string;
  payment_information_id: string;
  status: string;
  number_of_transactions: number;
  control_sum: ColumnType<bigint, Amount, Amount>;
  currency: string;
  file_name: string;
  file_sha256: string;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  release_started_by: string | null;
  release_started_at: Timestamp | null;
  released_by: string | null;
  released_at: Timestamp | null;
  delivery_location: string | null;
  cancelled_by: string | null;
  cancelled_at: Timestamp | null;
  cancel_reason: string | null;
}

/** Written once with its batch, never updated. */
export interface PaymentFilesTable {
  batch_id: string;
  content: ColumnType<Uint8Array, Uint8Array, never>;
  sha256: string;
  size: number;
  created_at: Timestamp;
}

export interface PaymentBatchItemsTable {
  batch_id: string;
  payment_id: string;
  position: number;
  end_to_end_id: string;
  amount: ColumnType<bigint, Amount, Amount>;
}

export type BankAccountRow = Selectable<BankAccountsTable>;
export type BeneficiaryRow = Selectable<BeneficiariesTable>;
export type BeneficiaryChangeRow = Selectable<BeneficiaryChangesTable>;
export type PaymentRow = Selectable<PaymentInstructionsTable>;
export type PaymentBatchRow = Selectable<PaymentBatchesTable>;
