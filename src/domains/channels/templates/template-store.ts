import { AppError, notFound } from '../../../core/errors.js';
import type { Queryable, Tx } from '../../../storage/schema.js';
import type { DomainWork } from '../../unit-of-work.js';
import type { Selectable } from 'kysely';
import type { MessageChannel, MessageTemplatesTable } from '../tables.js';
import { DEFAULT_TEMPLATES } from './default-templates.js';
import { checkTemplateSyntax } from './render.js';
import '../tables.js';

/** A template as the renderer and the API see it: a stored row, or a shipped default (version 0). */
export interface MessageTemplate {
  channel: MessageChannel;
  name: string;
  locale: string;
  subject: string | null;
  body: string;
  textBody: string | null;
  version: number;
  source: 'stored' | 'default';
  updatedAt: string | null;
  updatedBy: string | null;
}

export const FALLBACK_LOCALE = 'en';

/**
 * The locales to try for a customer's language, most specific first: `es-MX` → es-MX, es, then
 * any es-* we have, then English. So a customer in `zh` gets the zh-CN text, not English.
 */
export function localeCandidates(requested: string, available: string[]): string[] {
  const language = requested.split('-')[0]!.toLowerCase();
  const exact = available.filter((l) => l.toLowerCase() === requested.toLowerCase());
  const base = available.filter((l) => l.toLowerCase() === language);
  const regional = available.filter((l) => l.toLowerCase().startsWith(`${language}-`)).sort();
  const fallback = available.filter((l) => l === FALLBACK_LOCALE);
  return [...new Set([...exact, ...base, ...regional, ...fallback])];
}

function fromDefault(t: (typeof DEFAULT_TEMPLATES)[number]): MessageTemplate {
  return {
    channel: t.channel,
    name: t.name,
    locale: t.locale,
    subject: t.subject ?? null,
    body: t.body,
    textBody: t.textBody ?? null,
    version: 0,
    source: 'default',
    updatedAt: null,
    updatedBy: null,
  };
}

type Row = Selectable<MessageTemplatesTable>;

function fromRow(r: Row): MessageTemplate {
  return {
    channel: r.channel,
    name: r.name,
    locale: r.locale,
    subject: r.subject,
    body: r.body,
    textBody: r.text_body,
    version: r.version,
    source: 'stored',
    updatedAt: new Date(r.updated_at).toISOString(),
    updatedBy: r.updated_by,
  };
}

/** Every variant of a template name (stored rows win over defaults of the same locale). */
async function variants(db: Queryable | Tx, channel: MessageChannel, name: string): Promise<MessageTemplate[]> {
  const rows = await db
    .selectFrom('message_templates')
    .selectAll()
    .where('channel', '=', channel)
    .where('name', '=', name)
    .execute();
  const stored = rows.map((r) => fromRow(r));
  const defaults = DEFAULT_TEMPLATES.filter(
    (t) => t.channel === channel && t.name === name && !stored.some((s) => s.locale === t.locale),
  ).map(fromDefault);
  return [...stored, ...defaults];
}

/** The template to render for a customer's language, or 404 naming the template. */
export async function resolveTemplate(
  db: Queryable | Tx,
  channel: MessageChannel,
  name: string,
  locale: string,
  field = 'template',
): Promise<MessageTemplate> {
  const all = await variants(db, channel, name);
  const [best] = localeCandidates(
    locale,
    all.map((t) => t.locale),
  );
  const found = all.find((t) => t.locale === best);
  if (!found) {
    throw new AppError('template_not_found', 422, `${channel} template ${name} does not exist in any locale`, {
      field,
    });
  }
  return found;
}

export async function getTemplate(
  db: Queryable | Tx,
  channel: MessageChannel,
  name: string,
  locale: string,
): Promise<MessageTemplate> {
  const found = (await variants(db, channel, name)).find((t) => t.locale === locale);
  if (!found) throw notFound(`${channel} template`, `${name} (${locale})`);
  return found;
}

export async function listTemplates(db: Queryable | Tx): Promise<MessageTemplate[]> {
  const rows = (await db.selectFrom('message_templates').selectAll().execute()).map((r) => fromRow(r));
  const key = (t: { channel: string; name: string; locale: string }) => `${t.channel}/${t.name}/${t.locale}`;
  const stored = new Set(rows.map(key));
  const all = [...rows, ...DEFAULT_TEMPLATES.filter((t) => !stored.has(key(t))).map(fromDefault)];
  return all.sort((a, b) => key(a).localeCompare(key(b)));
}

export interface TemplateInput {
  subject?: string | null | undefined;
  body: string;
  textBody?: string | null | undefined;
}

/** Creates or replaces one locale of a template; the version goes up and the change is audited. */
export async function putTemplate(
  unit: DomainWork,
  key: { channel: MessageChannel; name: string; locale: string },
  input: TemplateInput,
): Promise<MessageTemplate> {
  checkTemplateSyntax(input.body, 'body.body');
  if (input.subject) checkTemplateSyntax(input.subject, 'body.subject');
  if (input.textBody) checkTemplateSyntax(input.textBody, 'body.textBody');
  const before = (await variants(unit.tx, key.channel, key.name)).find((t) => t.locale === key.locale) ?? null;
  const now = unit.clock.now();
  const values = {
    subject: key.channel !== 'sms' ? (input.subject ?? null) : null,
    body: input.body,
    text_body: key.channel === 'email' ? (input.textBody ?? null) : null,
    version: (before?.version ?? 0) + 1,
    updated_at: now,
    updated_by: unit.actor,
  };
  const row = await unit.tx
    .insertInto('message_templates')
    .values({ ...key, ...values })
    .onConflict((oc) => oc.columns(['channel', 'name', 'locale']).doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  const after = fromRow(row);
  unit.audit({
    action: 'template.updated',
    entityType: 'message_template',
    entityId: `${key.channel}/${key.name}/${key.locale}`,
    before,
    after,
  });
  return after;
}
