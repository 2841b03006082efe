import { sql, type RawBuilder } from 'kysely';
import { formatMoney, minorUnitDigits } from '../../core/money.js';
import type { Queryable } from '../../storage/schema.js';

/**
 * The facts the anomaly checks (`payments.anomaly-checks`) judge, for a set of payments in one SQL
 * statement: the nearest other payment to the same beneficiary with the same amount and currency,
 * the nearest with the same remittance reference, the beneficiary's payment history in the
 * currency, how old its bank details are, and when the payment was created in its maker's time zone.
 * No thresholds here: what counts as a hit is the decision's business.
 *
 * A rejected or cancelled payment is no duplicate (it is entered again on purpose); history is what
 * was approved and not rejected (approved, batched, sent, accepted, settled), created before.
 */

export interface AnomalyFacts {
  amount: number;
  /** The amount in major units (12.34 for 1234 EUR cents). */
  amountMajor: number;
  /** Formatted for reasons, e.g. `1000.00 EUR`. */
  amountText: string;
  currency: string;
  /** Whole days between this payment's creation and the nearest same-amount one's, or null (none). */
  duplicateDays: number | null;
  duplicateOf: string | null;
  /** The normalised remittance reference (lower-case text, or the RF creditor reference), or null. */
  reference: string | null;
  sameReferenceDays: number | null;
  sameReferenceOf: string | null;
  /** Whole days since the beneficiary's current bank details were approved. */
  detailsAgeDays: number;
  /** Its current details replace earlier ones (details version above 1). */
  detailsChanged: boolean;
  /** Whole days since the beneficiary was entered. */
  beneficiaryAgeDays: number;
  historyCount: number;
  historyMax: number | null;
  historyMaxText: string | null;
  historyAverage: number | null;
  /** The maker's time zone (a user's setting), UTC when the maker is no user. */
  timeZone: string;
  createdHour: number;
  createdTime: string;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  createdWeekday: number;
  createdDay: string;
}

const HISTORY = ['approved', 'batched', 'sent', 'accepted', 'settled'];
const NOT_DUPLICATE = ['rejected', 'cancelled'];

interface FactRow {
  id: string;
  amount: string;
  currency: string;
  reference: string | null;
  duplicate_of: string | null;
  duplicate_days: number | null;
  same_reference_of: string | null;
  same_reference_days: number | null;
  details_age_days: number;
  details_version: number;
  beneficiary_age_days: number;
  history_count: number;
  history_max: string | null;
  history_average: string | null;
  time_zone: string;
  created_hour: number;
  created_time: string;
  created_weekday: number;
  created_day: string;
}

