import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../../storage/schema.js';

/** Kysely types of the outbound webhook tables (SQL in storage/migrations/0006_webhooks.sql). */
declare module '../../../storage/schema.js' {
  interface Tables {
    webhook_subscriptions: WebhookSubscriptionsTable;
    webhook_deliveries: WebhookDeliveriesTable;
    webhook_attempts: WebhookAttemptsTable;
  }
}

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface WebhookSubscriptionsTable {
  id: string;
  url: string;
  /** string[] of patterns */
  event_types: Json;
  secret: string;
  previous_secret: ColumnType<string | null, string | null | undefined, string | null>;
  previous_secret_expires_at: NullableTimestamp;
  description: string | null;
  active: boolean;
  created_at: Timestamp;
  created_by: string;
  updated_at: Timestamp;
  updated_by: string;
  deleted_at: NullableTimestamp;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';
export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;

export interface WebhookDeliveriesTable {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  payload: Json;
  status: DeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: NullableTimestamp;
  first_attempt_at: NullableTimestamp;
  last_attempt_at: NullableTimestamp;
  last_status_code: ColumnType<number | null, number | null | undefined, number | null>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  delivered_at: NullableTimestamp;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  attempted_at: Timestamp;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  response_body: string | null;
}
