import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Selectable } from 'kysely';
import { AppError, conflict, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { lockCustomers, refreshExposure, refreshExposuresAtEnd, toCustomer } from '../customers/customer-service.js';
import type { DomainWork } from '../unit-of-work.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import { parseWaterfall } from './allocation/waterfall.js';
import { evaluateDelinquency, nextDelinquency, publishTransitions, totalsOf } from './delinquency/delinquency.js';
import { postingContextOf, postReceivableCreated, postReceivablesCreated } from './receivable-ledger.js';
import type { ReceivableInput } from './receivable-input.js';
import { dueDateFromTerms, invoiceLines, invoiceSchedule, type InvoiceLine } from './schedule/invoice-amounts.js';
import { loanSchedule, type ScheduledInstallment } from './schedule/loan-schedule.js';
import { CURRENT_BUCKET, unitSettings } from './settings.js';
import type { InstallmentsTable, ReceivableRow } from './tables.js';

/**
 * Receivables: invoices and loans. Creation generates the schedule, books the receivable in the
 * ledger, updates the customer's exposure and evaluates delinquency — one transaction. Financial
 * terms are immutable once created (corrections are payments, fees and reversals), so a repeated
 * create with the same external id and terms is a no-op and with other terms a conflict.
 */

export interface Receivable {
  id: string;
  externalId: string;
  customerId: string;
  kind: 'invoice' | 'loan';
  currency: string;
  status: string;
  issueDate: string;
  paymentTerms: string | null;
  principal: string;
  annualRate: string | null;
  termMonths: number | null;
  scheduleMethod: string | null;
  firstDueDate: string;
  maturityDate: string;
  totalDue: string;
  totalPaid: string;
  outstanding: string;
  oldestUnpaidDueDate: string | null;
  dpd: number;
  bucket: string;
  overdueSince: string | null;
  waterfall: unknown;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface Installment {
  seq: number;
  dueDate: string;
  principalDue: string;
  interestDue: string;
  feeDue: string;
  principalPaid: string;
  interestPaid: string;
  feePaid: string;
  outstanding: string;
}

export function toReceivable(row: ReceivableRow): Receivable {
  return {
    id: row.id,
    externalId: row.external_id,
    customerId: row.customer_id,
    kind: row.kind,
    currency: row.currency,
    status: row.status,
    issueDate: row.issue_date,
    paymentTerms: row.payment_terms,
    principal: row.principal.toString(),
    annualRate: row.annual_rate === null ? null : normalizeDecimal(row.annual_rate),
    termMonths: row.term_months,
    scheduleMethod: row.schedule_method,
    firstDueDate: row.first_due_date,
    maturityDate: row.maturity_date,
    totalDue: row.total_due.toString(),
    totalPaid: row.total_paid.toString(),
    outstanding: row.outstanding.toString(),
    oldestUnpaidDueDate: row.oldest_unpaid_due_date,
    dpd: row.dpd,
    bucket: row.bucket,
    overdueSince: row.overdue_since,
    waterfall: row.waterfall ?? null,
    metadata: (row.metadata as Record<string, unknown>) ?? {},
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function normalizeDecimal(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

export function toInstallment(row: Selectable<InstallmentsTable>): Installment {
  const due = row.principal_due + row.interest_due + row.fee_due;
  const paid = row.principal_paid + row.interest_paid + row.fee_paid;
  return {
    seq: row.seq,
    dueDate: row.due_date,
    principalDue: row.principal_due.toString(),
    interestDue: row.interest_due.toString(),
    feeDue: row.fee_due.toString(),
    principalPaid: row.principal_paid.toString(),
    interestPaid: row.interest_paid.toString(),
    feePaid: row.fee_paid.toString(),
    outstanding: (due - paid).toString(),
  };
}

export function requestHash(value: unknown): string {
  return createHash('sha256')
    .update(canonicalize(value) ?? '')
    .digest('hex');
}

interface Plan {
  schedule: ScheduledInstallment[];
  lines: InvoiceLine[];
  principal: bigint;
}

/** The columns of a new receivable row that come from its input and plan (its state comes apart). */
function receivableColumns(
  input: ReceivableInput,
  id: string,
  customerId: string,
  plan: Plan,
  waterfall: ReturnType<typeof parseWaterfall> | null,
  now: Date,
  requestHash: string,
) {
  return {
    id,
    external_id: input.externalId,
    customer_id: customerId,
    kind: input.kind,
    currency: input.currency,
    issue_date: input.issueDate,
    payment_terms: input.paymentTerms ?? null,
    principal: plan.principal,
    annual_rate: input.annualRate ?? null,
    term_months: input.termMonths ?? null,
    schedule_method: input.kind === 'loan' ? input.method! : ('single' as const),
    first_due_date: plan.schedule[0]!.dueDate,
    maturity_date: plan.schedule.at(-1)!.dueDate,
    waterfall: waterfall ? JSON.stringify(waterfall) : null,
    metadata: JSON.stringify(input.metadata ?? {}),
    created_at: now,
    updated_at: now,
    request_hash: requestHash,
  };
}

function lineRows(receivableId: string, plan: Plan) {
  return plan.lines.map((l) => ({
    receivable_id: receivableId,
    line_no: l.lineNo,
    description: l.description,
    quantity: l.quantity,
    unit_price: l.unitPrice,
    tax_rate: l.taxRate ?? '0',
    amount: l.amount,
  }));
}

function installmentRows(receivableId: string, plan: Plan) {
  return plan.schedule.map((i) => ({
    receivable_id: receivableId,
    seq: i.seq,
    due_date: i.dueDate,
    principal_due: i.principalDue,
    interest_due: i.interestDue,
    fee_due: i.feeDue,
  }));
}

function planOf(input: ReceivableInput): Plan {
  if (input.kind === 'loan') {
    const schedule = loanSchedule({
      principal: BigInt(input.principal!),
      annualRate: input.annualRate!,
      termMonths: input.termMonths!,
      method: input.method!,
      firstDueDate: input.firstDueDate!,
      currency: input.currency,
      fees: {
        ...(input.fees?.upfront ? { upfront: BigInt(input.fees.upfront) } : {}),
        ...(input.fees?.perInstallment ? { perInstallment: BigInt(input.fees.perInstallment) } : {}),
      },
    });
    return { schedule, lines: [], principal: BigInt(input.principal!) };
  }
  const { lines, total } = input.lines
    ? invoiceLines(input.lines.map((l) => ({ ...l, unitPrice: BigInt(l.unitPrice) })))
    : { lines: [], total: BigInt(input.amount!) };
  const dueDate = input.dueDate ?? dueDateFromTerms(input.issueDate, input.paymentTerms!);
  if (dueDate < input.issueDate) {
    throw new AppError('validation_failed', 400, 'dueDate: must not be before issueDate', { field: 'dueDate' });
  }
  return { schedule: invoiceSchedule(total, dueDate), lines, principal: total };
}

/** Creates the receivable, or finds the identical one created before (`unchanged`). */
export async function createReceivable(
  unit: DomainWork,
  input: ReceivableInput,
): Promise<{ receivable: Receivable; status: 'created' | 'unchanged' | 'updated' }> {
  const hash = requestHash({ ...input, metadata: undefined });
  const existing = await unit.tx
    .selectFrom('receivables')
    .selectAll()
    .where('external_id', '=', input.externalId)
    .forUpdate()
    .executeTakeFirst();
  if (existing) return { ...(await sameReceivable(unit, existing, hash, input)) };

  const customerRow = await unit.tx
    .selectFrom('customers')
    .selectAll()
    .where('external_id', '=', input.customerExternalId)
    .forUpdate()
    .executeTakeFirst();
  if (!customerRow) {
    throw new AppError('unknown_customer', 422, `no customer with external id ${input.customerExternalId}`, {
      field: 'customerExternalId',
    });
  }
  const waterfall = input.waterfall === undefined ? null : parseWaterfall(input.waterfall);
  const plan = planOf(input);
  const customerBefore = toCustomer(customerRow);
  const now = unit.clock.now();
  const id = newId('rcv', now.getTime());
  const totalDue = plan.schedule.reduce((s, i) => s + i.principalDue + i.interestDue + i.feeDue, 0n);
  const inserted = await unit.tx
    .insertInto('receivables')
    .values({
      ...receivableColumns(input, id, customerRow.id, plan, waterfall, now, hash),
      status: totalDue > 0n ? 'open' : 'paid',
      total_due: totalDue,
      outstanding: totalDue,
      oldest_unpaid_due_date: totalDue > 0n ? plan.schedule[0]!.dueDate : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (plan.lines.length) {
    await unit.tx.insertInto('receivable_lines').values(lineRows(id, plan)).execute();
  }
  await unit.tx.insertInto('installments').values(installmentRows(id, plan)).execute();
  const fees = plan.schedule.reduce((s, i) => s + i.feeDue, 0n);
  await postReceivableCreated(postingContextOf(unit), {
    id,
    kind: input.kind,
    currency: input.currency,
    principal: plan.principal,
    fees,
  });
  await refreshExposure(unit, customerRow.id, customerBefore);
  const row = await evaluateDelinquency(unit, inserted);
  const receivable = toReceivable(row);
  unit.audit({ action: 'receivable.created', entityType: 'receivable', entityId: id, after: receivable });
  unit.publish('receivable.created', id, {
    receivable,
    customerExternalId: input.customerExternalId,
    installments: plan.schedule.length,
  });
  return { receivable, status: 'created' };
}

/** Rows a multi-row INSERT takes at most, so that its parameters stay well below PostgreSQL's 65 535. */
export const INSERT_ROWS = 1000;

/** Runs `insert` over `rows` in slices small enough for one statement each. */
export async function inSlices<T, R>(rows: readonly T[], size: number, insert: (slice: T[]) => Promise<R[]>) {
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += size) out.push(...(await insert(rows.slice(i, i + size))));
  return out;
}

/**
 * createReceivable for many rows at once (a bulk sync's chunk), with the same checks and results —
 * `created`, or `unchanged`/`updated` for an external id that exists — in a few statements: one lock
 * of the existing receivables and of the customers, multi-row inserts of the receivables (their
 * delinquency computed before the insert), lines and installments, one batch of ledger journals and
 * one exposure update. All or none: the first refusal is thrown (the caller rolls back and finds the
 * failing row one by one); an external id twice in the batch is refused as `duplicate_in_batch`.
 * Audit rows: the ledger journals' first, then the receivables', each in input order.
 */
export async function createReceivables(
  unit: DomainWork,
  inputs: readonly ReceivableInput[],
): Promise<Array<{ id: string; status: 'created' | 'unchanged' | 'updated' }>> {
  if (inputs.length === 0) return [];
  const seen = new Set<string>();
  for (const input of inputs) {
    if (seen.has(input.externalId)) {
      throw conflict('duplicate_in_batch', `receivable ${input.externalId} appears twice in this batch`);
    }
    seen.add(input.externalId);
  }
  const hashes = inputs.map((input) => requestHash({ ...input, metadata: undefined }));
  const existing = new Map(
    (
      await unit.tx
        .selectFrom('receivables')
        .selectAll()
        .where('external_id', 'in', [...seen])
        .orderBy('id')
        .forUpdate()
        .execute()
    ).map((r) => [r.external_id, r]),
  );
  const fresh = inputs.map((input, index) => ({ input, index })).filter(({ input }) => !existing.has(input.externalId));
  const customers = new Map(
    (
      await lockCustomers(
        unit.tx,
        fresh.map(({ input }) => input.customerExternalId),
        'external_id',
      )
    ).map((c) => [c.external_id, c]),
  );
  const now = unit.clock.now();
  const asOf = unit.today();
  const { buckets } = await unitSettings(unit);
  const planned = fresh.map(({ input }) => {
    const customer = customers.get(input.customerExternalId);
    if (!customer) {
      throw new AppError('unknown_customer', 422, `no customer with external id ${input.customerExternalId}`, {
        field: 'customerExternalId',
      });
    }
    const waterfall = input.waterfall === undefined ? null : parseWaterfall(input.waterfall);
    const plan = planOf(input);
    const id = newId('rcv', now.getTime());
    const totals = totalsOf(
      plan.schedule.map((i) => ({
        due_date: i.dueDate,
        principal_due: i.principalDue,
        interest_due: i.interestDue,
        fee_due: i.feeDue,
        principal_paid: 0n,
        interest_paid: 0n,
        fee_paid: 0n,
      })),
      asOf,
    );
    // As createReceivable inserts it, before evaluateDelinquency: not past due yet.
    const opened = {
      status: totals.due > 0n ? ('open' as const) : ('paid' as const),
      dpd: 0,
      bucket: CURRENT_BUCKET,
      overdue_since: null,
    };
    const next = nextDelinquency({ ...opened } as ReceivableRow, totals, asOf, buckets);
    return { input, id, customer, plan, waterfall, totals, opened, next };
  });
  const hash = new Map(fresh.map(({ input, index }) => [input.externalId, hashes[index]!]));
  const rows = await inSlices(planned, INSERT_ROWS, (slice) =>
    unit.tx
      .insertInto('receivables')
      .values(
        slice.map(({ input, id, customer, plan, waterfall, next }) => ({
          ...receivableColumns(input, id, customer.id, plan, waterfall, now, hash.get(input.externalId)!),
          ...next,
        })),
      )
      .returningAll()
      .execute(),
  );
  const rowById = new Map(rows.map((r) => [r.id, r]));
  const lines = planned.flatMap(({ id, plan }) => lineRows(id, plan));
  await inSlices(lines, INSERT_ROWS * 4, (slice) => unit.tx.insertInto('receivable_lines').values(slice).execute());
  const installments = planned.flatMap(({ id, plan }) => installmentRows(id, plan));
  await inSlices(installments, INSERT_ROWS * 5, (slice) => unit.tx.insertInto('installments').values(slice).execute());
  await postReceivablesCreated(
    postingContextOf(unit),
    planned.map(({ input, id, plan }) => ({
      id,
      kind: input.kind,
      currency: input.currency,
      principal: plan.principal,
      fees: plan.schedule.reduce((s, i) => s + i.feeDue, 0n),
    })),
  );
  refreshExposuresAtEnd(
    unit,
    planned.map(({ customer }) => customer.id),
  );

  const results = new Array<{ id: string; status: 'created' | 'unchanged' | 'updated' }>(inputs.length);
  const byExternalId = new Map(planned.map((p) => [p.input.externalId, p]));
  for (const [index, input] of inputs.entries()) {
    const found = existing.get(input.externalId);
    if (found) {
      const { receivable, status } = await sameReceivable(unit, found, hashes[index]!, input);
      results[index] = { id: receivable.id, status };
      continue;
    }
    const { id, plan, totals, opened } = byExternalId.get(input.externalId)!;
    const row = rowById.get(id)!;
    publishTransitions(unit, { ...row, ...opened }, row, input.customerExternalId, totals.overdue);
    const receivable = toReceivable(row);
    unit.audit({ action: 'receivable.created', entityType: 'receivable', entityId: id, after: receivable });
    unit.publish('receivable.created', id, {
      receivable,
      customerExternalId: input.customerExternalId,
      installments: plan.schedule.length,
    });
    results[index] = { id, status: 'created' };
  }
  return results;
}

async function sameReceivable(unit: DomainWork, existing: ReceivableRow, hash: string, input: ReceivableInput) {
  if (existing.request_hash !== hash) {
    throw conflict(
      'receivable_terms_differ',
      `receivable ${input.externalId} exists with other terms; terms never change after creation (use payments, fees or reversals)`,
      { id: existing.id },
    );
  }
  const metadata = input.metadata ?? {};
  if (input.metadata === undefined || JSON.stringify(existing.metadata) === JSON.stringify(metadata)) {
    return { receivable: toReceivable(existing), status: 'unchanged' as const };
  }
  const row = await unit.tx
    .updateTable('receivables')
    .set({ metadata: JSON.stringify(metadata), updated_at: unit.clock.now() })
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const receivable = toReceivable(row);
  unit.audit({
    action: 'receivable.updated',
    entityType: 'receivable',
    entityId: row.id,
    before: { metadata: existing.metadata },
    after: { metadata },
  });
  unit.publish('receivable.updated', row.id, { receivable, changed: ['metadata'] });
  return { receivable, status: 'updated' as const };
}

/** The receivable's row, locked for the caller's change (by id or external id); 404 if there is none. */
export async function lockReceivable(tx: Tx, ref: string): Promise<ReceivableRow> {
  const row = await tx
    .selectFrom('receivables')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('external_id', '=', ref)]))
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('receivable', ref);
  return row;
}

export async function getReceivable(db: Queryable | Tx, idOrExternal: string): Promise<Receivable> {
  const row = await db
    .selectFrom('receivables')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrExternal), eb('external_id', '=', idOrExternal)]))
    .executeTakeFirst();
  if (!row) throw notFound('receivable', idOrExternal);
  return toReceivable(row);
}

