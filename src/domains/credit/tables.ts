import type { ColumnType, Selectable } from 'kysely';
import type { Json, Timestamp } from '../../storage/schema.js';

/** Kysely types of the credit tables (SQL in storage/migrations/0009_credit.sql). */
declare module '../../storage/schema.js' {
  interface Tables {
    credit_applications: CreditApplicationsTable;
  }
}

type Amount = bigint | string | number;

export interface CreditApplicationsTable {
  id: string;
  customer_id: string;
  applicant: Json;
  national_id_hash: string | null;
  product: string;
  amount: ColumnType<bigint, Amount, Amount>;
  currency: string;
  term_months: number;
  purpose: string;
  monthly_income: ColumnType<bigint, Amount, Amount>;
  monthly_expenses: ColumnType<bigint, Amount, Amount>;
  employment: Json;
  consent: Json;
  status: string;
  outcome: string | null;
  submitted_by: string;
  instance_id: string | null;
  assessment: Json | null;
  decision: Json | null;
  approvals: ColumnType<unknown, string | undefined, string>;
  offer: Json | null;
  contract: Json | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  decided_at: Timestamp | null;
}

/** A credit application as read from its table. */
export type ApplicationRow = Selectable<CreditApplicationsTable>;
