import type { ColumnType, Selectable } from 'kysely';
import { AppError, conflict, notFound } from '../../../core/errors.js';
import type { Json, Queryable, Timestamp, Tx } from '../../../storage/schema.js';
import type { DomainWork } from '../../unit-of-work.js';
import type { MessageChannel } from '../tables.js';
import { localeCandidates, type MessageTemplate } from '../templates/template-store.js';
import { LETTER_TEMPLATES } from './letter-templates.js';
import '../tables.js';

/** channel_letters (SQL in storage/migrations/0011_letters.sql): rendered letters awaiting print. */
declare module '../../../storage/schema.js' {
  interface Tables {
    channel_letters: ChannelLettersTable;
  }
}

export type LetterStatus = 'ready' | 'printed';

export interface ChannelLettersTable {
  id: string;
  customer_id: string;
  template: string;
  locale: string;
  subject: string;
  recipient: Json;
  pdf: ColumnType<Uint8Array, Uint8Array, never>;
  pages: number;
  idempotency_key: string | null;
  instance_id: string | null;
  step_id: string | null;
  message_id: string | null;
  status: LetterStatus;
  created_at: Timestamp;
  printed_at: Timestamp | null;
  printed_by: string | null;
}

/**
 * The channel of letter templates and messages. MessageChannel (channels/tables.ts) names email and
 * SMS; migration 0011 lets the tables hold 'letter' too.
 */
export const LETTER_CHANNEL: MessageChannel = 'letter';

/** Who and where a letter goes, as printed on it (a snapshot: a later change of address is not this letter's). */
export interface LetterRecipient {
  name: string;
  /** The address block's lines, below the name. */
  lines: string[];
  address: Record<string, string>;
}

/** What the API shows of a letter (the PDF itself has its own route). */
export interface Letter {
  id: string;
  customerId: string;
  template: string;
  locale: string;
  subject: string;
  recipient: LetterRecipient;
  pages: number;
  size: number;
  status: LetterStatus;
  instanceId: string | null;
  stepId: string | null;
  messageId: string | null;
  createdAt: string;
  printedAt: string | null;
  printedBy: string | null;
}

// ---------------------------------------------------------------------------------------------
// Templates: stored rows of channel 'letter' win over the shipped ones of the same locale.

