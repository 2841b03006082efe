import type { Selectable } from 'kysely';
import { notFound } from '../../../core/errors.js';
import type { DomainWork } from '../../unit-of-work.js';
import { installmentTotals } from '../../receivables/delinquency/delinquency.js';
import type { Tx } from '../../../storage/schema.js';
import { SEGMENT_DECISION, STRATEGY_DECISION } from '../policy/shipped-strategies.js';
import type { CollectionCasesTable } from '../tables.js';

/**
 * A collection case is one overdue episode of one receivable: opened by the collections-case
 * workflow on `receivable.overdue`, closed when the account is cured or paid. Opening decides the
 * segment (`collections.segment`) and the strategy variant, and pins the decision versions, so a
 * policy change applies to new cases while a running one finishes as it began.
 *
 * This file holds the case row itself: its type, its lock, and how it is presented. Everything else
 * in collections (contacts, disputes, plans, the dunning strategy…) builds on it, and it imports none
 * of them, so no import cycle runs through the case.
 */

export type CaseRow = Selectable<CollectionCasesTable>;

/** What the case's account has overdue today. */
export async function overdueOf(unit: DomainWork, theCase: CaseRow): Promise<bigint> {
  return (await installmentTotals(unit.tx, theCase.receivable_id, unit.today())).overdue;
}

export async function lockCase(tx: Tx, id: string): Promise<CaseRow> {
  const row = await tx.selectFrom('collection_cases').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('collection case', id);
  return row;
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
