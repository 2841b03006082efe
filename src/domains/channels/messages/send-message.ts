import { DeferAction, NonRetryableError, type ActionContext } from '../../../engine/index.js';
import { newId } from '../../../core/ids.js';
import type { Tx } from '../../../storage/schema.js';
import { checkContact, lockCustomerContacts, recordContactAttempt } from '../contact-rules/contact-rules.js';
import type { MessageChannel } from '../tables.js';
import { resolveTemplate, type MessageTemplate } from '../templates/template-store.js';
import type { Customer } from '../../customers/customer-service.js';
import { stepCustomer } from './customer-ref.js';
import type { MessagePurpose, PurposeChecks, StillWanted } from './message-purpose.js';
import '../tables.js';

/**
 * What every outgoing message goes through, whatever its channel: find the customer and their
 * address and language, apply the contact rules (skip or defer — never send), render the template in
 * the customer's language, hand it to the channel's transport, and record the message and the
 * contact attempt in the step's transaction. A failed send rolls the records back with the step.
 */
export interface MessageRequest {
  customer?: string | undefined;
  to?: string | undefined;
  template?: string | undefined;
  locale?: string | undefined;
  data?: Record<string, unknown> | undefined;
  /** What a quiet-hours or frequency-cap block does: wait for the next allowed time, or give up. */
  ifBlocked?: 'defer' | 'skip' | undefined;
  /** Why it is sent: a registered check says, each time it may go out, whether it still should. */
  purpose?: MessagePurpose | undefined;
}

export interface Recipient {
  customerId: string | null;
  address: string;
  locale: string;
  timeZone: string;
}

/** The channel-specific part: rendering and the provider call. */
export interface ChannelTransport<Rendered> {
  channel: MessageChannel;
  /** The customer's address on this channel (email, phone). */
  addressOf(customer: { email: string | null; phone: string | null }): string | null;
  render(template: MessageTemplate | null, scope: Record<string, unknown> & { locale: string }): Rendered;
  summary(rendered: Rendered): { subject: string | null; bodyText: string; attachments?: unknown[] };
  send(
    rendered: Rendered,
    message: { id: string; recipient: Recipient; idempotencyKey: string },
  ): Promise<{ providerId: string | null; details?: Record<string, unknown> }>;
}

export type MessageOutcome =
  | {
      status: 'sent';
      messageId: string;
      channel: MessageChannel;
      to: string;
      locale: string;
      template: string | null;
      providerId: string | null;
      [detail: string]: unknown;
    }
  | { status: 'skipped'; messageId: string; channel: MessageChannel; reason: string }
  /** Its purpose lapsed (paid, promised, disputed…) before it could go out: nothing was sent. */
  | { status: 'dropped'; messageId: string; channel: MessageChannel; reason: string };

/**
 * Asks the purpose's check whether the message is still wanted. No purpose: it is. A purpose no
 * domain checks here is a definition error, not a reason to send blindly.
 */
async function stillWanted(
  purposes: PurposeChecks | undefined,
  ctx: ActionContext,
  request: Pick<MessageRequest, 'purpose' | 'data'>,
): Promise<StillWanted> {
  if (!request.purpose) return { send: true };
  const check = purposes?.get(request.purpose.kind);
  if (!check) throw new NonRetryableError(`with.purpose.kind: no check for ${request.purpose.kind} in this worker`);
  return check(ctx.tx, request.purpose, { data: request.data ?? {}, now: ctx.clock.now() });
}

/** A message that did not go out: recorded with its status and the reason, nothing sent. */
export interface NotSentOutcome<C extends MessageChannel = MessageChannel> {
  status: 'skipped' | 'dropped';
  messageId: string;
  channel: C;
  reason: string;
}

/** The request fields the contact rules read. */
export type ContactRuleRequest = Pick<MessageRequest, 'template' | 'data' | 'ifBlocked' | 'purpose'>;

/**
 * The contact rules, in the one place every channel (email, SMS, letters) passes them before it
 * renders or sends anything. First the purpose: still wanted? Asked on every attempt, so a send
 * deferred by quiet hours or a cap, or retried, re-checks its reason in the same transaction that
 * sends it (or records it dropped). Then, for a known customer and under the lock of their contact
 * history: do-not-contact and opt-outs skip it; quiet hours and frequency caps defer it (DeferAction)
 * or, with `ifBlocked: skip`, skip it. Returns the request to send (the purpose's check may add data)
 * or the outcome of the message recorded as not sent. `now` is the send's time, read once.
 */