/** The letter template to render for a language (es-MX → es-MX, es, es-*, en), as email and SMS choose theirs. */
export async function resolveLetterTemplate(
  db: Queryable | Tx,
  name: string,
  locale: string,
  field = 'with.template',
): Promise<MessageTemplate> {
  const rows = await db
    .selectFrom('message_templates')
    .selectAll()
    .where('channel', '=', LETTER_CHANNEL)
    .where('name', '=', name)
    .execute();
  const stored: MessageTemplate[] = rows.map((r) => ({
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
  }));
  const shipped: MessageTemplate[] = LETTER_TEMPLATES.filter(
    (t) => t.name === name && !stored.some((s) => s.locale === t.locale),
  ).map((t) => ({
    channel: LETTER_CHANNEL,
    name: t.name,
    locale: t.locale,
    subject: t.subject ?? null,
    body: t.body,
    textBody: null,
    version: 0,
    source: 'default',
    updatedAt: null,
    updatedBy: null,
  }));
  const all = [...stored, ...shipped];
  const [best] = localeCandidates(
    locale,
    all.map((t) => t.locale),
  );
  const found = all.find((t) => t.locale === best);
  if (!found) {
    throw new AppError('template_not_found', 422, `letter template ${name} does not exist in any locale`, { field });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Letters

export interface NewLetter {
  id: string;
  customerId: string;
  template: string;
  locale: string;
  subject: string;
  recipient: LetterRecipient;
  pdf: Buffer;
  pages: number;
  idempotencyKey: string | null;
  instanceId: string | null;
  stepId: string | null;
  messageId: string | null;
  createdAt: Date;
}

export async function insertLetter(tx: Tx, letter: NewLetter): Promise<void> {
  await tx
    .insertInto('channel_letters')
    .values({
      id: letter.id,
      customer_id: letter.customerId,
      template: letter.template,
      locale: letter.locale,
      subject: letter.subject,
      recipient: JSON.stringify(letter.recipient),
      pdf: letter.pdf,
      pages: letter.pages,
      idempotency_key: letter.idempotencyKey,
      instance_id: letter.instanceId,
      step_id: letter.stepId,
      message_id: letter.messageId,
      status: 'ready',
      created_at: letter.createdAt,
      printed_at: null,
      printed_by: null,
    })
    .execute();
}

/** Every column but the PDF, and the PDF's size. */
function metadata(db: Queryable | Tx) {
  return db
    .selectFrom('channel_letters')
    .select([
      'id',
      'customer_id',
      'template',
      'locale',
      'subject',
      'recipient',
      'pages',
      'idempotency_key',
      'instance_id',
      'step_id',
      'message_id',
      'status',
      'created_at',
      'printed_at',
      'printed_by',
    ])
    .select((eb) => eb.fn<number>('octet_length', ['pdf']).as('size'));
}

type MetadataRow = Omit<Selectable<ChannelLettersTable>, 'pdf'> & { size: number | string };

function present(r: MetadataRow): Letter {
  return {
    id: r.id,
    customerId: r.customer_id,
    template: r.template,
    locale: r.locale,
    subject: r.subject,
    recipient: r.recipient as LetterRecipient,
    pages: r.pages,
    size: Number(r.size),
    status: r.status,
    instanceId: r.instance_id,
    stepId: r.step_id,
    messageId: r.message_id,
    createdAt: new Date(r.created_at).toISOString(),
    printedAt: r.printed_at ? new Date(r.printed_at).toISOString() : null,
    printedBy: r.printed_by,
  };
}

/** The letter a step wrote, if it did (a replay of the step finds it). */
export async function letterByIdempotencyKey(db: Queryable | Tx, key: string): Promise<Letter | null> {
  const row = await metadata(db).where('idempotency_key', '=', key).executeTakeFirst();
  return row ? present(row) : null;
}

export async function getLetter(db: Queryable | Tx, id: string): Promise<Letter> {
  const row = await metadata(db).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('letter', id);
  return present(row);
}

export async function getLetterPdf(db: Queryable | Tx, id: string): Promise<Uint8Array> {
  const row = await db.selectFrom('channel_letters').select('pdf').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('letter', id);
  return row.pdf;
}

export interface LetterFilter {
  status?: LetterStatus | undefined;
  customer?: string | undefined;
  /** The `next` of the previous page. */
  after?: string | undefined;
  limit: number;
}

/** Newest first, by id (ids sort by creation time). */
export async function listLetters(db: Queryable | Tx, filter: LetterFilter): Promise<Letter[]> {
  let query = metadata(db).orderBy('id', 'desc').limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.customer) query = query.where('customer_id', '=', filter.customer);
  if (filter.after) query = query.where('id', '<', filter.after);
  return (await query.execute()).map(present);
}

/**
 * The print-and-mail provider has the letter. Once only: a second call is a 409, so a provider that
 * marks twice learns that it (or another run of it) already took the letter.
 */
export async function markLetterPrinted(unit: DomainWork, id: string, printedBy: string): Promise<Letter> {
  const tx = unit.tx;
  const before = await metadata(tx).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!before) throw notFound('letter', id);
  if (before.status === 'printed') {
    throw conflict('letter_already_printed', `letter ${id} was already marked printed`, {
      printedAt: new Date(before.printed_at!).toISOString(),
      printedBy: before.printed_by,
    });
  }
  const now = unit.clock.now();
  await tx
    .updateTable('channel_letters')
    .set({ status: 'printed', printed_at: now, printed_by: printedBy })
    .where('id', '=', id)
    .execute();
  const after = await getLetter(tx, id);
  const brief = (l: Letter) => ({ status: l.status, printedAt: l.printedAt, printedBy: l.printedBy });
  unit.audit({
    action: 'letter.printed',
    entityType: 'letter',
    entityId: id,
    before: brief(present(before)),
    after: brief(after),
  });
  return after;
}
