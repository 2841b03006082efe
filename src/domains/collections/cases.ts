import { createHash } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DomainWork } from '../unit-of-work.js';
import { type DecisionEvaluator, NonRetryableError, getInstance } from '../../engine/index.js';
import { installmentTotals } from '../receivables/delinquency/delinquency.js';
import { addDays } from '../receivables/schedule/due-dates.js';
import { lockReceivable } from '../receivables/receivable-service.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import { readCollectionsSettings, variantsOf, type Variant } from './collections-settings.js';
import { SEGMENT_DECISION, STRATEGY_DECISION } from './policy/shipped-strategies.js';
import { presentContact } from './contacts.js';
import { listDisputes } from './disputes.js';
import { listHardships } from './hardship.js';
import { endPlacement, listPlacements } from './placements.js';
import { listPlans, settlePlansOnClose } from './plans.js';
import { listWriteOffs } from './write-offs.js';
import { presentPromise, settlePromisesOnClose } from './promises.js';
import { strategyStages } from './strategy-stages.js';
import type { CollectionCasesTable } from './tables.js';

/**
 * A collection case is one overdue episode of one receivable: opened by the collections-case
 * workflow on `receivable.overdue`, closed when the account is cured or paid. Opening decides the
 * segment (`collections.segment`) and the strategy variant, and pins the decision versions, so a
 * policy change applies to new cases while a running one finishes as it began.
 */

export type CaseRow = Selectable<CollectionCasesTable>;

export interface OpenedCase {
  caseId: string;
  customerId: string;
  segment: string;
  variant: string;
  queue: string;
  created: boolean;
}

