import { recordset } from '../../../storage/recordset.js';
import { sql } from 'kysely';
import type { DomainWork } from '../../unit-of-work.js';
import type { Tx } from '../../../storage/schema.js';
import { daysBetween } from '../schedule/due-dates.js';
import { bucketFor, unitSettings, type Bucket } from '../settings.js';
import type { ReceivableRow, ReceivableStatus } from '../tables.js';

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
  const next = nextDelinquency(before, totals, asOf, buckets ?? (await unitSettings(unit)).buckets, finalStatus);
  const after = await unit.tx
    .updateTable('receivables')
    .set({ ...next, updated_at: unit.clock.now() })
    .where('id', '=', receivableId)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (transitionEvents(before, after).length) {
    const customer = await unit.tx
      .selectFrom('customers')
      .select('external_id')
      .where('id', '=', after.customer_id)
      .executeTakeFirstOrThrow();
    publishTransitions(unit, before, after, customer.external_id, totals.overdue);
  }
  return after;
}

export type InstallmentTotals = Awaited<ReturnType<typeof installmentTotals>>;

/** The columns evaluateDelinquency stores: totals, status, DPD, bucket, overdue since (pure). */
export function nextDelinquency(
  before: ReceivableRow,
  totals: InstallmentTotals,
  asOf: string,
  buckets: Bucket[],
  finalStatus?: 'written_off',
): Pick<
  ReceivableRow,
  | 'total_due'
  | 'total_paid'
  | 'outstanding'
  | 'oldest_unpaid_due_date'
  | 'status'
  | 'dpd'
  | 'bucket'
  | 'overdue_since'
  | 'delinquency_as_of'
> {
  const dpd = dpdOf(totals.oldestUnpaid, asOf);
  const status: ReceivableStatus = totals.outstanding === 0n ? 'paid' : 'open';
  return {
    total_due: totals.due,
    total_paid: totals.paid,
    outstanding: totals.outstanding,
    oldest_unpaid_due_date: totals.oldestUnpaid,
    status: finalStatus ?? (before.status === 'cancelled' ? 'cancelled' : status),
    dpd,
    bucket: bucketFor(dpd, buckets),
    overdue_since: dpd > 0 ? (before.dpd > 0 ? before.overdue_since : asOf) : null,
    delinquency_as_of: asOf,
  };
}

/** Publishes the events of a receivable's change of state (evaluateDelinquency's, for callers that computed it). */
export function publishTransitions(
  unit: DomainWork,
  before: ReceivableRow,
  after: ReceivableRow,
  customerExternalId: string,
  overdueAmount: bigint,
): void {
  const events = transitionEvents(before, after);
  if (events.length === 0) return;
  const data = receivableEventData(after, { customerExternalId, overdueAmount, from: before });
  for (const type of events) unit.publish(type, after.id, data);
}

/** Installment amounts as stored: what the totals are computed from. */
export interface InstallmentAmounts {
  due_date: string;
  principal_due: bigint;
  interest_due: bigint;
  fee_due: bigint;
  principal_paid: bigint;
  interest_paid: bigint;
  fee_paid: bigint;
}

/** installmentTotals of installments the caller holds in memory (a bulk sync's chunk): the same sums, in JS. */
export function totalsOf(installments: readonly InstallmentAmounts[], asOf: string): InstallmentTotals {
  let due = 0n;
  let paid = 0n;
  let overdue = 0n;
  let oldestUnpaid: string | null = null;
  for (const i of installments) {
    const d = BigInt(i.principal_due) + BigInt(i.interest_due) + BigInt(i.fee_due);
    const p = BigInt(i.principal_paid) + BigInt(i.interest_paid) + BigInt(i.fee_paid);
    due += d;
    paid += p;
    if (p < d && (oldestUnpaid === null || i.due_date < oldestUnpaid)) oldestUnpaid = i.due_date;
    if (i.due_date < asOf) overdue += d - p;
  }
  return { due, paid, outstanding: due - paid, oldestUnpaid, overdue };
}

/** Stores the delinquency columns of many receivables (nextDelinquency's, as `rows` carry them) in one UPDATE. */
export async function storeDelinquencies(tx: Tx, rows: readonly ReceivableRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((r) => ({
    id: r.id,
    total_due: r.total_due.toString(),
    total_paid: r.total_paid.toString(),
    outstanding: r.outstanding.toString(),
    oldest_unpaid: r.oldest_unpaid_due_date,
    status: r.status,
    dpd: r.dpd,
    bucket: r.bucket,
    overdue_since: r.overdue_since,
    as_of: r.delinquency_as_of,
    updated_at: r.updated_at,
  }));
  await sql`
    UPDATE receivables AS r SET
      total_due = v.total_due, total_paid = v.total_paid, outstanding = v.outstanding,
      oldest_unpaid_due_date = v.oldest_unpaid, status = v.status, dpd = v.dpd, bucket = v.bucket,
      overdue_since = v.overdue_since, delinquency_as_of = v.as_of, updated_at = v.updated_at
    FROM ${recordset('v', DELINQUENCY_COLUMNS, values)}
    WHERE r.id = v.id`.execute(tx);
}

/** What storeDelinquencies writes of a receivable, as its document's columns. */
const DELINQUENCY_COLUMNS = [
  ['id', 'text'],
  ['total_due', 'bigint'],
  ['total_paid', 'bigint'],
  ['outstanding', 'bigint'],
  ['oldest_unpaid', 'date'],
  ['status', 'text'],
  ['dpd', 'int'],
  ['bucket', 'text'],
  ['overdue_since', 'date'],
  ['as_of', 'date'],
  ['updated_at', 'timestamptz'],
] as const;

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
