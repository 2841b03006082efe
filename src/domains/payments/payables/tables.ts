import type { ColumnType, Selectable } from 'kysely';
import type { Json, Timestamp } from '../../../storage/schema.js';

/** Kysely types of the payables table (SQL in storage/migrations/0028_payables_payment_runs.sql). */
declare module '../../../storage/schema.js' {
  interface Tables {
    payables: PayablesTable;
  }
}

type Amount = bigint | string | number;

export interface PayablesTable {
  id: string;
  beneficiary_id: string;
  bank_account_id: string;
  invoice_number: string;
  amount: ColumnType<bigint, Amount, Amount>;
  currency: string;
  /** YYYY-MM-DD (dates are read as strings). */
  due_date: string;
  discount: Json;
  status: string;
  payment_id: string | null;
  paid_amount: ColumnType<bigint | null, Amount | null | undefined, Amount | null>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  decided_by: string | null;
  decided_at: Timestamp | null;
  reason: string | null;
}

export type PayableRow = Selectable<PayablesTable>;
