import type { z } from 'zod';
import type { Config } from '../../../config/config.js';
import { newId } from '../../../core/ids.js';
import type { Customer } from '../../customers/customer-service.js';
import type { DomainContext } from '../../contract.js';
import { defineAction, NonRetryableError, type ActionContext, type ActionDefinition } from '../../../engine/index.js';
import { recordContactAttempt } from '../contact-rules/contact-rules.js';
import { stepCustomer } from '../messages/customer-ref.js';
import { MessageTarget } from '../messages/message-input.js';
import { messagePurposes, type PurposeChecks } from '../messages/message-purpose.js';
import { passContactRules } from '../messages/send-message.js';
import { renderSms } from '../templates/render.js';
import { insertLetter, LETTER_CHANNEL, letterByIdempotencyKey, resolveLetterTemplate } from './letter-store.js';
import { renderLetterPdf } from './pdf-render.js';
import { oneLine, postalLines } from './postal-address.js';
import '../tables.js';

/**
 * letter.send: a letter to a customer's postal address, rendered from a template in their language
 * to an A4 PDF and stored for the institution's print-and-mail provider (GET /channels/letters).
 * finflow does not post it. The contact rules apply as to email and SMS: do-not-contact and opt-outs
 * skip it, quiet days and frequency caps defer it. The letter is also a message (channel 'letter')
 * and a contact attempt, written in the step's transaction; a replayed step returns the same letter.
 */
export const LetterSendInput = MessageTarget.omit({ to: true }).required({ customer: true, template: true }).strict();
export type LetterSendInput = z.infer<typeof LetterSendInput>;

export type LetterOutcome =
  | {
      status: 'sent';
      messageId: string;
      letterId: string;
      channel: 'letter';
      to: string;
      locale: string;
      template: string;
      providerId: string;
      pages: number;
    }
  | { status: 'skipped' | 'dropped'; messageId: string; channel: 'letter'; reason: string };

export function letterSendAction(
  context: Pick<DomainContext, 'config'> & { engine?: Pick<DomainContext['engine'], 'actions'> },
): ActionDefinition<LetterSendInput, LetterOutcome> {
  const purposes = context.engine ? messagePurposes(context.engine.actions) : undefined;
  return defineAction({
    source: import.meta.url,
    name: 'letter.send',
    description:
      'Renders a letter to a customer (their language, by template) as a PDF and stores it for the print-and-mail provider, within the contact rules',
    input: LetterSendInput,
    run: (input, ctx) => sendLetter(input, ctx, institutionName(context.config), purposes),
  });
}

/**
 * The sender printed on letters: the `institutionName` setting when there is one, else the display
 * name of `emailFrom` (`Acme Lending <collections@acme.example>`), else "finflow".
 */
export function institutionName(config: Config | undefined): string {
  const configured = (config as { institutionName?: unknown } | undefined)?.institutionName;
  if (typeof configured === 'string' && configured.trim() !== '') return configured.trim();
  const display = /^\s*"?([^"<]*?)"?\s*</.exec(config?.emailFrom ?? '')?.[1]?.trim();
  return display || 'finflow';
}

