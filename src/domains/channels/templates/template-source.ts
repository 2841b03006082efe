import type { MessageChannel } from '../tables.js';

/** A template as finflow ships it (default-templates.ts), before any stored override. */
export interface TemplateSource {
  channel: MessageChannel;
  name: string;
  locale: string;
  subject?: string;
  body: string;
  textBody?: string;
}

export const email = (name: string, locale: string, subject: string, body: string): TemplateSource => ({
  channel: 'email',
  name,
  locale,
  subject,
  body,
});

export const sms = (name: string, locale: string, body: string): TemplateSource => ({
  channel: 'sms',
  name,
  locale,
  body,
});
