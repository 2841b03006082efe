import { currentRequestId } from '../../core/request-scope.js';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { Tx } from '../schema.js';
import { auditRowHash } from './audit-hash.js';
import { toJsonValue, type AuditEntry } from './audit-log.js';

// Appending to the audit chain. The dependency rules (.dependency-cruiser.cjs, "audit-append-through-a-unit")
// let only the engine and the audited units of work import this file.

const AUDIT_INSERT_CHUNK = 2000;

export interface AuditRecord {
  seq: bigint;
  id: string;
  hash: string;
}

/**
 * Appends one row to the audit chain inside the caller's transaction — the same transaction as the
 * change it records, so there is never a change without its audit row or an audit row for a change
 * that rolled back. Locking the chain head serialises appends across processes; the lock is held
 * until the caller commits, so keep audited transactions short.
 */
export async function appendAudit(tx: Tx, entry: AuditEntry, clock: Clock = systemClock): Promise<AuditRecord> {
  const [record] = await appendAuditBatch(tx, [entry], clock);
  return record!;
}

/**
 * Locks the chain head without appending: a transaction about to lock other rows it will hold to
 * commit takes the head first, so that all of them lock in one order (see DomainWork). The appends
 * that follow in the same transaction find the head already theirs.
 */
export async function lockAuditHead(tx: Tx): Promise<void> {
  await tx.selectFrom('audit_chain_head').select('seq').where('singleton', '=', true).forUpdate().execute();
}

/**
 * Appends several rows in order with one lock of the chain head and one insert: a workflow worker
 * that advanced many instances in one transaction records them all at its end, so the head — the one
 * row every audited transaction shares — is held only for the last moments before commit.
 */
export async function appendAuditBatch(
  tx: Tx,
  entries: AuditEntry[],
  clock: Clock = systemClock,
): Promise<AuditRecord[]> {
  if (entries.length === 0) return [];
  const head = await tx
    .selectFrom('audit_chain_head')
    .select(['seq', 'hash'])
    .where('singleton', '=', true)
    .forUpdate()
    .executeTakeFirstOrThrow();

  let seq = BigInt(head.seq);
  let prevHash = head.hash;
  // Microseconds are dropped by JS Dates; truncating here keeps the stored value equal to the hashed one.
  const occurredAt = new Date(clock.now().getTime());
  const rows = entries.map((entry) => {
    seq += 1n;
    const before = toJsonValue(entry.before);
    const after = toJsonValue(entry.after);
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
      requestId: entry.requestId ?? currentRequestId() ?? null,
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
  return rows.map((r) => ({ seq: r.seq, id: r.id, hash: r.hash }));
}
