import { AppError } from '../../core/errors.js';
import { sql, type Insertable } from 'kysely';
import { recordsetInsert, type RecordsetColumn } from '../../storage/recordset.js';
import type { Tx } from '../../storage/schema.js';
import type { LedgerTransfersTable } from './tables.js';
import { addDelta, type Deltas } from './ledger-balances.js';
import { toTransfer, type LedgerTransfer, type TransferRow } from './ledger-model.js';

/**
 * What every ledger write shares: the transfer about to be written, its insert (which maps a
 * concurrent writer's unique violation to a 409), and the resolution of a pending transfer (post,
 * void, expiry, a reversal's void) with the balance deltas it causes.
 */

/** A transfer about to be written: what it will be, less what the database assigns. */
export type Planned = Omit<LedgerTransfer, 'seq' | 'postedAt' | 'postedBy'> & { requestHash: string };

interface PgError {
  code?: unknown;
  constraint?: unknown;
}

/** A transfer row as the insert's document carries it (amount as a string, metadata as the document). */
type TransferInsert = Omit<Insertable<LedgerTransfersTable>, 'seq' | 'amount' | 'metadata'> & {
  amount: string;
  metadata: unknown;
};

const TRANSFER_COLUMNS = [
  ['id', 'text'],
  ['journal_id', 'text'],
  ['debit_account_id', 'text'],
  ['credit_account_id', 'text'],
  ['amount', 'bigint'],
  ['currency', 'text'],
  ['kind', 'text'],
  ['pending_id', 'text'],
  ['reverses_id', 'text'],
  ['expires_at', 'timestamptz'],
  ['code', 'text'],
  ['reference', 'text'],
  ['metadata', 'jsonb'],
  ['request_hash', 'text'],
  ['posted_at', 'timestamptz'],
  ['posted_by', 'text'],
] as const satisfies ReadonlyArray<RecordsetColumn<TransferInsert>>;

/** Inserts the transfers in one statement, however many (see recordset.ts); returns them in the order given. */
export async function insertTransfers(
  tx: Tx,
  planned: Planned[],
  postedBy: string,
  now: Date,
): Promise<LedgerTransfer[]> {
  let rows: TransferRow[];
  try {
    const inserted = await recordsetInsert<TransferInsert, TransferRow>(
      'ledger_transfers',
      TRANSFER_COLUMNS,
      planned.map((p) => ({
        id: p.id,
        journal_id: p.journalId,
        debit_account_id: p.debitAccountId,
        credit_account_id: p.creditAccountId,
        amount: p.amount.toString(),
        currency: p.currency,
        kind: p.kind,
        pending_id: p.pendingId,
        reverses_id: p.reversesId,
        expires_at: p.expiresAt,
        code: p.code,
        reference: p.reference,
        metadata: p.metadata ?? {},
        request_hash: p.requestHash,
        posted_at: now,
        posted_by: postedBy,
      })),
      sql`RETURNING *`,
    ).execute(tx);
    rows = inserted.rows;
  } catch (error) {
    // Only a concurrent writer that took the same id first gets here — a twin of a batch of journals:
    // a single journal's id, a pending and a reversed journal are locked before the checks, which
    // answer the rest (balance-batch.ts says why the accounts do not serialise this any more).
    const e = (error ?? {}) as PgError;
    if (e.code === '23505') {
      const message =
        e.constraint === 'ledger_transfers_pending_once'
          ? 'the pending transfer was resolved by a concurrent request'
          : e.constraint === 'ledger_transfers_reversed_once'
            ? 'the transfer was reversed by a concurrent request'
            : 'a transfer id of this request was taken by a concurrent request';
      throw new AppError('transfer_conflict', 409, message, { cause: error });
    }
    throw error;
  }
  const byId = new Map(rows.map((r) => [r.id, toTransfer(r)]));
  return planned.map((p) => byId.get(p.id)!);
}

export function transferIdReused(id: string, field?: string): AppError {
  return new AppError(
    'transfer_id_reused',
    409,
    `transfer id ${id} already exists with different content: a transfer id can be used once`,
    { ...(field ? { field } : {}), details: { transferId: id } },
  );
}

/** Deltas that release a hold and post `posted` of it (0 for a void or an expiry). */
export function resolutionDeltas(pending: TransferRow, posted: bigint): Deltas {
  const deltas: Deltas = new Map();
  addDelta(deltas, pending.debit_account_id, 'debit', 'pending', -pending.amount);
  addDelta(deltas, pending.credit_account_id, 'credit', 'pending', -pending.amount);
  if (posted > 0n) {
    addDelta(deltas, pending.debit_account_id, 'debit', 'posted', posted);
    addDelta(deltas, pending.credit_account_id, 'credit', 'posted', posted);
  }
  return deltas;
}

export function mergeDeltas(into: Deltas, from: Deltas): void {
  for (const [id, d] of from) {
    addDelta(into, id, 'debit', 'pending', d.debitsPending);
    addDelta(into, id, 'debit', 'posted', d.debitsPosted);
    addDelta(into, id, 'credit', 'pending', d.creditsPending);
    addDelta(into, id, 'credit', 'posted', d.creditsPosted);
  }
}

/** The resolution of a pending transfer, in the pending transfer's journal. */
export function resolution(
  pending: TransferRow,
  id: string,
  kind: 'post_pending' | 'void_pending' | 'expire_pending',
  amount: bigint,
  hash: string,
  journalId = pending.journal_id,
): Planned {
  return {
    id,
    journalId,
    debitAccountId: pending.debit_account_id,
    creditAccountId: pending.credit_account_id,
    amount,
    currency: pending.currency,
    kind,
    pendingId: pending.id,
    reversesId: null,
    expiresAt: null,
    code: pending.code,
    reference: pending.reference,
    metadata: {},
    requestHash: hash,
  };
}
