import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { rethrowInBody } from '../../../api/located.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { commonErrors, json, notFoundError } from '../../../api/schemas.js';
import { inRequestUnit } from '../../unit-of-work.js';
import type { DomainContext } from '../../contract.js';
import { checkContact } from './contact-rules.js';
import { getCustomer } from '../../customers/customer-service.js';
import { ContactPreferencesPatch, getContactPreferences, updateContactPreferences } from './contact-preferences.js';
import {
  CONTACT_CHANNELS,
  ContactSettingsSchema,
  readContactSettings,
  writeContactSettings,
} from './contact-settings.js';

/**
 * /channels/contact-rules (the installation's quiet hours, caps and consent policy) and
 * /customers/{id}/contact-preferences (one customer's consents, opt-outs and do-not-contact).
 */
const read = requirePermission('channels:read');
const write = requirePermission('channels:write');
const IdParam = z.object({ id: z.string().min(1).max(120).openapi({ description: 'Customer id or external id' }) });

const Settings = ContactSettingsSchema.openapi('ContactRules');
const Preferences = z
  .object({
    customerId: z.string(),
    doNotContact: z.boolean(),
    reason: z.string().nullable(),
    quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
    consents: z.record(
      z.string(),
      z.object({ status: z.string(), source: z.string().nullable(), updatedAt: z.string() }),
    ),
  })
  .openapi('ContactPreferences');

const getSettingsDef = createRoute({
  method: 'get',
  path: '/channels/contact-rules',
  tags: ['channels'],
  summary: 'Quiet hours, no-contact days, frequency caps and consent policy',
  middleware: [read] as const,
  responses: { 200: json(Settings, 'The contact rules'), ...commonErrors },
});

const putSettingsDef = createRoute({
  method: 'put',
  path: '/channels/contact-rules',
  tags: ['channels'],
  summary: 'Replace the contact rules (audited with before and after)',
  middleware: [write] as const,
  request: { body: { required: true, content: { 'application/json': { schema: Settings } } } },
  responses: { 200: json(Settings, 'The contact rules now in force'), ...commonErrors },
});

const getPrefsDef = createRoute({
  method: 'get',
  path: '/customers/{id}/contact-preferences',
  tags: ['channels'],
  summary: "A customer's consents, opt-outs, do-not-contact flag and own quiet hours",
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(Preferences, 'The preferences'), ...commonErrors, ...notFoundError },
});

const patchPrefsDef = createRoute({
  method: 'patch',
  path: '/customers/{id}/contact-preferences',
  tags: ['channels'],
  summary: 'Record consent or an opt-out, set or clear do-not-contact, set quiet hours (audited)',
  middleware: [write] as const,
  request: {
    params: IdParam,
    body: {
      required: true,
      content: { 'application/json': { schema: ContactPreferencesPatch.openapi('ContactPreferencesPatch') } },
    },
  },
  responses: { 200: json(Preferences, 'The preferences after the change'), ...commonErrors, ...notFoundError },
});

const checkDef = createRoute({
  method: 'get',
  path: '/customers/{id}/contact-check',
  tags: ['channels'],
  summary: 'Whether the contact rules allow contacting the customer on a channel now, else when or why not',
  middleware: [read] as const,
  request: { params: IdParam, query: z.object({ channel: z.enum(CONTACT_CHANNELS) }) },
  responses: {
    200: json(
      z.object({
        allowed: z.boolean(),
        nextAllowedAt: z.string().nullable(),
        reason: z.string().nullable(),
      }),
      'The decision',
    ),
    ...commonErrors,
    ...notFoundError,
  },
});

export function contactRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(getSettingsDef, async (c) => c.json(await readContactSettings(c.var.database.db), 200));

      app.openapi(putSettingsDef, async (c) => {
        const body = c.req.valid('json');
        const settings = await inRequestUnit(context, c, (unit) => writeContactSettings(unit, body)).catch(
          rethrowInBody,
        );
        return c.json(settings, 200);
      });

      app.openapi(getPrefsDef, async (c) =>
        c.json(await getContactPreferences(c.var.database.db, c.req.valid('param').id), 200),
      );

      app.openapi(patchPrefsDef, async (c) => {
        const { id } = c.req.valid('param');
        const patch = c.req.valid('json');
        const after = await inRequestUnit(context, c, (unit) => updateContactPreferences(unit, id, patch));
        return c.json(after, 200);
      });

      app.openapi(checkDef, async (c) => {
        const { id } = c.req.valid('param');
        const { channel } = c.req.valid('query');
        const decision = await c.var.database.transaction(async (tx) => {
          const customer = await getCustomer(tx, id);
          return checkContact(tx, { id: customer.id, timeZone: customer.timeZone }, channel, c.var.clock.now());
        });
        if (decision.allowed) return c.json({ allowed: true, nextAllowedAt: null, reason: null }, 200);
        return c.json(
          {
            allowed: false,
            nextAllowedAt: decision.kind === 'defer' ? decision.until.toISOString() : null,
            reason: decision.reason,
          },
          200,
        );
      });
    },
  };
}
