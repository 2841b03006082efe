import type { DomainWork } from '../unit-of-work.js';
import { addDays } from '../receivables/schedule/due-dates.js';
import { installmentsDueOn } from '../receivables/receivable-queries.js';
import { readCollectionsSettings } from './collections-settings.js';
import type { ChannelsReady } from './dunning/moves.js';

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
  const due = await installmentsDueOn(unit.tx, dueDate, settings.preDueRatings);
  let reminders = 0;
  for (const row of due) {
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
