import type { Selectable } from 'kysely';
import canonicalize from 'canonicalize';
import { sql } from 'kysely';
import { AppError, notFound, validationError, type FieldIssue } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DeferredWrites, DomainWork } from '../unit-of-work.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import type { CustomerPatch, CustomerUpsert } from './customer-input.js';
import { checkRating, ratingIssues, recordRating, unitRatingScale } from './ratings.js';
import type { CustomersTable } from './tables.js';

/**
 * Customers (debtors, borrowers, suppliers) keyed by the core system's external id. Every change is
 * audited with before/after and published as `customer.created` / `customer.updated`; a worse risk
 * rating and an exposure that crosses the credit limit are published as monitoring alerts
 * (`customer.risk_rating_worsened`, `customer.credit_limit_exceeded`) for workflows to trigger on.
 */

export interface Customer {
  id: string;
  externalId: string;
  name: string;
  email: string | null;
  phone: string | null;
  address: Record<string, string> | null;
  language: string;
  timeZone: string;
  segment: string | null;
  riskRating: string | null;
  creditLimit: string | null;
  limitCurrency: string | null;
  exposure: string;
  creditBalances: Record<string, string>;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export type CustomerRow = Selectable<CustomersTable>;

export function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    address: (row.address as Record<string, string> | null) ?? null,
    language: row.language,
    timeZone: row.time_zone,
    segment: row.segment,
    riskRating: row.risk_rating,
    creditLimit: row.credit_limit === null ? null : row.credit_limit.toString(),
    limitCurrency: row.limit_currency,
    exposure: row.exposure.toString(),
    creditBalances: (row.credit_balances as Record<string, string>) ?? {},
    metadata: (row.metadata as Record<string, unknown>) ?? {},
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type UpsertStatus = 'created' | 'updated' | 'unchanged';

const COLUMN: Record<keyof CustomerPatch, keyof CustomerRow> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  address: 'address',
  language: 'language',
  timeZone: 'time_zone',
  segment: 'segment',
  riskRating: 'risk_rating',
  creditLimit: 'credit_limit',
  limitCurrency: 'limit_currency',
  metadata: 'metadata',
};

/** Creates the customer or applies the fields given to the existing one with that external id. */
export async function upsertCustomer(
  unit: DomainWork,
  input: CustomerUpsert,
  ratingScale?: string[],
): Promise<{ customer: Customer; status: UpsertStatus }> {
  const existing = await unit.tx
    .selectFrom('customers')
    .selectAll()
    .where('external_id', '=', input.externalId)
    .forUpdate()
    .executeTakeFirst();
  const { externalId, ...fields } = input;
  if (!existing) return { customer: await createCustomer(unit, externalId, fields, ratingScale), status: 'created' };
  return applyPatch(unit, existing, fields, ratingScale);
}

export async function patchCustomer(unit: DomainWork, id: string, patch: CustomerPatch): Promise<Customer> {
  return (await applyPatch(unit, await lockCustomerRow(unit.tx, id), patch)).customer;
}

