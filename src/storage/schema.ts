import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

/**
 * The Kysely table map. Storage declares only its own tables; every other module adds its tables by
 * declaration merging next to the code that owns them:
 *
 *   declare module './schema.js' { interface Tables { api_keys: ApiKeysTable } }
 *
 * so storage never imports a domain, yet every query is typed. The SQL itself lives in the one
 * ordered migration folder (storage/migrations/).
 */
export interface Tables {
  schema_migrations: SchemaMigrationsTable;
  audit_log: AuditLogTable;
  audit_chain_head: AuditChainHeadTable;
}

export type Tx = Transaction<Tables>;
export type Queryable = Kysely<Tables>;

/** JSON columns: written as a JSON string or object, read back parsed. */
export type Json = ColumnType<unknown, string | null, string | null>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Generated<Timestamp>;
}

export interface AuditLogTable {
  /** Insertion order (a sequence: not gapless). */
  seq: Generated<bigint>;
  /** Position in the hash chain, gapless; null until the sealer links the row (audit-seal.ts). */
  chain_seq: bigint | null;
  id: string;
  occurred_at: Timestamp;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before: Json;
  after: Json;
  reason: string | null;
  request_id: string | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface AuditChainHeadTable {
  singleton: boolean;
  /** The last sealed chain position (audit_log.chain_seq). */
  seq: bigint;
  hash: string;
}
