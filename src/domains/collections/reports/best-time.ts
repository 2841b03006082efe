import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../../storage/schema.js';
import { andIf } from './kpis.js';
import { rate } from './statistics.js';
import '../tables.js';

/**
 * When to reach a customer in collections: outcomes by channel, segment, weekday and hour of day in
 * the customer's own time zone (a 10:00 SMS is 10:00 where the customer is). Two sources count as
 * attempts:
 *   - messages sent to a customer while they had a collection case (every status after the provider
 *     took the message: sent, delivered, undelivered, failed — not those a contact rule skipped);
 *   - outbound contacts collectors recorded (calls, letters, visits…), which also say whether the
 *     right party was reached.
 * An attempt is followed by a payment when a posted payment on the case's receivable was received on
 * the attempt's local date or within the 3 days after, and recorded after the attempt.
 */

export const SENT_STATUSES = ['sent', 'delivered', 'undelivered', 'failed'] as const;
export const DEFAULT_MIN_SAMPLE = 20;
const PAYMENT_WINDOW_DAYS = 3;

/**
 * Each sent message with the case it belongs to: the case whose workflow sent it, else the customer's
 * case open at the time (the earliest opened, when two were). A CTE named `case_messages`.
 */
export function caseMessages(channel?: string): RawBuilder<unknown> {
  return sql`case_messages AS (
    SELECT DISTINCT ON (m.id) m.id, m.channel, m.created_at AS sent_at, m.customer_id,
           k.id AS case_id, k.segment, k.receivable_id
      FROM channel_messages m
      JOIN collection_cases k ON k.customer_id = m.customer_id
       AND k.opened_at <= m.created_at AND (k.closed_at IS NULL OR m.created_at <= k.closed_at)
     WHERE m.status IN (${sql.join(SENT_STATUSES.map((s) => sql`${s}`))})
       ${andIf(channel, sql`m.channel = ${channel}`)}
     ORDER BY m.id, (m.instance_id IS NOT NULL AND m.instance_id = k.instance_id) DESC, k.opened_at, k.id
  )`;
}

export interface BestTimeQuery {
  segment?: string | undefined;
  channel?: string | undefined;
  /** Least attempts a slot needs to be chosen as the best (default 20). */
  minSample?: number | undefined;
}

export interface Slot {
  channel: string;
  segment: string;
  /** ISO weekday in the customer's time zone: 1 Monday … 7 Sunday. */
  weekday: number;
  /** Hour of day in the customer's time zone, 0-23. */
  hour: number;
  /** messages + contacts */
  attempts: number;
  messages: number;
  contacts: number;
  /** Contacts that reached the customer themselves. */
  rightParty: number;
  /** Attempts followed by a payment within 3 days. */
  paid: number;
  /** rightParty ÷ contacts; null without contacts. */
  rightPartyRate: number | null;
  /** paid ÷ attempts. */
  paymentRate: number | null;
}

export interface BestTime {
  filters: { segment: string | null; channel: string | null };
  minSample: number;
  rows: Slot[];
  best: Array<{
    channel: string;
    segment: string;
    best: {
      weekday: number;
      hour: number;
      attempts: number;
      paymentRate: number | null;
      rightPartyRate: number | null;
    } | null;
  }>;
}

export async function bestTime(db: Queryable, q: BestTimeQuery): Promise<BestTime> {
  const minSample = q.minSample ?? DEFAULT_MIN_SAMPLE;
  const rows = await slots(db, q);
  const groups = [...new Set(rows.map((r) => `${r.channel}\u0000${r.segment}`))].map((k) => k.split('\u0000'));
  return {
    filters: { segment: q.segment ?? null, channel: q.channel ?? null },
    minSample,
    rows,
    best: groups.map(([channel, segment]) => {
      const top = pick(rows.filter((r) => r.channel === channel && r.segment === segment && r.attempts >= minSample));
      return {
        channel: channel!,
        segment: segment!,
        best: top && {
          weekday: top.weekday,
          hour: top.hour,
          attempts: top.attempts,
          paymentRate: top.paymentRate,
          rightPartyRate: top.rightPartyRate,
        },
      };
    }),
  };
}

/**
 * The hour of day (0-23, customer's time) with the best payment rate over all weekdays, then the best
 * right-party rate; null when no hour has `minSample` attempts. For scheduling a segment's messages.
 */
