import { z } from 'zod';
import { AppError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { AmountString, CurrencyCode } from '../customers/customer-input.js';
import type { DomainWork } from '../unit-of-work.js';
import type { Queryable } from '../../storage/schema.js';
import { CalendarDate, InvoiceLineSchema } from './receivable-input.js';
import { createReceivable } from './receivable-service.js';
import { addDays, addMonthsClamped } from './schedule/due-dates.js';

/**
 * Recurring billing: a plan issues an invoice every `intervalMonths` from its start date until its
 * end date. `issueDueInvoices` (the `billing.issue_due` action, run daily by a schedule workflow)
 * issues every period that has come due — catching up after downtime — and publishes
 * `invoice.issued` for each, which starts whatever workflow delivers and follows up invoices.
 * Each period's invoice has the external id `<plan external id>-<n>`, so a period is billed once.
 */

export const BillingPlanInputSchema = z
  .object({
    externalId: z.string().trim().min(1).max(90),
    customerExternalId: z.string().trim().min(1).max(100),
    currency: CurrencyCode,
    lines: z.array(InvoiceLineSchema).min(1).max(100),
    intervalMonths: z.number().int().min(1).max(36).default(1),
    paymentTermsDays: z.number().int().min(0).max(365).default(30),
    startDate: CalendarDate,
    endDate: CalendarDate.optional(),
  })
  .strict();
export type BillingPlanInput = z.infer<typeof BillingPlanInputSchema>;

export interface BillingPlan {
  id: string;
  externalId: string;
  customerId: string;
  currency: string;
  lines: unknown;
  intervalMonths: number;
  paymentTermsDays: number;
  nextIssueDate: string;
  endDate: string | null;
  status: string;
  issuedCount: number;
}

type PlanRow = Awaited<ReturnType<typeof planRow>>;
const planRow = (db: Queryable | DomainWork['tx'], id: string) =>
  db
    .selectFrom('billing_plans')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', id), eb('external_id', '=', id)]))
    .executeTakeFirst()
    .then((r) => r!);

function toPlan(row: PlanRow): BillingPlan {
  return {
    id: row.id,
    externalId: row.external_id,
    customerId: row.customer_id,
    currency: row.currency,
    lines: row.lines,
    intervalMonths: row.interval_months,
    paymentTermsDays: row.payment_terms_days,
    nextIssueDate: row.next_issue_date,
    endDate: row.end_date,
    status: row.status,
    issuedCount: row.issued_count,
  };
}

export async function createBillingPlan(unit: DomainWork, input: BillingPlanInput): Promise<BillingPlan> {
  const customer = await unit.tx
    .selectFrom('customers')
    .select('id')
    .where('external_id', '=', input.customerExternalId)
    .executeTakeFirst();
  if (!customer) {
    throw new AppError('unknown_customer', 422, `no customer with external id ${input.customerExternalId}`, {
      field: 'customerExternalId',
    });
  }
  if (input.endDate && input.endDate < input.startDate) {
    throw new AppError('validation_failed', 400, 'endDate: must not be before startDate', { field: 'endDate' });
  }
  const exists = await unit.tx
    .selectFrom('billing_plans')
    .select('id')
    .where('external_id', '=', input.externalId)
    .executeTakeFirst();
  if (exists)
    throw new AppError('billing_plan_exists', 409, `billing plan ${input.externalId} exists`, { field: 'externalId' });
  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('billing_plans')
    .values({
      id: newId('bpl', now.getTime()),
      external_id: input.externalId,
      customer_id: customer.id,
      currency: input.currency,
      lines: JSON.stringify(input.lines),
      interval_months: input.intervalMonths,
      payment_terms_days: input.paymentTermsDays,
      start_date: input.startDate,
      next_issue_date: input.startDate,
      end_date: input.endDate ?? null,
      status: 'active',
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const plan = toPlan(row);
  unit.audit({ action: 'billing_plan.created', entityType: 'billing_plan', entityId: row.id, after: plan });
  return plan;
}

export async function getBillingPlan(db: Queryable, id: string): Promise<BillingPlan> {
  const row = await planRow(db, id);
  if (!row) throw notFound('billing plan', id);
  return toPlan(row);
}

/** Issues every invoice due by `asOf`; plans are claimed with SKIP LOCKED so two runs never double-bill. */
export async function issueDueInvoices(unit: DomainWork, asOf: string): Promise<{ issued: string[] }> {
  const plans = await unit.tx
    .selectFrom('billing_plans as p')
    .innerJoin('customers as c', 'c.id', 'p.customer_id')
    .selectAll('p')
    .select('c.external_id as customer_external_id')
    .where('p.status', '=', 'active')
    .where('p.next_issue_date', '<=', asOf)
    .orderBy('p.id')
    .forUpdate('p')
    .skipLocked()
    .execute();
  const issued: string[] = [];
  for (const plan of plans) {
    let next = plan.next_issue_date;
    let count = plan.issued_count;
    let status: 'active' | 'ended' = 'active';
    while (next <= asOf) {
      if (plan.end_date && next > plan.end_date) {
        status = 'ended';
        break;
      }
      count += 1;
      const { receivable } = await createReceivable(unit, {
        externalId: `${plan.external_id}-${count}`,
        customerExternalId: plan.customer_external_id,
        kind: 'invoice',
        currency: plan.currency,
        issueDate: next,
        dueDate: addDays(next, plan.payment_terms_days),
        lines: AmountLines.parse(plan.lines),
        metadata: { billingPlanId: plan.id, period: count },
      });
      unit.publish('invoice.issued', receivable.id, {
        receivableId: receivable.id,
        externalId: receivable.externalId,
        customerId: plan.customer_id,
        customerExternalId: plan.customer_external_id,
        billingPlanId: plan.id,
        period: count,
        currency: receivable.currency,
        total: receivable.totalDue,
        issueDate: receivable.issueDate,
        dueDate: receivable.maturityDate,
      });
      issued.push(receivable.id);
      next = addMonthsClamped(plan.start_date, count * plan.interval_months);
    }
    if (plan.end_date && next > plan.end_date) status = 'ended';
    await unit.tx
      .updateTable('billing_plans')
      .set({ next_issue_date: next, issued_count: count, status, updated_at: unit.clock.now() })
      .where('id', '=', plan.id)
      .execute();
  }
  return { issued };
}

const AmountLines = z.array(InvoiceLineSchema.extend({ unitPrice: AmountString }));
