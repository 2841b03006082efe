import type { Selectable } from 'kysely';
import { conflict, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DomainWork } from '../unit-of-work.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import { lockCase, type CaseRow } from './cases/case-row.js';
import type { Agency } from './collections-settings.js';
import type { CollectionPlacementsTable } from './tables.js';
import { receivableColumns } from '../receivables/receivable-queries.js';

/**
 * Agency placements. At its placement stage a case goes to an external collection agency: by API
 * (the workflow POSTs the account to the agency's URL) or in the export the agency collects. While
 * placed, finflow's own strategy pauses; every payment on the account counts as the agency's
 * recovery, and its commission is that times the agreed rate (rounded half up to the minor unit).
 * A recall (or the account curing) ends the placement with its recoveries and commission frozen.
 */

export type PlacementRow = Selectable<CollectionPlacementsTable>;

/** The agency that takes a segment: the first configured for it, or for every segment. */
export function agencyFor(agencies: Agency[], segment: string): Agency | undefined {
  return agencies.find((a) => a.segments.length === 0 || a.segments.includes(segment));
}

export async function placeCase(
  unit: DomainWork,
  theCase: CaseRow,
  agency: Agency,
  delivery: unknown,
): Promise<PlacementRow> {
  const receivable = await receivableColumns(unit.tx, theCase.receivable_id, ['outstanding', 'total_paid']);
  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('collection_placements')
    .values({
      id: newId('cplace', now.getTime()),
      case_id: theCase.id,
      agency: agency.name,
      commission_rate: agency.commissionRate,
      placed_amount: receivable.outstanding,
      paid_at_placement: receivable.total_paid,
      status: 'placed',
      delivery: JSON.stringify(delivery ?? { method: 'export' }),
      placed_at: now,
      ended_at: null,
      ended_by: null,
      end_reason: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await unit.tx
    .updateTable('collection_cases')
    .set({ state: 'placed', updated_at: now })
    .where('id', '=', theCase.id)
    .execute();
  const placement = presentPlacement(row, receivable.total_paid);
  unit.audit({
    action: 'collections.case.placed',
    entityType: 'collection_case',
    entityId: theCase.id,
    after: placement,
  });
  unit.publish('collections.case.placed', theCase.id, placement);
  return row;
}

export async function activePlacementOf(db: Queryable | Tx, caseId: string): Promise<PlacementRow | undefined> {
  return db
    .selectFrom('collection_placements')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('status', '=', 'placed')
    .executeTakeFirst();
}

/** Recall by a person (or close with the case): recoveries and commission are frozen. */
export async function endPlacement(
  unit: DomainWork,
  caseId: string,
  placementId: string | null,
  end: { status: 'recalled' | 'closed'; reason: string; by: string },
) {
  const theCase = await lockCase(unit.tx, caseId);
  const row = placementId
    ? await unit.tx
        .selectFrom('collection_placements')
        .selectAll()
        .where('id', '=', placementId)
        .where('case_id', '=', caseId)
        .forUpdate()
        .executeTakeFirst()
    : await activePlacementOf(unit.tx, caseId);
  if (!row) {
    if (placementId) throw notFound('placement', placementId);
    return null;
  }
  if (row.status !== 'placed') throw conflict('placement_ended', `placement ${row.id} is already ${row.status}`);
  const receivable = await receivableColumns(unit.tx, theCase.receivable_id, ['total_paid']);
  const recovered = recoveredOf(row, receivable.total_paid);
  const now = unit.clock.now();
  const after = await unit.tx
    .updateTable('collection_placements')
    .set({
      status: end.status,
      recovered,
      commission: commissionOf(recovered, row.commission_rate),
      ended_at: now,
      ended_by: end.by,
      end_reason: end.reason,
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const placement = presentPlacement(after, receivable.total_paid);
  unit.audit({
    action: `collections.placement.${end.status}`,
    entityType: 'collection_case',
    entityId: caseId,
    before: presentPlacement(row, receivable.total_paid),
    after: placement,
  });
  unit.publish(`collections.placement.${end.status}`, caseId, placement);
  if (end.status === 'recalled') {
    unit.publish('collections.case.changed', caseId, { caseId, change: 'placement_recalled', placement: row.id });
  }
  return placement;
}

function recoveredOf(row: PlacementRow, totalPaid: bigint): bigint {
  return totalPaid > row.paid_at_placement ? totalPaid - row.paid_at_placement : 0n;
}

/** recovered × rate, the rate a decimal string of up to 6 places, rounded half up. */
export function commissionOf(recovered: bigint, rate: string): bigint {
  const [whole = '0', fraction = ''] = rate.split('.');
  const micros = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6) || '0');
  return (recovered * micros + 500_000n) / 1_000_000n;
}

export function presentPlacement(row: PlacementRow, totalPaid?: bigint) {
  const live = row.status === 'placed' && totalPaid !== undefined;
  const recovered = live ? recoveredOf(row, totalPaid) : row.recovered;
  return {
    id: row.id,
    caseId: row.case_id,
    agency: row.agency,
    commissionRate: String(row.commission_rate),
    placedAmount: row.placed_amount.toString(),
    status: row.status,
    recovered: recovered.toString(),
    commission: (live ? commissionOf(recovered, String(row.commission_rate)) : row.commission).toString(),
    delivery: row.delivery,
    placedAt: row.placed_at.toISOString(),
    endedAt: row.ended_at?.toISOString() ?? null,
    endedBy: row.ended_by,
    endReason: row.end_reason,
  };
}

export async function listPlacements(db: Queryable, caseId: string) {
  const [rows, receivable] = await Promise.all([
    db.selectFrom('collection_placements').selectAll().where('case_id', '=', caseId).orderBy('placed_at').execute(),
    db
      .selectFrom('collection_cases as k')
      .innerJoin('receivables as r', 'r.id', 'k.receivable_id')
      .select('r.total_paid')
      .where('k.id', '=', caseId)
      .executeTakeFirst(),
  ]);
  return rows.map((row) => presentPlacement(row, receivable?.total_paid));
}

/** What an agency collects: its placed accounts with the customer's contact details and balance. */
export async function placementExport(db: Queryable, agency: string): Promise<Array<Record<string, unknown>>> {
  const rows = await db
    .selectFrom('collection_placements as p')
    .innerJoin('collection_cases as k', 'k.id', 'p.case_id')
    .innerJoin('receivables as r', 'r.id', 'k.receivable_id')
    .innerJoin('customers as c', 'c.id', 'k.customer_id')
    .select([
      'p.id as placement_id',
      'p.placed_at',
      'p.placed_amount',
      'p.commission_rate',
      'k.id as case_id',
      'r.external_id as account',
      'r.currency',
      'r.outstanding',
      'r.dpd',
      'c.external_id as customer',
      'c.name',
      'c.email',
      'c.phone',
      'c.address',
      'c.language',
    ])
    .where('p.agency', '=', agency)
    .where('p.status', '=', 'placed')
    .orderBy('p.placed_at')
    .execute();
  return rows.map((row) => ({
    ...row,
    placed_at: row.placed_at.toISOString(),
    placed_amount: row.placed_amount.toString(),
    outstanding: row.outstanding.toString(),
    commission_rate: String(row.commission_rate),
  }));
}
