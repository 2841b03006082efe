import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { SECRET_NAME, type SecretStore } from '../../config/secrets.js';
import { NonRetryableError } from '../../engine/index.js';

/**
 * How `http.request` authenticates. A definition names secrets (`BUREAU_TOKEN`), never holds their
 * values: they are resolved from the SecretStore at the moment of the call, so neither the
 * definition, the step input in the timeline, nor the audit log ever contains one.
 */

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
export const HeaderName = z.string().regex(HEADER_NAME, 'must be an HTTP header name');
const SecretName = z.string().regex(SECRET_NAME, 'must be a secret name: a letter, then letters, digits or _');

export const HttpAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bearer'), secret: SecretName }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1).max(200), passwordSecret: SecretName }).strict(),
  /** An API key in a header of its own (X-API-Key and the like). */
  z.object({ type: z.literal('header'), header: HeaderName, secret: SecretName }).strict(),
  /**
   * HMAC of `${timestamp}.${body}` (body: the exact JSON sent, '' without one), with the Unix time in
   * seconds in X-Timestamp — the receiver recomputes it and rejects stale timestamps (replays).
   */
  z
    .object({
      type: z.literal('hmac'),
      secret: SecretName,
      header: HeaderName.default('X-Signature'),
      algorithm: z.enum(['sha256', 'sha512']).default('sha256'),
      encoding: z.enum(['hex', 'base64']).default('hex'),
    })
    .strict(),
]);
export type HttpAuth = z.infer<typeof HttpAuthSchema>;

export const TIMESTAMP_HEADER = 'X-Timestamp';

export interface AuthHeaders {
  headers: Record<string, string>;
  /** Values derived from secrets that the far end could echo (basic credentials): redacted too. */
  derived: string[];
}

/** The headers `auth` adds to a request with this body, sent at `now`. */
export function authHeaders(auth: HttpAuth, secrets: SecretStore | undefined, body: string, now: Date): AuthHeaders {
  switch (auth.type) {
    case 'bearer':
      return { headers: { authorization: `Bearer ${secret(secrets, auth.secret, 'with.auth.secret')}` }, derived: [] };
    case 'header':
      return { headers: { [auth.header]: secret(secrets, auth.secret, 'with.auth.secret') }, derived: [] };
    case 'basic': {
      const password = secret(secrets, auth.passwordSecret, 'with.auth.passwordSecret');
      const credentials = Buffer.from(`${auth.username}:${password}`).toString('base64');
      return { headers: { authorization: `Basic ${credentials}` }, derived: [credentials] };
    }
    case 'hmac': {
      const key = secret(secrets, auth.secret, 'with.auth.secret');
      const timestamp = String(Math.floor(now.getTime() / 1000));
      const signature = createHmac(auth.algorithm, key).update(`${timestamp}.${body}`).digest(auth.encoding);
      return { headers: { [TIMESTAMP_HEADER]: timestamp, [auth.header]: signature }, derived: [] };
    }
  }
}

/** Header names `auth` sets: a definition may not set them in `headers` as well. */
export function authHeaderNames(auth: HttpAuth | undefined): string[] {
  if (!auth) return [];
  if (auth.type === 'header') return [auth.header.toLowerCase()];
  if (auth.type === 'hmac') return [auth.header.toLowerCase(), TIMESTAMP_HEADER.toLowerCase()];
  return ['authorization'];
}

/**
 * A missing secret is a configuration error: retrying in this process cannot fix it, so the step
 * fails at once and an operator retries it after setting FINFLOW_SECRET_<NAME>.
 */
function secret(secrets: SecretStore | undefined, name: string, field: string): string {
  if (!secrets) throw new NonRetryableError(`${field}: secret ${name} is not set (no secrets are configured)`);
  return secrets.require(name, field);
}
