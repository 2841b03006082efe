import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The hash the chain starts from (the head's hash before the first row). */
export const GENESIS_HASH = '0'.repeat(64);

/** What a row's hash covers: every column except the hashes themselves. */
export interface AuditContent {
  /** The row's position in the chain (audit_log.chain_seq). */
  seq: bigint;
  /** The row's insertion number (audit_log.seq). */
  entrySeq: bigint;
  id: string;
  occurredAt: Date;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
}

/**
 * hash = SHA-256(prev_hash ‖ "\n" ‖ JCS(content)). RFC 8785 canonical JSON makes the bytes
 * independent of key order and of how jsonb re-serialises the before/after documents, so the hash
 * computed at write time can be recomputed from what the database returns.
 *
 * The insertion number is covered when it differs from the chain position. Rows chained before the
 * sealer existed (migration 0013) had one number for both, and keep verifying as they were hashed.
 */
export function auditRowHash(prevHash: string, content: AuditContent): string {
  const canonical = canonicalize({
    seq: content.seq.toString(),
    ...(content.entrySeq === content.seq ? {} : { entrySeq: content.entrySeq.toString() }),
    id: content.id,
    occurredAt: content.occurredAt.toISOString(),
    actor: content.actor,
    action: content.action,
    entityType: content.entityType,
    entityId: content.entityId,
    before: content.before ?? null,
    after: content.after ?? null,
    reason: content.reason,
    requestId: content.requestId,
  });
  return createHash('sha256').update(`${prevHash}\n${canonical}`).digest('hex');
}

/** The columns of an audit row that its hash covers, as the database returns them. */
export interface StoredAuditContent {
  seq: bigint;
  id: string;
  occurred_at: Date;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  request_id: string | null;
}

/** What the hash covers for a stored row at chain position `chainSeq` (the sealer and verify alike). */
export function contentOfRow(row: StoredAuditContent, chainSeq: bigint): AuditContent {
  return {
    seq: chainSeq,
    entrySeq: BigInt(row.seq),
    id: row.id,
    occurredAt: row.occurred_at,
    actor: row.actor,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    before: row.before,
    after: row.after,
    reason: row.reason,
    requestId: row.request_id,
  };
}
