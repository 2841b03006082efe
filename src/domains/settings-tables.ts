import type { Json, Timestamp } from '../storage/schema.js';

/**
 * Kysely type of `domain_settings`, the table every domain's tunable settings share, one JSON
 * document per key (SQL in storage/migrations/0004_receivables.sql). Written only through
 * settings-store.ts; read by each owner of a key.
 */
declare module '../storage/schema.js' {
  interface Tables {
    domain_settings: DomainSettingsTable;
  }
}

export interface DomainSettingsTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
  updated_by: string;
}