async function lockCustomerRow(tx: Tx, id: string): Promise<CustomerRow> {
  const row = await tx.selectFrom('customers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('customer', id);
  return row;
}

async function createCustomer(
  unit: DomainWork,
  externalId: string,
  fields: CustomerPatch,
  ratingScale?: string[],
): Promise<Customer> {
  // The rating scale (a settings read) is needed only to check a rating given with the customer.
  const scale = ratingScale ?? (fields.riskRating ? await unitRatingScale(unit) : []);
  const [customer] = await createCustomers(unit, [{ externalId, ...fields }], scale);
  return customer!;
}

/** What a new customer needs before it is written: the checks that need no database. */
export function newCustomerIssues(fields: CustomerUpsert, ratingScale: string[]): FieldIssue[] {
  return [
    ...(fields.name ? [] : [{ field: 'name', message: 'required for a new customer' }]),
    ...(fields.riskRating ? ratingIssues(fields.riskRating, ratingScale) : []),
    ...limitIssues(fields.creditLimit, fields.limitCurrency),
  ];
}

function limitIssues(limit: string | null | undefined, currency: string | null | undefined): FieldIssue[] {
  const absent = (value: string | null | undefined) => value === null || value === undefined;
  return absent(limit) === absent(currency)
    ? []
    : [{ field: 'limitCurrency', message: 'a credit limit and its currency go together' }];
}

const INSERT_CHUNK = 1000;

/**
 * Creates new customers (external ids known not to exist) with multi-row inserts: the bulk sync's
 * fast path, and the single create's. Rows must pass newCustomerIssues first.
 */
export async function createCustomers(
  unit: DomainWork,
  inputs: CustomerUpsert[],
  ratingScale: string[],
): Promise<Customer[]> {
  for (const input of inputs) {
    const issues = newCustomerIssues(input, ratingScale);
    if (issues.length) throw validationError(issues);
  }
  const now = unit.clock.now();
  const created: Customer[] = [];
  for (let i = 0; i < inputs.length; i += INSERT_CHUNK) {
    const rows = await unit.tx
      .insertInto('customers')
      .values(
        inputs.slice(i, i + INSERT_CHUNK).map((fields) => ({
          id: newId('cus', now.getTime()),
          external_id: fields.externalId,
          name: fields.name!,
          email: fields.email ?? null,
          phone: fields.phone ?? null,
          address: fields.address ? JSON.stringify(fields.address) : null,
          language: fields.language ?? 'en',
          time_zone: fields.timeZone ?? 'UTC',
          segment: fields.segment ?? null,
          risk_rating: fields.riskRating ?? null,
          credit_limit: fields.creditLimit ?? null,
          limit_currency: fields.limitCurrency ?? null,
          metadata: JSON.stringify(fields.metadata ?? {}),
          created_at: now,
          updated_at: now,
        })),
      )
      .returningAll()
      .execute();
    const rated = rows.filter((row) => row.risk_rating !== null);
    if (rated.length) {
      await unit.tx
        .insertInto('customer_risk_ratings')
        .values(
          rated.map((row) => ({
            id: newId('rat', now.getTime()),
            customer_id: row.id,
            rating: row.risk_rating!,
            previous: null,
            reason: 'initial rating',
            rated_at: now,
            rated_by: unit.actor,
          })),
        )
        .execute();
    }
    for (const row of rows) {
      const customer = toCustomer(row);
      unit.audit({ action: 'customer.created', entityType: 'customer', entityId: row.id, after: customer });
      unit.publish('customer.created', row.id, { customer });
      created.push(customer);
    }
  }
  return created;
}

async function applyPatch(
  unit: DomainWork,
  existing: CustomerRow,
  patch: CustomerPatch,
  ratingScale?: string[],
): Promise<{ customer: Customer; status: UpsertStatus }> {
  const before = toCustomer(existing);
  const changes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(patch) as Array<[keyof CustomerPatch, unknown]>) {
    if (value === undefined) continue;
    const current = before[field === 'creditLimit' ? 'creditLimit' : field];
    // Key order is not meaning: jsonb hands back address/metadata keys in its own order.
    if (canonicalize(current ?? null) === canonicalize(value)) continue;
    const column = COLUMN[field];
    changes[column] = (field === 'address' || field === 'metadata') && value !== null ? JSON.stringify(value) : value;
  }
  if (Object.keys(changes).length === 0) return { customer: before, status: 'unchanged' };
  const limit = patch.creditLimit !== undefined ? patch.creditLimit : before.creditLimit;
  const limitCurrency = patch.limitCurrency !== undefined ? patch.limitCurrency : before.limitCurrency;
  checkLimit(limit, limitCurrency);
  const newRating = patch.riskRating;
  if (newRating !== undefined && newRating !== before.riskRating && newRating !== null) {
    await checkRating(unit, newRating, ratingScale);
  }
  const row = await unit.tx
    .updateTable('customers')
    .set({ ...changes, updated_at: unit.clock.now() })
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if ('risk_rating' in changes && row.risk_rating !== null) {
    await recordRating(unit, row.id, row.risk_rating, before.riskRating, 'updated by sync or API', ratingScale);
  }
  const customer = toCustomer(row);
  unit.audit({ action: 'customer.updated', entityType: 'customer', entityId: row.id, before, after: customer });
  unit.publish('customer.updated', row.id, { customer, changed: Object.keys(patch) });
  if ('credit_limit' in changes || 'limit_currency' in changes) await refreshExposure(unit, row.id, before);
  return { customer, status: 'updated' };
}