export async function passContactRules<C extends MessageChannel, Req extends ContactRuleRequest>(
  ctx: ActionContext,
  channel: C,
  recipient: Recipient,
  request: Req,
  purposes: PurposeChecks | undefined,
  now: Date,
): Promise<{ pass: true; request: Req } | { pass: false; outcome: NotSentOutcome<C> }> {
  const wanted = await stillWanted(purposes, ctx, request);
  if (!wanted.send) {
    return { pass: false, outcome: await notSent(ctx, channel, recipient, request, 'dropped', wanted.reason) };
  }
  if (wanted.data) request = { ...request, data: { ...request.data, ...wanted.data } };
  if (recipient.customerId) {
    await lockCustomerContacts(ctx.tx, recipient.customerId);
    const decision = await checkContact(
      ctx.tx,
      { id: recipient.customerId, timeZone: recipient.timeZone },
      channel,
      now,
    );
    if (!decision.allowed) {
      if (decision.kind === 'defer' && (request.ifBlocked ?? 'defer') === 'defer') {
        throw new DeferAction(decision.until, decision.reason);
      }
      return { pass: false, outcome: await notSent(ctx, channel, recipient, request, 'skipped', decision.reason) };
    }
  }
  return { pass: true, request };
}

export async function sendMessage<R>(
  transport: ChannelTransport<R>,
  request: MessageRequest,
  ctx: ActionContext,
  purposes?: PurposeChecks,
): Promise<MessageOutcome> {
  const now = ctx.clock.now();
  const { recipient, customer } = await findRecipient(ctx.tx, transport, request);
  const gate = await passContactRules(ctx, transport.channel, recipient, request, purposes, now);
  if (!gate.pass) return gate.outcome;
  request = gate.request;

  const template = request.template
    ? await resolveTemplate(ctx.tx, transport.channel, request.template, recipient.locale, 'with.template')
    : null;
  const locale = template?.locale ?? recipient.locale;
  let rendered: R;
  try {
    rendered = transport.render(template, { ...request.data, customer: customer && customerScope(customer), locale });
  } catch (error) {
    throw new NonRetryableError(`rendering ${request.template ?? 'the message'}: ${(error as Error).message}`);
  }
  const id = newId('msg', now.getTime());
  const sent = await transport.send(rendered, { id, recipient, idempotencyKey: ctx.idempotencyKey });
  const summary = transport.summary(rendered);
  await ctx.tx
    .insertInto('channel_messages')
    .values({
      id,
      channel: transport.channel,
      customer_id: recipient.customerId,
      recipient: recipient.address,
      template: request.template ?? null,
      locale,
      subject: summary.subject,
      body_text: summary.bodyText,
      status: 'sent',
      provider_id: sent.providerId,
      segments: typeof sent.details?.segments === 'number' ? sent.details.segments : null,
      encoding: typeof sent.details?.encoding === 'string' ? sent.details.encoding : null,
      attachments: JSON.stringify(summary.attachments ?? []),
      idempotency_key: ctx.idempotencyKey,
      instance_id: ctx.instanceId,
      step_id: ctx.stepId,
      error: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  if (recipient.customerId) {
    await recordContactAttempt(ctx.tx, {
      customerId: recipient.customerId,
      channel: transport.channel,
      at: now,
      messageId: id,
      instanceId: ctx.instanceId,
      outcome: 'sent',
    });
  }
  return {
    status: 'sent',
    messageId: id,
    channel: transport.channel,
    to: recipient.address,
    locale,
    template: request.template ?? null,
    providerId: sent.providerId,
    ...sent.details,
  };
}

async function findRecipient<R>(
  tx: Tx,
  transport: ChannelTransport<R>,
  request: MessageRequest,
): Promise<{ recipient: Recipient; customer: Customer | null }> {
  if (!request.customer) {
    if (!request.to) throw new NonRetryableError('with: give customer (id or external id) or to');
    return {
      recipient: { customerId: null, address: request.to, locale: request.locale ?? 'en', timeZone: 'UTC' },
      customer: null,
    };
  }
  const customer = await stepCustomer(tx, request.customer);
  const address = request.to ?? transport.addressOf(customer);
  if (!address) {
    throw new NonRetryableError(`with.customer: customer ${request.customer} has no ${transport.channel} address`);
  }
  return {
    recipient: {
      customerId: customer.id,
      address,
      locale: request.locale ?? customer.language,
      timeZone: customer.timeZone,
    },
    customer,
  };
}

/** What templates see of the customer: contact facts, not credit or exposure. */
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

/**
 * A rule said no (skipped), or the message's purpose lapsed (dropped): the message is recorded with
 * that status and the reason, and nothing is sent.
 */
async function notSent<C extends MessageChannel>(
  ctx: ActionContext,
  channel: C,
  recipient: Recipient,
  request: Pick<MessageRequest, 'template'>,
  status: 'skipped' | 'dropped',
  reason: string,
): Promise<NotSentOutcome<C>> {
  const now = ctx.clock.now();
  const id = newId('msg', now.getTime());
  await ctx.tx
    .insertInto('channel_messages')
    .values({
      id,
      channel,
      customer_id: recipient.customerId,
      recipient: recipient.address,
      template: request.template ?? null,
      locale: recipient.locale,
      subject: null,
      body_text: '',
      status,
      provider_id: null,
      segments: null,
      encoding: null,
      attachments: '[]',
      idempotency_key: ctx.idempotencyKey,
      instance_id: ctx.instanceId,
      step_id: ctx.stepId,
      error: reason,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { status, messageId: id, channel, reason };
}
