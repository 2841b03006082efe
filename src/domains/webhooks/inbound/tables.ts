import type { Json, Timestamp } from '../../../storage/schema.js';

/** Kysely types of the inbound webhook tables (SQL in storage/migrations/0007_inbound.sql). */
declare module '../../../storage/schema.js' {
  interface Tables {
    inbound_sources: InboundSourcesTable;
    inbound_messages: InboundMessagesTable;
  }
}

export interface InboundSourcesTable {
  name: string;
  /** InboundSourceConfig, defaults filled in; names the secret, never holds its value. */
  config: Json;
  created_at: Timestamp;
  created_by: string;
  updated_at: Timestamp;
  updated_by: string;
}

export interface InboundMessagesTable {
  source: string;
  external_id: string;
  event_id: string;
  event_type: string;
  received_at: Timestamp;
}