function checkLimit(limit: string | null | undefined, currency: string | null | undefined): void {
  const issues = limitIssues(limit, currency);
  if (issues.length) throw validationError(issues);
}

/** Sets the risk rating with a reason (history kept); a worse rating raises `customer.risk_rating_worsened`. */
export async function rateCustomer(
  unit: DomainWork,
  id: string,
  request: { rating: string; reason: string },
): Promise<Customer> {
  const existing = await lockCustomerRow(unit.tx, id);
  await checkRating(unit, request.rating);
  if (existing.risk_rating === request.rating) return toCustomer(existing);
  const row = await unit.tx
    .updateTable('customers')
    .set({ risk_rating: request.rating, updated_at: unit.clock.now() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordRating(unit, id, request.rating, existing.risk_rating, request.reason);
  const customer = toCustomer(row);
  unit.audit({
    action: 'customer.rated',
    entityType: 'customer',
    entityId: id,
    before: { riskRating: existing.risk_rating },
    after: { riskRating: request.rating },
    reason: request.reason,
  });
  unit.publish('customer.updated', id, { customer, changed: ['riskRating'] });
  return customer;
}

/**
 * Recomputes exposure (open receivables in the limit's currency, or all when no limit is set) and
 * raises `customer.credit_limit_exceeded` when it crosses the limit — once per crossing.
 */
export async function refreshExposure(unit: DomainWork, customerId: string, before?: Customer): Promise<void> {
  const [row] = await exposureUpdate(unit, [customerId]);
  if (!row) throw notFound('customer', customerId);
  alertOverLimit(unit, row, before ?? null);
}

/**
 * refreshExposure for many customers, once, when the unit of work ends (a bulk sync's chunks): one
 * UPDATE for all of them just before commit instead of one per chunk. The alert compares with the
 * exposure stored until then — the customer as it was before the unit's changes, or as a row-by-row
 * refreshExposure in the same unit left it — so it fires once per crossing, as row by row.
 */
export function refreshExposuresAtEnd(unit: DomainWork, customerIds: Iterable<string>): void {
  const pending = unit.deferred('customers.exposure', () => new PendingExposures(unit));
  for (const id of customerIds) pending.add(id);
}

class PendingExposures implements DeferredWrites {
  readonly #ids: string[] = [];
  readonly #seen = new Set<string>();
  constructor(private readonly unit: DomainWork) {}
  add(id: string): void {
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    this.#ids.push(id);
  }
  mark(): number {
    return this.#ids.length;
  }
  rollbackTo(mark: number): void {
    for (const id of this.#ids.splice(mark)) this.#seen.delete(id);
  }
  async flush(tx: Tx): Promise<void> {
    const ids = this.#ids.splice(0).sort();
    this.#seen.clear();
    for (let i = 0; i < ids.length; i += 5000) {
      const slice = ids.slice(i, i + 5000);
      const rows = await sql<{
        id: string;
        exposure: bigint;
        credit_limit: bigint | null;
        limit_currency: string | null;
        previous: bigint;
      }>`
        UPDATE customers AS c SET exposure = (SELECT COALESCE(SUM(r.outstanding), 0) FROM receivables r
            WHERE r.customer_id = c.id AND r.status = 'open'
              AND (c.limit_currency IS NULL OR r.currency = c.limit_currency))
        FROM (SELECT id, exposure FROM customers WHERE id IN (${sql.join(slice)}) ORDER BY id FOR UPDATE) AS o
        WHERE c.id = o.id
        RETURNING c.id, c.exposure, c.credit_limit, c.limit_currency, o.exposure AS previous`.execute(tx);
      for (const row of rows.rows) {
        const exposure = BigInt(row.exposure);
        const limit = row.credit_limit === null ? null : BigInt(row.credit_limit);
        const wasOver = limit !== null && BigInt(row.previous) > limit;
        alertOverLimit(this.unit, { ...row, exposure, credit_limit: limit }, null, wasOver);
      }
    }
  }
}

function exposureUpdate(unit: DomainWork, ids: string[]) {
  return unit.tx
    .updateTable('customers as c')
    .set({
      exposure: sql<bigint>`(SELECT COALESCE(SUM(r.outstanding), 0) FROM receivables r
        WHERE r.customer_id = c.id AND r.status = 'open'
          AND (c.limit_currency IS NULL OR r.currency = c.limit_currency))`,
    })
    .where('c.id', 'in', ids)
    .returning(['c.id', 'c.exposure', 'c.credit_limit', 'c.limit_currency'])
    .execute();
}

function alertOverLimit(
  unit: DomainWork,
  row: { id: string; exposure: bigint; credit_limit: bigint | null; limit_currency: string | null },
  previous: Customer | null,
  over?: boolean,
): void {
  const wasOver =
    over ??
    (previous !== null &&
      previous.creditLimit !== null &&
      BigInt(previous.exposure) > BigInt(previous.creditLimit) &&
      previous.limitCurrency === row.limit_currency);
  if (row.credit_limit !== null && row.exposure > row.credit_limit && !wasOver) {
    unit.publish('customer.credit_limit_exceeded', row.id, {
      customerId: row.id,
      exposure: row.exposure.toString(),
      creditLimit: row.credit_limit.toString(),
      currency: row.limit_currency,
    });
  }
}

/**
 * Customers locked for a change (by id, or by external id with `by`), in id order so that two bulk
 * syncs lock them in one order; those that do not exist are absent from the answer.
 */
export async function lockCustomers(
  tx: Tx,
  keys: readonly string[],
  by: 'id' | 'external_id' = 'id',
): Promise<CustomerRow[]> {
  if (keys.length === 0) return [];
  return tx
    .selectFrom('customers')
    .selectAll()
    .where(by, 'in', [...new Set(keys)])
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** The customer as it is now, for callers that must pass `before` to refreshExposure. */
export async function lockCustomer(tx: Tx, id: string): Promise<Customer> {
  return toCustomer(await lockCustomerRow(tx, id));
}

export async function getCustomer(db: Queryable | Tx, idOrExternal: string): Promise<Customer> {
  const row = await db
    .selectFrom('customers')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrExternal), eb('external_id', '=', idOrExternal)]))
    .executeTakeFirst();
  if (!row) throw notFound('customer', idOrExternal);
  return toCustomer(row);
}

export interface CustomerFilter {
  segment?: string | undefined;
  riskRating?: string | undefined;
  overLimit?: boolean | undefined;
  search?: string | undefined;
  limit: number;
  after?: string | undefined;
}

export async function listCustomers(db: Queryable, filter: CustomerFilter): Promise<Customer[]> {
  let query = db.selectFrom('customers').selectAll().orderBy('id').limit(filter.limit);
  if (filter.segment) query = query.where('segment', '=', filter.segment);
  if (filter.riskRating) query = query.where('risk_rating', '=', filter.riskRating);
  if (filter.overLimit) query = query.where(sql<boolean>`credit_limit IS NOT NULL AND exposure > credit_limit`);
  if (filter.search) {
    const like = `%${filter.search.replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
    query = query.where((eb) => eb.or([eb('name', 'ilike', like), eb('external_id', 'ilike', like)]));
  }
  if (filter.after) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(toCustomer);
}

export function assertCustomerExists(customer: Customer | undefined, field: string, externalId: string): Customer {
  if (!customer) {
    throw new AppError('unknown_customer', 422, `no customer with external id ${externalId}`, { field });
  }
  return customer;
}
