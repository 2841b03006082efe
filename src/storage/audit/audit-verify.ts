import type { Queryable } from '../schema.js';
import { auditRowHash, GENESIS_HASH } from './audit-hash.js';

export type AuditProblemKind = 'missing' | 'out_of_order' | 'altered' | 'truncated';

export interface AuditProblem {
  kind: AuditProblemKind;
  /** Sequence number of the first row found wrong (for `truncated`, the first missing one). */
  seq: bigint;
  id: string | null;
  message: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  rowsChecked: number;
  headSeq: bigint;
  headHash: string;
  problem: AuditProblem | null;
}

const PAGE = 1000;

/**
 * Walks the whole chain in sequence order and stops at the first row that is wrong:
 * - `missing`: the sequence jumps (a row was deleted);
 * - `out_of_order`: the row's prev_hash is not the previous row's hash (rows swapped, inserted or
 *   replaced with a self-consistent forgery);
 * - `altered`: the row's content no longer hashes to its stored hash (a column was edited);
 * - `truncated`: the chain ends before the head says it does (rows deleted at the end).
 * The head hash it reports can be recorded outside finflow to anchor the chain.
 */
export async function verifyAuditChain(
  db: Queryable,
  onProgress: (checked: number, total: number) => void = () => {},
): Promise<AuditVerifyResult> {
  const head = await db.selectFrom('audit_chain_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
  const headSeq = BigInt(head.seq);
  const total = Number(headSeq);
  let expectedSeq = 1n;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  const result = (problem: AuditProblem | null): AuditVerifyResult => ({
    ok: problem === null,
    rowsChecked: checked,
    headSeq,
    headHash: head.hash,
    problem,
  });

  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const seq = BigInt(row.seq);
      if (seq !== expectedSeq) {
        return result({
          kind: 'missing',
          seq: expectedSeq,
          id: null,
          message: `row ${expectedSeq} is missing: the sequence jumps from ${expectedSeq - 1n} to ${seq}`,
        });
      }
      if (row.prev_hash !== prevHash) {
        return result({
          kind: 'out_of_order',
          seq,
          id: row.id,
          message: `row ${seq} (${row.id}) does not follow row ${seq - 1n}: its prev_hash does not match (rows reordered, inserted or replaced)`,
        });
      }
      const recomputed = auditRowHash(row.prev_hash, {
        seq,
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
      });
      if (recomputed !== row.hash) {
        return result({
          kind: 'altered',
          seq,
          id: row.id,
          message: `row ${seq} (${row.id}) was altered: its content does not match its hash`,
        });
      }
      prevHash = row.hash;
      expectedSeq = seq + 1n;
      checked++;
    }
    onProgress(checked, total);
    if (rows.length < PAGE) break;
  }

  const lastSeq = expectedSeq - 1n;
  if (lastSeq > headSeq) {
    return result({
      kind: 'out_of_order',
      seq: headSeq + 1n,
      id: null,
      message: `rows after ${headSeq} exist that the chain head does not record: they were added outside finflow`,
    });
  }
  if (lastSeq < headSeq || prevHash !== head.hash) {
    return result({
      kind: 'truncated',
      seq: expectedSeq,
      id: null,
      message: `the chain ends at row ${lastSeq} but its head records row ${headSeq}: rows at the end were deleted or the head was edited`,
    });
  }
  return result(null);
}
