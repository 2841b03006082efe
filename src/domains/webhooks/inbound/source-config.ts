import { z } from '@hono/zod-openapi';
import { EVENT_TYPE } from '../../../api/routes/events.js';
import { SECRET_NAME } from '../../../config/secrets.js';

/**
 * An inbound source's configuration: how to verify a provider's signature, where its message id and
 * type are, and which engine event it becomes. The route validates with this schema, so a bad field
 * is a 400 naming `body.<field>`.
 */

export const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
/** A dotted path into the JSON body: `id`, `data.id`, `items.0.id`. */
const JSON_PATH = /^[A-Za-z0-9_$-]{1,100}(\.[A-Za-z0-9_$-]{1,100}){0,9}$/;

const HeaderName = z.string().regex(HEADER_NAME, 'must be an HTTP header name');
const JsonPath = z.string().regex(JSON_PATH, 'must be a dotted path into the body, such as data.id');
const EventTypePart = z
  .string()
  .max(150)
  .regex(EVENT_TYPE, 'must start with a letter or digit and hold only letters, digits, ".", "_" and "-"');

export const SourceConfigInput = z
  .object({
    scheme: z.enum(['standard-webhooks', 'hmac-sha256']).openapi({
      description:
        '`standard-webhooks`: webhook-id/-timestamp/-signature headers (Svix and others). `hmac-sha256`: an HMAC-SHA256 of the raw body (hex or base64, optional `sha256=` prefix) in `signatureHeader`',
    }),
    secret: z.string().regex(SECRET_NAME, 'must be a secret name: a letter, then letters, digits or _').openapi({
      description: 'The NAME of the secret (FINFLOW_SECRET_<NAME>), never its value',
      example: 'PSP_WEBHOOK_SECRET',
    }),
    signatureHeader: HeaderName.optional().openapi({ description: 'hmac-sha256 only; default X-Signature' }),
    timestampHeader: HeaderName.optional().openapi({
      description:
        'hmac-sha256 only: the HMAC is then over `${timestamp}.${body}` and the timestamp must be within toleranceSeconds',
    }),
    idHeader: HeaderName.optional().openapi({
      description: 'The header holding the message id (standard-webhooks default: webhook-id)',
    }),
    idField: JsonPath.optional().openapi({ description: 'Or: the body field holding the message id', example: 'id' }),
    typeField: JsonPath.optional().openapi({ description: 'The body field holding the event type', example: 'type' }),
    eventType: EventTypePart.optional().openapi({ description: 'Or: a fixed event type for every message' }),
    eventPrefix: EventTypePart.optional().openapi({
      description: 'Default `inbound.<name>.`',
      example: 'inbound.psp.',
    }),
    keyField: JsonPath.optional().openapi({
      description: 'The body field that becomes the event key (what waits correlate on)',
      example: 'data.reference',
    }),
    toleranceSeconds: z.number().int().min(1).max(86_400).optional().openapi({ description: 'Default 300' }),
    description: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    if (config.scheme === 'standard-webhooks') {
      // The spec fixes the signature and timestamp headers.
      if (config.signatureHeader) issue('signatureHeader', 'is fixed by standard-webhooks (webhook-signature)');
      if (config.timestampHeader) issue('timestampHeader', 'is fixed by standard-webhooks (webhook-timestamp)');
    } else if (!config.idHeader && !config.idField) {
      issue('idField', 'idHeader or idField is required: the message id de-duplicates redeliveries');
    }
    if (config.idHeader && config.idField) issue('idField', 'give idHeader or idField, not both');
    if (!config.typeField && !config.eventType) issue('typeField', 'typeField or eventType is required');
    if (config.typeField && config.eventType) issue('eventType', 'give typeField or eventType, not both');
  });
export type SourceConfigInput = z.infer<typeof SourceConfigInput>;

/** The stored form: every default filled in, so what GET shows is what a request is checked against. */
export interface SourceConfig {
  scheme: 'standard-webhooks' | 'hmac-sha256';
  secret: string;
  signatureHeader: string;
  timestampHeader: string | null;
  idHeader: string | null;
  idField: string | null;
  typeField: string | null;
  eventType: string | null;
  eventPrefix: string;
  keyField: string | null;
  toleranceSeconds: number;
  description: string | null;
}

export function resolveConfig(name: string, input: SourceConfigInput): SourceConfig {
  const standard = input.scheme === 'standard-webhooks';
  return {
    scheme: input.scheme,
    secret: input.secret,
    signatureHeader: standard ? 'webhook-signature' : (input.signatureHeader ?? 'X-Signature'),
    timestampHeader: standard ? 'webhook-timestamp' : (input.timestampHeader ?? null),
    idHeader: input.idHeader ?? (standard && !input.idField ? 'webhook-id' : null),
    idField: input.idField ?? null,
    typeField: input.typeField ?? null,
    eventType: input.eventType ?? null,
    eventPrefix: input.eventPrefix ?? `inbound.${name}.`,
    keyField: input.keyField ?? null,
    toleranceSeconds: input.toleranceSeconds ?? 300,
    description: input.description ?? null,
  };
}
