import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { idempotent } from '../../../api/middleware/idempotency.js';
import {
  commonErrors,
  conflictError,
  idCursor,
  IdempotencyKeyHeader,
  json,
  notFoundError,
  pageFrom,
  pageOf,
  pageQuery,
  unprocessableError,
} from '../../../api/schemas.js';
import { validationError } from '../../../core/errors.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { cancelPayment } from '../cancellation.js';
import { createPayment, getPayment, listPayments, PAYMENT_STATUSES } from '../instructions.js';
import { CalendarDate, PaymentDetailSchema, PaymentInputSchema, PaymentSchema, Reason } from './schemas.js';

/**
 * /payments: outgoing payment instructions — created by API (an Idempotency-Key is required: a
 * retry must never pay twice), approved through the approval workflow's tasks, cancelled before
 * release. (Incoming customer payments are the receivables' /receivables/{id}/payments.)
 */

const read = requirePermission('payments:read');
const initiate = requirePermission('payments:initiate');
const IdParam = z.object({ id: z.string().min(1).max(100) });

const createDef = createRoute({
  method: 'post',
  path: '/payments',
  tags: ['payments'],
  summary: 'Create a payment instruction; its approval (by the approval matrix) starts at once',
  description:
    'An Idempotency-Key is required: the same key and body again returns the same payment, the key with another ' +
    'body is 422. Refusals name the field: 400 for malformed input, ' +
    '422 for an unknown or closed bank account or beneficiary, a currency other than the account’s, a value date ' +
    'in the past or on a weekend; 409 `beneficiary_blocked`, `end_to_end_id_taken`, `duplicate_source_ref`. ' +
    'Events: `payment.pending_approval`, then `payment.approved` / `payment.rejected` / `payment.cancelled`.',
  middleware: [initiate, idempotent({ required: true })] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: { required: true, content: { 'application/json': { schema: PaymentInputSchema } } },
  },
  responses: {
    201: json(PaymentSchema, 'Created, pending approval'),
    ...commonErrors,
    ...conflictError,
    ...unprocessableError(
      'Unknown bank account or beneficiary, a refused value date or currency, or Idempotency-Key reused',
    ),
  },
});

const listDef = createRoute({
  method: 'get',
  path: '/payments',
  tags: ['payments'],
  summary: 'List payment instructions, newest first, with cursor paging',
  middleware: [read] as const,
  request: {
    query: z.object({
      status: z.enum(PAYMENT_STATUSES).optional(),
      beneficiary: z.string().max(100).optional().openapi({ description: 'Beneficiary id' }),
      account: z.string().max(100).optional().openapi({ description: 'Bank account id (the debtor account)' }),
      from: CalendarDate.optional().openapi({ description: 'Requested execution date on or after' }),
      to: CalendarDate.optional().openapi({ description: 'Requested execution date on or before' }),
      ...pageQuery({ limit: 50, max: 500, cursor: idCursor('pmt') }),
    }),
  },
  responses: { 200: json(pageOf(PaymentSchema), 'A page'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/payments/{id}',
  tags: ['payments'],
  summary: 'A payment instruction with its approvals, status history and approval tasks',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(PaymentDetailSchema, 'The payment'), ...commonErrors, ...notFoundError },
});

const cancelDef = createRoute({
  method: 'post',
  path: '/payments/{id}/cancel',
  tags: ['payments'],
  summary: 'Cancel a payment before release: its approval tasks are cancelled and its ledger hold voided',
  description: '409 `payment_state` once it is in a payment file (batched or later), rejected or cancelled.',
  middleware: [initiate, idempotent()] as const,
  request: {
    params: IdParam,
    headers: IdempotencyKeyHeader,
    body: {
      required: false,
      content: { 'application/json': { schema: z.object({ reason: Reason.optional() }).strict() } },
    },
  },
  responses: {
    200: json(PaymentSchema, 'Cancelled'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...unprocessableError('Idempotency-Key reused with a different request'),
  },
});

export function paymentRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(createDef, async (c) => {
        const input = c.req.valid('json');
        const payment = await inRequestUnit(context, c, (unit) => createPayment(unit, input, c.var.principal.worksAs));
        return c.json(payment, 201);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        if (q.from && q.to && q.from > q.to) {
          throw validationError([{ field: 'query.to', message: 'must not be before query.from' }]);
        }
        return c.json(pageFrom(await listPayments(c.var.database.db, q), q.limit), 200);
      });

      app.openapi(getDef, async (c) => c.json(await getPayment(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(cancelDef, async (c) => {
        const { id } = c.req.valid('param');
        const { reason } = c.req.valid('json'); // {} when no body was sent
        const payment = await inRequestUnit(context, c, (unit) =>
          cancelPayment(unit, id, c.var.principal.worksAs, reason ?? null),
        );
        return c.json(payment, 200);
      });
    },
  };
}
