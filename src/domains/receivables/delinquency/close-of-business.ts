import { sql, type RawBuilder } from 'kysely';
import { conflict } from '../../../core/errors.js';
import { inDomainTransaction, type DomainWork } from '../../unit-of-work.js';
import type { DomainContext } from '../../contract.js';
import { expirePendingTransfers } from '../../ledger/expiry.js';
import type { PublishRequest } from '../../../engine/index.js';
import { addDays } from '../schedule/due-dates.js';
import { CURRENT_BUCKET, readSettings, type Bucket } from '../settings.js';
import type { ReceivableRow } from '../tables.js';
import { receivableEventData, transitionEvents } from './delinquency.js';

/**
 * The close-of-business run: days past due and buckets for the whole portfolio as of a business
 * date, set-based — one UPDATE over the open receivables that can be past due, returning only the
 * rows whose state changed; one query for installments that fell due unpaid since the last run.
 * Transitions and missed installments become engine events (batch-published), the run is recorded
 * once per date (running it again for that date changes nothing and publishes nothing), and the
 * run itself is audited as one entry with its counts.
 */

export interface CloseOfBusinessReport {
  asOf: string;
  open: number;
  changed: number;
  events: Record<string, number>;
  expiredHolds: number;
  durationMs: number;
  alreadyRan: boolean;
}

const EVENT_CHUNK = 5000;
const OVERDUE_CHUNK = 500;

export async function runCloseOfBusiness(
  context: DomainContext,
  request: { asOf?: string | undefined; actor: string; requestId?: string | null },
): Promise<CloseOfBusinessReport> {
  return inDomainTransaction(context, request, (unit) => closeOfBusiness(unit, request.asOf));
}

/** The run inside a given unit of work (a request's transaction or a workflow step's). */
export async function closeOfBusiness(unit: DomainWork, asOfDate?: string): Promise<CloseOfBusinessReport> {
  const started = performance.now();
  const context = unit.context;
  const asOf = asOfDate ?? unit.today();
  // One run at a time: a second one waits here and then finds the date done.
  await sql`SELECT pg_advisory_xact_lock(hashtext('finflow.close_of_business'))`.execute(unit.tx);
  const done = await unit.tx
    .selectFrom('close_of_business_runs')
    .selectAll()
    .where('as_of', '=', asOf)
    .executeTakeFirst();
  if (done) return { ...(done.counts as CloseOfBusinessReport), alreadyRan: true };
  const later = await unit.tx
    .selectFrom('close_of_business_runs')
    .select('as_of')
    .where('as_of', '>', asOf)
    .executeTakeFirst();
  if (later) throw conflict('close_of_business_out_of_order', `close of business already ran for ${later.as_of}`);
  const previous = await unit.tx
    .selectFrom('close_of_business_runs')
    .select(sql<string | null>`max(as_of)`.as('last'))
    .executeTakeFirstOrThrow();
  const windowStart = previous.last ?? addDays(asOf, -1);

  const { buckets } = await readSettings(unit.tx);
  // Counted before the update: afterwards the count would visit every updated row's heap page.
  const open = await unit.tx
    .selectFrom('receivables')
    .select(sql<string>`count(*)`.as('n'))
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();

  const events: PublishRequest[] = [];
  const changed = await transitions(unit, asOf, buckets, events);
  await missedInstallments(unit, windowStart, asOf, events);
  for (let i = 0; i < events.length; i += EVENT_CHUNK) {
    await context.engine.publishManyInTx(unit.tx, events.slice(i, i + EVENT_CHUNK));
  }
  const expiredHolds = await expirePendingTransfers(unit);
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  const report: CloseOfBusinessReport = {
    asOf,
    open: Number(open.n),
    changed,
    events: counts,
    expiredHolds,
    durationMs: Math.round(performance.now() - started),
    alreadyRan: false,
  };
  await unit.tx
    .insertInto('close_of_business_runs')
    .values({ as_of: asOf, ran_at: unit.clock.now(), ran_by: unit.actor, counts: JSON.stringify(report) })
    .execute();
  unit.audit({
    action: 'receivables.close_of_business',
    entityType: 'close_of_business',
    entityId: asOf,
    after: report,
  });
  return report;
}

/** `CASE` over the configured buckets, so the database assigns them in the same UPDATE. */
function bucketCase(dpd: RawBuilder<number>, buckets: Bucket[]): RawBuilder<string> {
  const whens = buckets
    .filter((b) => b.maxDpd !== null)
    .map((b) => sql`WHEN ${dpd} <= ${sql.lit(b.maxDpd)} THEN ${b.name}`);
  const last = buckets.at(-1)!.name;
  return sql<string>`CASE WHEN ${dpd} <= 0 THEN ${CURRENT_BUCKET} ${sql.join(whens, sql` `)} ELSE ${last} END`;
}

interface TransitionRow extends ReceivableRow {
  old_dpd: number;
  old_bucket: string;
  customer_external_id: string;
}

