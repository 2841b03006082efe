import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../storage/schema.js';

/** Kysely types of the collections tables (SQL in storage/migrations/0010_collections.sql). */
declare module '../storage/schema.js' {
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
