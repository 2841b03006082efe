import type { Selectable } from 'kysely';
import { z } from 'zod';
import { conflict, refusedField } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DomainWork } from '../unit-of-work.js';
import { addDays } from '../receivables/schedule/due-dates.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import { lockCase, overdueOf, type CaseRow } from './cases/case-row.js';
import { approvalQueue, readCollectionsSettings, type CollectionsSettings } from './collections-settings.js';
import { setState } from './promises.js';
import type { CollectionPlansTable } from './tables.js';
import { receivableColumns } from '../receivables/receivable-queries.js';

/**
 * Payment plans: a schedule for the arrears agreed with the customer. Its total must cover what is
 * overdue (and not exceed the balance). A plan above the collector's authority waits for approval
 * by the queue its total falls to (settings.planApproval); approved, it pauses the strategy. Each
 * installment date plus the grace days is a checkpoint: the payments since the plan began must by
 * then reach the installments due so far, or the plan is broken and the strategy resumes. Paid in
 * full, it is kept.
 */

export type PlanRow = Selectable<CollectionPlansTable>;

const MAX_INSTALLMENTS = 36;
const MAX_MONTHS_OUT = 24;

export const PlanInputSchema = z
  .object({
    installments: z
      .array(
        z
          .object({
            date: z.iso.date({ error: 'must be a date, YYYY-MM-DD' }),
            amount: z.string().regex(/^[0-9]{1,18}$/, 'must be minor units as a string, e.g. "25000"'),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_INSTALLMENTS),
  })
  .strict();
export type PlanInput = z.infer<typeof PlanInputSchema>;

export async function proposePlan(unit: DomainWork, caseId: string, input: PlanInput, by: string) {
  const theCase = await lockCase(unit.tx, caseId);
  const overdue = await overdueOf(unit, theCase);
  if (theCase.status !== 'open') throw conflict('case_closed', `case ${caseId} is closed`);
  const current = await currentPlanOf(unit.tx, caseId);
  if (current) throw conflict('plan_open', `case ${caseId} already has plan ${current.id} (${current.status})`);
  const receivable = await receivableColumns(unit.tx, theCase.receivable_id, ['outstanding', 'total_paid']);
  const today = unit.today();
  let total = 0n;
  let previous = '';
  input.installments.forEach((line, index) => {
    const amount = BigInt(line.amount);
    if (amount <= 0n) throw refusedField(`installments.${index}.amount`, 'must be above zero');
    if (line.date < today) throw refusedField(`installments.${index}.date`, `must not be before today (${today})`);
    if (line.date <= previous)
      throw refusedField(`installments.${index}.date`, 'must be after the previous installment');
    if (line.date > addDays(today, MAX_MONTHS_OUT * 31)) {
      throw refusedField(`installments.${index}.date`, `must be within ${MAX_MONTHS_OUT} months`);
    }
    previous = line.date;
    total += amount;
  });
  if (total < overdue) throw refusedField('installments', `must add up to at least the overdue amount ${overdue}`);
  if (total > receivable.outstanding) {
    throw refusedField(
      'installments',
      `must not add up to more than the outstanding balance ${receivable.outstanding}`,
    );
  }
  const settings = await readCollectionsSettings(unit.tx);
  const queue = approvalQueue(settings.planApproval, total);
  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('collection_plans')
    .values({
      id: newId('cplan', now.getTime()),
      case_id: caseId,
      schedule: JSON.stringify(input.installments),
      total,
      status: queue === null ? 'active' : 'pending_approval',
      approval_queue: queue,
      baseline_paid: receivable.total_paid,
      proposed_by: by,
      proposed_at: now,
      decided_by: queue === null ? by : null,
      decided_at: queue === null ? now : null,
      resolved_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (row.status === 'active') await setState(unit, theCase, 'plan');
  const plan = presentPlan(row);
  unit.audit({ action: 'collections.plan.proposed', entityType: 'collection_plan', entityId: row.id, after: plan });
  unit.publish('collections.plan.proposed', caseId, plan);
  unit.publish('collections.case.changed', caseId, { caseId, change: 'plan_proposed', plan: row.id });
  return plan;
}

/** The plan pending approval or active, if any. */
export async function currentPlanOf(db: Queryable | Tx, caseId: string): Promise<PlanRow | undefined> {
  return db
    .selectFrom('collection_plans')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('status', 'in', ['pending_approval', 'active'])
    .executeTakeFirst();
}

/** An approver's decision on a pending plan. */
export async function decidePlan(unit: DomainWork, theCase: CaseRow, planId: string, approve: boolean, by: string) {
  const row = await unit.tx
    .selectFrom('collection_plans')
    .selectAll()
    .where('id', '=', planId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (row.status !== 'pending_approval') return presentPlan(row);
  const now = unit.clock.now();
  const after = await unit.tx
    .updateTable('collection_plans')
    .set({ status: approve ? 'active' : 'rejected', decided_by: by, decided_at: now })
    .where('id', '=', planId)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (approve) await setState(unit, theCase, 'plan');
  const plan = presentPlan(after);
  unit.audit({
    action: approve ? 'collections.plan.approved' : 'collections.plan.rejected',
    entityType: 'collection_plan',
    entityId: planId,
    before: presentPlan(row),
    after: plan,
  });
  unit.publish(approve ? 'collections.plan.approved' : 'collections.plan.rejected', theCase.id, plan);
  return plan;
}

/**
 * Checks an active plan against the payments: broken at the first checkpoint passed short of what
 * was due by then, kept once paid in full; otherwise, when to look again.
 */
export async function checkPlan(
  unit: DomainWork,
  plan: PlanRow,
  totalPaid: bigint,
  settings?: Pick<CollectionsSettings, 'planGraceDays'>,
): Promise<{ status: 'active' | 'kept' | 'broken'; nextCheck: string | null }> {
  const { planGraceDays } = settings ?? (await readCollectionsSettings(unit.tx));
  const checked = planCheckpoint(plan, totalPaid, unit.today(), planGraceDays);
  if (checked.status === 'active') return checked;
  await resolvePlan(unit, plan, checked.status, checked.paid);
  return { status: checked.status, nextCheck: null };
}

/**
 * Where a running plan stands today (no I/O): kept once paid in full, broken once a checkpoint
 * (a line's date plus the grace days) passed with less paid than was due by then, else active until
 * the next checkpoint.
 */
export function planCheckpoint(
  plan: Pick<PlanRow, 'schedule' | 'baseline_paid' | 'total'>,
  totalPaid: bigint,
  today: string,
  planGraceDays: number,
): { status: 'active' | 'kept' | 'broken'; nextCheck: string | null; paid: bigint } {
  const schedule = plan.schedule as Array<{ date: string; amount: string }>;
  const paid = totalPaid - plan.baseline_paid;
  let status: 'active' | 'kept' | 'broken' = paid >= plan.total ? 'kept' : 'active';
  let dueSoFar = 0n;
  let nextCheck: string | null = null;
  for (const line of schedule) {
    dueSoFar += BigInt(line.amount);
    const checkpoint = addDays(line.date, planGraceDays + 1);
    if (checkpoint > today) {
      nextCheck ??= `${checkpoint}T00:00:00.000Z`;
      continue;
    }
    if (status === 'active' && paid < dueSoFar) status = 'broken';
  }
  return { status, nextCheck: status === 'active' ? nextCheck : null, paid };
}

/** Records a plan as kept or broken (its checkpoint said so). */
export async function resolvePlan(unit: DomainWork, plan: PlanRow, status: 'kept' | 'broken', paid: bigint) {
  const now = unit.clock.now();
  const after = await unit.tx
    .updateTable('collection_plans')
    .set({ status, resolved_at: now })
    .where('id', '=', plan.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const presented = presentPlan(after);
  unit.audit({
    action: `collections.plan.${status}`,
    entityType: 'collection_plan',
    entityId: plan.id,
    before: presentPlan(plan),
    after: { ...presented, paidSincePlan: paid.toString() },
  });
  unit.publish(`collections.plan.${status}`, plan.case_id, presented);
}

/** A case closing cancels a plan still pending or running (a cure keeps it as kept). */
export async function settlePlansOnClose(unit: DomainWork, caseId: string, cured: boolean): Promise<void> {
  const plan = await currentPlanOf(unit.tx, caseId);
  if (!plan) return;
  const status = cured && plan.status === 'active' ? 'kept' : 'cancelled';
  await unit.tx
    .updateTable('collection_plans')
    .set({ status, resolved_at: unit.clock.now() })
    .where('id', '=', plan.id)
    .execute();
  unit.audit({
    action: `collections.plan.${status}`,
    entityType: 'collection_plan',
    entityId: plan.id,
    before: presentPlan(plan),
    after: { status },
  });
}

export function presentPlan(row: PlanRow) {
  return {
    id: row.id,
    caseId: row.case_id,
    installments: row.schedule as Array<{ date: string; amount: string }>,
    total: row.total.toString(),
    status: row.status,
    approvalQueue: row.approval_queue,
    proposedBy: row.proposed_by,
    proposedAt: row.proposed_at.toISOString(),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
  };
}

export async function listPlans(db: Queryable, caseId: string) {
  const rows = await db
    .selectFrom('collection_plans')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('proposed_at')
    .execute();
  return rows.map(presentPlan);
}
