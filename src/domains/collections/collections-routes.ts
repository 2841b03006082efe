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
  unprocessableError,
} from '../../api/schemas.js';
import { notFound } from '../../core/errors.js';
import { inDomainTransaction } from '../unit-of-work.js';
import type { DomainContext } from '../contract.js';
import type { Queryable } from '../../storage/schema.js';
import { getCase, listCases, lockCase } from './cases.js';
import { DisputeInputSchema, DisputeResolutionSchema, listDisputes, openDispute, resolveDispute } from './disputes.js';
import { HardshipInputSchema, listHardships, raiseHardship } from './hardship.js';
import { endPlacement, listPlacements, placementExport } from './placements.js';
import { listPlans, PlanInputSchema, proposePlan } from './plans.js';
import { listWriteOffs, proposeWriteOff } from './write-offs.js';
import {
  CollectionsSettingsPatchSchema,
  readCollectionsSettings,
  updateCollectionsSettings,
} from './collections-settings.js';
import { ContactInputSchema, listContacts, recordContact } from './contacts.js';
import { listPromises, makePromise } from './promises.js';

/** /collections/cases (list, detail, contacts, promises) and /collections/settings. */

const CaseSchema = z
  .object({
    id: z.string().openapi({ example: 'ccase_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    receivableId: z.string(),
    customerId: z.string(),
    currency: z.string(),
    status: z.enum(['open', 'closed']),
    state: z.string().openapi({ description: 'active, promised, strategy_complete or closed' }),
    segment: z.string(),
    variant: z.string().openapi({ description: 'Champion/challenger variant of the strategy' }),
    queue: z.string(),
    decisions: z.array(z.object({ key: z.string(), version: z.number() })),
    collector: z.string().nullable(),
    instanceId: z.string().nullable(),
    openedAt: z.string(),
    openedDpd: z.number(),
    openedOverdue: z.string(),
    openedOutstanding: z.string(),
    lastStageAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    outcome: z.string().nullable().openapi({ description: 'paid or cured' }),
    recovered: z.string().openapi({ description: 'Paid since the case opened, minor units' }),
    account: z.record(z.string(), z.unknown()).openapi({ description: 'The receivable now: DPD, bucket, outstanding' }),
  })
  .openapi('CollectionCase');

const CaseDetailSchema = CaseSchema.extend({
  stages: z.array(z.record(z.string(), z.unknown())).openapi({ description: 'Stages run, in order, with results' }),
  contacts: z.array(z.record(z.string(), z.unknown())),
  promises: z.array(z.record(z.string(), z.unknown())),
  disputes: z.array(z.record(z.string(), z.unknown())),
  plans: z.array(z.record(z.string(), z.unknown())),
  hardships: z.array(z.record(z.string(), z.unknown())),
  placements: z.array(z.record(z.string(), z.unknown())),
  writeOffs: z.array(z.record(z.string(), z.unknown())),
  timeline: z.array(z.record(z.string(), z.unknown())).openapi({ description: "The case workflow's history" }),
}).openapi('CollectionCaseDetail');

const ContactSchema = z.record(z.string(), z.unknown()).openapi('CollectionContact');
const PromiseSchema = z.record(z.string(), z.unknown()).openapi('PromiseToPay');

const PromiseInputSchema = z
  .object({
    amount: z.string().regex(/^[0-9]{1,18}$/, 'must be a whole number of minor units as a string, e.g. "25000"'),
    date: z.iso.date({ error: 'must be a date, YYYY-MM-DD' }),
  })
  .strict()
  .openapi('PromiseToPayInput');

const read = requirePermission('collections:read');
const work = requirePermission('collections:work');
const manage = requirePermission('decisions:manage');
const IdParam = z.object({ id: z.string().min(1).max(100) });
const body = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });

