import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../api/context.js';
import { rethrowInBody } from '../../api/located.js';
import { requirePermission } from '../../api/middleware/auth.js';
import { idempotent } from '../../api/middleware/idempotency.js';
import {
  commonErrors,
  conflictError,
  IdempotencyKeyHeader,
  json,
  notFoundError,
  tooManyRequestsError,
  unprocessableError,
  pageFrom,
  pageOf,
  pageQuery,
} from '../../api/schemas.js';
import { inRequestUnit } from '../unit-of-work.js';
import type { DomainContext } from '../contract.js';
import {
  APPLICATION_STATUSES,
  getApplication,
  listApplications,
  DEFAULT_CREDIT_BACKLOG_LIMIT,
  refuseOverBacklog,
  submitApplication,
} from './applications.js';
import { ApplicationInputSchema, OfferAnswerSchema } from './application-input.js';
import { CreditSettingsPatchSchema, readCreditSettings, updateCreditSettings } from './credit-settings.js';
import { answerOffer } from './lifecycle.js';

/** /credit/applications (submit, read, answer an offer) and /credit/settings (bureau, products). */

const ApplicationSchema = z
  .object({
    id: z.string().openapi({ example: 'capp_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    status: z.enum(APPLICATION_STATUSES),
    outcome: z.string().nullable().openapi({ description: "Policy's outcome: approve, decline or review" }),
    customerId: z.string(),
    applicant: z.record(z.string(), z.unknown()),
    product: z.string(),
    amount: z.string(),
    currency: z.string(),
    termMonths: z.number(),
    purpose: z.string(),
    monthlyIncome: z.string(),
    monthlyExpenses: z.string(),
    employment: z.record(z.string(), z.unknown()),
    consent: z.record(z.string(), z.unknown()),
    submittedBy: z.string(),
    assessment: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'age, bureau summary, history with us, affordability (installment, DTI, PTI)' }),
    score: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'score, grade, pd, riskBand, points per attribute, and the scorecard version' }),
    rules: z
      .array(z.record(z.string(), z.unknown()))
      .openapi({ description: 'Every rule that fired: decision, version, kind, code, reason' }),
    decisions: z.array(z.object({ key: z.string(), version: z.number() })),
    reasons: z.array(z.object({ code: z.string(), text: z.string() })),
    terms: z.record(z.string(), z.unknown()).nullable(),
    authority: z.record(z.string(), z.unknown()).nullable(),
    approvals: z.array(z.record(z.string(), z.unknown())),
    offer: z.record(z.string(), z.unknown()).nullable(),
    contract: z.record(z.string(), z.unknown()).nullable(),
    instanceId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .openapi('CreditApplication');

const ApplicationWithTimeline = ApplicationSchema.extend({
  timeline: z.array(z.record(z.string(), z.unknown())).openapi({ description: "The deciding workflow's history" }),
}).openapi('CreditApplicationDetail');

const SettingsSchema = z
  .object({ bureau: z.object({ url: z.string() }).nullable(), products: z.array(z.record(z.string(), z.unknown())) })
  .openapi('CreditSettings');

const read = requirePermission('credit:read');
const apply = requirePermission('credit:apply');
const manage = requirePermission('decisions:manage');
const IdParam = z.object({ id: z.string().min(1).max(100) });
const body = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });

const submitDef = createRoute({
  method: 'post',
  path: '/credit/applications',
  tags: ['credit'],
  summary: 'Submit a credit application (decided asynchronously by the credit-application workflow)',
  description:
    'Creates the customer when the external id is new. The decision — automatic, or by approvers — is read with GET; ' +
    'the event `credit.application.decided` and the webhooks announce it.',
  middleware: [apply, idempotent({ required: true })] as const,
  request: { headers: IdempotencyKeyHeader, body: body(ApplicationInputSchema.openapi('CreditApplicationInput')) },
  responses: {
    201: json(ApplicationSchema, 'Submitted'),
    ...commonErrors,
    ...unprocessableError('Unknown product, amount or term outside the product, or Idempotency-Key reused'),
    ...tooManyRequestsError(
      'Nothing was stored: the backlog of applications waiting for their automatic decision is full ' +
        '(creditBacklogLimit, code `credit_backlog_full`), or the server is at its in-flight bound ' +
        '(code `server_busy`). Send the same request again after `Retry-After` seconds',
    ),
  },
});

