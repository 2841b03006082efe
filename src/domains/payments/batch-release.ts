import { AppError, conflict } from '../../core/errors.js';
import type { DomainContext } from '../contract.js';
import { inDomainTransaction, type DomainWork } from '../unit-of-work.js';
import type { BatchDelivery } from './batch-delivery.js';
import { revalidateStoredFile } from './batch-file.js';
import {
  expectBatchStatus,
  findBatch,
  getBatchFile,
  lockBatch,
  presentBatchDetail,
  type BatchStatus,
  type PaymentBatchDetail,
} from './batches.js';
import { transition } from './instructions.js';
import type { PaymentBatchRow } from './tables.js';
import { isBusinessDate } from './business-dates.js';
import { accountValueDays, closedBecause, earliestValueDate } from './value-dates.js';
import type { Queryable } from '../../storage/schema.js';

/**
 * Releasing a batch: its stored file handed to the bank's delivery, its payments batched → sent.
 *
 * The order, and why. A database transaction cannot include a file landing at a bank, so release
 * runs in three steps, each safe to crash after:
 *
 * 0. Checks, writing nothing: the batch exists and is `created` or `releasing`, a delivery is
 *    configured, the stored file still has the hash recorded when it was written and is valid
 *    against its XSD. Any refusal here leaves no trace.
 * 1. One transaction marks the batch `releasing` (who, when). From here on the file may be at the
 *    bank, so the batch can no longer be cancelled.
 * 2. The delivery, outside any transaction. It is idempotent by file name (BatchDelivery's
 *    contract): delivering a file already there answers `alreadyDelivered` and sends nothing.
 * 3. One transaction marks the batch `released` with where the file went, and moves each payment
 *    batched → sent (history, audit, `payment.sent`).
 *
 * A crash (or a failed delivery) after 1 leaves the batch `releasing`; running release again goes
 * through 2 — which finds the file already delivered, or delivers it — and 3. Two releases at once
 * both pass 1; the delivery writes the file once, and the second to reach 3 finds the batch
 * released and answers it. A batch already released answers its first result at once: the same
 * batch is never sent twice.
 *
 * Release opens its own transactions, so its route takes no Idempotency-Key: it is idempotent by
 * itself.
 */

/**
 * A file is never handed over for a value date its bank no longer executes on (passed, a holiday,
 * or today after the account's cut-off): the bank would reject it or execute it late. Cancelling the
 * batch returns its payments to approved, and batching them again dates them anew. A batch already
 * `releasing` may be at the bank: it is finished as it is.
 */
async function expectValueDateOpen(db: Queryable, batch: PaymentBatchRow, now: Date): Promise<void> {
  const account = await db
    .selectFrom('bank_accounts')
    .select(['calendar', 'cut_off_time'])
    .where('id', '=', batch.bank_account_id)
    .executeTakeFirstOrThrow();
  const days = await accountValueDays(db, account);
  const first = earliestValueDate(now, days);
  const problem =
    batch.value_date < first
      ? `its first value date now is ${first}`
      : isBusinessDate(batch.value_date, days.days)
        ? undefined
        : closedBecause(batch.value_date, days);
  if (problem === undefined) return;
  throw conflict(
    'value_date_closed',
    `batch ${batch.id} is for value date ${batch.value_date}, which its bank no longer executes on (${problem}): ` +
      'cancel the batch and batch its payments again',
    { batchId: batch.id, valueDate: batch.value_date, earliestValueDate: first },
  );
}

/** States in which the file has left: release answers the batch as it is. */
const RELEASED: readonly BatchStatus[] = ['released', 'accepted', 'rejected', 'partially_accepted'];
const isReleased = (row: PaymentBatchRow) => RELEASED.includes(row.status as BatchStatus);

export interface ReleaseWho {
  /** The audit actor (the principal's id). */
  actor: string;
  requestId: string | null;
  /** Who released it, as recorded on the batch and its payments (the person an API key works as). */
  by: string;
}

