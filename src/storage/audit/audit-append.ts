import { currentRequestId } from '../../core/request-scope.js';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { Tx } from '../schema.js';
import { beforeCommit } from '../commit-hooks.js';
import { auditRowHash } from './audit-hash.js';
import { toJsonValue, type AuditEntry } from './audit-log.js';

// Appending to the audit chain. The dependency rules (.dependency-cruiser.cjs, "audit-append-through-a-unit")
// let only the engine and the audited units of work import this file.

const AUDIT_INSERT_CHUNK = 2000;

/** An entry waiting for its transaction's end, with the time it was recorded. */
interface PendingAudit {
  entry: AuditEntry;
  occurredAt: Date;
}

const pendingOf = new WeakMap<Tx, PendingAudit[]>();

/**
 * Records one audit row in the caller's transaction — the same transaction as the change it records,
 * so there is never a change without its audit row or an audit row for a change that rolled back.
 */
export async function appendAudit(tx: Tx, entry: AuditEntry, clock: Clock = systemClock): Promise<void> {
  await appendAuditBatch(tx, [entry], clock);
}

/**
 * Records several rows in order. They are appended to the chain as the transaction's last statement
 * before COMMIT (storage/commit-hooks.ts), all of the transaction's rows in one insert: the chain's
 * head, the one row every audited transaction locks, is then held only for that statement and the
 * commit — never while the transaction waits on Node, on other rows' locks or on the network. It also
 * makes the lock order the same everywhere: a transaction's other rows first, the head last, so no
 * two audited transactions can deadlock over it.
 */
export async function appendAuditBatch(tx: Tx, entries: AuditEntry[], clock: Clock = systemClock): Promise<void> {
  if (entries.length === 0) return;
  // Microseconds are dropped by JS Dates; truncating here keeps the stored value equal to the hashed one.
  const occurredAt = new Date(clock.now().getTime());
  let pending = pendingOf.get(tx);
  if (!pending) {
    const list: PendingAudit[] = [];
    // A transaction not opened by Database.transaction() (none in finflow) gets its rows at once.
    if (!beforeCommit(tx, 'audit', () => writeAuditRows(tx, list.splice(0)))) {
      await writeAuditRows(
        tx,
        entries.map((entry) => pendingAudit(entry, occurredAt)),
      );
      return;
    }
    pending = list;
    pendingOf.set(tx, pending);
  }
  for (const entry of entries) pending.push(pendingAudit(entry, occurredAt));
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

/** How many rows `tx` has recorded so far: a savepoint's caller takes it before, to undo after a rollback. */
export function auditMark(tx: Tx): number {
  return pendingOf.get(tx)?.length ?? 0;
}

/** After `rollback to savepoint`: drops the rows recorded since `mark`, as the rollback did their changes. */
export function dropAuditAfter(tx: Tx, mark: number): void {
  const pending = pendingOf.get(tx);
  if (pending && pending.length > mark) pending.length = mark;
}

/** Locks the chain head and appends `pending` after it, hash-linked, in one insert. */
async function writeAuditRows(tx: Tx, pending: PendingAudit[]): Promise<void> {
  if (pending.length === 0) return;
  const head = await tx
    .selectFrom('audit_chain_head')
    .select(['seq', 'hash'])
    .where('singleton', '=', true)
    .forUpdate()
    .executeTakeFirstOrThrow();

  let seq = BigInt(head.seq);
  let prevHash = head.hash;
  const rows = pending.map(({ entry, occurredAt }) => {
    seq += 1n;
    const before = entry.before ?? null;
    const after = entry.after ?? null;
    const id = newId('aud', occurredAt.getTime());
    const content = {
      seq,
      id,
      occurredAt,
      actor: entry.actor,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before,
      after,
      reason: entry.reason ?? null,
      requestId: entry.requestId ?? null,
    };
    const hash = auditRowHash(prevHash, content);
    const row = {
      seq,
      id,
      occurred_at: occurredAt,
      actor: content.actor,
      action: content.action,
      entity_type: content.entityType,
      entity_id: content.entityId,
      before: before === null ? null : JSON.stringify(before),
      after: after === null ? null : JSON.stringify(after),
      reason: content.reason,
      request_id: content.requestId,
      prev_hash: prevHash,
      hash,
    };
    prevHash = hash;
    return row;
  });

  // Insert the rows and move the head in one statement: one round trip less while the head is locked.
  // A bulk batch (sync of 10 000 rows) goes in chunks first: a statement holds at most 65 535 parameters.
  let last = 0;
  for (; rows.length - last > AUDIT_INSERT_CHUNK; last += AUDIT_INSERT_CHUNK) {
    await tx
      .insertInto('audit_log')
      .values(rows.slice(last, last + AUDIT_INSERT_CHUNK))
      .execute();
  }
  await tx
    .with('appended', (db) => db.insertInto('audit_log').values(rows.slice(last)))
    .updateTable('audit_chain_head')
    .set({ seq, hash: prevHash })
    .where('singleton', '=', true)
    .execute();
}
