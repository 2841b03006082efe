import { z } from 'zod';
import { loadConfig } from '../../../config/config.js';
import { secretStore } from '../../../config/secrets.js';
import type { DomainContext } from '../../contract.js';
import { defineAction, NonRetryableError, type ActionDefinition } from '../../../engine/index.js';
import { MessageTarget } from '../messages/message-input.js';
import { messagePurposes } from '../messages/message-purpose.js';
import { sendMessage, type ChannelTransport } from '../messages/send-message.js';
import { renderSms } from '../templates/render.js';
import { smsSegments } from './segments.js';
import { createSmsProvider, type SmsProvider } from './sms-provider.js';
import { smsCallbackSecret, smsStatusCallbackUrl } from './sms-status.js';

/** Longest text we hand a provider: 10 concatenated UCS-2 parts; beyond that it is a letter. */
const MAX_SEGMENTS = 10;

export const SmsSendInput = MessageTarget.extend({ text: z.string().min(1).max(1600).optional() })
  .strict()
  .refine((i) => i.template !== undefined || i.text !== undefined, {
    message: 'give a template or the text',
    path: ['template'],
  });
export type SmsSendInput = z.infer<typeof SmsSendInput>;

function smsTransport(
  context: DomainContext,
  provider: SmsProvider,
  inline: string | undefined,
): ChannelTransport<string> {
  const config = context.config;
  return {
    channel: 'sms',
    addressOf: (customer) => customer.phone,
    // Inline text was templated by the workflow already; only stored templates are Liquid.
    render: (template, scope) => (template ? renderSms(template, scope) : (inline ?? '')),
    summary: (text) => ({ subject: null, bodyText: text }),
    async send(text, message) {
      const length = smsSegments(text);
      if (length.segments > MAX_SEGMENTS) {
        throw new NonRetryableError(
          `the SMS is ${length.segments} segments (${length.encoding}, ${length.characters} characters); at most ${MAX_SEGMENTS}`,
        );
      }
      const secret = smsCallbackSecret(config, context.secrets);
      const publicUrl = context.publicUrl?.();
      // A missing setting is an AppError with a 4xx status, which the engine does not retry.
      const accepted = await provider.send({
        to: message.recipient.address,
        from: config?.smsFrom,
        body: text,
        idempotencyKey: message.idempotencyKey,
        statusCallbackUrl: secret && publicUrl ? smsStatusCallbackUrl(publicUrl, message.id, secret) : undefined,
      });
      return {
        providerId: accepted.providerId,
        details: { providerStatus: accepted.status, segments: length.segments, encoding: length.encoding },
      };
    },
  };
}

export function smsSendAction(context: DomainContext): ActionDefinition<SmsSendInput, unknown> {
  let provider: SmsProvider | undefined;
  const purposes = messagePurposes(context.engine.actions);
  return defineAction({
    source: import.meta.url,
    name: 'sms.send',
    callsOut: true,
    description:
      'Texts a customer (in their language, by template) or a number, within the contact rules; GSM-7/UCS-2 segments counted',
    input: SmsSendInput,
    run: (input, ctx) => {
      provider ??= createSmsProvider(context.config ?? loadConfig({ env: {} }), context.secrets ?? secretStore({}));
      return sendMessage(smsTransport(context, provider, input.text), input, ctx, purposes);
    },
  });
}