export async function bestHour(
  db: Queryable,
  q: { segment: string; channel: string; minSample?: number | undefined },
): Promise<number | null> {
  const minSample = q.minSample ?? DEFAULT_MIN_SAMPLE;
  const byHour = new Map<number, Slot>();
  for (const s of await slots(db, q)) {
    const h = byHour.get(s.hour) ?? { ...s, weekday: 0, attempts: 0, messages: 0, contacts: 0, rightParty: 0, paid: 0 };
    h.attempts += s.attempts;
    h.messages += s.messages;
    h.contacts += s.contacts;
    h.rightParty += s.rightParty;
    h.paid += s.paid;
    byHour.set(s.hour, h);
  }
  return pick([...byHour.values()].filter((h) => h.attempts >= minSample))?.hour ?? null;
}

/**
 * The best slot: highest payment rate, then right-party rate (none counts lowest), then the larger
 * sample, then the earliest weekday and hour. Rates are compared as exact fractions of the counts.
 */
function pick(candidates: Slot[]): Slot | null {
  const fraction = (a: [number, number], b: [number, number]) => a[0] * b[1] - b[0] * a[1];
  const sorted = [...candidates].sort(
    (a, b) =>
      fraction([b.paid, b.attempts], [a.paid, a.attempts]) ||
      (b.contacts > 0 ? 1 : 0) - (a.contacts > 0 ? 1 : 0) ||
      (a.contacts > 0 && b.contacts > 0 ? fraction([b.rightParty, b.contacts], [a.rightParty, a.contacts]) : 0) ||
      b.attempts - a.attempts ||
      a.weekday - b.weekday ||
      a.hour - b.hour,
  );
  return sorted[0] ?? null;
}

async function slots(db: Queryable, q: BestTimeQuery): Promise<Slot[]> {
  const { rows } = await sql<{
    channel: string;
    segment: string;
    weekday: number;
    hour: number;
    attempts: number;
    messages: number;
    contacts: number;
    right_party: number;
    paid: number;
  }>`
    WITH ${caseMessages(q.channel)},
    attempts AS (
      SELECT channel, segment, sent_at AS attempted_at, receivable_id, customer_id, NULL::boolean AS right_party, true AS is_message
        FROM case_messages
      UNION ALL
      SELECT t.channel, t.segment, t.contacted_at, k.receivable_id, t.customer_id, t.right_party, false
        FROM collection_contacts t JOIN collection_cases k ON k.id = t.case_id
       WHERE t.direction = 'outbound' ${andIf(q.channel, sql`t.channel = ${q.channel}`)}
    ),
    local AS (
      SELECT a.*, (a.attempted_at AT TIME ZONE c.time_zone) AS local_at
        FROM attempts a JOIN customers c ON c.id = a.customer_id
       WHERE true ${andIf(q.segment, sql`a.segment = ${q.segment}`)}
    ),
    followed AS (
      SELECT l.*, EXISTS (
               SELECT 1 FROM receivable_payments p
                WHERE p.receivable_id = l.receivable_id AND p.status = 'posted' AND p.created_at > l.attempted_at
                  AND p.received_on >= l.local_at::date
                  AND p.received_on <= l.local_at::date + ${sql.lit(PAYMENT_WINDOW_DAYS)}
             ) AS paid
        FROM local l
    )
    SELECT channel, segment,
           EXTRACT(ISODOW FROM local_at)::int AS weekday, EXTRACT(HOUR FROM local_at)::int AS hour,
           count(*)::int AS attempts,
           count(*) FILTER (WHERE is_message)::int AS messages,
           count(*) FILTER (WHERE NOT is_message)::int AS contacts,
           count(*) FILTER (WHERE right_party)::int AS right_party,
           count(*) FILTER (WHERE paid)::int AS paid
      FROM followed
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4`.execute(db);
  return rows.map((r) => ({
    channel: r.channel,
    segment: r.segment,
    weekday: r.weekday,
    hour: r.hour,
    attempts: r.attempts,
    messages: r.messages,
    contacts: r.contacts,
    rightParty: r.right_party,
    paid: r.paid,
    rightPartyRate: rate(r.right_party, r.contacts),
    paymentRate: rate(r.paid, r.attempts),
  }));
}
