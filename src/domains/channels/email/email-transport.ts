import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../../config/config.js';
import { NonRetryableError } from '../../../engine/index.js';
import type { ChannelTransport } from '../messages/send-message.js';
import { escapeHtml, renderEmail, type EmailContent } from '../templates/render.js';

/**
 * Email over SMTP with nodemailer. The SMTP server's answer decides what the engine does next: a 5xx
 * reply (mailbox unknown, relay denied) is permanent and fails the step; a 4xx reply (greylisting,
 * mailbox busy) or a connection failure is temporary and the step is retried with backoff.
 */
export interface EmailAttachment {
  filename: string;
  content: string;
  encoding?: 'utf8' | 'base64' | undefined;
  contentType?: string | undefined;
}

export interface EmailInline {
  subject?: string | undefined;
  html?: string | undefined;
  text?: string | undefined;
}

export interface RenderedEmail extends EmailContent {
  from: string;
  attachments: EmailAttachment[];
}

const transporters = new WeakMap<Config, Transporter>();

function transporterFor(config: Config): Transporter {
  if (!config.smtpUrl) {
    throw new NonRetryableError(
      'email is not configured: set smtpUrl (FINFLOW_SMTP_URL), e.g. smtp://user:pass@host:587',
    );
  }
  let transporter = transporters.get(config);
  if (!transporter) {
    transporter = nodemailer.createTransport(config.smtpUrl);
    transporters.set(config, transporter);
  }
  return transporter;
}

/**
 * The Message-ID is derived from the step's idempotency key: if finflow crashes after the SMTP server
 * accepted a message but before the step committed, the retry sends the same Message-ID, which mail
 * systems use to drop the duplicate.
 */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'finflow.invalid';
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}@${domain}>`;
}

export function emailTransport(
  config: Config,
  step: { from?: string | undefined; inline?: EmailInline | undefined; attachments: EmailAttachment[] },
): ChannelTransport<RenderedEmail> {
  const from = step.from ?? config.emailFrom;
  return {
    channel: 'email',
    addressOf: (customer) => customer.email,
    render(template, scope) {
      const content = template
        ? renderEmail({ subject: template.subject, body: template.body, textBody: template.textBody }, scope)
        : renderEmail(
            {
              subject: step.inline?.subject ?? '',
              body: step.inline?.html ?? escapeText(step.inline?.text ?? ''),
              textBody: step.inline?.text ?? null,
            },
            scope,
            true,
          );
      return { ...content, from, attachments: step.attachments };
    },
    summary: (email) => ({
      subject: email.subject,
      bodyText: email.text,
      attachments: email.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType ?? null,
        bytes: Buffer.byteLength(a.content, a.encoding === 'base64' ? 'base64' : 'utf8'),
      })),
    }),
    async send(email, message) {
      try {
        const info = await transporterFor(config).sendMail({
          from: email.from,
          to: message.recipient.address,
          subject: email.subject,
          html: email.html,
          text: email.text,
          messageId: messageIdFor(message.idempotencyKey, email.from),
          headers: { 'X-Finflow-Message-Id': message.id },
          attachments: email.attachments.map((a) => ({
            filename: a.filename,
            content: a.content,
            encoding: a.encoding ?? 'utf8',
            ...(a.contentType ? { contentType: a.contentType } : {}),
          })),
        });
        return { providerId: info.messageId, details: { smtpResponse: info.response } };
      } catch (error) {
        throw classify(error);
      }
    },
  };
}

function classify(error: unknown): Error {
  const smtp = error as { responseCode?: number; response?: string; message?: string };
  const reason = smtp.response ?? smtp.message ?? String(error);
  if (typeof smtp.responseCode === 'number' && smtp.responseCode >= 500) {
    return new NonRetryableError(`SMTP server refused the message permanently: ${reason}`);
  }
  return new Error(`SMTP delivery failed, will retry: ${reason}`);
}

/** Plain text shown in the HTML part: escaped, line breaks kept. */
function escapeText(value: string): string {
  return escapeHtml(value).replace(/\n/g, '<br>\n');
}
