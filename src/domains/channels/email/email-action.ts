import { z } from 'zod';
import { defineAction, type ActionDefinition } from '../../../engine/index.js';
import type { DomainContext } from '../../contract.js';
import { loadConfig } from '../../../config/config.js';
import { sendMessage } from '../messages/send-message.js';
import { emailTransport } from './email-transport.js';
import { MessageTarget } from '../messages/message-input.js';
import { messagePurposes } from '../messages/message-purpose.js';

const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

const Attachment = z
  .object({
    filename: z.string().min(1).max(200),
    content: z.string(),
    encoding: z.enum(['utf8', 'base64']).optional(),
    contentType: z.string().max(200).optional(),
  })
  .strict();

export const EmailSendInput = MessageTarget.extend({
  from: z.string().min(3).optional(),
  subject: z.string().optional(),
  html: z.string().optional(),
  text: z.string().optional(),
  attachments: z
    .array(Attachment)
    .max(20)
    .refine(
      (list) =>
        list.reduce((sum, a) => sum + Buffer.byteLength(a.content, a.encoding === 'base64' ? 'base64' : 'utf8'), 0) <=
        MAX_ATTACHMENT_BYTES,
      { message: `attachments exceed ${MAX_ATTACHMENT_BYTES} bytes` },
    )
    .optional(),
})
  .strict()
  .refine((i) => i.template !== undefined || i.html !== undefined || i.text !== undefined, {
    message: 'give a template, or the message itself (subject with html and/or text)',
    path: ['template'],
  });
export type EmailSendInput = z.infer<typeof EmailSendInput>;

export function emailSendAction(context: DomainContext): ActionDefinition<EmailSendInput, unknown> {
  const purposes = messagePurposes(context.engine.actions);
  return defineAction({
    source: import.meta.url,
    name: 'email.send',
    callsOut: true,
    description:
      'Emails a customer (in their language, by template) or an address, within the contact rules; 5xx SMTP replies fail, others retry',
    input: EmailSendInput,
    run: (input, ctx) => {
      const config = context.config ?? loadConfig({ env: {} });
      const transport = emailTransport(config, {
        from: input.from,
        inline: { subject: input.subject, html: input.html, text: input.text },
        attachments: input.attachments ?? [],
      });
      return sendMessage(transport, input, ctx, purposes);
    },
  });
}
