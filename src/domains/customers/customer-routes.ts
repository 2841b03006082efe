import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../api/context.js';
import { rethrowInBody } from '../../api/located.js';
import { requirePermission } from '../../api/middleware/auth.js';
import { idempotent } from '../../api/middleware/idempotency.js';
import {
  commonErrors,
  IdempotencyKeyHeader,
  idempotencyErrors,
  json,
  notFoundError,
  pageFrom,
  pageOf,
  pageQuery,
} from '../../api/schemas.js';
import { inRequestUnit } from '../unit-of-work.js';
import type { DomainContext } from '../contract.js';
import { CustomerPatchSchema, CustomerUpsertSchema } from './customer-input.js';
import { getCustomer, listCustomers, patchCustomer, rateCustomer, upsertCustomer } from './customer-service.js';
import { ratingHistory } from './ratings.js';

/** /customers: create or update by external id, read, change fields, rate, list. */

export const CustomerSchema = z
  .object({
    id: z.string().openapi({ example: 'cus_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    externalId: z.string().openapi({ example: 'C-1001' }),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    address: z.record(z.string(), z.string()).nullable(),
    language: z.string().openapi({ example: 'es' }),
    timeZone: z.string().openapi({ example: 'Europe/Madrid' }),
    segment: z.string().nullable(),
    riskRating: z.string().nullable(),
    creditLimit: z.string().nullable().openapi({ description: 'Minor units', example: '500000' }),
    limitCurrency: z.string().nullable(),
    exposure: z.string().openapi({ description: 'Outstanding receivables, minor units' }),
    creditBalances: z.record(z.string(), z.string()).openapi({ description: 'Overpayments held, per currency' }),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Customer');

const read = requirePermission('receivables:read');
const write = requirePermission('receivables:write');
const IdParam = z.object({ id: z.string().min(1).max(120).openapi({ description: 'Customer id or external id' }) });

const upsertDef = createRoute({
  method: 'post',
  path: '/customers',
  tags: ['customers'],
  summary: 'Create a customer, or update the one with this externalId',
  description: 'Omitted fields keep their value. 201 when created, 200 when updated or unchanged.',
  middleware: [write, idempotent()] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: {
      required: true,
      content: { 'application/json': { schema: CustomerUpsertSchema.openapi('CustomerUpsert') } },
    },
  },
  responses: {
    201: json(CustomerSchema, 'Created'),
    200: json(CustomerSchema, 'Updated or unchanged'),
    ...commonErrors,
    ...idempotencyErrors,
  },
});

const getDef = createRoute({
  method: 'get',
  path: '/customers/{id}',
  tags: ['customers'],
  summary: 'A customer with its risk-rating history',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: {
    200: json(
      CustomerSchema.extend({
        ratingHistory: z.array(
          z.object({
            rating: z.string(),
            previous: z.string().nullable(),
            reason: z.string().nullable(),
            ratedAt: z.string(),
            ratedBy: z.string(),
          }),
        ),
      }),
      'The customer',
    ),
    ...commonErrors,
    ...notFoundError,
  },
});

const patchDef = createRoute({
  method: 'patch',
  path: '/customers/{id}',
  tags: ['customers'],
  summary: 'Change some fields of a customer',
  middleware: [write] as const,
  request: {
    params: IdParam,
    body: { required: true, content: { 'application/json': { schema: CustomerPatchSchema.openapi('CustomerPatch') } } },
  },
  responses: { 200: json(CustomerSchema, 'The customer after the change'), ...commonErrors, ...notFoundError },
});

const rateDef = createRoute({
  method: 'post',
  path: '/customers/{id}/risk-rating',
  tags: ['customers'],
  summary: 'Set the risk rating (history kept; a worse rating publishes customer.risk_rating_worsened)',
  middleware: [write] as const,
  request: {
    params: IdParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({ rating: z.string().min(1).max(20), reason: z.string().min(1).max(1000) }).strict(),
        },
      },
    },
  },
  responses: { 200: json(CustomerSchema, 'The customer after the change'), ...commonErrors, ...notFoundError },
});

const listDef = createRoute({
  method: 'get',
  path: '/customers',
  tags: ['customers'],
  summary: 'List customers',
  middleware: [read] as const,
  request: {
    query: z.object({
      segment: z.string().max(50).optional(),
      riskRating: z.string().max(20).optional(),
      overLimit: z
        .enum(['true', 'false'])
        .optional()
        .openapi({ description: 'Only customers whose exposure exceeds their limit' }),
      search: z.string().max(100).optional().openapi({ description: 'Part of the name or external id' }),
      ...pageQuery({ limit: 100, max: 1000 }),
    }),
  },
  responses: {
    200: json(pageOf(CustomerSchema), 'A page of customers by id'),
    ...commonErrors,
  },
});

export function customerRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(upsertDef, async (c) => {
        const body = c.req.valid('json');
        const { customer, status } = await inRequestUnit(context, c, (unit) => upsertCustomer(unit, body)).catch(
          rethrowInBody,
        );
        return c.json(customer, status === 'created' ? 201 : 200);
      });

      app.openapi(getDef, async (c) => {
        const customer = await getCustomer(c.var.database.db, c.req.valid('param').id);
        return c.json({ ...customer, ratingHistory: await ratingHistory(c.var.database.db, customer.id) }, 200);
      });

      app.openapi(patchDef, async (c) => {
        const customer = await getCustomer(c.var.database.db, c.req.valid('param').id);
        const patch = c.req.valid('json');
        const updated = await inRequestUnit(context, c, (unit) => patchCustomer(unit, customer.id, patch)).catch(
          rethrowInBody,
        );
        return c.json(updated, 200);
      });

      app.openapi(rateDef, async (c) => {
        const customer = await getCustomer(c.var.database.db, c.req.valid('param').id);
        const body = c.req.valid('json');
        const updated = await inRequestUnit(context, c, (unit) => rateCustomer(unit, customer.id, body)).catch(
          rethrowInBody,
        );
        return c.json(updated, 200);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        const data = await listCustomers(c.var.database.db, { ...q, overLimit: q.overLimit === 'true' });
        return c.json(pageFrom(data, q.limit), 200);
      });
    },
  };
}
