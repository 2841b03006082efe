import { Duration } from 'luxon';
import { z } from 'zod';
import type { DomainWork } from '../../unit-of-work.js';
import { validationError } from '../../../core/errors.js';
import { putDomainSetting } from '../../settings-store.js';
import type { Queryable, Tx } from '../../../storage/schema.js';
import '../../settings-tables.js';

/**
 * The installation's contact rules, edited by compliance without a deploy and stored in
 * `domain_settings` like the receivables settings. Times are the customer's local time.
 */
export const CONTACT_CHANNELS = ['email', 'sms', 'call', 'letter'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

const Clock24 = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

export const QuietHoursSchema = z
  .object({ start: Clock24, end: Clock24 })
  .strict()
  .refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] });
export type QuietHours = z.infer<typeof QuietHoursSchema>;

const IsoDuration = z.string().refine((text) => {
  const duration = Duration.fromISO(text);
  return duration.isValid && duration.toMillis() > 0;
}, 'must be a positive ISO 8601 duration such as P7D or PT24H');

const CapSchema = z.object({ max: z.number().int().min(0).max(1000), window: IsoDuration }).strict();
export type FrequencyCap = z.infer<typeof CapSchema>;

export const ContactSettingsSchema = z
  .object({
    /** No messages or calls in this local window; null: none. Overnight windows (21:00–08:00) are fine. */
    quietHours: QuietHoursSchema.nullable(),
    /** Local weekdays with no contact at all (e.g. sunday). */
    noContactDays: z.array(z.enum(WEEKDAYS)).max(6),
    /** At most `max` attempts per channel in any rolling `window`. */
    frequencyCaps: z.partialRecord(z.enum(CONTACT_CHANNELS), CapSchema),
    /** true: contact on this channel only with recorded consent; false: unless opted out. */
    consentRequired: z.partialRecord(z.enum(CONTACT_CHANNELS), z.boolean()),
  })
  .strict();
export type ContactSettings = z.infer<typeof ContactSettingsSchema>;

/** Conservative defaults in the spirit of Regulation F (7 calls in 7 days) and usual quiet hours. */
export const DEFAULT_CONTACT_SETTINGS: ContactSettings = {
  quietHours: { start: '21:00', end: '08:00' },
  noContactDays: [],
  frequencyCaps: {
    email: { max: 7, window: 'P7D' },
    sms: { max: 3, window: 'P7D' },
    call: { max: 7, window: 'P7D' },
  },
  consentRequired: { email: false, sms: false, call: false, letter: false },
};

export const CONTACT_SETTINGS_KEY = 'channels.contact_rules';

export function parseContactSettings(value: unknown, field = 'body'): ContactSettings {
  const parsed = ContactSettingsSchema.safeParse(value);
  if (!parsed.success) {
    throw validationError(
      parsed.error.issues.map((i) => ({ field: [field, ...i.path].join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

export async function readContactSettings(db: Queryable | Tx): Promise<ContactSettings> {
  const row = await db
    .selectFrom('domain_settings')
    .select('value')
    .where('key', '=', CONTACT_SETTINGS_KEY)
    .executeTakeFirst();
  return row ? parseContactSettings(row.value) : DEFAULT_CONTACT_SETTINGS;
}

/** Replaces the contact rules as a whole; audited with before and after. */
export async function writeContactSettings(unit: DomainWork, value: unknown): Promise<ContactSettings> {
  const next = parseContactSettings(value);
  const before = await readContactSettings(unit.tx);
  await putDomainSetting(unit, { key: CONTACT_SETTINGS_KEY, before, after: next });
  return next;
}
