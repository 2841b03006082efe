import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../api/context.js';
import { commonErrors, json } from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import {
  CollectionsSettingsPatchSchema,
  readCollectionsSettings,
  updateCollectionsSettings,
} from '../collections-settings.js';
import { body, manage, read, SettingsSchema } from './schemas.js';

/** /collections/settings: read and change (audited). */

const getSettingsDef = createRoute({
  method: 'get',
  path: '/collections/settings',
  tags: ['collections'],
  summary: 'Collectors, assignment rule, champion/challenger shares, promise and pacing rules',
  middleware: [read] as const,
  responses: { 200: json(SettingsSchema, 'Settings'), ...commonErrors },
});

const putSettingsDef = createRoute({
  method: 'put',
  path: '/collections/settings',
  tags: ['collections'],
  summary: 'Change collections settings (the fields given; audited)',
  middleware: [manage] as const,
  request: { body: body(CollectionsSettingsPatchSchema.openapi('CollectionsSettingsPatch')) },
  responses: { 200: json(SettingsSchema, 'Settings after the change'), ...commonErrors },
});

export function registerSettingsRoutes(app: App, context: DomainContext): void {
  app.openapi(getSettingsDef, async (c) => c.json(await readCollectionsSettings(c.var.database.db), 200));

  app.openapi(putSettingsDef, async (c) => {
    const patch = c.req.valid('json');
    const settings = await inRequestUnit(context, c, (unit) => updateCollectionsSettings(unit, patch));
    return c.json(settings, 200);
  });
}