export async function releaseBatch(
  context: DomainContext,
  who: ReleaseWho,
  id: string,
  delivery: BatchDelivery | undefined,
): Promise<PaymentBatchDetail> {
  const db = context.database.db;

  // 0. Refusals first, before anything is written.
  const seen = await findBatch(db, id);
  if (isReleased(seen)) return presentBatchDetail(db, seen);
  expectBatchStatus(seen, ['created', 'releasing'], 'release');
  if (!delivery || (delivery.canDeliver && !(await delivery.canDeliver(seen.bank_account_id)))) {
    throw conflict(
      'bank_delivery_unavailable',
      'no bank delivery is configured (no data folder for the bank outbox): payment files cannot be released',
    );
  }
  if (seen.status === 'created') await expectValueDateOpen(db, seen, context.clock.now());
  const file = await getBatchFile(db, id);
  await revalidateStoredFile(seen, file.content);

  // 1. Releasing: durable before the file leaves.
  const started = await inDomainTransaction(context, who, async (unit) => {
    const batch = await lockBatch(unit.tx, id);
    if (isReleased(batch)) return batch;
    expectBatchStatus(batch, ['created', 'releasing'], 'release');
    if (batch.status === 'releasing') return batch; // a crashed or concurrent release: deliver again (idempotent)
    return setBatch(unit, batch, 'releasing', {
      release_started_by: who.by,
      release_started_at: unit.clock.now(),
    });
  });
  if (isReleased(started)) return presentBatchDetail(db, started);

  // 2. The delivery, idempotent by file name.
  let delivered: { location: string; alreadyDelivered: boolean };
  try {
    delivered = await delivery.deliver(
      { name: file.name, content: Buffer.from(file.content) },
      started.bank_account_id,
    );
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      'bank_delivery_failed',
      503,
      `the file of batch ${id} could not be delivered (${error instanceof Error ? error.message : String(error)}); ` +
        'the batch stays releasing: release it again',
      { cause: error, details: { batchId: id } },
    );
  }

  // 3. Released, and its payments sent.
  return inDomainTransaction(context, who, async (unit) => {
    const batch = await lockBatch(unit.tx, id);
    // Another release reached this step first: its result stands.
    if (batch.status !== 'releasing') return presentBatchDetail(unit.tx, batch);
    const released = await setBatch(unit, batch, 'released', {
      released_by: who.by,
      released_at: unit.clock.now(),
      delivery_location: delivered.location,
    });
    const payments = await unit.tx
      .selectFrom('payment_instructions')
      .selectAll()
      .where('batch_id', '=', id)
      .where('status', '=', 'batched')
      .orderBy('id')
      .forUpdate()
      .execute();
    for (const payment of payments) {
      await transition(unit, payment, 'sent', {
        by: who.by,
        data: { batchId: id, messageId: batch.message_id, fileName: batch.file_name, location: delivered.location },
      });
    }
    const detail = await presentBatchDetail(unit.tx, released);
    unit.publish('payment_batch.released', id, {
      batchId: id,
      bankAccountId: batch.bank_account_id,
      messageId: batch.message_id,
      fileName: batch.file_name,
      location: delivered.location,
      alreadyDelivered: delivered.alreadyDelivered,
      numberOfTransactions: batch.number_of_transactions,
      controlSum: batch.control_sum.toString(),
      currency: batch.currency,
      releasedBy: who.by,
    });
    return detail;
  });
}

/** Cancel before release: the batch is cancelled (its file kept, never sent) and its payments are approved again. */
export async function cancelBatch(unit: DomainWork, id: string, by: string, reason: string | null) {
  const batch = await lockBatch(unit.tx, id);
  // From `releasing` on the file may be at the bank: it is the bank's (and pain.002's) to refuse now.
  expectBatchStatus(batch, ['created'], 'cancel');
  const cancelled = await setBatch(unit, batch, 'cancelled', {
    cancelled_by: by,
    cancelled_at: unit.clock.now(),
    cancel_reason: reason,
  });
  const payments = await unit.tx
    .selectFrom('payment_instructions')
    .selectAll()
    .where('batch_id', '=', id)
    .where('status', '=', 'batched')
    .orderBy('id')
    .forUpdate()
    .execute();
  for (const payment of payments) {
    await transition(unit, payment, 'approved', {
      by,
      reason: reason ?? `payment batch ${id} cancelled`,
      change: { batch: null },
      data: { batchId: id, batchCancelled: true },
    });
  }
  unit.publish('payment_batch.cancelled', id, {
    batchId: id,
    bankAccountId: batch.bank_account_id,
    messageId: batch.message_id,
    payments: payments.length,
    cancelledBy: by,
    reason,
  });
  return presentBatchDetail(unit.tx, cancelled);
}

type BatchChange = Partial<
  Pick<
    PaymentBatchRow,
    | 'release_started_by'
    | 'released_by'
    | 'delivery_location'
    | 'cancelled_by'
    | 'cancel_reason'
    | 'release_started_at'
    | 'released_at'
    | 'cancelled_at'
  >
>;

/** A batch's status change with its audit row (`payment_batch.<status>`). */
export async function setBatch(
  unit: DomainWork,
  batch: PaymentBatchRow,
  status: BatchStatus,
  change: BatchChange,
): Promise<PaymentBatchRow> {
  const updated = await unit.tx
    .updateTable('payment_batches')
    .set({ ...change, status, updated_at: unit.clock.now() })
    .where('id', '=', batch.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: `payment_batch.${status}`,
    entityType: 'payment_batch',
    entityId: batch.id,
    before: { status: batch.status },
    after: {
      status,
      ...Object.fromEntries(
        Object.entries(change).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : (v as unknown)]),
      ),
    },
    reason: change.cancel_reason ?? null,
  });
  return updated;
}
