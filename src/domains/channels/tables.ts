import type { Json, Timestamp } from '../../storage/schema.js';

/** Kysely types of the channel tables (SQL in storage/migrations/0005_channels.sql). */
declare module '../../storage/schema.js' {
  interface Tables {
    message_templates: MessageTemplatesTable;
    channel_messages: ChannelMessagesTable;
    contact_consents: ContactConsentsTable;
    contact_restrictions: ContactRestrictionsTable;
    contact_attempts: ContactAttemptsTable;
  }
}

export type MessageChannel = 'email' | 'sms' | 'letter';

export interface MessageTemplatesTable {
  channel: MessageChannel;
  name: string;
  locale: string;
  subject: string | null;
  body: string;
  text_body: string | null;
  version: number;
  updated_at: Timestamp;
  updated_by: string;
}

export interface ChannelMessagesTable {
  id: string;
  channel: MessageChannel;
  customer_id: string | null;
  recipient: string;
  template: string | null;
  locale: string | null;
  subject: string | null;
  body_text: string;
  status: string;
  provider_id: string | null;
  segments: number | null;
  encoding: string | null;
  attachments: Json;
  idempotency_key: string | null;
  instance_id: string | null;
  step_id: string | null;
  error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ContactConsentsTable {
  customer_id: string;
  channel: string;
  status: 'granted' | 'opted_out';
  source: string | null;
  updated_at: Timestamp;
  updated_by: string;
}

export interface ContactRestrictionsTable {
  customer_id: string;
  do_not_contact: boolean;
  reason: string | null;
  quiet_hours: Json;
  updated_at: Timestamp;
  updated_by: string;
}

export interface ContactAttemptsTable {
  id: string;
  customer_id: string;
  channel: string;
  attempted_at: Timestamp;
  message_id: string | null;
  instance_id: string | null;
  outcome: string | null;
}
