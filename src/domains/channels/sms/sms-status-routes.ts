import { parseGuardedJson } from '../../../core/json-guard.js';
import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { json, problem } from '../../../api/schemas.js';
import { unauthorized, validationError } from '../../../core/errors.js';
import type { DomainContext } from '../../contract.js';
import { DEFAULT_STATUS_FIELDS, getPath, parseSmsMapping, type SmsMapping } from './sms-mapping.js';
import {
  applySmsDeliveryStatus,
  mapSmsStatus,
  smsCallbackSecret,
  SMS_STATUS_PATH,
  verifyMessageSignature,
  verifyTwilioSignature,
} from './sms-status.js';

/**
 * POST /hooks/sms/status: the SMS provider reports delivery. Under /hooks, so no API key: the
 * per-message `sig` in the URL (and Twilio's X-Twilio-Signature when sent) authenticates it. The
 * signature is checked before the message is looked up, so an unsigned caller cannot probe ids.
 */

const statusDef = createRoute({
  method: 'post',
  path: '/hooks/sms/status',
  tags: ['channels'],
  summary: 'Delivery-status callback from the SMS provider (signed URL, no API key)',
  description:
    'Called by the SMS provider at the `StatusCallback` URL finflow gave it. Twilio profile: form fields ' +
    '`MessageSid`, `MessageStatus`, `ErrorCode`; generic profile: JSON or form with the fields named by ' +
    '`smsMapping.statusFields` (default `id`, `status`). A repeated or out-of-order callback is answered 200 ' +
    'and changes nothing.',
  security: [],
  request: {
    query: z.object({
      m: z.string().min(1).max(200).openapi({ description: 'The finflow message id' }),
      sig: z.string().max(200).optional().openapi({ description: 'base64url HMAC-SHA256 of the message id' }),
    }),
  },
  responses: {
    200: json(z.object({ ok: z.literal(true) }), 'Recorded (or nothing to change)'),
    400: problem('The body lacks the status field'),
    401: problem('Missing or wrong signature'),
    404: problem('No SMS message with this id'),
  },
});

export function smsStatusRoutes(context: DomainContext): RouteModule {
  let mapping: SmsMapping | undefined;
  const generic = () => (mapping ??= parseSmsMapping(context.config?.smsMapping));
  return {
    register(app: App) {
      app.openapi(statusDef, async (c) => {
        const { m, sig } = c.req.valid('query');
        const secret = smsCallbackSecret(context.config, context.secrets);
        if (!secret || !sig || !verifyMessageSignature(secret, m, sig)) {
          throw unauthorized('the callback URL signature is missing or wrong');
        }
        const contentType = c.req.header('content-type') ?? '';
        const raw = await c.req.text();
        const twilio = (context.config?.smsProfile ?? 'twilio') === 'twilio';

        const twilioHeader = c.req.header('x-twilio-signature');
        if (twilio && twilioHeader !== undefined) {
          // Twilio signs the URL it called: ours as the outside sees it, with the query as sent.
          const publicUrl = (context.publicUrl?.() ?? new URL(c.req.url).origin).replace(/\/+$/, '');
          const url = `${publicUrl}${SMS_STATUS_PATH}${new URL(c.req.url).search}`;
          const params = contentType.includes('json') ? new URLSearchParams() : new URLSearchParams(raw);
          if (!verifyTwilioSignature(secret, url, params, twilioHeader)) {
            throw unauthorized('X-Twilio-Signature does not match');
          }
        }

        const body = parseBody(contentType, raw);
        const fields = twilio
          ? { id: 'MessageSid', status: 'MessageStatus', errorCode: 'ErrorCode' }
          : context.config?.smsMapping === undefined
            ? DEFAULT_STATUS_FIELDS
            : generic().statusFields;
        const providerStatus = text(getPath(body, fields.status));
        if (!providerStatus) {
          throw validationError([{ field: `body.${fields.status}`, message: 'the delivery status is required' }]);
        }
        const statusMap = twilio || context.config?.smsMapping === undefined ? undefined : generic().statusMap;
        await applySmsDeliveryStatus(context, {
          messageId: m,
          providerStatus,
          status: mapSmsStatus(providerStatus, statusMap),
          errorCode: fields.errorCode ? text(getPath(body, fields.errorCode)) : undefined,
          requestId: c.var.requestId,
        });
        return c.json({ ok: true as const }, 200);
      });
    },
  };
}

function parseBody(contentType: string, raw: string): unknown {
  // Under the same limits as any JSON body, also when it is sent as e.g. text/json.
  if (contentType.includes('json')) return parseGuardedJson(raw, 'body');
  return Object.fromEntries(new URLSearchParams(raw));
}

/** A field as text: providers send codes as numbers or strings; empty means absent. */
function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