export async function sendLetter(
  input: LetterSendInput,
  ctx: ActionContext,
  institution: string,
  purposes?: PurposeChecks,
): Promise<LetterOutcome> {
  const replayed = await replay(ctx);
  if (replayed) return replayed;

  const now = ctx.clock.now();
  const customer = await stepCustomer(ctx.tx, input.customer);
  const locale = input.locale ?? customer.language;
  const lines = postalLines(customer.address, locale);
  if (!lines) throw new NonRetryableError(`with.customer: customer ${input.customer} has no postal address`);
  const to = oneLine(customer.name, lines);

  // The same contact rules as email and SMS, decided in one place: a letter deferred by a quiet day or
  // a cap re-checks its purpose in the transaction that renders and stores it.
  const recipient = { customerId: customer.id, address: to, locale, timeZone: customer.timeZone };
  const gate = await passContactRules(ctx, 'letter', recipient, input, purposes, now);
  if (!gate.pass) return gate.outcome;
  input = gate.request;

  const template = await resolveLetterTemplate(ctx.tx, input.template, locale);
  const scope = { ...input.data, customer: customerScope(customer), locale: template.locale, institution };
  let heading: string;
  let body: string;
  try {
    ({ heading, body } = renderLetterText(template, scope));
  } catch (error) {
    throw new NonRetryableError(`rendering ${input.template}: ${(error as Error).message}`);
  }
  const rendered = await renderLetterPdf({
    locale: template.locale,
    institution,
    recipient: { name: customer.name, lines },
    dateText: letterDate(now, template.locale, customer.timeZone),
    date: now,
    heading,
    body,
  });

  const messageId = newId('msg', now.getTime());
  const letterId = newId('ltr', now.getTime());
  await ctx.tx
    .insertInto('channel_messages')
    .values({
      id: messageId,
      channel: LETTER_CHANNEL,
      customer_id: customer.id,
      recipient: to,
      template: input.template,
      locale: template.locale,
      subject: heading,
      body_text: body.replace(/\*\*(.+?)\*\*/gs, '$1'),
      status: 'sent',
      provider_id: letterId,
      segments: null,
      encoding: null,
      attachments: JSON.stringify([
        { filename: `${letterId}.pdf`, contentType: 'application/pdf', size: rendered.pdf.length },
      ]),
      idempotency_key: ctx.idempotencyKey,
      instance_id: ctx.instanceId,
      step_id: ctx.stepId,
      error: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await insertLetter(ctx.tx, {
    id: letterId,
    customerId: customer.id,
    template: input.template,
    locale: template.locale,
    subject: heading,
    recipient: { name: customer.name, lines, address: customer.address ?? {} },
    pdf: rendered.pdf,
    pages: rendered.pages,
    idempotencyKey: ctx.idempotencyKey,
    instanceId: ctx.instanceId,
    stepId: ctx.stepId,
    messageId,
    createdAt: now,
  });
  await recordContactAttempt(ctx.tx, {
    customerId: customer.id,
    channel: 'letter',
    at: now,
    messageId,
    instanceId: ctx.instanceId,
    outcome: 'sent',
  });
  return {
    status: 'sent',
    messageId,
    letterId,
    channel: 'letter',
    to,
    locale: template.locale,
    template: input.template,
    providerId: letterId,
    pages: rendered.pages,
  };
}

/**
 * A letter template's Liquid rendered to the heading and the body text the PDF lays out (plain text,
 * unescaped; no-break spaces become spaces, as for SMS). The template preview can show this too.
 */
export function renderLetterText(
  template: { subject: string | null; body: string },
  scope: Record<string, unknown> & { locale: string },
): { heading: string; body: string } {
  return { heading: renderSms({ body: template.subject ?? '' }, scope), body: renderSms(template, scope) };
}

/** The date line: "March 2, 2026", "2 de marzo de 2026", "2026年3月2日", on the customer's calendar. */
export function letterDate(at: Date, locale: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone }).format(at);
  } catch {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(at);
  }
}

/** What this step already did, when it runs again with the same idempotency key. */
async function replay(ctx: ActionContext): Promise<LetterOutcome | null> {
  const letter = await letterByIdempotencyKey(ctx.tx, ctx.idempotencyKey);
  if (letter) {
    return {
      status: 'sent',
      messageId: letter.messageId ?? '',
      letterId: letter.id,
      channel: 'letter',
      to: oneLine(letter.recipient.name, letter.recipient.lines),
      locale: letter.locale,
      template: letter.template,
      providerId: letter.id,
      pages: letter.pages,
    };
  }
  const message = await ctx.tx
    .selectFrom('channel_messages')
    .select(['id', 'status', 'error'])
    .where('idempotency_key', '=', ctx.idempotencyKey)
    .where('channel', '=', LETTER_CHANNEL)
    .executeTakeFirst();
  if (message?.status === 'skipped' || message?.status === 'dropped') {
    return {
      status: message.status,
      messageId: message.id,
      channel: 'letter',
      reason: message.error ?? message.status,
    };
  }
  return null;
}

/** What templates see of the customer: contact facts, not credit or exposure (as for email and SMS). */
function customerScope(c: Customer) {
  return {
    name: c.name,
    externalId: c.externalId,
    email: c.email,
    phone: c.phone,
    language: c.language,
    segment: c.segment,
  };
}
