import { conflict, notFound, refusedField } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import type { DomainWork } from '../unit-of-work.js';
import { maskedAccount, normaliseBankDetails, type BankDetails, type BankDetailsInput } from './bank-details.js';
import type { BeneficiaryChangeRow, BeneficiaryRow } from './tables.js';

/**
 * Beneficiaries — who payments go to — and the four eyes on their bank details, the classic fraud
 * path: new details, and every change of them, are a proposal (`bch_…`) that a second person (not
 * the proposer; permission payments:approve) approves before they become the details payments go
 * to. A beneficiary is `unverified` until its first details are approved; an approval publishes
 * `beneficiary.verified`, which wakes the payments waiting for it.
 */

export const BENEFICIARY_KINDS = ['supplier', 'employee', 'customer', 'other'] as const;
export const BENEFICIARY_STATUSES = ['unverified', 'verified', 'blocked'] as const;
export const CHANGE_STATUSES = ['proposed', 'approved', 'rejected'] as const;
export type BeneficiaryStatus = (typeof BENEFICIARY_STATUSES)[number];

export const VERIFIED_EVENT = 'beneficiary.verified';

export interface BeneficiaryInput {
  name: string;
  kind: (typeof BENEFICIARY_KINDS)[number];
  customerId?: string | undefined;
  bankDetails: BankDetailsInput;
}

export async function createBeneficiary(unit: DomainWork, input: BeneficiaryInput, createdBy: string) {
  if (input.customerId !== undefined) {
    const customer = await unit.tx
      .selectFrom('customers')
      .select('id')
      .where('id', '=', input.customerId)
      .executeTakeFirst();
    if (!customer) throw refusedField('customerId', `customer ${input.customerId} does not exist`);
  }
  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('beneficiaries')
    .values({
      id: newId('ben', now.getTime()),
      name: input.name,
      kind: input.kind,
      customer_id: input.customerId ?? null,
      status: 'unverified',
      details: null,
      details_version: 0,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: 'beneficiary.created',
    entityType: 'beneficiary',
    entityId: row.id,
    before: null,
    after: { name: row.name, kind: row.kind, customerId: row.customer_id, status: row.status },
  });
  const change = await insertChange(unit, row, normaliseBankDetails(input.bankDetails), createdBy);
  return { ...presentBeneficiary(row), changes: [presentChange(change)] };
}

/** New bank details for a beneficiary: a proposal; the current details stay until it is approved. */
export async function proposeBankDetails(unit: DomainWork, id: string, input: BankDetailsInput, proposedBy: string) {
  const beneficiary = await lockBeneficiary(unit.tx, id);
  if (beneficiary.status === 'blocked') {
    throw conflict('beneficiary_blocked', `beneficiary ${id} is blocked`, { state: beneficiary.status });
  }
  const open = await unit.tx
    .selectFrom('beneficiary_changes')
    .select('id')
    .where('beneficiary_id', '=', id)
    .where('status', '=', 'proposed')
    .executeTakeFirst();
  if (open) {
    throw conflict('change_pending', `change ${open.id} of beneficiary ${id} awaits a decision; decide it first`, {
      changeId: open.id,
    });
  }
  return presentChange(await insertChange(unit, beneficiary, normaliseBankDetails(input), proposedBy));
}

async function insertChange(unit: DomainWork, beneficiary: BeneficiaryRow, details: BankDetails, by: string) {
  const now = unit.clock.now();
  const change = await unit.tx
    .insertInto('beneficiary_changes')
    .values({
      id: newId('bch', now.getTime()),
      beneficiary_id: beneficiary.id,
      details: JSON.stringify(details),
      status: 'proposed',
      proposed_by: by,
      proposed_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: 'beneficiary.change_proposed',
    entityType: 'beneficiary',
    entityId: beneficiary.id,
    before: beneficiary.details === null ? null : { details: beneficiary.details },
    after: { changeId: change.id, details, proposedBy: by },
  });
  return change;
}

/**
 * A second person's decision on proposed bank details. Approval (never by the proposer: 409
 * `separation_of_duties`) makes them the beneficiary's details and verifies it; rejection (the
 * proposer may withdraw their own) leaves the details as they were.
 */
