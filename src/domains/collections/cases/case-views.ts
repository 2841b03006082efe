import type { Queryable } from '../../../storage/schema.js';
import { notFound } from '../../../core/errors.js';
import { getInstance } from '../../../engine/index.js';
import { presentContact } from '../contacts.js';
import { listDisputes } from '../disputes.js';
import { listHardships } from '../hardship.js';
import { listPlacements } from '../placements.js';
import { listPlans } from '../plans.js';
import { listWriteOffs } from '../write-offs.js';
import { presentPromise } from '../promises.js';
import { presentCase } from './case-row.js';
import { receivableColumns } from '../../receivables/receivable-queries.js';

/** The read models of cases: the list a queue shows, and everything about one case. */

export interface CaseFilter {
  status?: 'open' | 'closed' | undefined;
  segment?: string | undefined;
  queue?: string | undefined;
  collector?: string | undefined;
  customer?: string | undefined;
  minDpd?: number | undefined;
  maxDpd?: number | undefined;
  /** The account's DPD bucket now (1-30, 31-60, …). */
  bucket?: string | undefined;
  /** Champion/challenger variant. */
  variant?: string | undefined;
  /** The case's state (active, promised, plan, disputed, hardship, placed…). */
  state?: string | undefined;
  /** The strategy stage the case reached: its latest stage run. */
  stage?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** Cases newest first, with the account's current DPD and balance, the customer's name and the stage reached. */
export async function listCases(db: Queryable, filter: CaseFilter) {
  let query = db
    .selectFrom('collection_cases as k')
    .innerJoin('receivables as r', 'r.id', 'k.receivable_id')
    .innerJoin('customers as c', 'c.id', 'k.customer_id')
    .selectAll('k')
    .select(['r.dpd', 'r.bucket', 'r.outstanding', 'r.external_id as receivable_external_id'])
    .select(['c.name as customer_name', 'c.external_id as customer_external_id'])
    .select((eb) =>
      eb
        .selectFrom('collection_stage_runs as s')
        .select('s.stage')
        .whereRef('s.case_id', '=', 'k.id')
        .orderBy('s.seq', 'desc')
        .limit(1)
        .as('last_stage'),
    )
    .orderBy('k.id', 'desc')
    .limit(filter.limit);
  if (filter.status) query = query.where('k.status', '=', filter.status);
  if (filter.segment) query = query.where('k.segment', '=', filter.segment);
  if (filter.queue) query = query.where('k.queue', '=', filter.queue);
  if (filter.collector) query = query.where('k.collector', '=', filter.collector);
  if (filter.customer) query = query.where('k.customer_id', '=', filter.customer);
  if (filter.minDpd !== undefined) query = query.where('r.dpd', '>=', filter.minDpd);
  if (filter.maxDpd !== undefined) query = query.where('r.dpd', '<=', filter.maxDpd);
  if (filter.bucket) query = query.where('r.bucket', '=', filter.bucket);
  if (filter.variant) query = query.where('k.variant', '=', filter.variant);
  if (filter.state) query = query.where('k.state', '=', filter.state);
  const stage = filter.stage;
  if (stage) {
    query = query.where((eb) =>
      eb(
        eb
          .selectFrom('collection_stage_runs as s')
          .select('s.stage')
          .whereRef('s.case_id', '=', 'k.id')
          .orderBy('s.seq', 'desc')
          .limit(1),
        '=',
        stage,
      ),
    );
  }
  if (filter.after) query = query.where('k.id', '<', filter.after);
  const rows = await query.execute();
  return rows.map((row) => ({
    ...presentCase(row),
    customerName: row.customer_name,
    customerExternalId: row.customer_external_id,
    lastStage: row.last_stage ?? null,
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
  const receivable = await receivableColumns(db, row.receivable_id, [
    'external_id',
    'kind',
    'status',
    'dpd',
    'bucket',
    'outstanding',
    'total_paid',
    'oldest_unpaid_due_date',
  ]);
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
