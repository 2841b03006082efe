import { currentRequestId } from '../../core/request-scope.js';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { Tx } from '../schema.js';
import { heldUntilCommit, signalOnCommit, type HeldWrites } from '../commit-hooks.js';
import { AUDIT_APPENDED } from './audit-seal.js';
import { toJsonValue, type AuditEntry } from './audit-log.js';

// Appending to the audit chain. The dependency rules (.dependency-cruiser.cjs, "audit-append-through-a-unit")
// let only the engine and the audited units of work import this file.

const AUDIT_INSERT_CHUNK = 2000;

/** An entry waiting for its transaction's end, with the time it was recorded. */
interface PendingAudit {
  entry: AuditEntry;
  occurredAt: Date;
}

/** A transaction's audit rows, inserted as its last statement (heldUntilCommit). */
class PendingAuditRows implements HeldWrites {
  readonly rows: PendingAudit[] = [];
  mark(): number {
    return this.rows.length;
  }
  rollbackTo(mark: number): void {
    if (this.rows.length > mark) this.rows.length = mark;
  }
  flush(tx: Tx): Promise<void> {
    return writeAuditRows(tx, this.rows.splice(0));
  }
}

/**
 * Records one audit row in the caller's transaction — the same transaction as the change it records,
 * so there is never a change without its audit row or an audit row for a change that rolled back.
 */
export async function appendAudit(tx: Tx, entry: AuditEntry, clock: Clock = systemClock): Promise<void> {
  await appendAuditBatch(tx, [entry], clock);
}

/**
 * Records several rows in order. They are inserted as the transaction's last statement before COMMIT
 * (storage/commit-hooks.ts), all of the transaction's rows in one insert, and linked into the hash
 * chain after the commit by the sealer (audit-seal.ts) — no audited transaction waits on another for
 * the chain. A savepoint's rollback takes its rows back with `rollbackHeld` (commit-hooks.ts).
 */
export async function appendAuditBatch(tx: Tx, entries: AuditEntry[], clock: Clock = systemClock): Promise<void> {
  if (entries.length === 0) return;
  // Microseconds are dropped by JS Dates; truncating here keeps the stored value equal to the hashed one.
  const occurredAt = new Date(clock.now().getTime());
  const held = heldUntilCommit(tx, 'audit', () => new PendingAuditRows());
  // A transaction not opened by Database.transaction() (none in finflow) gets its rows at once.
  if (!held) {
    await writeAuditRows(
      tx,
      entries.map((entry) => pendingAudit(entry, occurredAt)),
    );
    return;
  }
  for (const entry of entries) held.rows.push(pendingAudit(entry, occurredAt));
}

/**
 * The entry as it will be stored, taken now: before/after are copied (a caller may change the objects
 * later in the transaction) and the request id is read while the request's scope is current.
 */
function pendingAudit(entry: AuditEntry, occurredAt: Date): PendingAudit {
  return {
    entry: {
      ...entry,
      before: toJsonValue(entry.before),
      after: toJsonValue(entry.after),
      requestId: entry.requestId ?? currentRequestId() ?? null,
    },
    occurredAt,
  };
}

/**
 * Inserts `pending` in one statement (a bulk batch in chunks: a statement holds at most 65 535
 * parameters). The rows are not chained yet: no lock is taken, so audited transactions commit side by
 * side (and their COMMITs share fsyncs), where appending to the chain here meant holding its head
 * through each COMMIT. Once the transaction commits, this process's sealer links them (audit-seal.ts).
 */
async function writeAuditRows(tx: Tx, pending: PendingAudit[]): Promise<void> {
  if (pending.length === 0) return;
  const rows = pending.map(({ entry, occurredAt }) => {
    const before = entry.before ?? null;
    const after = entry.after ?? null;
    return {
      id: newId('aud', occurredAt.getTime()),
      occurred_at: occurredAt,
      actor: entry.actor,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      before: before === null ? null : JSON.stringify(before),
      after: after === null ? null : JSON.stringify(after),
      reason: entry.reason ?? null,
      request_id: entry.requestId ?? null,
    };
  });
  for (let first = 0; first < rows.length; first += AUDIT_INSERT_CHUNK) {
    await tx
      .insertInto('audit_log')
      .values(rows.slice(first, first + AUDIT_INSERT_CHUNK))
      .execute();
  }
  signalOnCommit(tx, AUDIT_APPENDED);
}
