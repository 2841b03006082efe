import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../../core/errors.js';
import { joinTransaction } from '../../storage/database.js';
import type { Timestamp } from '../../storage/schema.js';
import type { AppEnv } from '../context.js';

declare module '../../storage/schema.js' {
  interface Tables {
    idempotency_keys: IdempotencyKeysTable;
  }
}

export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  request_hash: string;
  method: string;
  path: string;
  status_code: number;
  response_body: string;
  content_type: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface IdempotencyOptions {
  /** Refuse requests without a key (routes that move money or start workflows). */
  required?: boolean;
  /** How long a key is remembered. */
  ttlMs?: number;
}

const KEY = /^[\x21-\x7E]{1,255}$/; // visible ASCII, as in the IETF Idempotency-Key draft
const DAY_MS = 24 * 60 * 60 * 1000;

/** Thrown inside the transaction to roll back a request that did not succeed. */
class RollBack extends Error {}

/**
 * `Idempotency-Key` for POST routes. The key's row is inserted in the SAME transaction as the
 * request's effects (handlers write through `c.var.database`, which this middleware joins to that
 * transaction), so:
 * - a replay after success finds the committed row and gets the first response again, byte for byte;
 * - a concurrent duplicate blocks on the row's unique index until the first attempt ends, then
 *   replays its response (or, if the first rolled back, runs for real) — the effect happens once;
 * - a failed request (status >= 400) rolls back, key included, so the client may retry it;
 * - the same key with a different request is refused (422), never silently replayed.
 */
export function idempotent(options: IdempotencyOptions = {}): MiddlewareHandler<AppEnv> {
  const ttlMs = options.ttlMs ?? DAY_MS;
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (key === undefined) {
      if (options.required) {
        throw new AppError('idempotency_key_required', 400, 'this route requires an Idempotency-Key header', {
          field: 'header.Idempotency-Key',
        });
      }
      return next();
    }
    if (!KEY.test(key)) {
      throw new AppError('validation_failed', 400, 'Idempotency-Key must be 1 to 255 visible ASCII characters', {
        field: 'header.Idempotency-Key',
      });
    }
    const principal = c.var.principal.id;
    const body = await c.req.text(); // Hono caches it; the route's validator reads it again
    const requestHash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${body}`).digest('hex');
    const database = c.var.database;
    const now = c.var.clock.now();
    let replay: Response | undefined;

    try {
      await database.transaction(async (tx) => {
        // One statement claims the key: a new row, or an expired one taken over as if new.
        const fresh = {
          request_hash: requestHash,
          method: c.req.method,
          path: c.req.path,
          status_code: 0,
          response_body: '',
          content_type: '',
          created_at: now,
          expires_at: new Date(now.getTime() + ttlMs),
        };
        const claimed = await tx
          .insertInto('idempotency_keys')
          .values({ principal, key, ...fresh })
          .onConflict((oc) =>
            oc.columns(['principal', 'key']).doUpdateSet(fresh).where('idempotency_keys.expires_at', '<', now),
          )
          .returning('key')
          .executeTakeFirst();

        if (!claimed) {
          const first = await tx
            .selectFrom('idempotency_keys')
            .selectAll()
            .where('principal', '=', principal)
            .where('key', '=', key)
            .executeTakeFirstOrThrow();
          if (first.request_hash !== requestHash) {
            throw new AppError(
              'idempotency_key_reused',
              422,
              `Idempotency-Key "${key}" was already used for a different request (${first.method} ${first.path})`,
              { field: 'header.Idempotency-Key' },
            );
          }
          replay = c.body(first.response_body, first.status_code as ContentfulStatusCode, {
            'content-type': first.content_type,
            'idempotent-replayed': 'true',
          });
          return;
        }

        c.set('database', joinTransaction(database, tx));
        await next();
        if (c.error !== undefined || c.res.status >= 400) throw new RollBack();
        await tx
          .updateTable('idempotency_keys')
          .set({
            status_code: c.res.status,
            response_body: await c.res.clone().text(),
            content_type: c.res.headers.get('content-type') ?? 'application/json',
          })
          .where('principal', '=', principal)
          .where('key', '=', key)
          .execute();
      });
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
    } finally {
      c.set('database', database);
    }
    if (replay) return replay;
  };
}
