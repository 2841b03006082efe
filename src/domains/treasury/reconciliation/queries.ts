import { sql } from 'kysely';
import type { Queryable } from '../../../storage/schema.js';
import { reconciliationView, type ReconciliationEntryView } from './manual.js';

/** Reads for people: the exception queue (oldest first) and the reconciliation report. */

export interface ExceptionFilter {
  bankAccountId?: string | undefined;
  after?: string | undefined;
  limit: number;
}

export async function listExceptions(db: Queryable, f: ExceptionFilter): Promise<ReconciliationEntryView[]> {
  let q = db.selectFrom('bank_entries').selectAll().where('status', '=', 'exception').orderBy('id').limit(f.limit);
  if (f.bankAccountId) q = q.where('bank_account_id', '=', f.bankAccountId);
  if (f.after) q = q.where('id', '>', f.after);
  const rows = await q.execute();
  if (rows.length === 0) return [];
  const matches = await db
    .selectFrom('bank_matches')
    .selectAll()
    .where(
      'bank_entry_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('id')
    .execute();
  return rows.map((r) =>
    reconciliationView(
      r,
      matches.filter((m) => m.bank_entry_id === r.id),
    ),
  );
}

export async function getReconciliationEntry(db: Queryable, id: string) {
  const row = await db.selectFrom('bank_entries').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const matches = await db
    .selectFrom('bank_matches')
    .selectAll()
    .where('bank_entry_id', '=', id)
    .orderBy('id')
    .execute();
  return reconciliationView(row, matches);
}

/** Ages of open exceptions, in days since the booking date. */
const AGES = [
  { bucket: '0-1', from: 0, to: 1 },
  { bucket: '2-7', from: 2, to: 7 },
  { bucket: '8-30', from: 8, to: 30 },
  { bucket: '31+', from: 31, to: 1_000_000 },
];

/**
 * Over the entries booked from `from` to `to`: how many were matched (by rule and by hand) and the
 * match rate (matched of those not ignored); open exceptions by age at `today`; and what is still
 * unreconciled (unmatched and exception entries, less their active matches) per account, currency and day.
 */
export async function reconciliationReport(db: Queryable, range: { from: string; to: string; today: string }) {
  const active = db
    .selectFrom('bank_matches')
    .select(['bank_entry_id', sql<string>`sum(amount)`.as('matched')])
    .where('reversed_at', 'is', null)
    .groupBy('bank_entry_id')
    .as('m');
  const inRange = db
    .selectFrom('bank_entries as e')
    .leftJoin(active, 'm.bank_entry_id', 'e.id')
    .where('e.booking_date', '>=', range.from)
    .where('e.booking_date', '<=', range.to);

  const counts = await inRange
    .select(['e.status', sql<string>`count(*)`.as('n')])
    .groupBy('e.status')
    .execute();
  const by = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]));
  const total = counts.reduce((s, c) => s + Number(c.n), 0);
  const ignored = by.ignored ?? 0;
  const matched = by.matched ?? 0;
  const auto = await inRange
    .where('e.status', '=', 'matched')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('bank_matches as a')
          .select('a.id')
          .whereRef('a.bank_entry_id', '=', 'e.id')
          .where('a.matched_by', '=', 'auto')
          .where('a.reversed_at', 'is', null),
      ),
    )
    .select(sql<string>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();

  const exceptions = await inRange
    .where('e.status', '=', 'exception')
    .select([
      sql<number>`(${range.today}::date - e.booking_date)`.as('age'),
      'e.currency',
      sql<string>`e.amount - coalesce(m.matched, 0)`.as('open'),
    ])
    .execute();
  const byAge = AGES.map((a) => {
    const inBucket = exceptions.filter((x) => Number(x.age) >= a.from && Number(x.age) <= a.to);
    const amounts = new Map<string, bigint>();
    for (const x of inBucket) amounts.set(x.currency, (amounts.get(x.currency) ?? 0n) + BigInt(x.open));
    return {
      age: a.bucket,
      count: inBucket.length,
      amounts: [...amounts].map(([currency, amount]) => ({ currency, amount: amount.toString() })),
    };
  });

  const unreconciled = await inRange
    .where('e.status', 'in', ['unmatched', 'exception'])
    .select([
      'e.bank_account_id',
      'e.currency',
      'e.booking_date',
      sql<string>`count(*)`.as('entries'),
      sql<string>`sum(case when e.direction = 'credit' then e.amount - coalesce(m.matched, 0) else 0 end)`.as('credit'),
      sql<string>`sum(case when e.direction = 'debit' then e.amount - coalesce(m.matched, 0) else 0 end)`.as('debit'),
    ])
    .groupBy(['e.bank_account_id', 'e.currency', 'e.booking_date'])
    .orderBy('e.bank_account_id')
    .orderBy('e.booking_date')
    .execute();

  return {
    from: range.from,
    to: range.to,
    entries: total,
    matched,
    autoMatched: Number(auto.n),
    manuallyMatched: matched - Number(auto.n),
    exceptions: by.exception ?? 0,
    unmatched: by.unmatched ?? 0,
    ignored,
    matchRate: total - ignored === 0 ? null : Math.round((10_000 * matched) / (total - ignored)) / 10_000,
    exceptionsByAge: byAge,
    unreconciled: unreconciled.map((u) => ({
      bankAccountId: u.bank_account_id,
      currency: u.currency,
      bookingDate: u.booking_date,
      entries: Number(u.entries),
      credit: String(u.credit),
      debit: String(u.debit),
    })),
  };
}
export type ReconciliationReport = Awaited<ReturnType<typeof reconciliationReport>>;
