import { sql } from 'kysely';
import { csvTable } from '../../../core/csv.js';
import type { Queryable } from '../../../storage/schema.js';
import { addDays } from '../../payments/business-dates.js';
import { latestBalances } from '../positions/latest-statement.js';
import type { ProbabilityBand } from './forecast-settings.js';

/**
 * The cash forecast of one currency, by day or week: the opening balance (the accounts' latest
 * statement balances), then per bucket
 * - outflows: payments not settled yet (draft up to accepted by the bank) by requested execution
 *   date, and credit disbursements still pending on the ledger (loan payouts no payment carries yet);
 * - inflows: open receivables installments by due date, each weighted by the probability of
 *   payment of its receivable's delinquency (forecast-settings.ts).
 * Anything already due (an overdue installment, a payment whose date passed, a pending payout) falls
 * on the first day. Each source is one GROUP BY date query; buckets are summed here.
 */

/** Outgoing payments that will still leave the account: everything not settled, rejected, cancelled or returned. */
const FORECAST_PAYMENT_STATUSES = ['draft', 'pending_approval', 'approved', 'batched', 'sent', 'accepted'] as const;
/** The pending transfer credit booking leaves for a loan payout (credit/booking.ts). */
const PAYOUT_CODE = 'loan.payout';

export interface ForecastQuery {
  currency: string;
  /** First day (YYYY-MM-DD). */
  from: string;
  weeks: number;
  granularity: 'week' | 'day';
  /** Today: the reference day of days past due. */
  today: string;
  /** When ledger holds stop counting (pending transfers past their expiry). */
  now: Date;
  probabilities: ProbabilityBand[];
}

export interface ForecastBucket {
  start: string;
  end: string;
  opening: string;
  /** Weighted expected collections. */
  inflows: string;
  /** Payments plus disbursements. */
  outflows: string;
  closing: string;
  /** Collections due in the bucket before weighting. */
  collectionsDue: string;
  payments: string;
  disbursements: string;
}

export interface Forecast {
  currency: string;
  from: string;
  to: string;
  granularity: 'week' | 'day';
  opening: { balance: string; accounts: number; accountsWithoutStatement: number };
  probabilities: ProbabilityBand[];
  buckets: ForecastBucket[];
  totals: { inflows: string; outflows: string; collectionsDue: string; payments: string; disbursements: string };
}

const DAY_MS = 86_400_000;
const dayIndex = (from: string, day: string) => Math.round((Date.parse(day) - Date.parse(from)) / DAY_MS);
/**
 * Probabilities as basis points (they have at most 4 decimals: forecast-settings.ts), so weighting is
 * integer arithmetic: a bucket sums amount × basis points over its days and bands, and is divided once.
 */
const BASIS = 10_000n;
const basisPoints = (p: number) => BigInt(Math.round(p * 10_000));
/** n / BASIS rounded half up (away from zero; the open amounts weighted are never negative anyway). */
const fromBasis = (n: bigint): bigint => (n < 0n ? -((-n + BASIS / 2n) / BASIS) : (n + BASIS / 2n) / BASIS);

