import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * SSH host key fingerprints as `ssh-keygen -lf` prints them: `SHA256:` and the unpadded base64 of the
 * SHA-256 of the key blob (e.g. `SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s`). The connector
 * pins the bank's key by it: a server with any other key is refused before the login is sent.
 */
const PREFIX = 'SHA256:';

export function fingerprintOf(hostKeyBlob: Buffer): string {
  return PREFIX + createHash('sha256').update(hostKeyBlob).digest('base64').replace(/=+$/, '');
}

/** The canonical form of a configured fingerprint (prefix, no padding), or undefined when it is not one. */
export function normalizeFingerprint(value: string): string | undefined {
  const body = value
    .trim()
    .replace(/^SHA256:/i, '')
    .replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]{43}$/.test(body)) return undefined;
  return Buffer.from(body, 'base64').length === 32 ? PREFIX + body : undefined;
}

export function sameFingerprint(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