const listDef = createRoute({
  method: 'get',
  path: '/collections/cases',
  tags: ['collections'],
  summary: 'List collection cases, newest first (filter by status, queue, segment, collector, DPD)',
  middleware: [read] as const,
  request: {
    query: z.object({
      status: z.enum(['open', 'closed']).optional(),
      segment: z.string().max(60).optional(),
      queue: z.string().max(100).optional(),
      collector: z.string().max(100).optional(),
      customer: z.string().max(100).optional().openapi({ description: 'Customer id' }),
      minDpd: z.coerce.number().int().min(0).optional(),
      maxDpd: z.coerce.number().int().min(0).optional(),
      after: z.string().max(100).optional().openapi({ description: 'The `next` of the previous page' }),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
  },
  responses: {
    200: json(z.object({ data: z.array(CaseSchema), next: z.string().nullable() }), 'A page'),
    ...commonErrors,
  },
});

const getDef = createRoute({
  method: 'get',
  path: '/collections/cases/{id}',
  tags: ['collections'],
  summary: 'A collection case: the account now, stages run, contacts, promises and the timeline',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(CaseDetailSchema, 'The case'), ...commonErrors, ...notFoundError },
});

const listContactsDef = createRoute({
  method: 'get',
  path: '/collections/cases/{id}/contacts',
  tags: ['collections'],
  summary: "A case's contact outcomes, oldest first",
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(z.object({ data: z.array(ContactSchema) }), 'Contacts'), ...commonErrors, ...notFoundError },
});

const addContactDef = createRoute({
  method: 'post',
  path: '/collections/cases/{id}/contacts',
  tags: ['collections'],
  summary: 'Record a contact outcome (new phone or email details update the customer)',
  middleware: [work] as const,
  request: { params: IdParam, body: body(ContactInputSchema.openapi('CollectionContactInput')) },
  responses: { 201: json(ContactSchema, 'Recorded'), ...commonErrors, ...notFoundError, ...conflictError },
});

const listPromisesDef = createRoute({
  method: 'get',
  path: '/collections/cases/{id}/promises',
  tags: ['collections'],
  summary: "A case's promises to pay, oldest first",
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(z.object({ data: z.array(PromiseSchema) }), 'Promises'), ...commonErrors, ...notFoundError },
});

const addPromiseDef = createRoute({
  method: 'post',
  path: '/collections/cases/{id}/promises',
  tags: ['collections'],
  summary: 'Record a promise to pay: the strategy pauses until its date, then marks it kept or broken',
  middleware: [work, idempotent({ required: true })] as const,
  request: { params: IdParam, headers: IdempotencyKeyHeader, body: body(PromiseInputSchema) },
  responses: {
    201: json(PromiseSchema, 'Recorded'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...unprocessableError('Amount above the balance, or a date in the past or more than 90 days out'),
  },
});

const Row = z.record(z.string(), z.unknown());
const Rows = (name: string) => json(z.object({ data: z.array(Row) }), name);

/** GET and POST on a case's sub-collection, in the same shape. */
function caseCollection(
  segment: string,
  names: { list: string; create: string; input: z.ZodType; created: string; idempotent?: boolean },
) {
  const list = createRoute({
    method: 'get',
    path: `/collections/cases/{id}/${segment}`,
    tags: ['collections'],
    summary: names.list,
    middleware: [read] as const,
    request: { params: IdParam },
    responses: { 200: Rows(names.list), ...commonErrors, ...notFoundError },
  });
  const create = createRoute({
    method: 'post',
    path: `/collections/cases/{id}/${segment}`,
    tags: ['collections'],
    summary: names.create,
    middleware: names.idempotent ? ([work, idempotent({ required: true })] as const) : ([work, idempotent()] as const),
    request: { params: IdParam, headers: IdempotencyKeyHeader, body: body(names.input) },
    responses: {
      201: json(Row, names.created),
      ...commonErrors,
      ...notFoundError,
      ...conflictError,
      ...unprocessableError('Refused by the rules (amount, dates), or Idempotency-Key reused'),
    },
  });
  return { list, create };
}

const disputesDefs = caseCollection('disputes', {
  list: "A case's disputes",
  create: 'Open a dispute: dunning pauses on the disputed amount until it is resolved',
  input: DisputeInputSchema.openapi('DisputeInput'),
  created: 'Opened',
});
const plansDefs = caseCollection('plans', {
  list: "A case's payment plans",
  create: 'Propose a payment plan for the arrears (approved by authority level when above the collector’s)',
  input: PlanInputSchema.openapi('PaymentPlanInput'),
  created: 'Proposed (active, or pending approval)',
  idempotent: true,
});
const hardshipDefs = caseCollection('hardship', {
  list: "A case's hardship reports",
  create: 'Report hardship: the risk and customer-care queues review it at once; dunning pauses meanwhile',
  input: HardshipInputSchema.openapi('HardshipInput'),
  created: 'Raised',
});
const writeOffDefs = caseCollection('write-offs', {
  list: "A case's write-off proposals",
  create: 'Propose writing off the outstanding balance (approved by authority level; never by the proposer)',
  input: z
    .object({ reason: z.string().trim().min(1).max(1000) })
    .strict()
    .openapi('WriteOffInput'),
  created: 'Proposed',
  idempotent: true,
});

const resolveDisputeDef = createRoute({
  method: 'post',
  path: '/collections/cases/{id}/disputes/{disputeId}/resolve',
  tags: ['collections'],
  summary: 'Resolve a dispute: valid issues a credit note, invalid resumes dunning',
  middleware: [work, idempotent()] as const,
  request: {
    params: IdParam.extend({ disputeId: z.string().min(1).max(100) }),
    headers: IdempotencyKeyHeader,
    body: body(DisputeResolutionSchema.openapi('DisputeResolution')),
  },
  responses: {
    200: json(Row, 'Resolved'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...unprocessableError('Credit amount above the disputed amount'),
  },
});

const listPlacementsDef = createRoute({
  method: 'get',
  path: '/collections/cases/{id}/placements',
  tags: ['collections'],
  summary: "A case's agency placements, with what the agency recovered and its commission",
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: Rows('Placements'), ...commonErrors, ...notFoundError },
});

const recallDef = createRoute({
  method: 'post',
  path: '/collections/cases/{id}/placements/{placementId}/recall',
  tags: ['collections'],
  summary: 'Recall an account from its agency: recoveries and commission are frozen, the strategy resumes',
  middleware: [work, idempotent()] as const,
  request: {
    params: IdParam.extend({ placementId: z.string().min(1).max(100) }),
    headers: IdempotencyKeyHeader,
    body: body(
      z
        .object({ reason: z.string().trim().min(1).max(1000) })
        .strict()
        .openapi('RecallInput'),
    ),
  },
  responses: { 200: json(Row, 'Recalled'), ...commonErrors, ...notFoundError, ...conflictError },
});

const exportDef = createRoute({
  method: 'get',
  path: '/collections/placements/export',
  tags: ['collections'],
  summary: "An agency's placed accounts (CSV for the agency's file transfer, or JSON)",
  middleware: [read] as const,
  request: {
    query: z.object({
      agency: z.string().min(1).max(60),
      format: z.enum(['csv', 'json']).default('csv'),
    }),
  },
  responses: {
    200: {
      description: 'The placed accounts',
      content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.object({ data: z.array(Row) }) } },
    },
    ...commonErrors,
  },
});

