import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { SourceConfig } from './source-config.js';

/**
 * Signature checks for inbound messages, over the raw body bytes as received (re-serialised JSON
 * would not match). A failure carries a reason for our log only: the caller learns nothing but 401.
 */

export type Verification = { ok: true } | { ok: false; reason: string };

/** The source's secret cannot be used as configured (a standard-webhooks key that is not base64). */
export class SecretUnusable extends Error {}

export type HeaderLookup = (name: string) => string | undefined;

export function verifySignature(
  config: SourceConfig,
  secret: string,
  raw: Buffer,
  header: HeaderLookup,
  now: Date,
): Verification {
  return config.scheme === 'standard-webhooks'
    ? verifyStandard(config, secret, raw, header, now)
    : verifyHmac(config, secret, raw, header, now);
}

/**
 * Standard Webhooks: base64 HMAC-SHA256 of `${webhook-id}.${webhook-timestamp}.${body}`, one or more
 * space-separated `v1,<sig>` in webhook-signature (several during a key rotation). The library's
 * `sign` computes the expected value; the timestamp check is ours because `verify` fixes the
 * tolerance at 5 minutes and reads the machine clock instead of finflow's.
 */
function verifyStandard(
  config: SourceConfig,
  secret: string,
  raw: Buffer,
  header: HeaderLookup,
  now: Date,
): Verification {
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'missing webhook-id/-timestamp/-signature' };
  const stale = checkTimestamp(timestamp, config.toleranceSeconds, now);
  if (stale) return stale;
  let webhook: Webhook;
  try {
    webhook = new Webhook(secret);
  } catch (error) {
    throw new SecretUnusable(`not a standard-webhooks key: ${(error as Error).message}`);
  }
  const expected = Buffer.from(webhook.sign(id, new Date(Number(timestamp) * 1000), raw.toString('utf8')).slice(3));
  for (const candidate of signatures.split(' ')) {
    const [version, signature] = candidate.split(',');
    if (version === 'v1' && signature && safeEqual(Buffer.from(signature), expected)) return { ok: true };
  }
  return { ok: false, reason: 'no matching v1 signature' };
}

/**
 * HMAC-SHA256 of the raw body (or of `${timestamp}.${body}` with a timestamp header), hex or base64,
 * optionally prefixed `sha256=` as GitHub and others send it.
 */
function verifyHmac(config: SourceConfig, secret: string, raw: Buffer, header: HeaderLookup, now: Date): Verification {
  const sent = header(config.signatureHeader)
    ?.trim()
    .replace(/^sha256=/i, '');
  if (!sent) return { ok: false, reason: `missing ${config.signatureHeader}` };
  const hmac = createHmac('sha256', secret);
  if (config.timestampHeader) {
    const timestamp = header(config.timestampHeader);
    if (!timestamp) return { ok: false, reason: `missing ${config.timestampHeader}` };
    const stale = checkTimestamp(timestamp, config.toleranceSeconds, now);
    if (stale) return stale;
    hmac.update(`${timestamp}.`);
  }
  const expected = hmac.update(raw).digest();
  const provided = /^[0-9a-f]{64}$/i.test(sent) ? Buffer.from(sent, 'hex') : Buffer.from(sent, 'base64');
  return safeEqual(provided, expected) ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/** Unix seconds within the tolerance either side of now: an old message replayed is refused. */
function checkTimestamp(value: string, toleranceSeconds: number, now: Date): Verification | undefined {
  if (!/^\d{1,12}$/.test(value)) return { ok: false, reason: 'timestamp is not Unix seconds' };
  const skew = Math.abs(now.getTime() / 1000 - Number(value));
  return skew > toleranceSeconds ? { ok: false, reason: `timestamp ${Math.round(skew)} s away from now` } : undefined;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