const listDef = createRoute({
  method: 'get',
  path: '/credit/applications',
  tags: ['credit'],
  summary: 'List credit applications, newest first',
  middleware: [read] as const,
  request: {
    query: z.object({
      status: z.enum(APPLICATION_STATUSES).optional(),
      customer: z.string().max(100).optional().openapi({ description: 'Customer id' }),
      product: z.string().max(100).optional().openapi({ description: 'Product name, e.g. personal-loan' }),
      ...pageQuery({ limit: 50, max: 500 }),
    }),
  },
  responses: {
    200: json(pageOf(ApplicationSchema), 'A page'),
    ...commonErrors,
  },
});

const getDef = createRoute({
  method: 'get',
  path: '/credit/applications/{id}',
  tags: ['credit'],
  summary: 'A credit application: status, score, rules fired with versions, reasons, approvers, timeline',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(ApplicationWithTimeline, 'The application'), ...commonErrors, ...notFoundError },
});

const offerDef = createRoute({
  method: 'post',
  path: '/credit/applications/{id}/offer',
  tags: ['credit'],
  summary: "The applicant's answer to a counter-offer (accepting books the contract on the offered terms)",
  middleware: [apply, idempotent({ required: true })] as const,
  request: { params: IdParam, headers: IdempotencyKeyHeader, body: body(OfferAnswerSchema.openapi('OfferAnswer')) },
  responses: {
    202: json(z.object({ id: z.string(), status: z.string(), offer: z.record(z.string(), z.unknown()) }), 'Recorded'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
  },
});

const getSettingsDef = createRoute({
  method: 'get',
  path: '/credit/settings',
  tags: ['credit'],
  summary: 'The bureau endpoint and the products',
  middleware: [read] as const,
  responses: { 200: json(SettingsSchema, 'Settings'), ...commonErrors },
});

const putSettingsDef = createRoute({
  method: 'put',
  path: '/credit/settings',
  tags: ['credit'],
  summary: 'Change the bureau endpoint or the products (audited)',
  middleware: [manage] as const,
  request: { body: body(CreditSettingsPatchSchema.openapi('CreditSettingsPatch')) },
  responses: { 200: json(SettingsSchema, 'Settings after the change'), ...commonErrors },
});

export function creditRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(submitDef, async (c) => {
        const input = c.req.valid('json');
        // After the Idempotency-Key's claim, so a replay still gets its first answer; a refusal
        // rolls the claim back with everything else.
        await refuseOverBacklog(c.var.database.db, context.config?.creditBacklogLimit ?? DEFAULT_CREDIT_BACKLOG_LIMIT);
        const application = await inRequestUnit(context, c, (unit) =>
          submitApplication(unit, input, c.var.principal.worksAs),
        ).catch(rethrowInBody);
        return c.json(application, 201);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        const data = await listApplications(c.var.database.db, q);
        return c.json(pageFrom(data, q.limit), 200);
      });

      app.openapi(getDef, async (c) => c.json(await getApplication(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(offerDef, async (c) => {
        const { id } = c.req.valid('param');
        const { accept } = c.req.valid('json');
        const answer = await inRequestUnit(context, c, (unit) => answerOffer(unit, id, accept));
        return c.json(answer, 202);
      });

      app.openapi(getSettingsDef, async (c) => c.json(await readCreditSettings(c.var.database.db), 200));

      app.openapi(putSettingsDef, async (c) => {
        const patch = c.req.valid('json');
        const settings = await inRequestUnit(context, c, (unit) => updateCreditSettings(unit, patch));
        return c.json(settings, 200);
      });
    },
  };
}
