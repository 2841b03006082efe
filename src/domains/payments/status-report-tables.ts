import type { ColumnType, Selectable } from 'kysely';
import type { Timestamp } from '../../storage/schema.js';

/** Kysely types of the status reports table (SQL in storage/migrations/0022_payment_status_reports.sql). */
declare module '../../storage/schema.js' {
  interface Tables {
    payment_status_reports: PaymentStatusReportsTable;
  }
}

/** jsonb that is always present: written as JSON text, read as the value. */
type JsonColumn = ColumnType<unknown, string, string>;

export interface PaymentStatusReportsTable {
  id: string;
  batch_id: string;
  message_id: string;
  original_message_id: string;
  version: string | null;
  report_created_at: string | null;
  group_status: string | null;
  file_sha256: string;
  received_by: string;
  received_at: Timestamp;
  accepted_count: number;
  rejected_count: number;
  unchanged_count: number;
  unmatched_count: number;
  batch_status_before: string;
  batch_status_after: string;
  statuses: JsonColumn;
  changes: JsonColumn;
  unmatched: JsonColumn;
  warnings: JsonColumn;
}

export type PaymentStatusReportRow = Selectable<PaymentStatusReportsTable>;
