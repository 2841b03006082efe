import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../api/context.js';
import { rethrowInBody } from '../../../api/located.js';
import { idempotent } from '../../../api/middleware/idempotency.js';
import {
  commonErrors,
  conflictError,
  IdempotencyKeyHeader,
  json,
  notFoundError,
  unprocessableError,
  pageFrom,
  pageOf,
  pageQuery,
} from '../../../api/schemas.js';
import { inRequestUnit } from '../../unit-of-work.js';
import type { DomainContext } from '../../contract.js';
import { getCase, listCases } from '../cases/case-views.js';
import { ContactInputSchema, listContacts, recordContact } from '../contacts.js';
import { listPromises, makePromise } from '../promises.js';
import { assertCase } from './route-kit.js';
import {
  body,
  CaseDetailSchema,
  CaseSchema,
  ContactSchema,
  IdParam,
  PromiseInputSchema,
  PromiseSchema,
  read,
  work,
} from './schemas.js';

/** /collections/cases: the list, one case, its contacts and promises to pay. */

const listDef = createRoute({
  method: 'get',
  path: '/collections/cases',
  tags: ['collections'],
  summary:
    'List collection cases, newest first (filter by status, queue, segment, collector, DPD, bucket, variant, state, stage)',
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
      bucket: z.string().max(60).optional().openapi({ description: "The account's DPD bucket now, e.g. 31-60" }),
      variant: z.string().max(60).optional().openapi({ description: 'Champion/challenger variant' }),
      state: z.string().max(60).optional().openapi({ description: 'Case state: active, promised, plan, disputed…' }),
      stage: z
        .string()
        .max(80)
        .optional()
        .openapi({ description: 'The strategy stage the case reached (its latest stage run), e.g. call_30' }),
      ...pageQuery({ limit: 50, max: 500 }),
    }),
  },
  responses: {
    200: json(pageOf(CaseSchema), 'A page'),
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

export function registerCaseRoutes(app: App, context: DomainContext): void {
  app.openapi(listDef, async (c) => {
    const q = c.req.valid('query');
    const data = await listCases(c.var.database.db, q);
    return c.json(pageFrom(data, q.limit), 200);
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
    const contact = await inRequestUnit(context, c, (unit) =>
      recordContact(unit, id, input, c.var.principal.worksAs),
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
    const promise = await inRequestUnit(context, c, (unit) =>
      makePromise(unit, id, { amount: BigInt(input.amount), date: input.date, by: c.var.principal.worksAs }),
    );
    return c.json(promise, 201);
  });
}
