import { AppError, conflict, notFound, validationError, type FieldIssue } from '../../core/errors.js';
import type { DomainWork } from '../unit-of-work.js';
import { lockBalances, moveBalances } from './balance-batch.js';
import { checkLimits } from './ledger-balances.js';
import {
  auditPosting,
  CLIENT_ID,
  CLIENT_ID_RULE,
  requestHash,
  toTransfer,
  type LedgerTransfer,
  type ResolvePendingRequest,
} from './ledger-model.js';
import { expiryAudit, writeExpiries } from './expiry.js';
import { insertTransfers, resolution, resolutionDeltas, transferIdReused } from './transfer-writes.js';

/** Two-phase transfers: a pending transfer (a hold) is resolved once, by a post or a void. */

function validateResolution(request: ResolvePendingRequest): void {
  const issues: FieldIssue[] = [];
  if (typeof request.id !== 'string' || !CLIENT_ID.test(request.id))
    issues.push({ field: 'id', message: CLIENT_ID_RULE });
  if (typeof request.pendingId !== 'string' || request.pendingId.length === 0) {
    issues.push({ field: 'pendingId', message: 'must be a transfer id' });
  }
  if (request.action !== 'post' && request.action !== 'void') {
    issues.push({ field: 'action', message: 'must be "post" or "void"' });
  }
  if (request.amount !== undefined) {
    if (request.action === 'void')
      issues.push({ field: 'amount', message: 'a void releases the whole hold; send no amount' });
    else if (typeof request.amount !== 'bigint' || request.amount <= 0n) {
      issues.push({ field: 'amount', message: 'must be a positive amount in minor units' });
    }
  }
  if (issues.length > 0) throw validationError(issues);
}

/**
 * Resolves a pending transfer with a new transfer `id`: `post` moves `amount` (default: all) of the
 * hold to posted and releases the rest; `void` releases all of it. The same id and request again
 * returns the first resolution (`created: false`). Refusals: 404 unknown pending, 409 `not_pending`,
 * 409 `pending_already_resolved`, 422 `amount_exceeds_pending`, and 409 `pending_expired` when its
 * `expiresAt` has passed — in that case the expiry is written first (into the unit), so a caller that
 * catches the refusal and commits its unit anyway (the HTTP route does) releases the hold at once.
 */
export async function resolvePending(
  unit: DomainWork,
  request: ResolvePendingRequest,
): Promise<{ transfer: LedgerTransfer; created: boolean }> {
  validateResolution(request);
  const { tx } = unit;
  const now = unit.clock.now();

  // Locked, so a concurrent resolution or expiry of the same hold waits here and then finds this one.
  const pending = await tx
    .selectFrom('ledger_transfers')
    .selectAll()
    .where('id', '=', request.pendingId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!pending) throw notFound('ledger transfer', request.pendingId);
  if (pending.kind !== 'pending') {
    throw new AppError('not_pending', 409, `transfer ${pending.id} is ${pending.kind}, not pending`, {
      field: 'pendingId',
      details: { transferId: pending.id, kind: pending.kind },
    });
  }
  const hash = requestHash({
    op: request.action,
    pendingId: pending.id,
    amount: request.amount === undefined ? null : request.amount.toString(),
  });

  const accounts = await lockBalances(unit, [pending.debit_account_id, pending.credit_account_id]);
  const related = await tx
    .selectFrom('ledger_transfers')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', request.id), eb('pending_id', '=', pending.id)]))
    .execute();
  const same = related.find((r) => r.id === request.id);
  if (same) {
    if (same.request_hash !== hash) throw transferIdReused(request.id, 'id');
    return { transfer: toTransfer(same), created: false };
  }
  const resolved = related.find((r) => r.pending_id === pending.id);
  if (resolved?.kind === 'expire_pending') {
    throw conflict(
      'pending_expired',
      `pending transfer ${pending.id} expired; its hold was released by ${resolved.id}`,
      {
        pendingId: pending.id,
        expiresAt: pending.expires_at?.toISOString() ?? null,
        resolvedBy: resolved.id,
      },
    );
  }
  if (resolved) {
    throw conflict(
      'pending_already_resolved',
      `pending transfer ${pending.id} was already resolved: ${resolved.kind} by ${resolved.id}`,
      { pendingId: pending.id, resolvedBy: resolved.id, resolution: resolved.kind },
    );
  }
  if (pending.expires_at && pending.expires_at.getTime() <= now.getTime()) {
    const [expiry] = await writeExpiries(unit, [pending], accounts, request.actor, now);
    unit.auditEntry(expiryAudit(expiry!, request.actor, request.reason ?? null, request.requestId ?? null));
    throw conflict(
      'pending_expired',
      `pending transfer ${pending.id} expired at ${pending.expires_at.toISOString()}; its hold is released`,
      { pendingId: pending.id, expiresAt: pending.expires_at.toISOString(), resolvedBy: expiry!.id },
    );
  }

  const amount = request.action === 'post' ? (request.amount ?? pending.amount) : pending.amount;
  if (amount > pending.amount) {
    throw new AppError(
      'amount_exceeds_pending',
      422,
      `amount: ${amount} exceeds the pending amount ${pending.amount} of ${pending.id}`,
      { field: 'amount', details: { pendingAmount: pending.amount.toString() } },
    );
  }
  const kind = request.action === 'post' ? 'post_pending' : 'void_pending';
  const deltas = resolutionDeltas(pending, request.action === 'post' ? amount : 0n);
  checkLimits(accounts, deltas);
  const [transfer] = await insertTransfers(
    tx,
    [resolution(pending, request.id, kind, amount, hash)],
    request.actor,
    now,
  );
  moveBalances(unit, deltas);
  unit.auditEntry({
    actor: request.actor,
    action: request.action === 'post' ? 'ledger.pending.posted' : 'ledger.pending.voided',
    entityType: 'ledger_transfer',
    entityId: pending.id,
    after: auditPosting(transfer!),
    reason: request.reason ?? null,
    requestId: request.requestId ?? null,
  });
  return { transfer: transfer!, created: true };
}