export async function openCase(
  unit: DomainWork,
  evaluator: DecisionEvaluator,
  receivableRef: string,
  instanceId: string | null,
): Promise<OpenedCase> {
  const receivable = await lockReceivable(unit.tx, receivableRef);
  const existing = await unit.tx
    .selectFrom('collection_cases')
    .selectAll()
    .where('receivable_id', '=', receivable.id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (existing) return { ...openedOf(existing), created: false };

  const today = unit.today();
  const customer = await unit.tx
    .selectFrom('customers')
    .select(['id', 'risk_rating', 'segment', 'language'])
    .where('id', '=', receivable.customer_id)
    .executeTakeFirstOrThrow();
  const history = await customerHistory(unit.tx, customer.id, today);
  const totals = await installmentTotals(unit.tx, receivable.id, today);
  const input = {
    kind: receivable.kind,
    customerSegment: customer.segment,
    riskRating: customer.risk_rating,
    overdueAmount: Number(totals.overdue),
    outstanding: Number(receivable.outstanding),
    dpd: receivable.dpd,
    currency: receivable.currency,
    brokenPromises: history.brokenPromises,
    priorCases: history.priorCases,
  };
  const segmented = await evaluator.evaluate(unit.tx, SEGMENT_DECISION, input);
  const result = (segmented.result ?? {}) as { segment?: unknown; queue?: unknown };
  if (typeof result.segment !== 'string' || typeof result.queue !== 'string') {
    throw new NonRetryableError(
      `${SEGMENT_DECISION}@${segmented.version} gave no segment and queue for receivable ${receivable.id}`,
    );
  }
  const settings = await readCollectionsSettings(unit.tx);
  const variant =
    (await stickyVariant(unit.tx, receivable.id, result.segment)) ??
    pickVariant(receivable.id, result.segment, variantsOf(settings, result.segment));
  const stages = await strategyStages(unit.tx, evaluator, { segment: result.segment, variant });
  if (stages.stages.length === 0) {
    throw new NonRetryableError(
      `${STRATEGY_DECISION}@${stages.version} has no stages for segment ${result.segment}, variant ${variant}`,
    );
  }

  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('collection_cases')
    .values({
      id: newId('ccase', now.getTime()),
      receivable_id: receivable.id,
      customer_id: customer.id,
      currency: receivable.currency,
      status: 'open',
      state: 'active',
      segment: result.segment,
      variant,
      queue: result.queue,
      segment_version: segmented.version,
      strategy_version: stages.version,
      collector: await accountCollector(unit.tx, customer.id),
      collector_since: null,
      instance_id: instanceId,
      opened_at: now,
      opened_dpd: receivable.dpd,
      opened_overdue: totals.overdue,
      opened_outstanding: receivable.outstanding,
      opened_paid: receivable.total_paid,
      last_stage_at: null,
      closed_at: null,
      outcome: null,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: 'collections.case.opened',
    entityType: 'collection_case',
    entityId: row.id,
    after: { ...presentCase(row), segmentInput: input },
  });
  unit.publish('collections.case.opened', row.id, {
    caseId: row.id,
    receivableId: receivable.id,
    customerId: customer.id,
    segment: row.segment,
    variant: row.variant,
    dpd: receivable.dpd,
    overdueAmount: totals.overdue.toString(),
  });
  return { ...openedOf(row), created: true };
}

function openedOf(row: CaseRow): Omit<OpenedCase, 'created'> {
  return { caseId: row.id, customerId: row.customer_id, segment: row.segment, variant: row.variant, queue: row.queue };
}

/** What segmentation (and credit) needs from the customer's past with collections. */
export async function customerHistory(db: Queryable | Tx, customerId: string, today: string) {
  const row = await db
    .selectFrom('customers as c')
    .select((eb) => [
      eb
        .selectFrom('collection_promises')
        .select(sql<string>`count(*)`.as('n'))
        .where('customer_id', '=', customerId)
        .where('status', '=', 'broken')
        .where('resolved_at', '>=', sql<Date>`${addDays(today, -180)}::date`)
        .as('broken'),
      eb
        .selectFrom('collection_cases')
        .select(sql<string>`count(*)`.as('n'))
        .where('customer_id', '=', customerId)
        .where('opened_at', '>=', sql<Date>`${addDays(today, -365)}::date`)
        .as('cases'),
      eb
        .selectFrom('collection_cases')
        .select(sql<string>`count(*)`.as('n'))
        .where('customer_id', '=', customerId)
        .where('status', '=', 'open')
        .as('open'),
    ])
    .where('c.id', '=', customerId)
    .executeTakeFirst();
  return {
    brokenPromises: Number(row?.broken ?? 0),
    priorCases: Number(row?.cases ?? 0),
    openCases: Number(row?.open ?? 0),
  };
}

/** An account that was in this segment before stays in its variant, so a comparison is not muddied. */
async function stickyVariant(tx: Tx, receivableId: string, segment: string): Promise<string | undefined> {
  const row = await tx
    .selectFrom('collection_cases')
    .select('variant')
    .where('receivable_id', '=', receivableId)
    .where('segment', '=', segment)
    .orderBy('opened_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.variant;
}

/**
 * The variant by the segment's traffic shares, drawn from a hash of the receivable: uniform across
 * accounts, independent of arrival order, and the same on every worker and every re-run.
 */
export function pickVariant(receivableId: string, segment: string, variants: Variant[]): string {
  const digest = createHash('sha256').update(`${segment}\u0000${receivableId}`).digest();
  const draw = digest.readUInt32BE(0) % 100;
  let upTo = 0;
  for (const variant of variants) {
    upTo += variant.share;
    if (draw < upTo) return variant.name;
  }
  return variants[variants.length - 1]!.name;
}

/** The collector already working another open case of this customer keeps the account. */
async function accountCollector(tx: Tx, customerId: string): Promise<string | null> {
  const row = await tx
    .selectFrom('collection_cases')
    .select('collector')
    .where('customer_id', '=', customerId)
    .where('status', '=', 'open')
    .where('collector', 'is not', null)
    .orderBy('collector_since', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.collector ?? null;
}

/** What the case's account has overdue today. */
export async function overdueOf(unit: DomainWork, theCase: CaseRow): Promise<bigint> {
  return (await installmentTotals(unit.tx, theCase.receivable_id, unit.today())).overdue;
}

export async function lockCase(tx: Tx, id: string): Promise<CaseRow> {
  const row = await tx.selectFrom('collection_cases').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('collection case', id);
  return row;
}

/**
 * Cured, paid or written off: the case closes with what was recovered since it opened. Whatever was
 * still open on it is settled: a promise (kept if paid), a plan, an agency placement (recoveries
 * and commission frozen).
 */
export async function closeCase(
  unit: DomainWork,
  caseId: string,
): Promise<{ caseId: string; outcome: string; recovered: string }> {
  const before = await lockCase(unit.tx, caseId);
  if (before.status === 'closed') {
    return { caseId, outcome: before.outcome ?? 'closed', recovered: before.recovered.toString() };
  }
  const receivable = await unit.tx
    .selectFrom('receivables')
    .select(['status', 'total_paid'])
    .where('id', '=', before.receivable_id)
    .executeTakeFirstOrThrow();
  const outcome = receivable.status === 'open' ? 'cured' : receivable.status;
  const recovered = receivable.total_paid > before.opened_paid ? receivable.total_paid - before.opened_paid : 0n;
  const now = unit.clock.now();
  await settlePromisesOnClose(unit, before, receivable.total_paid);
  await settlePlansOnClose(unit, caseId, outcome !== 'written_off');
  await endPlacement(unit, caseId, null, { status: 'closed', reason: `case ${outcome}`, by: unit.actor });
  const after = await unit.tx
    .updateTable('collection_cases')
    .set({ status: 'closed', state: 'closed', outcome, recovered, closed_at: now, updated_at: now })
    .where('id', '=', caseId)
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: 'collections.case.closed',
    entityType: 'collection_case',
    entityId: caseId,
    before: presentCase(before),
    after: presentCase(after),
  });
  unit.publish('collections.case.closed', caseId, {
    caseId,
    receivableId: after.receivable_id,
    customerId: after.customer_id,
    outcome,
    recovered: recovered.toString(),
    segment: after.segment,
    variant: after.variant,
  });
  return { caseId, outcome, recovered: recovered.toString() };
}

export function presentCase(row: CaseRow) {
  return {
    id: row.id,
    receivableId: row.receivable_id,
    customerId: row.customer_id,
    currency: row.currency,
    status: row.status,
    state: row.state,
    segment: row.segment,
    variant: row.variant,
    queue: row.queue,
    decisions: [
      { key: SEGMENT_DECISION, version: row.segment_version },
      { key: STRATEGY_DECISION, version: row.strategy_version },
    ],
    collector: row.collector,
    instanceId: row.instance_id,
    openedAt: row.opened_at.toISOString(),
    openedDpd: row.opened_dpd,
    openedOverdue: row.opened_overdue.toString(),
    openedOutstanding: row.opened_outstanding.toString(),
    lastStageAt: row.last_stage_at?.toISOString() ?? null,
    closedAt: row.closed_at?.toISOString() ?? null,
    outcome: row.outcome,
    recovered: row.recovered.toString(),
  };
}

export interface CaseFilter {
  status?: 'open' | 'closed' | undefined;
  segment?: string | undefined;
  queue?: string | undefined;
  collector?: string | undefined;
  customer?: string | undefined;
  minDpd?: number | undefined;
  maxDpd?: number | undefined;
  after?: string | undefined;
  limit: number;
}

/** Cases newest first, with the account's current DPD and balance. */
export async function listCases(db: Queryable, filter: CaseFilter) {
  let query = db
    .selectFrom('collection_cases as k')
    .innerJoin('receivables as r', 'r.id', 'k.receivable_id')
    .selectAll('k')
    .select(['r.dpd', 'r.bucket', 'r.outstanding', 'r.external_id as receivable_external_id'])
    .orderBy('k.id', 'desc')
    .limit(filter.limit);
  if (filter.status) query = query.where('k.status', '=', filter.status);
  if (filter.segment) query = query.where('k.segment', '=', filter.segment);
  if (filter.queue) query = query.where('k.queue', '=', filter.queue);
  if (filter.collector) query = query.where('k.collector', '=', filter.collector);
  if (filter.customer) query = query.where('k.customer_id', '=', filter.customer);
  if (filter.minDpd !== undefined) query = query.where('r.dpd', '>=', filter.minDpd);
  if (filter.maxDpd !== undefined) query = query.where('r.dpd', '<=', filter.maxDpd);
  if (filter.after) query = query.where('k.id', '<', filter.after);
  const rows = await query.execute();
  return rows.map((row) => ({
    ...presentCase(row),
    account: {
      externalId: row.receivable_external_id,
      dpd: row.dpd,
      bucket: row.bucket,
      outstanding: row.outstanding.toString(),
    },
  }));
}

/** Everything about a case: the account now, its stages, contacts, promises and the timeline. */
export async function getCase(db: Queryable, id: string) {
  const row = await db.selectFrom('collection_cases').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('collection case', id);
  const receivable = await db
    .selectFrom('receivables')
    .select(['external_id', 'kind', 'status', 'dpd', 'bucket', 'outstanding', 'total_paid', 'oldest_unpaid_due_date'])
    .where('id', '=', row.receivable_id)
    .executeTakeFirstOrThrow();
  const [stages, contacts, promises] = await Promise.all([
    db.selectFrom('collection_stage_runs').selectAll().where('case_id', '=', id).orderBy('seq').execute(),
    db.selectFrom('collection_contacts').selectAll().where('case_id', '=', id).orderBy('contacted_at').execute(),
    db.selectFrom('collection_promises').selectAll().where('case_id', '=', id).orderBy('created_at').execute(),
  ]);
  const [disputes, plans, hardships, placements, writeOffs] = await Promise.all([
    listDisputes(db, id),
    listPlans(db, id),
    listHardships(db, id),
    listPlacements(db, id),
    listWriteOffs(db, id),
  ]);
  const timeline = row.instance_id ? (await getInstance(db, row.instance_id)).timeline : [];
  return {
    ...presentCase(row),
    account: {
      externalId: receivable.external_id,
      kind: receivable.kind,
      status: receivable.status,
      dpd: receivable.dpd,
      bucket: receivable.bucket,
      outstanding: receivable.outstanding.toString(),
      oldestUnpaidDueDate: receivable.oldest_unpaid_due_date,
    },
    stages: stages.map((s) => ({
      stage: s.stage,
      kind: s.kind,
      seq: s.seq,
      dpd: s.dpd,
      ranAt: s.ran_at.toISOString(),
      result: s.result,
    })),
    contacts: contacts.map(presentContact),
    promises: promises.map(presentPromise),
    disputes,
    plans,
    hardships,
    placements,
    writeOffs,
    timeline,
  };
}
