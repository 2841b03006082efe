import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../../config/config.js';
import type { SecretStore } from '../../../config/secrets.js';
import { notFound } from '../../../core/errors.js';
import type { DomainContext } from '../../contract.js';
import { inDomainTransaction } from '../../unit-of-work.js';
import type { MessageChannel } from '../tables.js';
import type { SmsDeliveryStatus } from './sms-mapping.js';

/**
 * Delivery-status callbacks from the SMS provider. The provider cannot hold an API key, so each
 * callback URL carries its own proof: `sig` = HMAC-SHA256(secret, message id), which works for
 * every provider that calls back the URL it was given. Twilio additionally signs each request
 * (X-Twilio-Signature), which is checked when present. The secret is the provider token's secret
 * (`smsAuthSecret`): Twilio signs with the same token, and there is no second secret to manage.
 */

export const SMS_STATUS_PATH = '/api/v1/hooks/sms/status';
export const SMS_STATUS_ACTOR = 'sms:provider';
const SMS: MessageChannel = 'sms';

/** The secret callback URLs are signed with; undefined when SMS is not configured. */
export function smsCallbackSecret(config: Config | undefined, secrets: SecretStore | undefined): string | undefined {
  const value = secrets?.get(config?.smsAuthSecret ?? 'SMS_AUTH_TOKEN');
  return value === '' ? undefined : value;
}

/** The URL to give the provider as the status callback of one message. */
export function smsStatusCallbackUrl(publicUrl: string, messageId: string, secret: string): string {
  const query = new URLSearchParams({ m: messageId, sig: messageSignature(secret, messageId) });
  return `${publicUrl.replace(/\/+$/, '')}${SMS_STATUS_PATH}?${query.toString()}`;
}

export function messageSignature(secret: string, messageId: string): string {
  return createHmac('sha256', secret).update(messageId).digest('base64url');
}

export function verifyMessageSignature(secret: string, messageId: string, sig: string): boolean {
  return safeEqual(messageSignature(secret, messageId), sig);
}

/**
 * Twilio's request signature: HMAC-SHA1 with the auth token over the full URL it called, followed
 * by each POST parameter's name and value, sorted by name; base64.
 */
export function twilioSignature(token: string, url: string, params: URLSearchParams): string {
  const sorted = [...params].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const data = sorted.reduce((text, [name, value]) => text + name + value, url);
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

export function verifyTwilioSignature(token: string, url: string, params: URLSearchParams, header: string): boolean {
  return safeEqual(twilioSignature(token, url, params), header);
}

function safeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const TWILIO_STATUSES: Record<string, SmsDeliveryStatus> = {
  accepted: 'sent',
  scheduled: 'sent',
  queued: 'sent',
  sending: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered', // WhatsApp senders report reads after delivery
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/** Our status for a provider's word; undefined for one we do not know (ignored, answered 200). */
export function mapSmsStatus(
  providerStatus: string,
  statusMap?: Record<string, SmsDeliveryStatus>,
): SmsDeliveryStatus | undefined {
  return statusMap?.[providerStatus] ?? TWILIO_STATUSES[providerStatus.toLowerCase()];
}

/**
 * Statuses only move forward: sent → undelivered/failed → delivered. Carriers do report
 * "undelivered" and then "delivered" for the same message, while "delivered" is final; a late or
 * repeated callback changes nothing.
 */
const RANK: Record<string, number> = { sent: 0, undelivered: 1, failed: 1, delivered: 2 };

export interface DeliveryStatusUpdate {
  messageId: string;
  providerStatus: string;
  status: SmsDeliveryStatus | undefined;
  errorCode?: string | undefined;
  requestId?: string | null;
}

/**
 * Records a delivery status in one transaction: the message row, an audit row and the
 * `message.delivery_status` event (keyed by the message id, so a workflow can wait on it).
 * Throws 404 for an unknown message; returns whether anything changed.
 */
export async function applySmsDeliveryStatus(context: DomainContext, update: DeliveryStatusUpdate): Promise<boolean> {
  const who = { actor: SMS_STATUS_ACTOR, requestId: update.requestId ?? null };
  // The unit wakes the worker after commit: a workflow waiting on this message can run now rather
  // than at the worker's next poll.
  return inDomainTransaction(context, who, async (unit) => {
    const row = await unit.tx
      .selectFrom('channel_messages')
      .select(['status', 'customer_id', 'error'])
      .where('id', '=', update.messageId)
      .where('channel', '=', SMS)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound('SMS message', update.messageId);
    const next = update.status;
    if (next === undefined || RANK[next]! <= (RANK[row.status] ?? 0)) return false;

    const error =
      next === 'delivered'
        ? null
        : update.errorCode
          ? `${update.providerStatus} (error ${update.errorCode})`
          : update.providerStatus;
    await unit.tx
      .updateTable('channel_messages')
      .set({ status: next, error, updated_at: unit.clock.now() })
      .where('id', '=', update.messageId)
      .execute();
    unit.audit({
      action: 'channel_message.delivery_status',
      entityType: 'channel_message',
      entityId: update.messageId,
      before: { status: row.status, error: row.error },
      after: { status: next, error, providerStatus: update.providerStatus },
    });
    unit.publish('message.delivery_status', update.messageId, {
      messageId: update.messageId,
      channel: SMS,
      status: next,
      providerStatus: update.providerStatus,
      customerId: row.customer_id,
      errorCode: update.errorCode ?? null,
    });
    return true;
  });
}