export async function cashForecast(db: Queryable, q: ForecastQuery): Promise<Forecast> {
  const days = q.weeks * 7;
  const to = addDays(q.from, days - 1);
  const bucketDays = q.granularity === 'week' ? 7 : 1;
  const count = days / bucketDays;
  // The opening balance is the accounts' latest statement balances (what positions call the central
  // statement balance); a missing statement adds 0 and is counted.
  const statements = await latestBalances(db, { currency: q.currency, activeOnly: true });
  const opening = {
    balance: statements.reduce((n, s) => n + (s.balance ?? 0n), 0n).toString(),
    accounts: statements.length,
    accountsWithoutStatement: statements.filter((s) => s.balance === null).length,
  };

  const payments = sql.join(FORECAST_PAYMENT_STATUSES.map((s) => sql.lit(s)));
  const paymentRows = await sql<{ day: string; amount: string }>`
    SELECT greatest(requested_execution_date, ${q.from}::date)::text AS day, sum(amount)::text AS amount
    FROM payment_instructions
    WHERE currency = ${q.currency} AND status IN (${payments}) AND requested_execution_date <= ${to}::date
    GROUP BY 1`.execute(db);

  // A payout a payment already carries (source 'disbursement', by the transfer or its receivable) is that payment's.
  const payoutRows = await sql<{ amount: string | null }>`
    SELECT sum(t.amount)::text AS amount
    FROM ledger_transfers t
    WHERE t.kind = 'pending' AND t.code = ${PAYOUT_CODE} AND t.currency = ${q.currency}
      AND (t.expires_at IS NULL OR t.expires_at > ${q.now})
      AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = t.id)
      AND NOT EXISTS (
        SELECT 1 FROM payment_instructions p
        WHERE p.source = 'disbursement' AND p.source_ref IN (t.id, t.reference)
          AND p.status NOT IN ('rejected', 'cancelled')
      )`.execute(db);

  // Band of each open receivable (its days past due as of today), then per due date one sum per band
  // (FILTER): grouping by the date alone lets PostgreSQL hash a few hundred groups instead of sorting
  // the join, and the open amount is never negative (paid ≤ due), so paid installments add 0.
  const dpd = sql`${q.today}::date - oldest_unpaid_due_date`;
  const band = sql.join(
    q.probabilities.map((b, i) =>
      b.maxDpd === null ? sql`ELSE ${sql.lit(i)}` : sql`WHEN ${dpd} <= ${sql.lit(b.maxDpd)} THEN ${sql.lit(i)}`,
    ),
    sql` `,
  );
  const perBand = sql.join(
    q.probabilities.map((_, i) => sql`coalesce(sum(open) FILTER (WHERE band = ${sql.lit(i)}), 0)::text`),
  );
  const collectionRows = await sql<{ day: string; amounts: string[] }>`
    SELECT due_date::text AS day, ARRAY[${perBand}] AS amounts
    FROM (
      SELECT i.due_date, r.band,
        i.principal_due + i.interest_due + i.fee_due - i.principal_paid - i.interest_paid - i.fee_paid AS open
      FROM installments i
      JOIN (
        SELECT id, CASE WHEN oldest_unpaid_due_date IS NULL OR oldest_unpaid_due_date >= ${q.today}::date THEN 0
                        ${band} END AS band
        FROM receivables WHERE status = 'open' AND currency = ${q.currency}
      ) r ON r.id = i.receivable_id
      WHERE i.due_date <= ${to}::date
    ) x
    GROUP BY due_date`.execute(db);

  const sums = Array.from({ length: count }, () => ({
    due: 0n,
    /** Σ amount × basis points; inflows = weighted / BASIS, rounded once per bucket. */
    weighted: 0n,
    inflows: 0n,
    payments: 0n,
    disbursements: 0n,
  }));
  const bucketOf = (day: string) => sums[Math.floor(dayIndex(q.from, day) / bucketDays)]!;
  for (const r of paymentRows.rows) bucketOf(r.day).payments += BigInt(r.amount);
  sums[0]!.disbursements += BigInt(payoutRows.rows[0]?.amount ?? 0);
  for (const r of collectionRows.rows) {
    // Overdue installments are expected on the first day.
    const s = bucketOf(r.day < q.from ? q.from : r.day);
    r.amounts.forEach((text, i) => {
      const amount = BigInt(text);
      s.due += amount;
      s.weighted += amount * basisPoints(q.probabilities[i]!.probability);
    });
  }
  for (const s of sums) s.inflows = fromBasis(s.weighted);

  let balance = BigInt(opening.balance);
  const buckets = sums.map((s, i): ForecastBucket => {
    const start = addDays(q.from, i * bucketDays);
    const before = balance;
    const outflows = s.payments + s.disbursements;
    balance = before + s.inflows - outflows;
    return {
      start,
      end: addDays(start, bucketDays - 1),
      opening: before.toString(),
      inflows: s.inflows.toString(),
      outflows: outflows.toString(),
      closing: balance.toString(),
      collectionsDue: s.due.toString(),
      payments: s.payments.toString(),
      disbursements: s.disbursements.toString(),
    };
  });
  const total = (pick: (s: (typeof sums)[number]) => bigint) => sums.reduce((n, s) => n + pick(s), 0n).toString();
  return {
    currency: q.currency,
    from: q.from,
    to,
    granularity: q.granularity,
    opening,
    probabilities: q.probabilities,
    buckets,
    totals: {
      inflows: total((s) => s.inflows),
      outflows: total((s) => s.payments + s.disbursements),
      collectionsDue: total((s) => s.due),
      payments: total((s) => s.payments),
      disbursements: total((s) => s.disbursements),
    },
  };
}

const FORECAST_CSV_COLUMNS = [
  'start',
  'end',
  'opening',
  'inflows',
  'outflows',
  'closing',
  'collectionsDue',
  'payments',
  'disbursements',
] as const satisfies ReadonlyArray<keyof ForecastBucket>;

/** The buckets as CSV (RFC 4180, CRLF lines). */
export function forecastCsv(forecast: Forecast): string {
  return csvTable(FORECAST_CSV_COLUMNS, forecast.buckets);
}
