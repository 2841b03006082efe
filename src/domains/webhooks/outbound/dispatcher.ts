import { sql } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import { newId } from '../../../core/ids.js';
import { VERSION } from '../../../core/version.js';
import { displayUrl, outboundPolicy, type OutboundPolicy } from '../../../net/outbound-policy.js';
import type { Logger } from '../../../observability/logger.js';
import type { Database } from '../../../storage/database.js';
import { bodyOf, type WebhookPayload } from './outbox.js';
import { nextAttemptAt } from './retry-schedule.js';
import { signHeaders } from './signing.js';
import './tables.js';

/**
 * Sends the outbox. A round claims due deliveries in a short transaction by pushing their
 * next_attempt_at forward by a lease (`SELECT … FOR UPDATE SKIP LOCKED`), POSTs them with no
 * transaction open, then records the outcomes in a second transaction. So no database connection
 * or row lock is held while a slow receiver answers (and PGlite's one connection stays free), and
 * any number of processes can share one PostgreSQL: each claims different rows, and a process that
 * dies mid-send loses its claim when the lease runs out, so another sends it again. That makes
 * delivery at-least-once; receivers drop duplicates by webhook-id, which never changes.
 */

export interface DispatcherOptions {
  database: Database;
  clock: Clock;
  logger?: Logger;
  /** Which hosts deliveries may reach (default: public addresses only; config outboundAllow). */
  outbound?: OutboundPolicy;
  /** Deliveries claimed and sent concurrently per step of a round. */
  batchSize?: number;
  /** How long a claim keeps other processes off a delivery; longer than the request timeout. */
  leaseMs?: number;
  timeoutMs?: number;
  pollMs?: number;
}

export interface RoundCounts {
  attempted: number;
  delivered: number;
  /** Failed attempts that will be retried. */
  retrying: number;
  dead: number;
}

interface Claimed {
  id: string;
  payload: unknown;
  attempts: number;
  first_attempt_at: Date | null;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

interface Outcome {
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  responseBody: string | null;
}

const RESPONSE_BODY_BYTES = 1024;
/**
 * PGlite has no autovacuum, so the planner never learns how big the outbox got: with the row counts
 * of the empty table it sorts every pending delivery to claim 20 (16 ms a round at 5 000 pending,
 * against 0.7 ms with statistics). While the outbox is busy, refresh them now and then.
 */
const ANALYZE_EVERY_MS = 60_000;
/** A wake-up comes from inside the publishing transaction; give it a moment to commit. */
const WAKE_DELAY_MS = 25;

export class WebhookDispatcher {
  readonly #database: Database;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #outbound: OutboundPolicy;
  readonly #batchSize: number;
  readonly #leaseMs: number;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #wakeRequested = false;
  #analyzedAt = -Infinity;

  constructor(options: DispatcherOptions) {
    this.#database = options.database;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#outbound = options.outbound ?? outboundPolicy();
    this.#batchSize = options.batchSize ?? 20;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#pollMs = options.pollMs ?? 1000;
  }

