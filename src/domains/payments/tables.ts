import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Json, Timestamp } from '../../storage/schema.js';

/** Kysely types of the payments tables (SQL in storage/migrations/0017_payments.sql). */
declare module '../../storage/schema.js' {
  interface Tables {
    bank_accounts: BankAccountsTable;
    beneficiaries: BeneficiariesTable;
    beneficiary_changes: BeneficiaryChangesTable;
    payment_instructions: PaymentInstructionsTable;
    payment_history: PaymentHistoryTable;
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

export type BankAccountRow = Selectable<BankAccountsTable>;
export type BeneficiaryRow = Selectable<BeneficiariesTable>;
export type BeneficiaryChangeRow = Selectable<BeneficiaryChangesTable>;
export type PaymentRow = Selectable<PaymentInstructionsTable>;
