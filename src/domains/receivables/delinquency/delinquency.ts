import { sql } from 'kysely';
import type { DomainWork } from '../../unit-of-work.js';
import type { Tx } from '../../../storage/schema.js';
import { daysBetween } from '../schedule/due-dates.js';
import { bucketFor, unitSettings, type Bucket } from '../settings.js';
import type { ReceivableRow } from '../tables.js';

/**
 * Days past due and buckets. DPD counts from the due date of the oldest installment not fully paid
 * (an installment due yesterday and unpaid today is 1 day past due). The receivable keeps
 * `oldest_unpaid_due_date` current on every change, so the close-of-business run and this real-time
 * path compute the same number from the same column — the run set-based, this one per receivable.
 *
 * Transitions become engine events, keyed by the receivable id:
 *   receivable.overdue         current → past due
 *   receivable.bucket_changed  any change of bucket (including back to `current`)
 *   receivable.cured           past due → current (also when paid off while past due)
 *   receivable.paid            outstanding reached zero
 *   receivable.reopened        a reversal made a paid receivable owe again
 */

export interface DelinquencyState {
  status: string;
  dpd: number;
  bucket: string;
}

export function dpdOf(oldestUnpaidDueDate: string | null, asOf: string): number {
  if (oldestUnpaidDueDate === null) return 0;
  return Math.max(0, daysBetween(oldestUnpaidDueDate, asOf));
}

/** The events a change of state causes, in the order a listener should see them. */
export function transitionEvents(before: DelinquencyState, after: DelinquencyState): string[] {
  const events: string[] = [];
  if (before.dpd === 0 && after.dpd > 0) events.push('receivable.overdue');
  if (before.bucket !== after.bucket) events.push('receivable.bucket_changed');
  if (before.dpd > 0 && after.dpd === 0) events.push('receivable.cured');
  if (before.status !== 'paid' && after.status === 'paid') events.push('receivable.paid');
  if (before.status === 'paid' && after.status === 'open') events.push('receivable.reopened');
  return events;
}

/** What a collections workflow needs to act on a receivable event, without another lookup. */
export function receivableEventData(
  row: ReceivableRow,
  extra: { customerExternalId: string; overdueAmount: bigint; from: DelinquencyState },
): Record<string, unknown> {
  return {
    receivableId: row.id,
    externalId: row.external_id,
    customerId: row.customer_id,
    customerExternalId: extra.customerExternalId,
    kind: row.kind,
    currency: row.currency,
    status: row.status,
    outstanding: row.outstanding.toString(),
    overdueAmount: extra.overdueAmount.toString(),
    dpd: row.dpd,
    bucket: row.bucket,
    previousDpd: extra.from.dpd,
    previousBucket: extra.from.bucket,
    oldestUnpaidDueDate: row.oldest_unpaid_due_date,
    overdueSince: row.overdue_since,
    asOf: row.delinquency_as_of,
  };
}

/**
 * Recomputes a receivable's totals and delinquency from its installments as of today, stores them,
 * and publishes the transitions. Callers hold the receivable's row lock (they changed its
 * installments) and pass the row as it was before their change.
 */
export async function evaluateDelinquency(
  unit: DomainWork,
  before: ReceivableRow,
  buckets?: Bucket[],
  /** A terminal status the change sets (a write-off); otherwise paid or open by what is owed. */
  finalStatus?: 'written_off',
) {
  const asOf = unit.today();
  const receivableId = before.id;
  const totals = await installmentTotals(unit.tx, receivableId, asOf);
  const dpd = dpdOf(totals.oldestUnpaid, asOf);
  const bucket = bucketFor(dpd, buckets ?? (await unitSettings(unit)).buckets);
  const status = totals.outstanding === 0n ? 'paid' : 'open';
  const after = await unit.tx
    .updateTable('receivables')
    .set({
      total_due: totals.due,
      total_paid: totals.paid,
      outstanding: totals.outstanding,
      oldest_unpaid_due_date: totals.oldestUnpaid,
      status: finalStatus ?? (before.status === 'cancelled' ? 'cancelled' : status),
      dpd,
      bucket,
      overdue_since: dpd > 0 ? (before.dpd > 0 ? before.overdue_since : asOf) : null,
      delinquency_as_of: asOf,
      updated_at: unit.clock.now(),
    })
    .where('id', '=', receivableId)
    .returningAll()
    .executeTakeFirstOrThrow();
  const events = transitionEvents(before, after);
  if (events.length) {
    const customer = await unit.tx
      .selectFrom('customers')
      .select('external_id')
      .where('id', '=', after.customer_id)
      .executeTakeFirstOrThrow();
    const data = receivableEventData(after, {
      customerExternalId: customer.external_id,
      overdueAmount: totals.overdue,
      from: before,
    });
    for (const type of events) unit.publish(type, receivableId, data);
  }
  return after;
}

export async function installmentTotals(tx: Tx, receivableId: string, asOf: string) {
  const row = await tx
    .selectFrom('installments')
    .select([
      sql<string>`COALESCE(SUM(principal_due + interest_due + fee_due), 0)`.as('due'),
      sql<string>`COALESCE(SUM(principal_paid + interest_paid + fee_paid), 0)`.as('paid'),
      sql<
        string | null
      >`MIN(due_date) FILTER (WHERE principal_paid + interest_paid + fee_paid < principal_due + interest_due + fee_due)`.as(
        'oldest_unpaid',
      ),
      sql<string>`COALESCE(SUM(principal_due + interest_due + fee_due - principal_paid - interest_paid - fee_paid) FILTER (WHERE due_date < ${asOf}::date), 0)`.as(
        'overdue',
      ),
    ])
    .where('receivable_id', '=', receivableId)
    .executeTakeFirstOrThrow();
  const due = BigInt(row.due);
  const paid = BigInt(row.paid);
  return {
    due,
    paid,
    outstanding: due - paid,
    oldestUnpaid: row.oldest_unpaid,
    overdue: BigInt(row.overdue),
  };
}
