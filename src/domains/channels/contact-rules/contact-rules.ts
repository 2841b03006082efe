import { sql } from 'kysely';
import { newId } from '../../../core/ids.js';
import type { Tx } from '../../../storage/schema.js';
import { capFreesAt, nextAllowedLocalTime } from './contact-window.js';
import {
  QuietHoursSchema,
  readContactSettings,
  type ContactChannel,
  type ContactSettings,
} from './contact-settings.js';
import '../tables.js';

/**
 * Whether a customer may be contacted on a channel now: do-not-contact and opt-outs skip the
 * contact for good; quiet hours, no-contact days and frequency caps defer it to the first allowed
 * moment. Every send goes through here, so a rule can never be broken by a workflow author.
 */
export type ContactDecision =
  | { allowed: true }
  | { allowed: false; kind: 'skip'; reason: string }
  | { allowed: false; kind: 'defer'; until: Date; reason: string };

export interface ContactSubject {
  id: string;
  timeZone: string;
}

const LOCK_SPACE = 730_511_202; // names "customer contact" among advisory locks

/**
 * Serializes contact decisions per customer until the transaction ends, so two workflows cannot both
 * see "2 of 3 SMS this week" and both send. An advisory lock, not the customer row: payments update
 * that row and must not queue behind an SMTP conversation.
 */
export async function lockCustomerContacts(tx: Tx, customerId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${LOCK_SPACE}, hashtext(${customerId}))`.execute(tx);
}

export async function checkContact(
  tx: Tx,
  customer: ContactSubject,
  channel: ContactChannel,
  now: Date,
  settings?: ContactSettings,
): Promise<ContactDecision> {
  const rules = settings ?? (await readContactSettings(tx));
  const restriction = await tx
    .selectFrom('contact_restrictions')
    .selectAll()
    .where('customer_id', '=', customer.id)
    .executeTakeFirst();
  if (restriction?.do_not_contact) {
    return {
      allowed: false,
      kind: 'skip',
      reason: `do not contact${restriction.reason ? `: ${restriction.reason}` : ''}`,
    };
  }
  const consent = await tx
    .selectFrom('contact_consents')
    .select('status')
    .where('customer_id', '=', customer.id)
    .where('channel', '=', channel)
    .executeTakeFirst();
  if (consent?.status === 'opted_out') return { allowed: false, kind: 'skip', reason: `opted out of ${channel}` };
  if (rules.consentRequired[channel] && consent?.status !== 'granted') {
    return { allowed: false, kind: 'skip', reason: `no recorded consent for ${channel}` };
  }

  const ownQuiet = QuietHoursSchema.nullable().safeParse(restriction?.quiet_hours ?? null);
  const calendar = {
    quietHours: ownQuiet.success && ownQuiet.data ? ownQuiet.data : rules.quietHours,
    noContactDays: rules.noContactDays,
  };
  const cap = rules.frequencyCaps[channel];
  const attempts = cap ? await recentAttempts(tx, customer.id, channel, now, cap.window) : [];

  // Alternate the two until both agree: a cap may free up in the middle of a quiet night.
  let at = now;
  let reason: string | null = null;
  for (let round = 0; round < 8; round++) {
    const quiet = nextAllowedLocalTime(at, customer.timeZone, calendar);
    if (quiet) {
      reason ??= quiet.reason;
      at = quiet.until;
    }
    const freed = cap ? capFreesAt(attempts, at, cap) : null;
    if (!freed) {
      return reason === null ? { allowed: true } : { allowed: false, kind: 'defer', until: at, reason };
    }
    reason ??= `frequency cap: ${cap!.max} ${channel} contacts per ${cap!.window} reached`;
    at = freed;
  }
  return { allowed: false, kind: 'defer', until: at, reason: reason ?? 'contact rules' };
}

async function recentAttempts(tx: Tx, customerId: string, channel: string, now: Date, window: string) {
  // Attempts up to a window before the latest moment we may look at; the cap logic filters further.
  const rows = await tx
    .selectFrom('contact_attempts')
    .select('attempted_at')
    .where('customer_id', '=', customerId)
    .where('channel', '=', channel)
    .where('attempted_at', '>', sql<Date>`${now.toISOString()}::timestamptz - ${window}::interval`)
    .orderBy('attempted_at')
    .execute();
  return rows.map((r) => new Date(r.attempted_at));
}

export interface ContactAttempt {
  customerId: string;
  channel: ContactChannel;
  at: Date;
  messageId?: string | null;
  instanceId?: string | null;
  outcome?: string | null;
}

/** Counts toward the frequency caps from `at` on. */
export async function recordContactAttempt(tx: Tx, attempt: ContactAttempt): Promise<string> {
  const id = newId('cta', attempt.at.getTime());
  await tx
    .insertInto('contact_attempts')
    .values({
      id,
      customer_id: attempt.customerId,
      channel: attempt.channel,
      attempted_at: attempt.at,
      message_id: attempt.messageId ?? null,
      instance_id: attempt.instanceId ?? null,
      outcome: attempt.outcome ?? null,
    })
    .execute();
  return id;
}
