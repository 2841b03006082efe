import type { DomainContext } from './contract.js';
import type { PublishRequest } from '../engine/index.js';
import { AuditedUnit } from '../storage/audit/audited-unit.js';
import { heldMark, heldUntilCommit, rollbackHeld, type HeldMark, type HeldWrites } from '../storage/commit-hooks.js';
import type { Tx } from '../storage/schema.js';

/**
 * One domain transaction: the writes go through `tx` at once, while the audit rows and engine
 * events they cause are collected and written by `flush()` just before commit — one audit insert
 * and one batched event insert, whether the unit changed one customer or ten thousand (bulk sync).
 * Because flush runs inside the same transaction, a rollback takes the audit rows and events too.
 * The audit rows take no lock: they are linked into the hash chain after commit
 * (storage/audit/audit-seal.ts).
 *
 * Lock order. The rows a service locks now and writes at the transaction's commit (the ledger's
 * accounts that carry a no-overdraft limit) stay locked until commit; they are locked through
 * `lockRows`, in id order in one statement. The ledger's other accounts are locked only by the
 * commit's own balance update (see ledger/balance-batch.ts).
 */
export class DomainWork extends AuditedUnit {
  readonly #events: PublishRequest[] = [];
  readonly #deferred = new Map<string, DeferredWrites>();
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
   * Writes a service holds back until the unit ends (the customers' exposure refresh), one holder
   * per key for the whole unit; flushed before the audit rows, rolled back with a failed row.
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
   * Writes held for the end of the whole transaction rather than of this unit — a worker's
   * transaction runs many workflow steps, each a unit — so that rows many transactions share (the
   * ledger's balances) are written and locked once, at the commit (storage/commit-hooks.ts).
   * Rolled back with a failed row, as `deferred` is. Outside Database.transaction() (none in finflow)
   * they fall back to the unit's end.
   */
  heldUntilCommit<T extends HeldWrites>(key: string, create: () => T): T {
    return heldUntilCommit(this.tx, key, create) ?? this.deferred(key, create);
  }

  /**
   * Locks rows the transaction holds until commit and writes then (the ledger's accounts with a
   * limit, through its held balance moves). One door for such locks, so the lock order stays in one place.
   */
  lockRows<T>(lock: (tx: Tx) => Promise<T>): Promise<T> {
    return lock(this.tx);
  }

  /** Where the pending audit rows, events and deferred writes stand, to drop a failed row's share in a bulk sync. */
  mark(): UnitMark {
    const deferred = new Map([...this.#deferred].map(([key, holder]) => [key, holder.mark()]));
    return {
      audits: this.pendingAudits.length,
      events: this.#events.length,
      deferred,
      held: heldMark(this.tx),
    };
  }

  rollbackTo(mark: UnitMark): void {
    this.pendingAudits.length = mark.audits;
    this.#events.length = mark.events;
    for (const [key, holder] of this.#deferred) holder.rollbackTo(mark.deferred.get(key) ?? 0);
    rollbackHeld(this.tx, mark.held);
    this.memo.clear();
  }

  /** Writes what the unit collected: deferred rows, events; the audit rows are appended at commit. */
  async flush(): Promise<void> {
    for (const holder of this.#deferred.values()) await holder.flush(this.tx);
    const events = this.#events.splice(0);
    await this.flushAudit();
    await this.context.engine.publishManyInTx(this.tx, events);
  }
}

/** Writes a service defers to the end of a unit of work (see DomainWork.deferred): the same shape as the transaction's. */
export type DeferredWrites = HeldWrites;

export interface UnitMark {
  audits: number;
  events: number;
  deferred: Map<string, number>;
  /** The transaction's held writes (DomainWork.heldUntilCommit, the audit rows flushed by earlier units). */
  held: HeldMark;
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
