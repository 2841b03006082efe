import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signature is
 * base64(HMAC-SHA256(key, `${webhook-id}.${webhook-timestamp}.${body}`)) where the key is the
 * base64-decoded part of the `whsec_…` secret. We use the reference library so we sign exactly as
 * receivers' verifiers expect.
 */

export const SECRET_PREFIX = 'whsec_';
const SECRET_FORMAT = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** 32 random bytes: the same strength as the HMAC-SHA256 output. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** A caller-chosen secret must be `whsec_` + base64 of 24 to 64 bytes (Svix accepts 24–75). */
export function secretProblem(secret: string): string | undefined {
  if (!SECRET_FORMAT.test(secret)) return 'must be "whsec_" followed by base64';
  const bytes = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64').length;
  if (bytes < 24 || bytes > 64) return 'must encode 24 to 64 bytes';
  return undefined;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The three signature headers. With several secrets (the current one and, during a rotation, the
 * previous one) the signature header holds one `v1,…` per secret, space-separated, as the spec
 * allows, so receivers still holding the old secret keep verifying.
 */
export function signHeaders(msgId: string, at: Date, body: string, secrets: string[]): SignedHeaders {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(msgId, at, body)).join(' '),
  };
}
