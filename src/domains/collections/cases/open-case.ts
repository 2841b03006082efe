import { createHash } from 'node:crypto';
import { newId } from '../../../core/ids.js';
import type { DomainWork } from '../../unit-of-work.js';
import type { DecisionEvaluator } from '../../../engine/index.js';
import { NonRetryableError } from '../../../engine/index.js';
import { installmentTotals } from '../../receivables/delinquency/delinquency.js';
import { lockReceivable } from '../../receivables/receivable-service.js';
import type { Tx } from '../../../storage/schema.js';
import { customerHistory } from '../case-history.js';
import { readCollectionsSettings, variantsOf, type Variant } from '../collections-settings.js';
import { SEGMENT_DECISION, STRATEGY_DECISION } from '../policy/shipped-strategies.js';
import { strategyStages } from '../dunning/strategy-stages.js';
import { presentCase, type CaseRow } from './case-row.js';
import { customerColumns } from '../../customers/customer-queries.js';

/**
 * Opening a case (on `receivable.overdue`): the segment (`collections.segment`), the strategy
 * variant, and the decision versions pinned, so a policy change applies to new cases while a running
 * one finishes as it began.
 */

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
  const customer = await customerColumns(unit.tx, receivable.customer_id, ['id', 'risk_rating', 'segment', 'language']);
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
