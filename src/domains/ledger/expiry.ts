import { newId } from '../../core/ids.js';
import type { AuditEntry } from '../../storage/audit/audit-log.js';
import type { DomainWork } from '../unit-of-work.js';
import { lockBalances, moveBalances } from './balance-batch.js';
import { checkLimits, type Deltas } from './ledger-balances.js';
import { auditPosting, requestHash, type AccountRow, type LedgerTransfer, type TransferRow } from './ledger-model.js';
import { insertTransfers, mergeDeltas, resolution, resolutionDeltas } from './transfer-writes.js';

/**
 * Expiry of two-phase holds: a pending transfer whose `expiresAt` has passed can no longer be
 * posted; its expiry (an `expire_pending` transfer) releases the hold.
 */

const expiryHash = (pendingId: string) => requestHash({ op: 'expire', pendingId });

/**
 * Writes the expiry of pending transfers whose accounts the caller has locked and which it has
 * checked are unresolved. The expiry's id is `<pending id>.expired` (another id if a client took that one).
 */
export async function writeExpiries(
  unit: DomainWork,
  pendings: TransferRow[],
  accounts: Map<string, AccountRow>,
  actor: string,
  now: Date,
): Promise<LedgerTransfer[]> {
  if (pendings.length === 0) return [];
  const { tx } = unit;
  const wanted = pendings.map((p) => `${p.id}.expired`);
  const taken = new Set(
    (await tx.selectFrom('ledger_transfers').select('id').where('id', 'in', wanted).execute()).map((r) => r.id),
  );
  const deltas: Deltas = new Map();
  const planned = pendings.map((p) => {
    mergeDeltas(deltas, resolutionDeltas(p, 0n));
    const id = taken.has(`${p.id}.expired`) ? `${p.id}.expired.${newId('exp', now.getTime())}` : `${p.id}.expired`;
    return resolution(p, id, 'expire_pending', p.amount, expiryHash(p.id));
  });
  checkLimits(accounts, deltas);
  const transfers = await insertTransfers(tx, planned, actor, now);
  moveBalances(unit, deltas);
  return transfers;
}

export function expiryAudit(
  transfer: LedgerTransfer,
  actor: string,
  reason: string | null,
  requestId: string | null,
): AuditEntry {
  return {
    actor,
    action: 'ledger.pending.expired',
    entityType: 'ledger_transfer',
    entityId: transfer.pendingId!,
    after: auditPosting(transfer),
    reason,
    requestId,
  };
}

const EXPIRY_BATCH = 500;

/**
 * Expires every unresolved pending transfer whose `expiresAt` is at or before the clock's now: writes
 * its `expire_pending` transfer and releases the hold. Returns how many it expired (by the unit's clock, as the unit's actor). Concurrent runs
 * split the work (`FOR NO KEY UPDATE SKIP LOCKED` on the pending rows) and re-check each pending
 * after locking its accounts, so a pending is resolved once whoever gets there first.
 */
export async function expirePendingTransfers(unit: DomainWork): Promise<number> {
  const { tx, actor } = unit;
  const now = unit.clock.now();
  let total = 0;
  for (let round = 0; round < 10_000; round++) {
    const candidates = await tx
      .selectFrom('ledger_transfers as t')
      .selectAll('t')
      .where('t.kind', '=', 'pending')
      .where('t.expires_at', '<=', now)
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom('ledger_transfers as r').select('r.id').whereRef('r.pending_id', '=', 't.id'))),
      )
      .orderBy('t.seq')
      .limit(EXPIRY_BATCH)
      .forNoKeyUpdate()
      .skipLocked()
      .execute();
    if (candidates.length === 0) break;
    const accounts = await lockBalances(
      unit,
      candidates.flatMap((p) => [p.debit_account_id, p.credit_account_id]),
    );
    // A resolution may have committed between the select and the account locks.
    const resolved = new Set(
      (
        await tx
          .selectFrom('ledger_transfers')
          .select('pending_id')
          .where(
            'pending_id',
            'in',
            candidates.map((p) => p.id),
          )
          .execute()
      ).map((r) => r.pending_id),
    );
    const expiring = candidates.filter((p) => !resolved.has(p.id));
    const expired = await writeExpiries(unit, expiring, accounts, actor, now);
    for (const t of expired) unit.auditEntry(expiryAudit(t, actor, null, null));
    total += expired.length;
    if (candidates.length < EXPIRY_BATCH) break;
  }
  return total;
}
