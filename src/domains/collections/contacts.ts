import type { Selectable } from 'kysely';
import { z } from 'zod';
import { conflict } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { recordContactAttempt } from '../channels/contact-rules/contact-rules.js';
import { CustomerFields } from '../customers/customer-input.js';
import { patchCustomer } from '../customers/customer-service.js';
import type { DomainWork } from '../unit-of-work.js';
import type { Queryable } from '../../storage/schema.js';
import { lockCase } from './cases/case-row.js';
import type { CollectionContactsTable } from './tables.js';

/**
 * Contact outcomes: every attempt to reach the customer about a case, whoever made it — a collector's
 * call, an inbound call, a visit. Reached and right-party contacts, willingness to pay and the reason
 * for the delay feed the best-time reports; new contact details update the customer at once; and an
 * outbound attempt counts toward the channel's frequency cap like any message.
 */

export const CONTACT_CHANNELS = ['call', 'email', 'sms', 'letter', 'visit', 'chat'] as const;
export const WILLINGNESS = ['willing', 'unable', 'unwilling', 'disputes', 'unknown'] as const;

export const ContactInputSchema = z
  .object({
    channel: z.enum(CONTACT_CHANNELS),
    direction: z.enum(['outbound', 'inbound']).default('outbound'),
    at: z.iso.datetime({ offset: true }).optional().describe('When it happened; default now'),
    reached: z.boolean(),
    rightParty: z.boolean().optional().describe('Spoke to the customer themselves; default: reached'),
    willingness: z.enum(WILLINGNESS).optional(),
    delayReason: z.string().trim().min(1).max(200).optional(),
    notes: z.string().max(4000).optional(),
    newPhone: CustomerFields.phone.unwrap().optional(),
    newEmail: CustomerFields.email.unwrap().optional(),
  })
  .strict();
export type ContactInput = z.input<typeof ContactInputSchema>;

export async function recordContact(unit: DomainWork, caseId: string, input: ContactInput, by: string) {
  const contact = ContactInputSchema.parse(input);
  const theCase = await lockCase(unit.tx, caseId);
  if (theCase.status !== 'open') throw conflict('case_closed', `case ${caseId} is closed`);
  const now = unit.clock.now();
  const at = contact.at ? new Date(contact.at) : now;
  const row = await unit.tx
    .insertInto('collection_contacts')
    .values({
      id: newId('ccon', now.getTime()),
      case_id: caseId,
      customer_id: theCase.customer_id,
      channel: contact.channel,
      direction: contact.direction,
      contacted_at: at,
      reached: contact.reached,
      right_party: contact.rightParty ?? contact.reached,
      willingness: contact.willingness ?? null,
      delay_reason: contact.delayReason ?? null,
      notes: contact.notes ?? null,
      segment: theCase.segment,
      recorded_by: by,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (contact.direction === 'outbound' && (contact.channel === 'call' || contact.channel === 'letter')) {
    await recordContactAttempt(unit.tx, {
      customerId: theCase.customer_id,
      channel: contact.channel,
      at,
      outcome: contact.reached ? 'reached' : 'not_reached',
    });
  }
  const updates = {
    ...(contact.newPhone ? { phone: contact.newPhone } : {}),
    ...(contact.newEmail ? { email: contact.newEmail } : {}),
  };
  if (Object.keys(updates).length) await patchCustomer(unit, theCase.customer_id, updates);
  const presented = presentContact(row);
  unit.audit({
    action: 'collections.contact.recorded',
    entityType: 'collection_case',
    entityId: caseId,
    after: presented,
  });
  unit.publish('collections.contact.recorded', caseId, presented);
  return presented;
}

export function presentContact(row: Selectable<CollectionContactsTable>) {
  return {
    id: row.id,
    caseId: row.case_id,
    channel: row.channel,
    direction: row.direction,
    at: row.contacted_at.toISOString(),
    reached: row.reached,
    rightParty: row.right_party,
    willingness: row.willingness,
    delayReason: row.delay_reason,
    notes: row.notes,
    segment: row.segment,
    recordedBy: row.recorded_by,
  };
}

export async function listContacts(db: Queryable, caseId: string) {
  const rows = await db
    .selectFrom('collection_contacts')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('contacted_at')
    .execute();
  return rows.map(presentContact);
}
