import { sql, type Selectable } from 'kysely';
import { conflict, refusedField } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { rateCustomer } from '../customers/customer-service.js';
import { unitRatingScale } from '../customers/ratings.js';
import type { DomainWork } from '../unit-of-work.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import { addDays } from '../receivables/schedule/due-dates.js';
import { lockCase, type CaseRow } from './cases/case-row.js';
import { readCollectionsSettings, type CollectionsSettings } from './collections-settings.js';
import type { CollectionPromisesTable } from './tables.js';
import { receivableColumns } from '../receivables/receivable-queries.js';
import { customerColumns } from '../customers/customer-queries.js';

/**
 * Promises to pay. A promise pauses the case's strategy until its date plus the grace days; then it
 * is kept when the payments since it was made reach its amount, broken otherwise — and a broken one
 * resumes the strategy and counts against the customer: enough broken promises in 180 days worsen
 * the risk rating by one grade (which credit decisions see).
 */

export type PromiseRow = Selectable<CollectionPromisesTable>;

/** The longest a collector may push a promise out. */
const MAX_PROMISE_DAYS = 90;

export interface PromiseRequest {
  amount: bigint;
  date: string;
  by: string;
  collector?: string | null;
}

export async function makePromise(unit: DomainWork, caseId: string, request: PromiseRequest) {
  const theCase = await lockCase(unit.tx, caseId);
  if (theCase.status !== 'open') throw conflict('case_closed', `case ${caseId} is closed`);
  const today = unit.today();
  const receivable = await receivableColumns(unit.tx, theCase.receivable_id, ['outstanding', 'total_paid', 'currency']);
  if (request.amount <= 0n) throw refusedField('amount', 'must be above zero');
  if (request.amount > receivable.outstanding) {
    throw refusedField('amount', `must not exceed the outstanding balance ${receivable.outstanding}`);
  }
  if (request.date < today) throw refusedField('date', `must not be before today (${today})`);
  if (request.date > addDays(today, MAX_PROMISE_DAYS)) {
    throw refusedField('date', `must be within ${MAX_PROMISE_DAYS} days (by ${addDays(today, MAX_PROMISE_DAYS)})`);
  }
  const open = await unit.tx
    .selectFrom('collection_promises')
    .select('id')
    .where('case_id', '=', caseId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (open) throw conflict('promise_open', `case ${caseId} already has open promise ${open.id}`, { promise: open.id });

  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('collection_promises')
    .values({
      id: newId('cprom', now.getTime()),
      case_id: caseId,
      customer_id: theCase.customer_id,
      amount: request.amount,
      currency: receivable.currency,
      promised_date: request.date,
      status: 'open',
      baseline_paid: receivable.total_paid,
      collector: request.collector ?? theCase.collector,
      segment: theCase.segment,
      created_by: request.by,
      created_at: now,
      resolved_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await setState(unit, theCase, 'promised');
  const promise = presentPromise(row);
  unit.audit({
    action: 'collections.promise.made',
    entityType: 'collection_promise',
    entityId: row.id,
    after: promise,
  });
  unit.publish('collections.promise.made', caseId, promise);
  // Wakes the case's strategy, which then pauses until the promise is due.
  unit.publish('collections.case.changed', caseId, { caseId, change: 'promise_made', promise: row.id });
  return promise;
}

/** The open promise, settled first if its date and grace have passed (or it is already paid). */
export async function currentPromise(
  unit: DomainWork,
  theCase: CaseRow,
  totalPaid: bigint,
  settings?: Pick<CollectionsSettings, 'promiseGraceDays'>,
): Promise<{ open: PromiseRow | null; dueAt: string | null; settled: PromiseRow | null }> {
  const open = await lockOpenPromise(unit.tx, theCase.id);
  if (!open) return { open: null, dueAt: null, settled: null };
  const { promiseGraceDays } = settings ?? (await readCollectionsSettings(unit.tx));
  const checked = promiseCheckpoint(open, totalPaid, unit.today(), promiseGraceDays);
  if (checked.status !== 'open') {
    return { open: null, dueAt: null, settled: await settlePromise(unit, open, checked.status, checked.paid) };
  }
  return { open, dueAt: checked.dueAt, settled: null };
}

/** The case's open promise, locked (at most one is open per case). */
export async function lockOpenPromise(tx: Tx, caseId: string): Promise<PromiseRow | undefined> {
  return tx
    .selectFrom('collection_promises')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('status', '=', 'open')
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Where an open promise stands today (no I/O): kept once the promised amount is paid, broken once
 * the promised date plus the grace days has passed, else open until then.
 */
export function promiseCheckpoint(
  open: Pick<PromiseRow, 'baseline_paid' | 'amount' | 'promised_date'>,
  totalPaid: bigint,
  today: string,
  promiseGraceDays: number,
): { status: 'open' | 'kept' | 'broken'; dueAt: string | null; paid: bigint } {
  const paid = totalPaid - open.baseline_paid;
  const deadline = addDays(open.promised_date, promiseGraceDays + 1);
  if (paid >= open.amount) return { status: 'kept', dueAt: null, paid };
  if (today >= deadline) return { status: 'broken', dueAt: null, paid };
  return { status: 'open', dueAt: `${deadline}T00:00:00.000Z`, paid };
}

export async function settlePromise(
  unit: DomainWork,
  row: PromiseRow,
  status: 'kept' | 'broken' | 'cancelled',
  paid: bigint,
) {
  const now = unit.clock.now();
  const after = await unit.tx
    .updateTable('collection_promises')
    .set({ status, paid_amount: paid > 0n ? paid : 0n, resolved_at: now })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: `collections.promise.${status}`,
    entityType: 'collection_promise',
    entityId: row.id,
    before: presentPromise(row),
    after: presentPromise(after),
  });
  unit.publish(`collections.promise.${status}`, row.case_id, presentPromise(after));
  if (status === 'broken') await brokenPromiseFeedback(unit, row.customer_id);
  return after;
}

/** Enough broken promises in 180 days worsen the customer's rating one grade on the scale. */
async function brokenPromiseFeedback(unit: DomainWork, customerId: string): Promise<void> {
  const { brokenPromiseLimit } = await readCollectionsSettings(unit.tx);
  const since = addDays(unit.today(), -180);
  const broken = await unit.tx
    .selectFrom('collection_promises')
    .select(sql<string>`count(*)`.as('n'))
    .where('customer_id', '=', customerId)
    .where('status', '=', 'broken')
    .where('resolved_at', '>=', sql<Date>`${since}::date`)
    .executeTakeFirstOrThrow();
  const count = Number(broken.n);
  // Once per multiple of the limit, so a third broken promise does not worsen the rating again.
  if (count === 0 || count % brokenPromiseLimit !== 0) return;
  const customer = await customerColumns(unit.tx, customerId, ['risk_rating']);
  const ratingScale = await unitRatingScale(unit);
  const at =
    customer.risk_rating === null
      ? Math.floor((ratingScale.length - 1) / 2)
      : ratingScale.indexOf(customer.risk_rating);
  const worse = ratingScale[Math.min(Math.max(at, 0) + 1, ratingScale.length - 1)]!;
  if (worse === customer.risk_rating) return;
  await rateCustomer(unit, customerId, {
    rating: worse,
    reason: `collections: ${count} broken promises to pay in 180 days`,
  });
}

/** A case closing (cured or paid) settles its open promise: kept if paid, otherwise no longer needed. */
export async function settlePromisesOnClose(unit: DomainWork, theCase: CaseRow, totalPaid: bigint): Promise<void> {
  const open = await unit.tx
    .selectFrom('collection_promises')
    .selectAll()
    .where('case_id', '=', theCase.id)
    .where('status', '=', 'open')
    .forUpdate()
    .execute();
  for (const row of open) {
    const paid = totalPaid - row.baseline_paid;
    await settlePromise(unit, row, paid >= row.amount ? 'kept' : 'cancelled', paid);
  }
}

export async function setState(unit: DomainWork, theCase: CaseRow, state: string): Promise<void> {
  if (theCase.state === state) return;
  await unit.tx
    .updateTable('collection_cases')
    .set({ state, updated_at: unit.clock.now() })
    .where('id', '=', theCase.id)
    .execute();
  theCase.state = state;
}

export function presentPromise(row: PromiseRow) {
  return {
    id: row.id,
    caseId: row.case_id,
    customerId: row.customer_id,
    amount: row.amount.toString(),
    currency: row.currency,
    date: row.promised_date,
    status: row.status,
    paidAmount: row.paid_amount.toString(),
    collector: row.collector,
    segment: row.segment,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    resolvedAt: row.resolved_at?.toISOString() ?? null,
  };
}

export async function listPromises(db: Queryable, caseId: string) {
  const rows = await db
    .selectFrom('collection_promises')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .execute();
  return rows.map(presentPromise);
}
