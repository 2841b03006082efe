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
  seq: bigint;
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
  prev_hash: string;
  hash: string;
}

export interface AuditChainHeadTable {
  singleton: boolean;
  seq: bigint;
  hash: string;
}
