import type { ColumnType, Generated } from 'kysely';

/** The ledger's tables (SQL in storage/migrations/0003_ledger.sql), merged into the Kysely table map. */
declare module '../../storage/schema.js' {
  interface Tables {
    ledger_accounts: LedgerAccountsTable;
    ledger_transfers: LedgerTransfersTable;
  }
}

export type NormalSide = 'debit' | 'credit';

export const TRANSFER_KINDS = [
  'posted',
  'pending',
  'post_pending',
  'void_pending',
  'expire_pending',
  'reversal',
] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

/** int8 money columns: read as BigInt; the balance counters are only ever changed by SQL arithmetic. */
type Counter = ColumnType<bigint, bigint | undefined, bigint>;
/** jsonb NOT NULL DEFAULT '{}': written as a JSON string, read back parsed. */
type JsonObject = ColumnType<unknown, string | undefined, never>;

export interface LedgerAccountsTable {
  id: string;
  code: string;
  currency: string;
  normal_side: NormalSide;
  debits_must_not_exceed_credits: ColumnType<boolean, boolean | undefined, never>;
  credits_must_not_exceed_debits: ColumnType<boolean, boolean | undefined, never>;
  debits_pending: Counter;
  debits_posted: Counter;
  credits_pending: Counter;
  credits_posted: Counter;
  metadata: JsonObject;
  created_at: ColumnType<Date, Date, never>;
  created_by: ColumnType<string, string, never>;
}

/** Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE): no column has an update type. */
export interface LedgerTransfersTable {
  id: ColumnType<string, string, never>;
  journal_id: ColumnType<string, string, never>;
  seq: Generated<bigint>;
  debit_account_id: ColumnType<string, string, never>;
  credit_account_id: ColumnType<string, string, never>;
  amount: ColumnType<bigint, bigint, never>;
  currency: ColumnType<string, string, never>;
  kind: ColumnType<TransferKind, TransferKind, never>;
  pending_id: ColumnType<string | null, string | null | undefined, never>;
  reverses_id: ColumnType<string | null, string | null | undefined, never>;
  expires_at: ColumnType<Date | null, Date | null | undefined, never>;
  code: ColumnType<string | null, string | null | undefined, never>;
  reference: ColumnType<string | null, string | null | undefined, never>;
  metadata: JsonObject;
  request_hash: ColumnType<string, string, never>;
  posted_at: ColumnType<Date, Date, never>;
  posted_by: ColumnType<string, string, never>;
}
