import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/**
 * TOTP second factor (RFC 6238) on `otpauth`: SHA-1, 6 digits, 30 s — what every authenticator app
 * reads from a QR code. A code is accepted one step early or late (clock drift), and each step once:
 * the caller keeps the last accepted step and refuses any code at or before it (a replayed code).
 */
const ISSUER = 'finflow';
const PERIOD_SECONDS = 30;
const WINDOW_STEPS = 1;

export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

const totpOf = (secret: string, label: string): TOTP =>
  new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });

/** The enrollment an authenticator app scans: the otpauth URI and the same as an SVG QR code. */
export async function totpEnrollment(secret: string, label: string): Promise<{ otpauthUri: string; qrSvg: string }> {
  const otpauthUri = totpOf(secret, label).toString();
  const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { otpauthUri, qrSvg };
}

/** The time step a code is valid for, or null when it matches none within the window. */
export function matchTotp(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secret, 'check').validate({ token: code, timestamp: now.getTime(), window: WINDOW_STEPS });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
}

/** The code for `now` (tests and the demo's documentation; an authenticator app does this). */
export const totpCode = (secret: string, now: Date): string =>
  totpOf(secret, 'code').generate({ timestamp: now.getTime() });

/** Ten recovery codes like `7kq2-m9xa-4t`: 50 random bits each, stored only as SHA-256. */
export function newRecoveryCodes(count = 10): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: count }, () => {
    const chars = [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]!);
    return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`;
  });
}

/** Recovery codes are compared case- and dash-insensitively. */
export const hashRecoveryCode = (code: string): string =>
  createHash('sha256')
    .update(code.toLowerCase().replace(/[^a-z0-9]/g, ''))
    .digest('hex');