export async function getSchedule(db: Queryable, id: string) {
  const receivable = await getReceivable(db, id);
  const rows = await db
    .selectFrom('installments')
    .selectAll()
    .where('receivable_id', '=', receivable.id)
    .orderBy('seq')
    .execute();
  const lines = await db
    .selectFrom('receivable_lines')
    .selectAll()
    .where('receivable_id', '=', receivable.id)
    .orderBy('line_no')
    .execute();
  return {
    receivable,
    installments: rows.map(toInstallment),
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      description: l.description,
      quantity: normalizeDecimal(l.quantity),
      unitPrice: l.unit_price.toString(),
      taxRate: normalizeDecimal(l.tax_rate),
      amount: l.amount.toString(),
    })),
  };
}

export interface ReceivableFilter {
  customerId?: string | undefined;
  kind?: 'invoice' | 'loan' | undefined;
  status?: string | undefined;
  bucket?: string | undefined;
  minDpd?: number | undefined;
  limit: number;
  after?: string | undefined;
}

export async function listReceivables(db: Queryable, filter: ReceivableFilter): Promise<Receivable[]> {
  let query = db.selectFrom('receivables').selectAll().orderBy('id').limit(filter.limit);
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.status) query = query.where('status', '=', filter.status as ReceivableRow['status']);
  if (filter.bucket) query = query.where('bucket', '=', filter.bucket);
  if (filter.minDpd !== undefined) query = query.where('dpd', '>=', filter.minDpd);
  if (filter.after) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(toReceivable);
}

/** The waterfall for a receivable: its own, else the configured default. */
export async function waterfallFor(unit: DomainWork, row: ReceivableRow) {
  return row.waterfall ? parseWaterfall(row.waterfall) : (await unitSettings(unit)).waterfall;
}
