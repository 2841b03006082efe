import type { MiddlewareHandler } from 'hono';
import { tooManyRequests } from '../../core/errors.js';
import type { AppEnv } from '../context.js';

/** Seconds a refused caller is asked to wait: requests finish in milliseconds, so one is plenty. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

/**
 * The server-wide bound on requests in flight. A request over it is answered at once with 429, a
 * `Retry-After` and problem+json — before its body is read, it is authenticated or anything is
 * written — instead of queueing behind the database pool without bound, where every caller's
 * latency would grow until clients time out. `exempt` requests (health, metrics) are neither
 * refused nor counted.
 */
export function admissionControl(
  maxInFlight: number,
  exempt: (path: string) => boolean = () => false,
): MiddlewareHandler<AppEnv> {
  let inFlight = 0;
  return async (c, next) => {
    if (exempt(c.req.path)) return next();
    if (inFlight >= maxInFlight) {
      throw tooManyRequests(
        'server_busy',
        `the server is handling ${maxInFlight} requests at once, its limit; nothing was done, retry after ${BUSY_RETRY_AFTER_SECONDS} s`,
        BUSY_RETRY_AFTER_SECONDS,
      );
    }
    inFlight += 1;
    try {
      await next();
    } finally {
      inFlight -= 1;
    }
  };
}

/** The default bound: 16 requests per database connection, and at least 64. */
export const defaultMaxInFlight = (poolSize: number): number => Math.max(64, 16 * poolSize);
