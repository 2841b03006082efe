import { sql } from 'kysely';
import { conflict, notFound, refusedField } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { getInstance } from '../../engine/index.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import type { DomainWork } from '../unit-of-work.js';
import { payingAccount } from './bank-accounts.js';
import { payableBeneficiary } from './beneficiaries.js';
import type { BankDetails } from './bank-details.js';
import type { BankReason } from './status-reasons.js';
import type { PaymentRow } from './tables.js';
import { accountValueDays, requestedValueDate } from './value-dates.js';

/**
 * Payment instructions: created by API (idempotent through the route's Idempotency-Key), every
 * status change written once through `transition` — the row, a history row, an audit row and the
 * engine event `payment.<status>`, in one transaction — and read with their approvals and history.
 */

export const PAYMENT_STATUSES = [
  'draft', // reserved for instructions prepared in bulk (CSV, payables): not created by this slice
  'pending_approval', // submitted: the approval workflow runs (or waits for the beneficiary's verification)
  'approved', // approved by the matrix's approvers (or automatically); the amount is held on the ledger
  'batched', // in a payment file (a batch) not yet released; cancelling the batch returns it to approved
  'sent', // its file was released: handed to the bank's delivery (the outbox, a connector)
  'accepted', // accepted by the bank (a pain.002 status report)
  'settled', // executed per the bank statement; the hold is posted (next slice)
  'rejected', // by an approver, by policy (expired, beneficiary changed or not verified), or by the bank
  'returned', // came back after settlement (next slice)
  'cancelled', // withdrawn before release; the hold, if any, is voided
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Until it is in a payment batch a payment may be cancelled on its own (then its batch is cancelled instead). */
export const CANCELLABLE: readonly PaymentStatus[] = ['draft', 'pending_approval', 'approved'];
export const PAYMENT_SOURCES = ['api', 'csv', 'payable', 'disbursement', 'recurring'] as const;
export const SUBMITTED_EVENT = 'payment.pending_approval';

export interface Remittance {
  unstructured?: string | undefined;
  creditorReference?: string | undefined;
}

export interface PaymentInput {
  bankAccountId: string;
  beneficiaryId: string;
  amount: string;
  currency?: string | undefined;
  requestedExecutionDate?: string | undefined;
  endToEndId?: string | undefined;
  remittance?: Remittance | undefined;
  purpose?: string | undefined;
  sourceRef?: string | undefined;
}

export interface Approval {
  by: string;
  level: number;
  of: number;
  outcome: string;
  comment: string | null;
  taskId: string;
  at: string;
}

export interface Rejection {
  code: string;
  reason: string;
  by: string;
  at: string;
  /** A bank's rejection (pain.002, code `rejected_by_bank`): at which level, why, and in which report. */
  bank?: BankRejection;
}

/** An anomaly check's hit (payments.anomaly-checks): the check's code and why. */
export interface Anomaly {
  check: string;
  reason: string;
}

export interface BankRejection {
  level: 'group' | 'payment_information' | 'transaction';
  reason: BankReason | null;
  reportId: string;
  reportMessageId: string;
}

export async function createPayment(unit: DomainWork, input: PaymentInput, createdBy: string) {
  const account = await payingAccount(unit.tx, input.bankAccountId);
  const beneficiary = await payableBeneficiary(unit.tx, input.beneficiaryId);
  if (input.currency !== undefined && input.currency !== account.currency) {
    throw refusedField('currency', `must be the debtor account's currency (${account.currency}) or absent`);
  }
  // A business day of the bank's calendar, from today on; absent, the first one the bank still executes.
  const requestedExecutionDate = requestedValueDate(
    input.requestedExecutionDate,
    unit.today(),
    unit.clock.now(),
    await accountValueDays(unit.tx, account),
  );

  const now = unit.clock.now();
  const id = newId('pmt', now.getTime());
  // pain.001 identifiers take no underscore: the generated one is the id's ULID, which is unique.
  const endToEndId = input.endToEndId ?? `FF${id.slice(4)}`;
  const taken = await unit.tx
    .selectFrom('payment_instructions')
    .select(['id', 'end_to_end_id'])
    .where((eb) =>
      input.sourceRef === undefined
        ? eb('end_to_end_id', '=', endToEndId)
        : eb.or([
            eb('end_to_end_id', '=', endToEndId),
            eb.and([eb('source', '=', 'api'), eb('source_ref', '=', input.sourceRef)]),
          ]),
    )
    .executeTakeFirst();
  if (taken?.end_to_end_id === endToEndId) {
    throw conflict('end_to_end_id_taken', `body.endToEndId: payment ${taken.id} already uses ${endToEndId}`, {
      paymentId: taken.id,
    });
  }
  if (taken) {
    throw conflict(
      'duplicate_source_ref',
      `body.sourceRef: payment ${taken.id} was already made for ${input.sourceRef}`,
      {
        paymentId: taken.id,
      },
    );
  }

  const row = await unit.tx
    .insertInto('payment_instructions')
    .values({
      id,
      bank_account_id: account.id,
      beneficiary_id: beneficiary.id,
      amount: BigInt(input.amount),
      currency: account.currency,
      requested_execution_date: requestedExecutionDate,
      end_to_end_id: endToEndId,
      remittance: input.remittance ? JSON.stringify(normaliseRemittance(input.remittance)) : null,
      purpose: input.purpose ?? null,
      source: 'api',
      source_ref: input.sourceRef ?? null,
      status: 'pending_approval',
      approval: null,
      beneficiary_snapshot: null,
      rejection: null,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordHistory(unit, row, null, 'pending_approval', createdBy, null, {});
  const payment = presentPayment(row);
  unit.audit({
    action: 'payment.created',
    entityType: 'payment_instruction',
    entityId: id,
    before: null,
    after: payment,
  });
  // Starts the payment's approval workflow (its trigger), in this transaction.
  unit.publish(SUBMITTED_EVENT, id, { ...eventData(row), previousStatus: null, createdBy });
  return payment;
}

export function normaliseRemittance(remittance: Remittance): Remittance {
  return remittance.creditorReference !== undefined
    ? { creditorReference: remittance.creditorReference.replace(/ /g, '').toUpperCase() }
    : { unstructured: remittance.unstructured! };
}

/** What every `payment.<status>` event carries, so a workflow reacting to it needs no lookup. */
export function eventData(row: PaymentRow): Record<string, unknown> {
  return {
    paymentId: row.id,
    status: row.status,
    amount: row.amount.toString(),
    currency: row.currency,
    bankAccountId: row.bank_account_id,
    beneficiaryId: row.beneficiary_id,
    requestedExecutionDate: row.requested_execution_date,
    endToEndId: row.end_to_end_id,
    source: row.source,
    sourceRef: row.source_ref,
  };
}

async function recordHistory(
  unit: DomainWork,
  row: PaymentRow,
  from: string | null,
  to: string,
  by: string,
  reason: string | null,
  data: Record<string, unknown>,
): Promise<void> {
  await unit.tx
    .insertInto('payment_history')
    .values({
      payment_id: row.id,
      at: unit.clock.now(),
      by,
      from_status: from,
      to_status: to,
      reason,
      data: JSON.stringify(data),
    })
    .execute();
}

export interface TransitionChange {
  approval?: unknown;
  approvals?: Approval[];
  beneficiary_snapshot?: unknown;
  hold_transfer_id?: string;
  rejection?: Rejection;
  approved?: boolean;
  /** Into a batch (its id and the file's PmtInfId), or out of one (null). */
  batch?: { id: string; paymentInformationId: string } | null;
}

/**
 * One status change: the row, a history row, an audit row (who, before, after, why) and the event
 * `payment.<to>`. `by` is the person or system that caused it (the approver, the canceller).
 */
export async function transition(
  unit: DomainWork,
  row: PaymentRow,
  to: PaymentStatus,
  how: TransitionHow,
): Promise<PaymentRow> {
  const updated = await unit.tx
    .updateTable('payment_instructions')
    .set(columnsOf(to, how.change ?? {}, unit.clock.now()))
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordHistory(unit, row, row.status, to, how.by, how.reason ?? null, how.data ?? {});
  recordTransition(unit, row, updated, to, how);
  return updated;
}

export interface TransitionHow {
  by: string;
  reason?: string | null;
  change?: TransitionChange;
  data?: Record<string, unknown>;
}

/**
 * The same status change for many payments (a batch of 10 000 taking them in): one UPDATE, the
 * history rows in multi-row INSERTs, and each payment's audit row and event as `transition` makes
 * them. The rows come back in the order given.
 */
export async function transitionMany(
  unit: DomainWork,
  rows: readonly PaymentRow[],
  to: PaymentStatus,
  how: TransitionHow,
): Promise<PaymentRow[]> {
  if (rows.length === 0) return [];
  const now = unit.clock.now();
  const updated = new Map(
    (
      await unit.tx
        .updateTable('payment_instructions')
        .set(columnsOf(to, how.change ?? {}, now))
        .where('id', '=', sql<string>`ANY(${rows.map((r) => r.id)}::text[])`)
        .returningAll()
        .execute()
    ).map((r) => [r.id, r]),
  );
  const data = JSON.stringify(how.data ?? {});
  for (let from = 0; from < rows.length; from += HISTORY_ROWS) {
    await unit.tx
      .insertInto('payment_history')
      .values(
        rows.slice(from, from + HISTORY_ROWS).map((row) => ({
          payment_id: row.id,
          at: now,
          by: how.by,
          from_status: row.status,
          to_status: to,
          reason: how.reason ?? null,
          data,
        })),
      )
      .execute();
  }
  return rows.map((row) => {
    const after = updated.get(row.id);
    if (!after) throw new Error(`payment ${row.id} vanished while it changed status`);
    recordTransition(unit, row, after, to, how);
    return after;
  });
}

/** History rows per INSERT: 7 columns × 2 000 rows stays well under PostgreSQL's 65 535 parameters. */
const HISTORY_ROWS = 2000;

function columnsOf(to: PaymentStatus, change: TransitionChange, now: Date) {
  const json = (v: unknown) => JSON.stringify(v);
  return {
    status: to,
    updated_at: now,
    ...(change.approval !== undefined ? { approval: json(change.approval) } : {}),
    ...(change.approvals !== undefined ? { approvals: json(change.approvals) } : {}),
    ...(change.beneficiary_snapshot !== undefined ? { beneficiary_snapshot: json(change.beneficiary_snapshot) } : {}),
    ...(change.hold_transfer_id !== undefined ? { hold_transfer_id: change.hold_transfer_id } : {}),
    ...(change.rejection !== undefined ? { rejection: json(change.rejection) } : {}),
    ...(change.approved ? { approved_at: now } : {}),
    ...(change.batch !== undefined
      ? { batch_id: change.batch?.id ?? null, payment_information_id: change.batch?.paymentInformationId ?? null }
      : {}),
  };
}

/** The audit row (who, before, after, why) and the event `payment.<to>` of one status change. */
function recordTransition(
  unit: DomainWork,
  row: PaymentRow,
  updated: PaymentRow,
  to: PaymentStatus,
  how: TransitionHow,
) {
  const data = how.data ?? {};
  const reason = how.reason ?? null;
  unit.audit({
    action: `payment.${to}`,
    entityType: 'payment_instruction',
    entityId: row.id,
    before: { status: row.status },
    after: { status: to, by: how.by, ...data },
    reason,
  });
  unit.publish(`payment.${to}`, row.id, {
    ...eventData(updated),
    previousStatus: row.status,
    by: how.by,
    reason,
    ...data,
  });
}

/** A change inside a status (an approval recorded, the matrix's answer): history and audit, no event. */
export async function record(
  unit: DomainWork,
  row: PaymentRow,
  what: { action: string; by: string; change: TransitionChange; data: Record<string, unknown> },
): Promise<PaymentRow> {
  const json = (v: unknown) => JSON.stringify(v);
  const { change } = what;
  const updated = await unit.tx
    .updateTable('payment_instructions')
    .set({
      updated_at: unit.clock.now(),
      ...(change.approval !== undefined ? { approval: json(change.approval) } : {}),
      ...(change.approvals !== undefined ? { approvals: json(change.approvals) } : {}),
      ...(change.beneficiary_snapshot !== undefined ? { beneficiary_snapshot: json(change.beneficiary_snapshot) } : {}),
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: what.action,
    entityType: 'payment_instruction',
    entityId: row.id,
    before: { status: row.status },
    after: { status: row.status, by: what.by, ...what.data },
  });
  return updated;
}

export async function lockPayment(tx: Tx, id: string): Promise<PaymentRow> {
  const row = await tx
    .selectFrom('payment_instructions')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('payment', id);
  return row;
}

export function expectStatus(row: PaymentRow, allowed: readonly PaymentStatus[], doing: string): void {
  if (!allowed.includes(row.status as PaymentStatus)) {
    throw conflict('payment_state', `cannot ${doing}: payment ${row.id} is ${row.status}`, { state: row.status });
  }
}

export const HELD: readonly string[] = ['approved', 'batched', 'sent', 'accepted'];
/** A settled payment's hold was posted, and stays posted when the bank later returns it (the return is its own transfer). */
const holdState = (status: string): 'held' | 'posted' | 'voided' =>
  HELD.includes(status) ? 'held' : status === 'settled' || status === 'returned' ? 'posted' : 'voided';

export function presentPayment(row: PaymentRow) {
  return {
    id: row.id,
    status: row.status as PaymentStatus,
    bankAccountId: row.bank_account_id,
    beneficiaryId: row.beneficiary_id,
    amount: row.amount.toString(),
    currency: row.currency,
    requestedExecutionDate: row.requested_execution_date,
    endToEndId: row.end_to_end_id,
    remittance: row.remittance ?? null,
    purpose: row.purpose,
    source: row.source as (typeof PAYMENT_SOURCES)[number],
    sourceRef: row.source_ref,
    approval: (row.approval ?? null) as Record<string, unknown> | null,
    approvals: row.approvals as Approval[],
    beneficiarySnapshot: (row.beneficiary_snapshot ?? null) as (BankDetails & Record<string, unknown>) | null,
    hold: row.hold_transfer_id
      ? {
          transferId: row.hold_transfer_id,
          state: holdState(row.status),
        }
      : null,
    rejection: (row.rejection ?? null) as Rejection | null,
    anomalies: (row.anomalies ?? []) as Anomaly[],
    instanceId: row.instance_id,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    approvedAt: row.approved_at?.toISOString() ?? null,
    batchId: row.batch_id,
    paymentInformationId: row.payment_information_id,
  };
}
export type Payment = ReturnType<typeof presentPayment>;

/** One payment with its status history (oldest first) and the tasks of its approval workflow. */
export async function getPayment(db: Queryable, id: string) {
  const row = await db.selectFrom('payment_instructions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('payment', id);
  const history = await db
    .selectFrom('payment_history')
    .selectAll()
    .where('payment_id', '=', id)
    .orderBy('seq')
    .execute();
  const tasks = row.instance_id ? (await getInstance(db, row.instance_id)).tasks : [];
  return {
    ...presentPayment(row),
    history: history.map((h) => ({
      at: h.at.toISOString(),
      by: h.by,
      from: h.from_status,
      to: h.to_status,
      reason: h.reason,
      data: h.data as Record<string, unknown>,
    })),
    tasks,
  };
}

export interface PaymentFilter {
  status?: string | undefined;
  beneficiary?: string | undefined;
  account?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** Newest first, paged by id (ids sort by creation time); from/to bound the requested execution date. */
export async function listPayments(db: Queryable, filter: PaymentFilter): Promise<Payment[]> {
  let query = db.selectFrom('payment_instructions').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.beneficiary) query = query.where('beneficiary_id', '=', filter.beneficiary);
  if (filter.account) query = query.where('bank_account_id', '=', filter.account);
  if (filter.from) query = query.where('requested_execution_date', '>=', filter.from);
  if (filter.to) query = query.where('requested_execution_date', '<=', filter.to);
  if (filter.after) query = query.where('id', '<', filter.after);
  return (await query.execute()).map(presentPayment);
}
