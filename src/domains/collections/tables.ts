import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../storage/schema.js';

/** Kysely types of the collections tables (SQL in storage/migrations/0010_collections.sql). */
declare module '../../storage/schema.js' {
  interface Tables {
    collection_cases: CollectionCasesTable;
    collection_stage_runs: CollectionStageRunsTable;
    collection_contacts: CollectionContactsTable;
    collection_promises: CollectionPromisesTable;
  }
}

type Amount = bigint | string | number;
type Money = ColumnType<bigint, Amount, Amount>;

export interface CollectionCasesTable {
  id: string;
  receivable_id: string;
  customer_id: string;
  currency: string;
  status: 'open' | 'closed';
  state: string;
  segment: string;
  variant: string;
  queue: string;
  segment_version: number;
  strategy_version: number;
  collector: string | null;
  collector_since: Timestamp | null;
  instance_id: string | null;
  opened_at: Timestamp;
  opened_dpd: number;
  opened_overdue: Money;
  opened_outstanding: Money;
  opened_paid: Money;
  last_stage_at: Timestamp | null;
  closed_at: Timestamp | null;
  outcome: string | null;
  recovered: ColumnType<bigint, Amount | undefined, Amount>;
  updated_at: Timestamp;
}

export interface CollectionStageRunsTable {
  case_id: string;
  stage: string;
  kind: string;
  seq: number;
  dpd: number;
  ran_at: Timestamp;
  result: Json;
}

export interface CollectionContactsTable {
  id: string;
  case_id: string;
  customer_id: string;
  channel: string;
  direction: 'outbound' | 'inbound';
  contacted_at: Timestamp;
  reached: boolean;
  right_party: boolean;
  willingness: string | null;
  delay_reason: string | null;
  notes: string | null;
  segment: string;
  recorded_by: string;
  created_at: Timestamp;
}

export interface CollectionPromisesTable {
  id: string;
  case_id: string;
  customer_id: string;
  amount: Money;
  currency: string;
  promised_date: ColumnType<string, string, string>;
  status: 'open' | 'kept' | 'broken' | 'cancelled';
  baseline_paid: Money;
  paid_amount: ColumnType<bigint, Amount | undefined, Amount>;
  collector: string | null;
  segment: string;
  created_by: string;
  created_at: Timestamp;
  resolved_at: Timestamp | null;
}

declare module '../../storage/schema.js' {
  interface Tables {
    collection_disputes: CollectionDisputesTable;
    collection_plans: CollectionPlansTable;
    collection_hardships: CollectionHardshipsTable;
    collection_placements: CollectionPlacementsTable;
    collection_write_offs: CollectionWriteOffsTable;
  }
}

export interface CollectionDisputesTable {
  id: string;
  case_id: string;
  amount: Money;
  reason: string;
  status: 'open' | 'valid' | 'invalid';
  resolution: Json | null;
  opened_by: string;
  opened_at: Timestamp;
  resolved_by: string | null;
  resolved_at: Timestamp | null;
}

export interface CollectionPlansTable {
  id: string;
  case_id: string;
  schedule: Json;
  total: Money;
  status: 'pending_approval' | 'active' | 'rejected' | 'kept' | 'broken' | 'cancelled';
  approval_queue: string | null;
  baseline_paid: Money;
  proposed_by: string;
  proposed_at: Timestamp;
  decided_by: string | null;
  decided_at: Timestamp | null;
  resolved_at: Timestamp | null;
}

export interface CollectionHardshipsTable {
  id: string;
  case_id: string;
  circumstance: string;
  notes: string;
  status: 'open' | 'resumed' | 'forborne';
  forbear_until: Timestamp | null;
  raised_by: string;
  raised_at: Timestamp;
  resolved_by: string | null;
  resolved_at: Timestamp | null;
}

export interface CollectionPlacementsTable {
  id: string;
  case_id: string;
  agency: string;
  commission_rate: ColumnType<string, string, string>;
  placed_amount: Money;
  paid_at_placement: Money;
  status: 'placed' | 'recalled' | 'closed';
  recovered: ColumnType<bigint, Amount | undefined, Amount>;
  commission: ColumnType<bigint, Amount | undefined, Amount>;
  delivery: Json | null;
  placed_at: Timestamp;
  ended_at: Timestamp | null;
  ended_by: string | null;
  end_reason: string | null;
}

export interface CollectionWriteOffsTable {
  id: string;
  case_id: string;
  amount: Money;
  reason: string;
  status: 'pending_approval' | 'approved' | 'rejected';
  approval_queue: string;
  proposed_by: string;
  proposed_at: Timestamp;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_note: string | null;
}
