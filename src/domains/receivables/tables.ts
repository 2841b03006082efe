import type { ColumnType, Selectable } from 'kysely';
import type { Json, Timestamp } from '../../storage/schema.js';

/**
 * Kysely types of the receivables tables (SQL in storage/migrations/0004_receivables.sql; the customers
 * tables it also creates are declared in customers/tables.ts, domain_settings in settings-store.ts).
 * `date` columns read back as 'YYYY-MM-DD' strings, bigint columns as BigInt.
 */
declare module '../../storage/schema.js' {
  interface Tables {
    receivables: ReceivablesTable;
    receivable_lines: ReceivableLinesTable;
    installments: InstallmentsTable;
    receivable_fees: ReceivableFeesTable;
    receivable_adjustments: ReceivableAdjustmentsTable;
    receivable_payments: ReceivablePaymentsTable;
    payment_allocations: PaymentAllocationsTable;
    close_of_business_runs: CloseOfBusinessRunsTable;
    billing_plans: BillingPlansTable;
  }
}

type DateColumn = string;
type Amount = bigint | string | number;

export type ReceivableKind = 'invoice' | 'loan';
export type ReceivableStatus = 'open' | 'paid' | 'cancelled' | 'written_off';

export interface ReceivablesTable {
  id: string;
  external_id: string;
  customer_id: string;
  kind: ReceivableKind;
  currency: string;
  status: ReceivableStatus;
  issue_date: DateColumn;
  payment_terms: string | null;
  principal: ColumnType<bigint, Amount, Amount>;
  annual_rate: string | null;
  term_months: number | null;
  schedule_method: 'single' | 'annuity' | 'equal_principal' | null;
  first_due_date: DateColumn;
  maturity_date: DateColumn;
  waterfall: Json;
  total_due: ColumnType<bigint, Amount | undefined, Amount>;
  total_paid: ColumnType<bigint, Amount | undefined, Amount>;
  outstanding: ColumnType<bigint, Amount | undefined, Amount>;
  oldest_unpaid_due_date: DateColumn | null;
  dpd: ColumnType<number, number | undefined, number>;
  bucket: ColumnType<string, string | undefined, string>;
  overdue_since: DateColumn | null;
  delinquency_as_of: DateColumn | null;
  metadata: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
  request_hash: string;
}

/** A receivable as read back: shared by the service and the delinquency code, which both change it. */
export type ReceivableRow = Selectable<ReceivablesTable>;

export interface ReceivableLinesTable {
  receivable_id: string;
  line_no: number;
  description: string;
  quantity: string;
  unit_price: ColumnType<bigint, Amount, Amount>;
  tax_rate: ColumnType<string, string | undefined, string>;
  amount: ColumnType<bigint, Amount, Amount>;
}

export interface InstallmentsTable {
  receivable_id: string;
  seq: number;
  due_date: DateColumn;
  principal_due: ColumnType<bigint, Amount, Amount>;
  interest_due: ColumnType<bigint, Amount, Amount>;
  fee_due: ColumnType<bigint, Amount | undefined, Amount>;
  principal_paid: ColumnType<bigint, Amount | undefined, Amount>;
  interest_paid: ColumnType<bigint, Amount | undefined, Amount>;
  fee_paid: ColumnType<bigint, Amount | undefined, Amount>;
}

export interface ReceivableFeesTable {
  id: string;
  receivable_id: string;
  installment_seq: number;
  kind: string;
  amount: ColumnType<bigint, Amount, Amount>;
  journal_id: string;
  charged_at: Timestamp;
  charged_by: string;
  request_hash: string;
}

export interface ReceivableAdjustmentsTable {
  id: string;
  receivable_id: string;
  kind: 'credit_note' | 'write_off';
  amount: ColumnType<bigint, Amount, Amount>;
  components: Json;
  reason: string;
  journal_id: string;
  created_by: string;
  created_at: Timestamp;
}

export interface ReceivablePaymentsTable {
  id: string;
  external_id: string;
  receivable_id: string;
  customer_id: string;
  amount: ColumnType<bigint, Amount, Amount>;
  currency: string;
  received_on: DateColumn;
  status: 'posted' | 'reversed';
  unallocated: ColumnType<bigint, Amount | undefined, Amount>;
  journal_id: string;
  reversal_journal_id: string | null;
  reversed_at: Timestamp | null;
  reversed_by: string | null;
  reversal_reason: string | null;
  created_at: Timestamp;
  created_by: string;
  request_hash: string;
}

export interface PaymentAllocationsTable {
  payment_id: string;
  position: number;
  receivable_id: string;
  installment_seq: number;
  component: 'fee' | 'interest' | 'principal';
  amount: ColumnType<bigint, Amount, Amount>;
}

export interface CloseOfBusinessRunsTable {
  as_of: DateColumn;
  ran_at: Timestamp;
  ran_by: string;
  counts: Json;
}

export interface BillingPlansTable {
  id: string;
  external_id: string;
  customer_id: string;
  currency: string;
  lines: Json;
  interval_months: number;
  payment_terms_days: number;
  start_date: DateColumn;
  next_issue_date: DateColumn;
  end_date: DateColumn | null;
  status: 'active' | 'paused' | 'ended';
  issued_count: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
