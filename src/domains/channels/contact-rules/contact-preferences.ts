import { z } from 'zod';
import type { DomainWork } from '../../unit-of-work.js';
import { getCustomer } from '../../customers/customer-service.js';
import type { Queryable, Tx } from '../../../storage/schema.js';
import { CONTACT_CHANNELS, QuietHoursSchema } from './contact-settings.js';
import '../../customers/tables.js';
import '../tables.js';

/**
 * One customer's contact preferences: consent or opt-out per channel, a do-not-contact flag with its
 * reason, and quiet hours of their own. Changed by API (a collector records "stop texting me") and
 * audited, since breaking them is a regulatory matter.
 */
export const ContactPreferencesPatch = z
  .object({
    doNotContact: z.boolean().optional(),
    reason: z.string().max(500).nullable().optional(),
    quietHours: QuietHoursSchema.nullable().optional(),
    consents: z.partialRecord(z.enum(CONTACT_CHANNELS), z.enum(['granted', 'opted_out']).nullable()).optional(),
    source: z
      .string()
      .max(200)
      .optional()
      .describe('Where the consent or opt-out came from (call, web form, STOP reply)'),
  })
  .strict();
export type ContactPreferencesPatch = z.infer<typeof ContactPreferencesPatch>;

export interface ContactPreferences {
  customerId: string;
  doNotContact: boolean;
  reason: string | null;
  quietHours: { start: string; end: string } | null;
  consents: Record<string, { status: string; source: string | null; updatedAt: string }>;
}

async function customerId(db: Queryable | Tx, idOrExternal: string): Promise<string> {
  return (await getCustomer(db, idOrExternal)).id;
}

export async function getContactPreferences(db: Queryable | Tx, idOrExternal: string): Promise<ContactPreferences> {
  const id = await customerId(db, idOrExternal);
  const restriction = await db
    .selectFrom('contact_restrictions')
    .selectAll()
    .where('customer_id', '=', id)
    .executeTakeFirst();
  const consents = await db.selectFrom('contact_consents').selectAll().where('customer_id', '=', id).execute();
  return {
    customerId: id,
    doNotContact: restriction?.do_not_contact ?? false,
    reason: restriction?.reason ?? null,
    quietHours: (restriction?.quiet_hours as ContactPreferences['quietHours'] | undefined) ?? null,
    consents: Object.fromEntries(
      consents.map((c) => [
        c.channel,
        { status: c.status, source: c.source, updatedAt: new Date(c.updated_at).toISOString() },
      ]),
    ),
  };
}

export async function updateContactPreferences(
  unit: DomainWork,
  idOrExternal: string,
  patch: ContactPreferencesPatch,
): Promise<ContactPreferences> {
  const before = await getContactPreferences(unit.tx, idOrExternal);
  const id = before.customerId;
  const now = unit.clock.now();
  if (patch.doNotContact !== undefined || patch.reason !== undefined || patch.quietHours !== undefined) {
    const values = {
      do_not_contact: patch.doNotContact ?? before.doNotContact,
      reason: patch.reason === undefined ? before.reason : patch.reason,
      quiet_hours: JSON.stringify(patch.quietHours === undefined ? before.quietHours : patch.quietHours),
      updated_at: now,
      updated_by: unit.actor,
    };
    await unit.tx
      .insertInto('contact_restrictions')
      .values({ customer_id: id, ...values })
      .onConflict((oc) => oc.column('customer_id').doUpdateSet(values))
      .execute();
  }
  for (const [channel, status] of Object.entries(patch.consents ?? {})) {
    if (status === null) {
      await unit.tx
        .deleteFrom('contact_consents')
        .where('customer_id', '=', id)
        .where('channel', '=', channel)
        .execute();
      continue;
    }
    const values = { status, source: patch.source ?? null, updated_at: now, updated_by: unit.actor };
    await unit.tx
      .insertInto('contact_consents')
      .values({ customer_id: id, channel, ...values })
      .onConflict((oc) => oc.columns(['customer_id', 'channel']).doUpdateSet(values))
      .execute();
  }
  const after = await getContactPreferences(unit.tx, id);
  unit.audit({
    action: 'customer.contact_preferences_updated',
    entityType: 'customer',
    entityId: id,
    before,
    after,
  });
  return after;
}
