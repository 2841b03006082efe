import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { idempotent } from '../../../api/middleware/idempotency.js';
import { commonErrors, IdempotencyKeyHeader, json, notFoundError } from '../../../api/schemas.js';
import { isTimeZone } from '../../../core/time-zone.js';
import { CALENDAR_NAME } from '../../../engine/index.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { checkMissingStatements, getAlertSettings, putAlertSettings } from './alerts.js';

/** GET/PUT /bank-accounts/{id}/alerts and POST /treasury/alerts/check: treasury alerts as engine events. */

const IdParam = z.object({ id: z.string().min(1).max(100) });
const MinorInput = z
  .string()
  .regex(/^-?\d{1,18}$/, 'must be signed minor units as a string, e.g. "100000"')
  .openapi({ example: '100000' });

const AlertSettingsSchema = z
  .object({
    bankAccountId: z.string(),
    minBalance: z.string().nullable(),
    statementExpectedBy: z.string().nullable(),
    timeZone: z.string().nullable(),
    calendar: z.string().nullable(),
    belowThreshold: z.boolean().openapi({
      description: 'The latest balance is below minBalance and its alert was raised; false again once it recovers',
    }),
    updatedBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('BankAccountAlerts');

const AlertSettingsBody = z
  .object({
    minBalance: MinorInput.nullable().openapi({
      description: 'treasury.balance_below_threshold when a statement leaves the account below this; null: off',
    }),
    statementExpectedBy: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM')
      .nullable()
      .openapi({
        description: 'Time (in timeZone) by which a statement is expected each business day; null: off',
        example: '08:00',
      }),
    timeZone: z
      .string()
      .max(100)
      .refine(isTimeZone, 'must be an IANA time zone, e.g. "Europe/Berlin"')
      .nullish()
      .openapi({
        description: "Zone of statementExpectedBy and of the day; null or left out: the calendar's zone, else UTC",
        example: 'Europe/Berlin',
      }),
    calendar: z.string().regex(CALENDAR_NAME, 'must be a calendar name (letters, digits, - and _)').nullish().openapi({
      description:
        'Engine business calendar (PUT /calendars/{name}) whose business days a statement is expected on; null or left out: Monday to Friday',
      example: 'TARGET2',
    }),
  })
  .strict()
  .openapi('BankAccountAlertsInput');

const CheckResultSchema = z
  .object({
    checkedAt: z.string(),
    published: z.number().int(),
    missing: z.array(
      z.object({
        bankAccountId: z.string(),
        currency: z.string(),
        expectedBy: z.string(),
        timeZone: z.string(),
        date: z.string(),
        lastImportedAt: z.string().nullable(),
      }),
    ),
  })
  .openapi('StatementCheckResult');

const getDef = createRoute({
  method: 'get',
  path: '/bank-accounts/{id}/alerts',
  tags: ['treasury'],
  summary: "A bank account's alert settings (balance threshold, expected statement time)",
  middleware: [requirePermission('payments:read')] as const,
  request: { params: IdParam },
  responses: { 200: json(AlertSettingsSchema, 'The settings (nulls when none)'), ...commonErrors, ...notFoundError },
});

const putDef = createRoute({
  method: 'put',
  path: '/bank-accounts/{id}/alerts',
  tags: ['treasury'],
  summary: "Set a bank account's balance threshold and expected statement time (zone, calendar); audited",
  middleware: [requirePermission('bankaccounts:manage')] as const,
  request: {
    params: IdParam,
    body: { required: true, content: { 'application/json': { schema: AlertSettingsBody } } },
  },
  responses: { 200: json(AlertSettingsSchema, 'The settings now'), ...commonErrors, ...notFoundError },
});

const checkDef = createRoute({
  method: 'post',
  path: '/treasury/alerts/check',
  tags: ['treasury'],
  summary: 'Publish treasury.statement_missing for accounts whose statement is late today (once per account and day)',
  description:
    'Run it from a scheduled workflow (action `treasury.check_statements`) or a cron: an active account with ' +
    '`statementExpectedBy` whose time has passed, on a business day of its calendar, with no statement imported ' +
    'since midnight, all in its time zone, is missing; each is published once a day.',
  middleware: [requirePermission('statements:import'), idempotent()] as const,
  request: { headers: IdempotencyKeyHeader },
  responses: { 200: json(CheckResultSchema, 'The accounts missing a statement today'), ...commonErrors },
});

export function alertRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(getDef, async (c) => c.json(await getAlertSettings(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(putDef, async (c) => {
        const { id } = c.req.valid('param');
        const body = c.req.valid('json');
        const saved = await inRequestUnit(context, c, (unit) => putAlertSettings(unit, id, body));
        return c.json(saved, 200);
      });

      app.openapi(checkDef, async (c) => c.json(await inRequestUnit(context, c, checkMissingStatements), 200));
    },
  };
}
