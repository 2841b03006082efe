import { createHash } from 'node:crypto';
import { conflict, notFound, tooManyRequests, validationError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { upsertCustomer, toCustomer } from '../customers/customer-service.js';
import type { DomainWork } from '../unit-of-work.js';
import { getInstance } from '../../engine/index.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import type { ApplicationInput } from './application-input.js';
import { findProduct, outsideProduct, readCreditSettings } from './credit-settings.js';
import { currentPolicyVersions } from './decisioning.js';
import type { ApplicationRow } from './tables.js';

/**
 * Credit applications: submission (validated against the product, customer matched or created, the
 * deciding workflow started by the `credit.application.submitted` event in the same transaction),
 * and the application as operations staff and integrators read it.
 */

export const APPLICATION_STATUSES = [
  'submitted', // stored; the workflow has not picked it up yet
  'assessing', // bureau and history being gathered, policy being applied
  'in_review', // waiting for approver(s)
  'offered', // a counter-offer waits for the applicant's answer
  'approved', // contract booked
  'declined',
  'offer_declined',
  'offer_expired',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const SUBMITTED_EVENT = 'credit.application.submitted';

/** The statuses of an application the automatic decisioning has not finished with. */
export const UNDECIDED_STATUSES = ['submitted', 'assessing'] as const satisfies readonly ApplicationStatus[];
/** Seconds a caller refused for a full backlog is asked to wait (decisions run at ~150/s). */
export const BACKLOG_RETRY_AFTER_SECONDS = 5;
/** The bound when no configuration is given (the `creditBacklogLimit` setting's default). */
export const DEFAULT_CREDIT_BACKLOG_LIMIT = 5000;

/**
 * Intake's bound: when `limit` applications or more wait for their automatic decision, a new one is
 * refused with 429 and Retry-After instead of joining a queue whose wait would grow without bound.
 * Counts at most `limit` rows (the status index), so the check costs the same however full it is.
 */
export async function refuseOverBacklog(db: Queryable, limit: number): Promise<void> {
  const row = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('credit_applications')
        .select('id')
        .where('status', 'in', [...UNDECIDED_STATUSES])
        .limit(limit)
        .as('undecided'),
    )
    .select((eb) => eb.fn.countAll<string | number | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  const waiting = Number(row.n);
  if (waiting >= limit) {
    throw tooManyRequests(
      'credit_backlog_full',
      `${limit} or more applications are waiting for their decision (creditBacklogLimit ${limit}); ` +
        `nothing was stored, retry after ${BACKLOG_RETRY_AFTER_SECONDS} s`,
      BACKLOG_RETRY_AFTER_SECONDS,
    );
  }
}

export interface Approval {
  by: string;
  level: number;
  outcome: string;
  comment: string | null;
  at: string;
}

export function nationalIdHash(nationalId: string | undefined): string | null {
  return nationalId ? createHash('sha256').update(nationalId.trim().toUpperCase()).digest('hex') : null;
}

export async function submitApplication(
  unit: DomainWork,
  input: ApplicationInput,
  submittedBy: string,
): Promise<ReturnType<typeof presentApplication>> {
  // A birth date after today is a typing error, not an applicant too young: refuse the input
  // rather than decline the person with a misleading adverse-action reason.
  if (input.applicant.dateOfBirth > unit.clock.now().toISOString().slice(0, 10)) {
    throw validationError([{ field: 'body.applicant.dateOfBirth', message: 'must not be in the future' }]);
  }
  const settings = await readCreditSettings(unit.tx);
  const product = findProduct(settings, input.product);
  const amount = BigInt(input.amount);
  if (product.currencies.length > 0 && !product.currencies.includes(input.currency)) {
    throw outsideProduct('body.currency', `${product.name} is sold in ${product.currencies.join(', ')}`);
  }
  if (amount < BigInt(product.minAmount) || amount > BigInt(product.maxAmount)) {
    throw outsideProduct('body.amount', `${product.name} lends ${product.minAmount} to ${product.maxAmount}`);
  }
  if (input.termMonths < product.minTermMonths || input.termMonths > product.maxTermMonths) {
    throw outsideProduct(
      'body.termMonths',
      `${product.name} runs ${product.minTermMonths} to ${product.maxTermMonths} months`,
    );
  }

  const customer = await applicantCustomer(unit, input);
  const now = unit.clock.now();
  const id = newId('capp', now.getTime());
  const row = await unit.tx
    .insertInto('credit_applications')
    .values({
      id,
      customer_id: customer.id,
      applicant: JSON.stringify(input.applicant),
      national_id_hash: nationalIdHash(input.applicant.nationalId),
      product: product.name,
      amount,
      currency: input.currency,
      term_months: input.termMonths,
      purpose: input.purpose,
      monthly_income: input.monthlyIncome,
      monthly_expenses: input.monthlyExpenses,
      employment: JSON.stringify(input.employment),
      consent: JSON.stringify({ ...input.consent, at: input.consent.at ?? now.toISOString() }),
      status: 'submitted',
      // The policy versions current now are the ones this application is decided by.
      decision: JSON.stringify({ pinned: await currentPolicyVersions(unit.tx) }),
      submitted_by: submittedBy,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: 'credit.application.submitted',
    entityType: 'credit_application',
    entityId: id,
    before: null,
    after: { customerId: customer.id, product: product.name, amount: input.amount, currency: input.currency },
  });
  unit.publish(SUBMITTED_EVENT, id, { applicationId: id, submittedBy });
  return presentApplication(row);
}

/** The customer the applicant is: found by external id, or created from the application. */
async function applicantCustomer(unit: DomainWork, input: ApplicationInput) {
  const existing = await unit.tx
    .selectFrom('customers')
    .selectAll()
    .where('external_id', '=', input.applicant.externalId)
    .executeTakeFirst();
  if (existing) return toCustomer(existing);
  const { applicant } = input;
  const { customer } = await upsertCustomer(unit, {
    externalId: applicant.externalId,
    name: applicant.name,
    email: applicant.email ?? null,
    phone: applicant.phone ?? null,
    ...(applicant.language ? { language: applicant.language } : {}),
    ...(applicant.timeZone ? { timeZone: applicant.timeZone } : {}),
  });
  return customer;
}

/** The application locked for a state change; 404 when unknown. */
export async function lockApplication(tx: Tx, id: string): Promise<ApplicationRow> {
  const row = await tx
    .selectFrom('credit_applications')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('credit application', id);
  return row;
}

/** Refuses a change of an application that is not in one of the expected states. */
export function expectStatus(row: ApplicationRow, allowed: readonly ApplicationStatus[], doing: string): void {
  if (!allowed.includes(row.status as ApplicationStatus)) {
    throw conflict('application_state', `cannot ${doing}: application ${row.id} is ${row.status}`, {
      state: row.status,
    });
  }
}

export function presentApplication(row: ApplicationRow) {
  const decision = (row.decision ?? null) as Record<string, unknown> | null;
  return {
    id: row.id,
    status: row.status as ApplicationStatus,
    outcome: row.outcome,
    customerId: row.customer_id,
    applicant: row.applicant as Record<string, unknown>,
    product: row.product,
    amount: row.amount.toString(),
    currency: row.currency,
    termMonths: row.term_months,
    purpose: row.purpose,
    monthlyIncome: row.monthly_income.toString(),
    monthlyExpenses: row.monthly_expenses.toString(),
    employment: row.employment as Record<string, unknown>,
    consent: row.consent as Record<string, unknown>,
    submittedBy: row.submitted_by,
    assessment: (row.assessment ?? null) as Record<string, unknown> | null,
    score: (decision?.score ?? null) as Record<string, unknown> | null,
    rules: (decision?.rules ?? []) as Record<string, unknown>[],
    decisions: (decision?.decisions ?? []) as Array<{ key: string; version: number }>,
    reasons: (decision?.reasons ?? []) as Array<{ code: string; text: string }>,
    terms: (decision?.terms ?? null) as Record<string, unknown> | null,
    authority: (decision?.authority ?? null) as Record<string, unknown> | null,
    approvals: row.approvals as Approval[],
    offer: (row.offer ?? null) as Record<string, unknown> | null,
    contract: (row.contract ?? null) as Record<string, unknown> | null,
    instanceId: row.instance_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    decidedAt: row.decided_at?.toISOString() ?? null,
  };
}
export type CreditApplication = ReturnType<typeof presentApplication>;

/** One application with its workflow's timeline (every step, decision version, task and retry). */
export async function getApplication(db: Queryable, id: string) {
  const row = await db.selectFrom('credit_applications').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('credit application', id);
  const timeline = row.instance_id ? (await getInstance(db, row.instance_id)).timeline : [];
  return { ...presentApplication(row), timeline };
}

export interface ApplicationFilter {
  status?: string | undefined;
  customer?: string | undefined;
  product?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** Newest first, paged by id (ids sort by creation time). */
export async function listApplications(db: Queryable, filter: ApplicationFilter) {
  let query = db.selectFrom('credit_applications').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.customer) query = query.where('customer_id', '=', filter.customer);
  if (filter.product) query = query.where('product', '=', filter.product);
  if (filter.after) query = query.where('id', '<', filter.after);
  return (await query.execute()).map(presentApplication);
}
