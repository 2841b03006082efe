import type { Clock } from '../../core/clock.js';
import type { Database } from '../database.js';
import type { Tx } from '../schema.js';
import { appendAuditBatch } from './audit-append.js';
import type { AuditEntry } from './audit-log.js';

/**
 * One audited transaction: its writes go through `tx` at once, its audit rows are collected and handed
 * to the transaction by `flushAudit()`, which appends them with the rest of its rows as its last
 * statement before commit (audit-append.ts) — so the audit chain's head, the one row every audited
 * transaction shares, is locked only for the last moments of the transaction, and a rollback takes
 * the audit rows with it.
 *
 * This is the unit for code below the domains (API keys, users); the domains' unit of work
 * (domains/unit-of-work.ts) builds on it and adds engine events and deferred writes.
 */
export class AuditedUnit {
  /** Audit rows waiting for the flush (a subclass truncates it when a failed row's savepoint rolls back). */
  protected readonly pendingAudits: AuditEntry[] = [];

  constructor(
    readonly tx: Tx,
    readonly actor: string,
    readonly requestId: string | null,
    readonly clock: Clock,
  ) {}

  /** An audit row by this unit's actor and request. */
  audit(entry: Omit<AuditEntry, 'actor' | 'requestId'>): void {
    this.pendingAudits.push({ ...entry, actor: this.actor, requestId: this.requestId });
  }

  /** An audit row written on the unit's behalf, as its caller built it (the ledger names its own actor). */
  auditEntry(entry: AuditEntry): void {
    this.pendingAudits.push(entry);
  }

  /** Hands the collected audit rows to the transaction, to be appended at its commit. */
  protected async flushAudit(): Promise<void> {
    await appendAuditBatch(this.tx, this.pendingAudits.splice(0), this.clock);
  }

  /** Runs `work` in one transaction of `database` and appends its audit rows before commit. */
  static async run<T>(
    database: Database,
    who: { actor: string; requestId?: string | null },
    clock: Clock,
    work: (unit: AuditedUnit) => Promise<T>,
  ): Promise<T> {
    return database.transaction(async (tx) => {
      const unit = new AuditedUnit(tx, who.actor, who.requestId ?? null, clock);
      const value = await work(unit);
      await unit.flushAudit();
      return value;
    });
  }
}
