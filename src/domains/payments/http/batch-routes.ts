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
  problem,
  unprocessableError,
} from '../../../api/schemas.js';
import { validationError } from '../../../core/errors.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import type { BatchDelivery } from '../batch-delivery.js';
import { cancelBatch, releaseBatch } from '../batch-release.js';
import { BATCH_STATUSES, getBatch, getBatchFile, listBatches } from '../batches.js';
import { createBatches } from '../batching.js';
import { batchStatusReports } from '../status-reports.js';
import { BatchRunInputSchema, BatchRunSchema, PaymentBatchDetailSchema, PaymentBatchSchema } from './batch-schemas.js';
import { PaymentBatchWithReportsSchema } from './status-report-schemas.js';
import { CalendarDate, Reason } from './schemas.js';

/**
 * /payment-batches: approved payments batched into pain.001 files (one per debtor account, value
 * date and method, each valid against its XSD), released to the bank through the delivery port, or
 * cancelled before release. See docs/payments.md (Batching; Release and the outbox).
 */

const read = requirePermission('payments:read');
const initiate = requirePermission('payments:initiate');
const release = requirePermission('payments:release');
const IdParam = z.object({ id: z.string().min(1).max(100) });

const createDef = createRoute({
  method: 'post',
  path: '/payment-batches',
  tags: ['payments'],
  summary: 'Batch every approved payment not yet in a batch into pain.001 files, one per account × value date × method',
  description:
    'An Idempotency-Key is required. Optional filters: `bankAccountId`, `valueDateUpTo` (requested execution ' +
    'date on or before), `maxPerFile`. Each file is written in its bank account’s pain.001 version and validated ' +
    'against its XSD; a file that cannot be written or is invalid refuses the whole run (422 naming the payments ' +
    'and fields), and nothing is batched. Payments move approved → batched (`payment.batched`). 201 with the ' +
    'batches created; 200 with an empty `data` when nothing was batchable. Two runs at once never batch one payment twice.',
  middleware: [initiate, idempotent({ required: true })] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: { required: false, content: { 'application/json': { schema: BatchRunInputSchema } } },
  },
  responses: {
    200: json(BatchRunSchema, 'Nothing to batch: an empty list'),
    201: json(BatchRunSchema, 'The batches created, with their payments'),
    ...commonErrors,
    ...unprocessableError(
      'An unknown or closed bank account, a file the writer or its XSD refuses, or Idempotency-Key reused',
    ),
  },
});

const listDef = createRoute({
  method: 'get',
  path: '/payment-batches',
  tags: ['payments'],
  summary: 'List payment batches, newest first, with cursor paging',
  middleware: [read] as const,
  request: {
    query: z.object({
      status: z.enum(BATCH_STATUSES).optional(),
      account: z.string().max(100).optional().openapi({ description: 'Bank account id (the debtor account)' }),
      from: CalendarDate.optional().openapi({ description: 'Value date on or after' }),
      to: CalendarDate.optional().openapi({ description: 'Value date on or before' }),
      ...pageQuery({ limit: 50, max: 500, cursor: idCursor('pbt') }),
    }),
  },
  responses: { 200: json(pageOf(PaymentBatchSchema), 'A page'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/payment-batches/{id}',
  tags: ['payments'],
  summary: 'A payment batch with its payments and the bank’s status reports on it',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(PaymentBatchWithReportsSchema, 'The batch'), ...commonErrors, ...notFoundError },
});

const fileDef = createRoute({
  method: 'get',
  path: '/payment-batches/{id}/file',
  tags: ['payments'],
  summary: 'The batch’s pain.001 file, byte for byte as it was written (and released)',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The pain.001 XML',
      content: { 'application/xml': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...commonErrors,
    ...notFoundError,
  },
});

const releaseDef = createRoute({
  method: 'post',
  path: '/payment-batches/{id}/release',
  tags: ['payments'],
  summary: 'Release a batch: validate its file against its XSD again and hand it to the bank delivery',
  description:
    'The payments move batched → sent (`payment.sent`). Idempotent by itself (no Idempotency-Key): a released ' +
    'batch answers as it is and is never sent twice; a batch left `releasing` by a crash or a failed delivery is ' +
    'completed by releasing it again. 409 `batch_state` (cancelled), `bank_delivery_unavailable` (no data folder ' +
    'for the outbox), `outbox_file_differs`, `payment_file_changed`, `value_date_closed` (the bank no longer ' +
    "executes on the batch's value date — passed, past its cut-off or a holiday of its calendar: cancel the batch " +
    'and batch its payments again); 422 `payment_file_invalid`; 503 ' +
    '`bank_delivery_failed` (release again).',
  middleware: [release] as const,
  request: { params: IdParam },
  responses: {
    200: json(PaymentBatchDetailSchema, 'Released (or already released)'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...unprocessableError('The stored file is not valid against its XSD'),
    503: problem('The delivery failed; the batch stays releasing: release it again'),
  },
});

const cancelDef = createRoute({
  method: 'post',
  path: '/payment-batches/{id}/cancel',
  tags: ['payments'],
  summary: 'Cancel a batch before release: its payments return to approved (its file is kept, never sent)',
  description: '409 `batch_state` once release has started (`releasing`, `released`…) or when already cancelled.',
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
    200: json(PaymentBatchDetailSchema, 'Cancelled'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...unprocessableError('Idempotency-Key reused with a different request'),
  },
});

export function batchRoutes(context: DomainContext, delivery: BatchDelivery | undefined): RouteModule {
  return {
    register(app: App) {
      app.openapi(createDef, async (c) => {
        const filter = c.req.valid('json'); // {} when no body was sent
        const batches = await inRequestUnit(context, c, (unit) => createBatches(unit, filter, c.var.principal.worksAs));
        return batches.length > 0 ? c.json({ data: batches }, 201) : c.json({ data: batches }, 200);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        if (q.from && q.to && q.from > q.to) {
          throw validationError([{ field: 'query.to', message: 'must not be before query.from' }]);
        }
        return c.json(pageFrom(await listBatches(c.var.database.db, q), q.limit), 200);
      });

      app.openapi(getDef, async (c) => {
        const batch = await getBatch(c.var.database.db, c.req.valid('param').id);
        return c.json({ ...batch, statusReports: await batchStatusReports(c.var.database.db, batch.id) }, 200);
      });

      app.openapi(fileDef, async (c) => {
        const file = await getBatchFile(c.var.database.db, c.req.valid('param').id);
        return c.body(new Uint8Array(file.content), 200, {
          'content-type': 'application/xml; charset=utf-8',
          'content-disposition': `attachment; filename="${file.name}"`,
          'cache-control': 'private, no-store',
        });
      });

      app.openapi(releaseDef, async (c) => {
        const { id } = c.req.valid('param');
        // Its own transactions (batch-release.ts explains the order): the request's database, never joined.
        const batch = await releaseBatch(
          { ...context, database: c.var.database },
          { actor: c.var.principal.id, requestId: c.var.requestId, by: c.var.principal.worksAs },
          id,
          delivery,
        );
        return c.json(batch, 200);
      });

      app.openapi(cancelDef, async (c) => {
        const { id } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        const batch = await inRequestUnit(context, c, (unit) =>
          cancelBatch(unit, id, c.var.principal.worksAs, reason ?? null),
        );
        return c.json(batch, 200);
      });
    },
  };
}
