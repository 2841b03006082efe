import { sql } from 'kysely';
import type { DomainWork } from '../unit-of-work.js';
import { addDays } from '../receivables/schedule/due-dates.js';
import { readCollectionsSettings } from './collections-settings.js';
import type { ChannelsReady } from './strategy-plan.js';

/**
 * Pre-due reminders, the first stage of collections: before an account is late at all, the riskier
 * customers (settings.preDueRatings) hear `preDueDays` before an installment falls due. The daily
 * collections-pre-due workflow runs this scan; each reminder is an event that starts one
 * collections-pre-due-reminder instance, keyed by receivable and due date, so a scan run twice for
 * a day reminds nobody twice. Email when it can be sent, else SMS; nobody without either.
 */
export async function scanPreDue(unit: DomainWork, ready: ChannelsReady, asOf?: string) {
  const settings = await readCollectionsSettings(unit.tx);
  const today = asOf ?? unit.today();
  if (settings.preDueDays === null || (!ready.email && !ready.sms)) return { asOf: today, reminders: 0 };
  const dueDate = addDays(today, settings.preDueDays);
  let query = unit.tx
    .selectFrom('installments as i')
    .innerJoin('receivables as r', 'r.id', 'i.receivable_id')
    .innerJoin('customers as c', 'c.id', 'r.customer_id')
    .select([
      'r.id as receivable_id',
      'r.external_id',
      'r.currency',
      'c.id as customer_id',
      'c.email',
      'c.phone',
      'i.seq',
      sql<string>`i.principal_due + i.interest_due + i.fee_due - i.principal_paid - i.interest_paid - i.fee_paid`.as(
        'unpaid',
      ),
    ])
    .where('i.due_date', '=', dueDate)
    .where('r.status', '=', 'open')
    .whereRef('i.principal_paid', '<', 'i.principal_due');
  if (settings.preDueRatings.length) query = query.where('c.risk_rating', 'in', settings.preDueRatings);
  let reminders = 0;
  for (const row of await query.execute()) {
    const channel = ready.email && row.email ? 'email' : ready.sms && row.phone ? 'sms' : null;
    if (channel === null) continue;
    unit.publish('collections.pre_due', row.receivable_id, {
      reminderKey: `${row.receivable_id}:${dueDate}`,
      receivableId: row.receivable_id,
      customerId: row.customer_id,
      channel,
      installmentSeq: row.seq,
      amount: String(row.unpaid),
      currency: row.currency,
      reference: row.external_id,
      dueDate,
    });
    reminders += 1;
  }
  return { asOf: today, reminders };
}
