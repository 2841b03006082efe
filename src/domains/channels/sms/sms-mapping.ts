import { z } from 'zod';
import { AppError } from '../../../core/errors.js';

/**
 * The `generic` SMS profile: how to call an HTTP SMS provider that is not Twilio-shaped, and how to
 * read its delivery-status callbacks. Given as `smsMapping` (config file, or JSON in
 * FINFLOW_SMS_MAPPING), e.g.
 *
 *   { "path": "/v1/messages", "format": "json",
 *     "fields": { "to": "recipient", "from": "sender", "body": "text", "statusCallback": "callback_url" },
 *     "auth": { "type": "bearer" }, "idPath": "id", "statusPath": "status" }
 *
 * Field names and `idPath` / `statusPath` are dotted paths (`message.to`, `messages.0.id`), so
 * nested JSON request and response bodies work too; in `form` format field names are used as is.
 */

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const Name = z
  .string()
  .min(1)
  .max(200)
  .refine(
    (path) => path.split('.').every((key) => key !== '' && !UNSAFE_KEYS.has(key)),
    'must be a dotted path of names',
  );
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
export const OUR_STATUSES = ['sent', 'delivered', 'undelivered', 'failed'] as const;
export type SmsDeliveryStatus = (typeof OUR_STATUSES)[number];

const SmsMappingSchema = z
  .object({
    path: z.string().startsWith('/', 'must start with /').default('/'),
    method: z.enum(['POST', 'PUT']).default('POST'),
    format: z.enum(['json', 'form']).default('json'),
    fields: z.object({ to: Name, body: Name, from: Name.optional(), statusCallback: Name.optional() }).strict(),
    auth: z.discriminatedUnion('type', [
      z.object({ type: z.literal('bearer') }).strict(),
      // The token is the password; the user is `username`, else smsAccount.
      z.object({ type: z.literal('basic'), username: Name.optional() }).strict(),
      z
        .object({ type: z.literal('header'), name: z.string().regex(HEADER_NAME, 'must be an HTTP header name') })
        .strict(),
    ]),
    /** Where the provider's message id is in its JSON answer. */
    idPath: Name,
    /** Where its initial status is; absent means `accepted`. */
    statusPath: Name.optional(),
    /** Constant fields sent with every message (`{ "channel": "sms" }`); mapped fields win. */
    extra: z.record(z.string(), z.unknown()).optional(),
    /** Field names in delivery-status callbacks (JSON or form). */
    statusFields: z
      .object({ id: Name.default('id'), status: Name.default('status'), errorCode: Name.optional() })
      .strict()
      .default({ id: 'id', status: 'status' }),
    /** Provider status → ours, for providers whose words differ (`{ "DELIVRD": "delivered" }`). */
    statusMap: z.record(z.string(), z.enum(OUR_STATUSES)).optional(),
  })
  .strict();

export type SmsMapping = z.output<typeof SmsMappingSchema>;
export type SmsStatusFields = SmsMapping['statusFields'];

export const DEFAULT_STATUS_FIELDS: SmsStatusFields = { id: 'id', status: 'status' };

/** Validates `smsMapping`; a bad field is named `smsMapping.<path>` (400 invalid_config). */
export function parseSmsMapping(value: unknown): SmsMapping {
  const result = SmsMappingSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field: ['smsMapping', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = issues[0]!;
  throw new AppError('invalid_config', 400, `invalid setting ${first.field}: ${first.message}`, { issues });
}

/** Reads a dotted path (`data.0.id`) out of parsed JSON. */
export function getPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Sets a dotted path in a JSON object, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let current = target;
  for (const key of keys.slice(0, -1)) {
    const next = current[key];
    current = (next !== null && typeof next === 'object' ? next : (current[key] = {})) as Record<string, unknown>;
  }
  current[keys.at(-1)!] = value;
}
