import type { Queryable } from '../schema.js';
import { auditRowHash, contentOfRow, GENESIS_HASH } from './audit-hash.js';

export type AuditProblemKind = 'missing' | 'out_of_order' | 'altered' | 'truncated';

export interface AuditProblem {
  kind: AuditProblemKind;
  /** Chain position of the first row found wrong (for `truncated`, the first missing one). */
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
  /**
   * Rows committed but not yet linked into the chain (audit-seal.ts): not covered by the hashes until
   * the sealer — which follows every commit — reaches them. Not a problem in itself; a number that
   * stays up with an old `oldestUnsealedAt` means no finflow process is running to seal them.
   */
  unsealedRows: number;
  oldestUnsealedAt: Date | null;
}

const PAGE = 1000;

/**
 * Walks the whole chain in chain order and stops at the first row that is wrong:
 * - `missing`: the chain position jumps (a row was deleted);
 * - `out_of_order`: the row's prev_hash is not the previous row's hash (rows swapped, inserted or
 *   replaced with a self-consistent forgery);
 * - `altered`: the row's content no longer hashes to its stored hash (a column was edited);
 * - `truncated`: the chain ends before the head says it does (rows deleted at the end).
 * The head hash it reports can be recorded outside finflow to anchor the chain.
 *
 * The chain is checked up to the head as read first: a running finflow keeps sealing while this walks,
 * and rows sealed meanwhile are for the next check. (Sealed rows never change, so the walk needs no
 * snapshot of its own — a read-only transaction over millions of rows would block PGlite's writers.)
 */
export async function verifyAuditChain(
  db: Queryable,
  onProgress: (checked: number, total: number) => void = () => {},
): Promise<AuditVerifyResult> {
  const head = await db.selectFrom('audit_chain_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
  const unsealed = await db
    .selectFrom('audit_log')
    .select((eb) => [eb.fn.countAll<string>().as('rows'), eb.fn.min('occurred_at').as('oldest')])
    .where('chain_seq', 'is', null)
    .executeTakeFirstOrThrow();
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
    unsealedRows: Number(unsealed.rows),
    oldestUnsealedAt: unsealed.oldest === null ? null : new Date(unsealed.oldest),
  });

  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('chain_seq', '>=', expectedSeq)
      .where('chain_seq', '<=', headSeq)
      .orderBy('chain_seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const seq = BigInt(row.chain_seq!);
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
      const recomputed = auditRowHash(row.prev_hash, contentOfRow(row, seq));
      if (recomputed !== row.hash) {
        return result({
          kind: 'altered',
          seq,
          id: row.id,
          message: `row ${seq} (${row.id}) was altered: its content does not match its hash`,
        });
      }
      prevHash = row.hash!;
      expectedSeq = seq + 1n;
      checked++;
    }
    onProgress(checked, total);
    if (rows.length < PAGE) break;
  }

  const lastSeq = expectedSeq - 1n;
  if (lastSeq < headSeq || prevHash !== head.hash) {
    return result({
      kind: 'truncated',
      seq: expectedSeq,
      id: null,
      message: `the chain ends at row ${lastSeq} but its head records row ${headSeq}: rows at the end were deleted or the head was edited`,
    });
  }
  // Rows past the head as it is now (one statement, one snapshot: a seal under way moves both at once).
  const beyond = await db
    .selectFrom('audit_log')
    .innerJoin('audit_chain_head', (join) => join.onTrue())
    .select(['audit_log.chain_seq', 'audit_log.id', 'audit_chain_head.seq as head_seq'])
    .whereRef('audit_log.chain_seq', '>', 'audit_chain_head.seq')
    .orderBy('audit_log.chain_seq')
    .limit(1)
    .executeTakeFirst();
  if (beyond) {
    return result({
      kind: 'out_of_order',
      seq: BigInt(beyond.chain_seq!),
      id: beyond.id,
      message: `row ${beyond.chain_seq} (${beyond.id}) lies after the chain head (row ${beyond.head_seq}): it was added outside finflow`,
    });
  }
  return result(null);
}
