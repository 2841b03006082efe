import { conflict, notFound } from '../../core/errors.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import type { PaymentStatus } from './instructions.js';
import type { PaymentBatchRow } from './tables.js';

/**
 * Payment batches as the API shows them: one pain.001 file each (one debtor account, one value date,
 * one method), with the payments it carries. Their life: `created` (the file is written and stored)
 * → `releasing` (handed to the delivery; see batch-release.ts) → `released`; or `cancelled` before
 * release. pain.002 status reports (the next slice) move released batches on to `accepted`,
 * `rejected` or `partially_accepted`.
 */

export const BATCH_STATUSES = [
  'created',
  'releasing',
  'released',
  'accepted',
  'rejected',
  'partially_accepted',
  'cancelled',
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
export const BATCH_METHODS = ['sepa', 'international'] as const;

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function presentBatch(row: PaymentBatchRow) {
  return {
    id: row.id,
    status: row.status as BatchStatus,
    bankAccountId: row.bank_account_id,
    valueDate: row.value_date,
    method: row.method as (typeof BATCH_METHODS)[number],
    pain001Version: row.pain001_version,
    messageId: row.message_id,
    paymentInformationId: row.payment_information_id,
    numberOfTransactions: row.number_of_transactions,
    controlSum: row.control_sum.toString(),
    currency: row.currency,
    fileName: row.file_name,
    fileSha256: row.file_sha256.trim(),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    releaseStartedBy: row.release_started_by,
    releaseStartedAt: iso(row.release_started_at),
    releasedBy: row.released_by,
    releasedAt: iso(row.released_at),
    deliveryLocation: row.delivery_location,
    cancelledBy: row.cancelled_by,
    cancelledAt: iso(row.cancelled_at),
    cancelReason: row.cancel_reason,
  };
}
export type PaymentBatch = ReturnType<typeof presentBatch>;

/** The payments a batch's file carries, in file order, with where each stands now. */
async function batchPayments(db: Queryable | Tx, batchId: string) {
  const rows = await db
    .selectFrom('payment_batch_items as i')
    .innerJoin('payment_instructions as p', 'p.id', 'i.payment_id')
    .select([
      'i.payment_id',
      'i.position',
      'i.end_to_end_id',
      'i.amount',
      'p.currency',
      'p.beneficiary_id',
      'p.beneficiary_snapshot',
      'p.status',
      'p.batch_id',
    ])
    .where('i.batch_id', '=', batchId)
    .orderBy('i.position')
    .execute();
  return rows.map((r) => ({
    id: r.payment_id,
    position: r.position,
    endToEndId: r.end_to_end_id,
    amount: r.amount.toString(),
    currency: r.currency,
    beneficiaryId: r.beneficiary_id,
    beneficiaryName: (r.beneficiary_snapshot as { name?: string } | null)?.name ?? null,
    status: r.status as PaymentStatus,
    /** False once the batch was cancelled (and the payment perhaps batched again elsewhere). */
    inBatch: r.batch_id === batchId,
  }));
}

export async function presentBatchDetail(db: Queryable | Tx, row: PaymentBatchRow) {
  return { ...presentBatch(row), payments: await batchPayments(db, row.id) };
}
export type PaymentBatchDetail = Awaited<ReturnType<typeof presentBatchDetail>>;

export async function findBatch(db: Queryable | Tx, id: string): Promise<PaymentBatchRow> {
  const row = await db.selectFrom('payment_batches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('payment batch', id);
  return row;
}

export async function lockBatch(tx: Tx, id: string): Promise<PaymentBatchRow> {
  const row = await tx.selectFrom('payment_batches').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('payment batch', id);
  return row;
}

export function expectBatchStatus(row: PaymentBatchRow, allowed: readonly BatchStatus[], doing: string): void {
  if (!allowed.includes(row.status as BatchStatus)) {
    throw conflict('batch_state', `cannot ${doing}: payment batch ${row.id} is ${row.status}`, {
      state: row.status,
    });
  }
}

export async function getBatch(db: Queryable, id: string): Promise<PaymentBatchDetail> {
  return presentBatchDetail(db, await findBatch(db, id));
}

/** The stored pain.001 bytes and the name they were written under. */
export async function getBatchFile(db: Queryable, id: string): Promise<{ name: string; content: Uint8Array }> {
  const row = await db
    .selectFrom('payment_batches as b')
    .innerJoin('payment_files as f', 'f.batch_id', 'b.id')
    .select(['b.file_name', 'f.content'])
    .where('b.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('payment batch', id);
  return { name: row.file_name, content: row.content };
}

export interface BatchFilter {
  status?: string | undefined;
  account?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** Newest first, paged by id (ids sort by creation time); from/to bound the value date. */
export async function listBatches(db: Queryable, filter: BatchFilter): Promise<PaymentBatch[]> {
  let query = db.selectFrom('payment_batches').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.account) query = query.where('bank_account_id', '=', filter.account);
  if (filter.from) query = query.where('value_date', '>=', filter.from);
  if (filter.to) query = query.where('value_date', '<=', filter.to);
  if (filter.after) query = query.where('id', '<', filter.after);
  return (await query.execute()).map(presentBatch);
}