const EXPORT_COLUMNS = [
  'placement_id',
  'placed_at',
  'case_id',
  'account',
  'currency',
  'placed_amount',
  'outstanding',
  'dpd',
  'commission_rate',
  'customer',
  'name',
  'email',
  'phone',
  'address',
  'language',
] as const;

/** RFC 4180: quote every field that needs it, doubling quotes. */
function csvField(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : value instanceof Date
          ? value.toISOString()
          : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const SettingsSchema = z.record(z.string(), z.unknown()).openapi('CollectionsSettings');

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

async function assertCase(db: Queryable, id: string): Promise<void> {
  const row = await db.selectFrom('collection_cases').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('collection case', id);
}

export function collectionsRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        const data = await listCases(c.var.database.db, q);
        return c.json({ data, next: data.length === q.limit ? data[data.length - 1]!.id : null }, 200);
      });

      app.openapi(getDef, async (c) => c.json(await getCase(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(listContactsDef, async (c) => {
        const { id } = c.req.valid('param');
        await assertCase(c.var.database.db, id);
        return c.json({ data: await listContacts(c.var.database.db, id) }, 200);
      });

      app.openapi(addContactDef, async (c) => {
        const { id } = c.req.valid('param');
        const input = c.req.valid('json');
        const contact = await inDomainTransaction(
          { ...context, database: c.var.database },
          { actor: c.var.principal.id, requestId: c.var.requestId },
          (unit) => recordContact(unit, id, input, c.var.principal.name),
        ).catch(rethrowInBody);
        return c.json(contact, 201);
      });

      app.openapi(listPromisesDef, async (c) => {
        const { id } = c.req.valid('param');
        await assertCase(c.var.database.db, id);
        return c.json({ data: await listPromises(c.var.database.db, id) }, 200);
      });

      app.openapi(addPromiseDef, async (c) => {
        const { id } = c.req.valid('param');
        const input = c.req.valid('json');
        const promise = await inDomainTransaction(
          { ...context, database: c.var.database },
          { actor: c.var.principal.id, requestId: c.var.requestId },
          (unit) => makePromise(unit, id, { amount: BigInt(input.amount), date: input.date, by: c.var.principal.name }),
        );
        return c.json(promise, 201);
      });

      const inUnit = <T>(
        c: { var: { database: DomainContext['database']; principal: { id: string }; requestId: string } },
        work: Parameters<typeof inDomainTransaction<T>>[2],
      ) =>
        inDomainTransaction(
          { ...context, database: c.var.database },
          { actor: c.var.principal.id, requestId: c.var.requestId },
          work,
        );

      app.openapi(disputesDefs.list, async (c) => {
        const { id } = c.req.valid('param');
        await assertCase(c.var.database.db, id);
        return c.json({ data: await listDisputes(c.var.database.db, id) }, 200);
      });
      app.openapi(disputesDefs.create, async (c) => {
        const { id } = c.req.valid('param');
        const input = c.req.valid('json') as z.infer<typeof DisputeInputSchema>;
        const dispute = await inUnit(c, (unit) => openDispute(unit, id, input, c.var.principal.name));
        return c.json(dispute, 201);
      });
      app.openapi(resolveDisputeDef, async (c) => {
        const { id, disputeId } = c.req.valid('param');
        const input = c.req.valid('json');
        const dispute = await inUnit(c, (unit) => resolveDispute(unit, id, disputeId, input, c.var.principal.name));
        return c.json(dispute, 200);
      });

      app.openapi(plansDefs.list, async (c) => {
        const { id } = c.req.valid('param');
        await assertCase(c.var.database.db, id);
        return c.json({ data: await listPlans(c.var.database.db, id) }, 200);
      });
      app.openapi(plansDefs.create, async (c) => {
        const { id } = c.req.valid('param');
        const input = c.req.valid('json') as z.infer<typeof PlanInputSchema>;
        const plan = await inUnit(c, (unit) => proposePlan(unit, id, input, c.var.principal.name));
        return c.json(plan, 201);
      });

      app.openapi(hardshipDefs.list, async (c) => {
        const { id } = c.req.valid('param');
        await assertCase(c.var.database.db, id);
        return c.json({ data: await listHardships(c.var.database.db, id) }, 200);
      });
      app.openapi(hardshipDefs.create, async (c) => {
        const { id } = c.req.valid('param');
        const input = c.req.valid('json') as z.infer<typeof HardshipInputSchema>;
        const hardship = await inUnit(c, (unit) => raiseHardship(unit, id, input, c.var.principal.name));
        return c.json(hardship, 201);
      });

      app.openapi(writeOffDefs.list, async (c) => {
        const { id } = c.req.valid('param');
        await assertCase(c.var.database.db, id);
        return c.json({ data: await listWriteOffs(c.var.database.db, id) }, 200);
      });
      app.openapi(writeOffDefs.create, async (c) => {
        const { id } = c.req.valid('param');
        const { reason } = c.req.valid('json') as { reason: string };
        const proposal = await inUnit(c, async (unit) =>
          proposeWriteOff(unit, await lockCase(unit.tx, id), reason, c.var.principal.name),
        );
        return c.json(proposal, 201);
      });

      app.openapi(listPlacementsDef, async (c) => {
        const { id } = c.req.valid('param');
        await assertCase(c.var.database.db, id);
        return c.json({ data: await listPlacements(c.var.database.db, id) }, 200);
      });
      app.openapi(recallDef, async (c) => {
        const { id, placementId } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        const placement = await inUnit(c, (unit) =>
          endPlacement(unit, id, placementId, { status: 'recalled', reason, by: c.var.principal.name }),
        );
        return c.json(placement ?? {}, 200);
      });

      app.openapi(exportDef, async (c) => {
        const { agency, format } = c.req.valid('query');
        const rows = await placementExport(c.var.database.db, agency);
        if (format === 'json') return c.json({ data: rows }, 200);
        const lines = [
          EXPORT_COLUMNS.join(','),
          ...rows.map((row) => EXPORT_COLUMNS.map((k) => csvField(row[k])).join(',')),
        ];
        return c.body(`${lines.join('\r\n')}\r\n`, 200, { 'content-type': 'text/csv; charset=utf-8' });
      });

      app.openapi(getSettingsDef, async (c) => c.json(await readCollectionsSettings(c.var.database.db), 200));

      app.openapi(putSettingsDef, async (c) => {
        const patch = c.req.valid('json');
        const settings = await c.var.database.transaction((tx) =>
          updateCollectionsSettings(
            tx,
            patch,
            { actor: c.var.principal.id, requestId: c.var.requestId },
            context.clock,
          ),
        );
        return c.json(settings, 200);
      });
    },
  };
}
