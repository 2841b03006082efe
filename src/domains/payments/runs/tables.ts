import type { ColumnType, Selectable } from 'kysely';
import type { Timestamp } from '../../../storage/schema.js';

/** Kysely types of the payment-run tables (SQL in storage/migrations/0028_payables_payment_runs.sql). */
declare module '../../../storage/schema.js' {
  interface Tables {
    payment_runs: PaymentRunsTable;
    payment_run_items: PaymentRunItemsTable;
  }
}

export interface PaymentRunsTable {
  id: string;
  file_sha256: string;
  payment_count: number;
  /** Minor units as text per currency. */
  totals: ColumnType<Record<string, string>, string, never>;
  created_by: string;
  created_at: Timestamp;
}

export interface PaymentRunItemsTable {
  run_id: string;
  line: number;
  payment_id: string;
}

export type PaymentRunRow = Selectable<PaymentRunsTable>;
