import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../../storage/schema.js';

/** Kysely type of `bank_account_alerts` (SQL in storage/migrations/0027_treasury_alerts.sql). */
declare module '../../../storage/schema.js' {
  interface Tables {
    bank_account_alerts: BankAccountAlertsTable;
  }
}

export interface BankAccountAlertsTable {
  bank_account_id: string;
  min_balance: ColumnType<bigint | null, bigint | string | null, bigint | string | null>;
  below_threshold: ColumnType<boolean, boolean | undefined, boolean>;
  statement_expected_by: string | null;
  time_zone: string | null;
  calendar: string | null;
  missing_alerted_on: ColumnType<string | null, string | null | undefined, string | null>;
  updated_by: string;
  updated_at: Timestamp;
}
