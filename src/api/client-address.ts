import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/**
 * The peer address of a request, or null when there is no socket (a request built in-process).
 * Forwarded headers are not trusted: behind a proxy every client shares the proxy's address, which
 * makes the per-address sign-in bound stricter, never weaker.
 */
export function clientAddress(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}