  /** One round: sends everything due at the clock's time (tests call this directly). */
  async runDue(): Promise<RoundCounts> {
    const counts: RoundCounts = { attempted: 0, delivered: 0, retrying: 0, dead: 0 };
    for (;;) {
      const now = this.#clock.now();
      const lease = new Date(now.getTime() + this.#leaseMs);
      const claimed = await this.#claim(now, lease);
      if (claimed.length === 0) break;
      if (claimed.length === this.#batchSize) await this.#refreshStatistics();
      const outcomes = await Promise.all(claimed.map((delivery) => this.#send(delivery)));
      const results = await this.#record(claimed, outcomes, lease);
      counts.attempted += claimed.length;
      for (const result of results) counts[result] += 1;
      // Claimed rows are leased into the future, so this loop cannot see them again this round.
      if (claimed.length < this.#batchSize) break;
    }
    return counts;
  }

  async #refreshStatistics(): Promise<void> {
    if (this.#database.kind !== 'pglite' || performance.now() - this.#analyzedAt < ANALYZE_EVERY_MS) return;
    this.#analyzedAt = performance.now();
    await sql`analyze webhook_deliveries`.execute(this.#database.db);
  }

  async #claim(now: Date, lease: Date): Promise<Claimed[]> {
    return this.#database.transaction(async (tx) => {
      const rows = await tx
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
        .select(['d.id', 'd.payload', 'd.attempts', 'd.first_attempt_at'])
        .select(['s.url', 's.secret', 's.previous_secret', 's.previous_secret_expires_at'])
        .where('d.status', '=', 'pending')
        .where('d.next_attempt_at', '<=', now)
        // A disabled subscription's deliveries wait (still pending) until it is enabled again.
        .where('s.active', '=', true)
        .where('s.deleted_at', 'is', null)
        .orderBy('d.next_attempt_at')
        .limit(this.#batchSize)
        .forUpdate(['d'])
        .skipLocked()
        .execute();
      if (rows.length > 0) {
        await tx
          .updateTable('webhook_deliveries')
          .set({ next_attempt_at: lease })
          .where(
            'id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
      }
      return rows;
    });
  }

  async #send(delivery: Claimed): Promise<Outcome> {
    const at = this.#clock.now();
    const body = bodyOf(delivery.payload as WebhookPayload);
    const rotating =
      delivery.previous_secret !== null &&
      delivery.previous_secret_expires_at !== null &&
      delivery.previous_secret_expires_at > at;
    const secrets = rotating ? [delivery.secret, delivery.previous_secret!] : [delivery.secret];
    const headers = {
      ...signHeaders(delivery.id, at, body, secrets),
      'content-type': 'application/json',
      'user-agent': `finflow-webhooks/${VERSION}`,
    };
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      // The policy refuses a host that is not allowed (also one a name resolves to only now) before
      // connecting: the attempt fails with its message. It never follows a redirect, which is a
      // failure here, as in Svix: following it would send signed data somewhere unreviewed.
      const response = await this.#outbound.fetch(delivery.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const responseBody = await readStart(response, RESPONSE_BODY_BYTES);
      return {
        at,
        statusCode: response.status,
        error: response.ok ? null : `HTTP ${response.status}`,
        durationMs: elapsed(),
        responseBody,
      };
    } catch (error) {
      return {
        at,
        statusCode: null,
        error: describe(error, this.#timeoutMs),
        durationMs: elapsed(),
        responseBody: null,
      };
    }
  }

  /** Writes each attempt and the delivery's new state; a claim another process took over is left alone. */
  async #record(
    claimed: Claimed[],
    outcomes: Outcome[],
    lease: Date,
  ): Promise<Array<'delivered' | 'retrying' | 'dead'>> {
    return this.#database.transaction(async (tx) => {
      await tx
        .insertInto('webhook_attempts')
        .values(
          claimed.map((delivery, i) => {
            const o = outcomes[i]!;
            return {
              id: newId('whatt', o.at.getTime()),
              delivery_id: delivery.id,
              attempted_at: o.at,
              status_code: o.statusCode,
              error: o.error,
              duration_ms: o.durationMs,
              response_body: o.responseBody,
            };
          }),
        )
        .execute();
      const results: Array<'delivered' | 'retrying' | 'dead'> = [];
      const rows = claimed.map((delivery, i) => {
        const o = outcomes[i]!;
        const attempts = delivery.attempts + 1;
        const first = delivery.first_attempt_at ?? o.at;
        const next = o.error === null ? null : nextAttemptAt(first, attempts, o.at);
        const result = o.error === null ? 'delivered' : next ? 'retrying' : 'dead';
        results.push(result);
        if (result !== 'delivered') {
          this.#logger?.warn(
            { delivery: delivery.id, url: displayUrl(delivery.url), error: o.error, next },
            'webhook attempt failed',
          );
        }
        const iso = (d: Date | null) => (d ? d.toISOString() : null);
        return sql`(${delivery.id}, ${result === 'retrying' ? 'pending' : result}, ${attempts}::int,
          ${iso(first)}::timestamptz, ${iso(o.at)}::timestamptz, ${o.statusCode}::int, ${o.error}::text,
          ${iso(next)}::timestamptz, ${result === 'delivered' ? iso(o.at) : null}::timestamptz)`;
      });
      // One statement for the whole round (20 single-row updates cost 4-6x more). Our lease is the
      // claim token: a deleted subscription or an expired lease re-claimed elsewhere changed it.
      await sql`
        update webhook_deliveries d set
          status = v.status, attempts = v.attempts, first_attempt_at = v.first_at, last_attempt_at = v.last_at,
          last_status_code = v.code, last_error = v.error, next_attempt_at = v.next_at,
          delivered_at = coalesce(v.delivered_at, d.delivered_at)
        from (values ${sql.join(rows)}) as v(id, status, attempts, first_at, last_at, code, error, next_at, delivered_at)
        where d.id = v.id and d.status = 'pending' and d.next_attempt_at = ${lease.toISOString()}::timestamptz`.execute(
        tx,
      );
      return results;
    });
  }

  /** Polls every pollMs (and soon after wake()) until stop(). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** New deliveries were queued (their transaction is about to commit): run a round soon. */
  wake(): void {
    if (!this.#running) return;
    if (this.#round) this.#wakeRequested = true;
    else this.#schedule(WAKE_DELAY_MS);
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#round;
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), ms);
    this.#timer.unref();
  }

  #tick(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    this.#wakeRequested = false;
    this.#round = this.runDue()
      .then(
        () => undefined,
        (error: unknown) => this.#logger?.error({ err: error }, 'webhook dispatch round failed'),
      )
      .finally(() => {
        this.#round = undefined;
        if (this.#running) this.#schedule(this.#wakeRequested ? WAKE_DELAY_MS : this.#pollMs);
      });
  }
}

/** The first bytes of the response body, without reading a huge one to the end. */
async function readStart(response: Response, max: number): Promise<string | null> {
  if (!response.body) return null;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A body cut off or timed out after the status arrived: the status is what counts.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no response within ${timeoutMs} ms`;
  }
  if (error instanceof Error && error.name === 'OutboundRefused') {
    return `refused by the outbound URL policy: ${error.message}`.slice(0, 500);
  }
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return (cause?.code ? `${message}: ${cause.code}` : cause?.message ? `${message}: ${cause.message}` : message).slice(
    0,
    500,
  );
}