/** Facts by payment id; `now` is the assessment's time (bank details' age). */
export async function anomalyFacts(db: Queryable, ids: string[], now: Date): Promise<Map<string, AnomalyFacts>> {
  if (ids.length === 0) return new Map();
  const days = (a: RawBuilder<unknown>, b: RawBuilder<unknown>) =>
    sql<number>`floor(abs(extract(epoch from (${a} - ${b}))) / 86400)::int`;
  const at = sql`${now}::timestamptz`;
  // The same text typed differently (case, spacing) is the same reference.
  const referenceOf = (p: string) =>
    sql`coalesce(${sql.ref(`${p}.remittance`)}->>'creditorReference',
        nullif(lower(regexp_replace(btrim(${sql.ref(`${p}.remittance`)}->>'unstructured'), '\\s+', ' ', 'g')), ''))`;
  const { rows } = await sql<FactRow>`
    WITH target AS (
      SELECT p.id, p.beneficiary_id, p.amount, p.currency, p.created_at, ${referenceOf('p')} AS reference,
             b.details_version, b.created_at AS beneficiary_created_at, b.verified_at,
             coalesce(u.time_zone, 'UTC') AS time_zone
        FROM payment_instructions p
        JOIN beneficiaries b ON b.id = p.beneficiary_id
        LEFT JOIN users u ON u.id = p.created_by
       WHERE p.id IN (${sql.join(ids)})
    )
    SELECT t.id, t.amount::text AS amount, t.currency, t.reference,
           dup.id AS duplicate_of, dup.days AS duplicate_days,
           ref.id AS same_reference_of, ref.days AS same_reference_days,
           ${days(at, sql`coalesce(t.verified_at, t.beneficiary_created_at)`)} AS details_age_days,
           t.details_version,
           ${days(at, sql`t.beneficiary_created_at`)} AS beneficiary_age_days,
           hist.count AS history_count, hist.max::text AS history_max, round(hist.average)::text AS history_average,
           t.time_zone,
           extract(hour from (t.created_at AT TIME ZONE t.time_zone))::int AS created_hour,
           to_char(t.created_at AT TIME ZONE t.time_zone, 'HH24:MI') AS created_time,
           extract(isodow from (t.created_at AT TIME ZONE t.time_zone))::int AS created_weekday,
           to_char(t.created_at AT TIME ZONE t.time_zone, 'FMDay') AS created_day
      FROM target t
      LEFT JOIN LATERAL (
        SELECT o.id, ${days(sql`o.created_at`, sql`t.created_at`)} AS days
          FROM payment_instructions o
         WHERE o.beneficiary_id = t.beneficiary_id AND o.currency = t.currency AND o.amount = t.amount
           AND o.id <> t.id AND o.status NOT IN (${sql.join(NOT_DUPLICATE)})
         ORDER BY abs(extract(epoch from (o.created_at - t.created_at))), o.id
         LIMIT 1
      ) dup ON true
      LEFT JOIN LATERAL (
        SELECT o.id, ${days(sql`o.created_at`, sql`t.created_at`)} AS days
          FROM payment_instructions o
         WHERE t.reference IS NOT NULL AND o.beneficiary_id = t.beneficiary_id AND o.id <> t.id
           AND o.status NOT IN (${sql.join(NOT_DUPLICATE)}) AND ${referenceOf('o')} = t.reference
         ORDER BY abs(extract(epoch from (o.created_at - t.created_at))), o.id
         LIMIT 1
      ) ref ON true
      LEFT JOIN LATERAL (
        SELECT count(*)::int AS count, max(o.amount) AS max, avg(o.amount) AS average
          FROM payment_instructions o
         WHERE o.beneficiary_id = t.beneficiary_id AND o.currency = t.currency AND o.id <> t.id
           AND o.created_at < t.created_at AND o.status IN (${sql.join(HISTORY)})
      ) hist ON true
  `.execute(db);
  return new Map(rows.map((row) => [row.id, present(row)]));
}

function present(row: FactRow): AnomalyFacts {
  const amount = BigInt(row.amount);
  const money = (minor: bigint) => formatMoney({ amount: minor, currency: row.currency });
  return {
    amount: Number(amount),
    amountMajor: Number(amount) / 10 ** minorUnitDigits(row.currency),
    amountText: money(amount),
    currency: row.currency,
    duplicateDays: row.duplicate_days,
    duplicateOf: row.duplicate_of,
    reference: row.reference,
    sameReferenceDays: row.same_reference_days,
    sameReferenceOf: row.same_reference_of,
    detailsAgeDays: row.details_age_days,
    detailsChanged: row.details_version > 1,
    beneficiaryAgeDays: row.beneficiary_age_days,
    historyCount: row.history_count,
    historyMax: row.history_max === null ? null : Number(row.history_max),
    historyMaxText: row.history_max === null ? null : money(BigInt(row.history_max)),
    historyAverage: row.history_average === null ? null : Number(row.history_average),
    timeZone: row.time_zone,
    createdHour: row.created_hour,
    createdTime: row.created_time,
    createdWeekday: row.created_weekday,
    createdDay: row.created_day,
  };
}
