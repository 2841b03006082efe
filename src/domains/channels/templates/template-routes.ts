import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { commonErrors, json, notFoundError } from '../../../api/schemas.js';
import { validationError } from '../../../core/errors.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { smsSegments } from '../sms/segments.js';
import { renderEmail, renderSms } from './render.js';
import { renderLetterText } from '../letters/letter-action.js';
import { getTemplate, listTemplates, putTemplate, resolveTemplate } from './template-store.js';

/** /channels/templates: list, read, replace one locale, and preview a rendering with sample data. */

const TemplateSchema = z
  .object({
    channel: z.enum(['email', 'sms', 'letter']),
    name: z.string(),
    locale: z.string(),
    subject: z.string().nullable(),
    body: z.string(),
    textBody: z.string().nullable(),
    version: z.number().int().openapi({ description: '0 for a shipped default never edited' }),
    source: z.enum(['stored', 'default']),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
  })
  .openapi('MessageTemplate');

const Key = z.object({
  channel: z.enum(['email', 'sms', 'letter']),
  name: z.string().regex(/^[a-z0-9_.-]{1,80}$/, 'lowercase letters, digits, _ . - (at most 80)'),
  locale: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag such as en, es or zh-CN')
    .openapi({ example: 'es' }),
});

const read = requirePermission('channels:read');
const write = requirePermission('channels:write');

const listDef = createRoute({
  method: 'get',
  path: '/channels/templates',
  tags: ['channels'],
  summary: 'Every template and locale: stored ones and the shipped defaults',
  middleware: [read] as const,
  responses: { 200: json(z.object({ data: z.array(TemplateSchema) }), 'Templates'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/channels/templates/{channel}/{name}/{locale}',
  tags: ['channels'],
  summary: 'One locale of a template',
  middleware: [read] as const,
  request: { params: Key },
  responses: { 200: json(TemplateSchema, 'The template'), ...commonErrors, ...notFoundError },
});

const putDef = createRoute({
  method: 'put',
  path: '/channels/templates/{channel}/{name}/{locale}',
  tags: ['channels'],
  summary: 'Create or replace one locale of a template (Liquid); the version goes up and the change is audited',
  middleware: [write] as const,
  request: {
    params: Key,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              subject: z.string().min(1).max(500).optional().openapi({ description: 'Email only' }),
              body: z.string().min(1).max(100_000).openapi({ description: 'Email: HTML content; SMS: the text' }),
              textBody: z.string().max(100_000).optional().openapi({ description: 'Email only: the plain-text part' }),
            })
            .strict()
            .openapi('MessageTemplateInput'),
        },
      },
    },
  },
  responses: { 200: json(TemplateSchema, 'The stored template'), ...commonErrors },
});

const previewDef = createRoute({
  method: 'post',
  path: '/channels/templates/{channel}/{name}/preview',
  tags: ['channels'],
  summary: 'Render a template for a locale (with its fallback) and sample data, without sending',
  middleware: [read] as const,
  request: {
    params: Key.pick({ channel: true, name: true }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              locale: z.string().min(2).max(35).default('en'),
              data: z.record(z.string(), z.unknown()).default({}),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    200: json(
      z.object({
        locale: z.string().openapi({ description: 'The locale actually used after fallback' }),
        subject: z.string().nullable(),
        html: z.string().nullable(),
        text: z.string(),
        segments: z
          .object({ encoding: z.string(), segments: z.number().int(), characters: z.number().int() })
          .nullable(),
      }),
      'The rendering',
    ),
    ...commonErrors,
    ...notFoundError,
  },
});

export function templateRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(listDef, async (c) => c.json({ data: await listTemplates(c.var.database.db) }, 200));

      app.openapi(getDef, async (c) => {
        const { channel, name, locale } = c.req.valid('param');
        return c.json(await getTemplate(c.var.database.db, channel, name, locale), 200);
      });

      app.openapi(putDef, async (c) => {
        const key = c.req.valid('param');
        const body = c.req.valid('json');
        const stored = await inRequestUnit(context, c, (unit) => putTemplate(unit, key, body));
        return c.json(stored, 200);
      });

      app.openapi(previewDef, async (c) => {
        const { channel, name } = c.req.valid('param');
        const { locale, data } = c.req.valid('json');
        const template = await resolveTemplate(c.var.database.db, channel, name, locale, 'path.name');
        const scope = { ...data, locale: template.locale };
        const rendered = () => {
          try {
            if (channel === 'letter') return renderLetterText(template, scope);
            return channel === 'sms' ? renderSms(template, scope) : renderEmail(template, scope);
          } catch (error) {
            throw validationError([{ field: 'body.data', message: `rendering failed: ${(error as Error).message}` }]);
          }
        };
        const email = rendered();
        if (typeof email !== 'string' && 'heading' in email) {
          return c.json(
            { locale: template.locale, subject: email.heading, html: null, text: email.body, segments: null },
            200,
          );
        }
        if (typeof email === 'string') {
          return c.json(
            { locale: template.locale, subject: null, html: null, text: email, segments: smsSegments(email) },
            200,
          );
        }
        return c.json(
          { locale: template.locale, subject: email.subject, html: email.html, text: email.text, segments: null },
          200,
        );
      });
    },
  };
}
