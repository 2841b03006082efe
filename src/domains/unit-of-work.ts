import type { DomainContext } from './contract.js';
import type { PublishRequest } from '../engine/index.js';
import { lockAuditHead } from '../storage/audit/audit-append.js';
import { AuditedUnit } from '../storage/audit/audited-unit.js';
import type { Tx } from '../storage/schema.js';

/**
 * One domain transaction: the writes go through `tx` at once, while the audit rows and engine
 * events they cause are collected and written by `flush()` just before commit — one audit-chain lock
 * and one batched event insert, whether the unit changed one customer or ten thousand (bulk sync).
 * Because flush runs inside the same transaction, a rollback takes the audit rows and events too.
 *
 * Lock order. Two kinds of rows stay locked from the moment they are locked until commit: the audit
 * chain's head (the one row every audited transaction shares) and the rows a service locks now and
 * writes when the unit flushes (the ledger's account balances, locked in id order through `lockRows`
 * and written through `deferred`). Were one transaction to hold balance rows and wait for the head
 * while another held the head and waited for those rows (a workflow batch whose first step flushed
 * its audit rows and whose next step posts to the ledger), they would deadlock. So the unit takes the
 * head before its first such row lock (`lockRows`), and `flush` takes it before writing deferred rows:
 * every transaction locks "audit head, then balance rows", and services never touch the head.
 *
 * This class is the one place that knows the order. When the audit append moves to commit time
 * (the next step), the early head lock in `lockRows` goes and the order becomes "balance rows, then
 * audit head", one order for all provided every audit append then goes through a unit's `flush`.
 */
export class DomainWork extends AuditedUnit {
  readonly #events: PublishRequest[] = [];
  readonly #deferred = new Map<string, DeferredWrites>();
  /** Whether this unit holds the audit head (a rollback to a savepoint taken before releases it). */
  #holdsAuditHead = false;
  /**
   * Lookups worth keeping for the rest of the unit (ledger account ids by code and currency). Cleared
   * when a failed row's savepoint rolls back, since what it looked up may have been created by it.
   */
  readonly memo = new Map<string, string>();

  constructor(
    tx: Tx,
    readonly context: DomainContext,
    actor: string,
    requestId: string | null,
  ) {
    super(tx, actor, requestId, context.clock);
  }

  /** Today's business date (UTC) by the context's clock. */
  today(): string {
    return this.clock.now().toISOString().slice(0, 10);
  }

  /** An engine event, keyed by the entity it is about (waits correlate on that key). */
  publish(type: string, key: string, data: Record<string, unknown>): void {
    this.#events.push({ type, key, data, actor: this.actor, requestId: this.requestId });
  }

  /**
   * Writes a service holds back until the unit ends (the ledger's balance moves), one holder per
   * key for the whole unit; flushed before the audit rows, rolled back with a failed row.
   */
  deferred<T extends DeferredWrites>(key: string, create: () => T): T {
    let holder = this.#deferred.get(key);
    if (!holder) {
      holder = create();
      this.#deferred.set(key, holder);
    }
    return holder as T;
  }

  /**
   * Locks rows the unit holds until commit and writes at its end (the ledger's accounts, through
   * its deferred balance moves): takes the audit chain head first, once per unit, so that the lock
   * order is always "audit head, then rows" (see the class comment).
   */
  async lockRows<T>(lock: (tx: Tx) => Promise<T>): Promise<T> {
    await this.#lockAuditHead();
    return lock(this.tx);
  }

  async #lockAuditHead(): Promise<void> {
    if (this.#holdsAuditHead) return;
    await lockAuditHead(this.tx);
    this.#holdsAuditHead = true;
  }

  /** Where the pending audit rows, events and deferred writes stand, to drop a failed row's share in a bulk sync. */
  mark(): UnitMark {
    const deferred = new Map([...this.#deferred].map(([key, holder]) => [key, holder.mark()]));
    return {
      audits: this.pendingAudits.length,
      events: this.#events.length,
      deferred,
      holdsAuditHead: this.#holdsAuditHead,
    };
  }

  rollbackTo(mark: UnitMark): void {
    this.pendingAudits.length = mark.audits;
    this.#events.length = mark.events;
    for (const [key, holder] of this.#deferred) holder.rollbackTo(mark.deferred.get(key) ?? 0);
    this.memo.clear();
    // A lock taken after the savepoint was released with it.
    this.#holdsAuditHead = mark.holdsAuditHead;
  }

  /** Writes what the unit collected, in lock order: audit head, deferred rows, audit rows, events. */
  async flush(): Promise<void> {
    if (this.#deferred.size > 0) await this.#lockAuditHead();
    for (const holder of this.#deferred.values()) await holder.flush(this.tx);
    const events = this.#events.splice(0);
    await this.flushAudit();
    await this.context.engine.publishManyInTx(this.tx, events);
  }
}

/** Writes a service defers to the end of a unit of work (see DomainWork.deferred). */
export interface DeferredWrites {
  mark(): number;
  rollbackTo(mark: number): void;
  flush(tx: Tx): Promise<void>;
}

export interface UnitMark {
  audits: number;
  events: number;
  deferred: Map<string, number>;
  holdsAuditHead: boolean;
}

/** Runs `work` in one transaction of `context.database` and flushes its audit rows and events before commit. */
export async function inDomainTransaction<T>(
  context: DomainContext,
  who: { actor: string; requestId?: string | null },
  work: (unit: DomainWork) => Promise<T>,
): Promise<T> {
  const result = await context.database.transaction(async (tx) => {
    const unit = new DomainWork(tx, context, who.actor, who.requestId ?? null);
    const value = await work(unit);
    await unit.flush();
    return value;
  });
  context.engine.services.wake();
  return result;
}

/** What a route's handler knows of its request (Hono's `c`): the database, principal and request id. */
export interface RequestScope {
  var: {
    /** The request's database: inside an idempotent request it is joined to the request's own transaction. */
    database: DomainContext['database'];
    principal: { id: string };
    requestId: string;
  };
}

/**
 * A route's unit of work: one transaction of the request's database, as the request's principal,
 * audited under its request id. Every write route of a domain goes through here.
 */
export function inRequestUnit<T>(
  context: DomainContext,
  c: RequestScope,
  work: (unit: DomainWork) => Promise<T>,
): Promise<T> {
  return inDomainTransaction(
    { ...context, database: c.var.database },
    { actor: c.var.principal.id, requestId: c.var.requestId },
    work,
  );
}

/**
 * The same unit inside a workflow step: writes go through the step's transaction (so they commit
 * with the instance's advance, exactly once), and the audit rows and events are flushed into it.
 */
export async function inStepTransaction<T>(
  context: DomainContext,
  tx: Tx,
  actor: string,
  work: (unit: DomainWork) => Promise<T>,
): Promise<T> {
  const unit = new DomainWork(tx, context, actor, null);
  const value = await work(unit);
  await unit.flush();
  return value;
}