export async function decideChange(
  unit: DomainWork,
  request: { beneficiaryId: string; changeId: string; approve: boolean; by: string; reason: string | null },
) {
  const beneficiary = await lockBeneficiary(unit.tx, request.beneficiaryId);
  const change = await unit.tx
    .selectFrom('beneficiary_changes')
    .selectAll()
    .where('id', '=', request.changeId)
    .where('beneficiary_id', '=', beneficiary.id)
    .forUpdate()
    .executeTakeFirst();
  if (!change) throw notFound('beneficiary change', request.changeId);
  if (change.status !== 'proposed') {
    throw conflict('change_not_proposed', `change ${change.id} is already ${change.status}`, { state: change.status });
  }
  if (request.approve && change.proposed_by === request.by) {
    throw conflict(
      'separation_of_duties',
      `${request.by} proposed change ${change.id}: a second person must approve it (four eyes)`,
      { user: request.by, proposedBy: change.proposed_by },
    );
  }
  if (request.approve && beneficiary.status === 'blocked') {
    throw conflict('beneficiary_blocked', `beneficiary ${beneficiary.id} is blocked`, { state: beneficiary.status });
  }
  const now = unit.clock.now();
  const decided = await unit.tx
    .updateTable('beneficiary_changes')
    .set({
      status: request.approve ? 'approved' : 'rejected',
      decided_by: request.by,
      decided_at: now,
      reason: request.reason,
    })
    .where('id', '=', change.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: request.approve ? 'beneficiary.change_approved' : 'beneficiary.change_rejected',
    entityType: 'beneficiary',
    entityId: beneficiary.id,
    before: { changeId: change.id, status: 'proposed' },
    after: { changeId: change.id, status: decided.status, by: request.by },
    reason: request.reason,
  });
  if (!request.approve) return { beneficiary: presentBeneficiary(beneficiary), change: presentChange(decided) };

  const version = beneficiary.details_version + 1;
  const updated = await unit.tx
    .updateTable('beneficiaries')
    .set({
      details: JSON.stringify(change.details),
      details_version: version,
      status: 'verified',
      verified_at: now,
      verified_by: request.by,
      updated_at: now,
    })
    .where('id', '=', beneficiary.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: 'beneficiary.verified',
    entityType: 'beneficiary',
    entityId: beneficiary.id,
    before: { status: beneficiary.status, details: beneficiary.details, detailsVersion: beneficiary.details_version },
    after: { status: 'verified', details: change.details, detailsVersion: version },
  });
  unit.publish(VERIFIED_EVENT, beneficiary.id, {
    beneficiaryId: beneficiary.id,
    changeId: change.id,
    detailsVersion: version,
    account: maskedAccount(change.details as BankDetails),
  });
  return { beneficiary: presentBeneficiary(updated), change: presentChange(decided) };
}

/**
 * The beneficiary a new payment, payable or recurring payment names: 422 naming `beneficiaryId` when
 * it does not exist, 409 `beneficiary_blocked` when blocked. An unverified one is accepted: its
 * payments wait for the verification in their approval.
 */
export async function payableBeneficiary(db: Queryable, id: string): Promise<{ id: string; status: string }> {
  const beneficiary = await db
    .selectFrom('beneficiaries')
    .select(['id', 'status'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!beneficiary) throw refusedField('beneficiaryId', `beneficiary ${id} does not exist`);
  if (beneficiary.status === 'blocked') {
    throw conflict('beneficiary_blocked', `beneficiary ${beneficiary.id} is blocked: no payment may go to it`, {
      state: beneficiary.status,
    });
  }
  return beneficiary;
}

export async function lockBeneficiary(tx: Tx, id: string): Promise<BeneficiaryRow> {
  const row = await tx.selectFrom('beneficiaries').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('beneficiary', id);
  return row;
}

export function presentBeneficiary(row: BeneficiaryRow) {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as (typeof BENEFICIARY_KINDS)[number],
    customerId: row.customer_id,
    status: row.status as BeneficiaryStatus,
    bankDetails: (row.details ?? null) as BankDetails | null,
    detailsVersion: row.details_version,
    verifiedAt: row.verified_at?.toISOString() ?? null,
    verifiedBy: row.verified_by,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
export type Beneficiary = ReturnType<typeof presentBeneficiary>;

export function presentChange(row: BeneficiaryChangeRow) {
  return {
    id: row.id,
    beneficiaryId: row.beneficiary_id,
    bankDetails: row.details as BankDetails,
    status: row.status as (typeof CHANGE_STATUSES)[number],
    proposedBy: row.proposed_by,
    proposedAt: row.proposed_at.toISOString(),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    reason: row.reason,
  };
}

/** A beneficiary with every proposal of bank details, oldest first (its verification history). */
export async function getBeneficiary(db: Queryable, id: string) {
  const row = await db.selectFrom('beneficiaries').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('beneficiary', id);
  const changes = await db
    .selectFrom('beneficiary_changes')
    .selectAll()
    .where('beneficiary_id', '=', id)
    .orderBy('id')
    .execute();
  return { ...presentBeneficiary(row), changes: changes.map(presentChange) };
}

export interface BeneficiaryFilter {
  status?: string | undefined;
  kind?: string | undefined;
  customer?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** Oldest first, paged by id. */
export async function listBeneficiaries(db: Queryable, filter: BeneficiaryFilter): Promise<Beneficiary[]> {
  let query = db.selectFrom('beneficiaries').selectAll().orderBy('id').limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.customer) query = query.where('customer_id', '=', filter.customer);
  if (filter.after) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(presentBeneficiary);
}
