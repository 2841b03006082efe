import type { ColumnType, Selectable } from 'kysely';
import type { Json, Timestamp } from '../../../storage/schema.js';

/** Kysely types of the recurring_payments table (SQL in storage/migrations/0029_recurring_payments.sql). */
declare module '../../../storage/schema.js' {
  interface Tables {
    recurring_payments: RecurringPaymentsTable;
  }
}

type Amount = bigint | string | number;

export interface RecurringPaymentsTable {
  id: string;
  beneficiary_id: string;
  bank_account_id: string;
  amount: ColumnType<bigint, Amount, Amount>;
  currency: string;
  remittance: Json;
  purpose: string | null;
  frequency: string;
  day: string;
  /** YYYY-MM-DD (dates are read as strings). */
  start_date: string;
  end_date: string | null;
  calendar: string | null;
  status: string;
  last_occurrence: string | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  cancelled_by: string | null;
  cancelled_at: Timestamp | null;
  reason: string | null;
}

export type RecurringPaymentRow = Selectable<RecurringPaymentsTable>;