async function transitions(unit: DomainWork, asOf: string, buckets: Bucket[], events: PublishRequest[]) {
  const newDpd = sql<number>`GREATEST(0, ${asOf}::date - r.oldest_unpaid_due_date)`;
  // `counted` always yields one row, so the number of updated receivables comes back even on a
  // night without transitions; the transitions join to it (row fields null when there are none).
  const result = await sql<TransitionRow & { changed: string }>`
    WITH candidates AS (
      SELECT id, dpd AS old_dpd, bucket AS old_bucket
      FROM receivables
      WHERE status = 'open' AND oldest_unpaid_due_date IS NOT NULL
        AND (dpd > 0 OR oldest_unpaid_due_date < ${asOf}::date)
      FOR UPDATE
    ), updated AS (
      UPDATE receivables r SET
        dpd = ${newDpd},
        bucket = ${bucketCase(newDpd, buckets)},
        overdue_since = CASE WHEN ${newDpd} > 0 THEN COALESCE(r.overdue_since, ${asOf}::date) END,
        delinquency_as_of = ${asOf}::date,
        updated_at = ${unit.clock.now()}
      FROM candidates c
      WHERE r.id = c.id AND (r.dpd <> ${newDpd} OR r.delinquency_as_of IS DISTINCT FROM ${asOf}::date)
      RETURNING r.*, c.old_dpd, c.old_bucket
    ), counted AS (
      SELECT count(*) AS changed FROM updated
    )
    SELECT t.*, counted.changed
    FROM counted LEFT JOIN LATERAL (
      SELECT u.*, cu.external_id AS customer_external_id
      FROM updated u JOIN customers cu ON cu.id = u.customer_id
      WHERE (u.old_dpd = 0 AND u.dpd > 0) OR u.old_bucket <> u.bucket
    ) t ON true
    ORDER BY t.id
  `.execute(unit.tx);
  const changed = Number(result.rows[0]?.changed ?? 0);
  const rows = result.rows.filter((r) => r.id !== null);
  const overdue = await overdueAmounts(
    unit,
    rows.map((r) => r.id),
    asOf,
  );
  for (const row of rows) {
    const from = { status: row.status, dpd: row.old_dpd, bucket: row.old_bucket };
    const data = receivableEventData(row, {
      customerExternalId: row.customer_external_id,
      overdueAmount: overdue.get(row.id) ?? 0n,
      from,
    });
    for (const type of transitionEvents(from, row)) {
      events.push({ type, key: row.id, data, actor: unit.actor, requestId: unit.requestId });
    }
  }
  return changed;
}

async function overdueAmounts(unit: DomainWork, ids: string[], asOf: string): Promise<Map<string, bigint>> {
  const amounts = new Map<string, bigint>();
  // Small chunks keep the lookup on the installments' primary key (large id lists made PostgreSQL scan).
  for (let i = 0; i < ids.length; i += OVERDUE_CHUNK) {
    const rows = await sql<{ receivable_id: string; overdue: string }>`
      SELECT receivable_id,
             SUM(principal_due + interest_due + fee_due - principal_paid - interest_paid - fee_paid) AS overdue
      FROM installments
      WHERE receivable_id = ANY(${ids.slice(i, i + OVERDUE_CHUNK)}::text[]) AND due_date < ${asOf}::date
      GROUP BY receivable_id`.execute(unit.tx);
    for (const r of rows.rows) amounts.set(r.receivable_id, BigInt(r.overdue));
  }
  return amounts;
}

/** Installments that fell due in [from, asOf) and are not fully paid: one `receivable.installment_missed` each. */
async function missedInstallments(unit: DomainWork, from: string, asOf: string, events: PublishRequest[]) {
  const rows = await sql<{
    receivable_id: string;
    external_id: string;
    customer_id: string;
    customer_external_id: string;
    currency: string;
    seq: number;
    due_date: string;
    unpaid: string;
    dpd: number;
    bucket: string;
  }>`
    SELECT i.receivable_id, r.external_id, r.customer_id, c.external_id AS customer_external_id, r.currency,
           i.seq, i.due_date, r.dpd, r.bucket,
           (i.principal_due + i.interest_due + i.fee_due - i.principal_paid - i.interest_paid - i.fee_paid) AS unpaid
    FROM installments i
    JOIN receivables r ON r.id = i.receivable_id
    JOIN customers c ON c.id = r.customer_id
    WHERE i.due_date >= ${from}::date AND i.due_date < ${asOf}::date AND r.status = 'open'
      AND i.principal_paid + i.interest_paid + i.fee_paid < i.principal_due + i.interest_due + i.fee_due
    ORDER BY i.receivable_id, i.seq`.execute(unit.tx);
  for (const r of rows.rows) {
    events.push({
      type: 'receivable.installment_missed',
      key: r.receivable_id,
      data: {
        receivableId: r.receivable_id,
        externalId: r.external_id,
        customerId: r.customer_id,
        customerExternalId: r.customer_external_id,
        currency: r.currency,
        installmentSeq: r.seq,
        dueDate: r.due_date,
        unpaid: String(r.unpaid),
        dpd: r.dpd,
        bucket: r.bucket,
        asOf,
      },
      actor: unit.actor,
      requestId: unit.requestId,
    });
  }
}
