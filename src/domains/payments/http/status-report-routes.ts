import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import {
  commonErrors,
  conflictError,
  idCursor,
  json,
  notFoundError,
  pageFrom,
  pageOf,
  pageQuery,
  problem,
} from '../../../api/schemas.js';
import { AppError } from '../../../core/errors.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { applyStatusReport } from '../status-report-apply.js';
import { getStatusReport, listStatusReports } from '../status-reports.js';
import { StatusReportResultSchema, StatusReportSchema, StatusReportSummarySchema } from './status-report-schemas.js';

/**
 * /payment-status-reports: the bank's pain.002 answers to released payment files, applied to their
 * batch and payments (status-report-apply.ts) and kept. See docs/payments.md (Status reports).
 */

const REPORT_TYPES = new Set(['application/xml', 'text/xml', 'application/octet-stream']);
const read = requirePermission('payments:read');
const status = requirePermission('payments:status');
const FileBody = z.string().openapi({ format: 'binary' });

const postDef = createRoute({
  method: 'post',
  path: '/payment-status-reports',
  tags: ['payments'],
  summary: 'Apply a pain.002 status report to the payment batch it answers and its payments',
  description:
    'The body is the raw pain.002 file (`application/xml`; any version, banks’ own namespaces too). The batch ' +
    'is found by the original message id (OrgnlMsgId). RJCT at the group, payment information or transaction ' +
    'level rejects those payments (their ledger holds voided, `payment.rejected` with the reason); ACCP, ACTC, ' +
    'ACSP, ACSC, ACWC… accept sent payments; nothing moves backwards. One transaction: a report is applied ' +
    'whole or not at all. 201 when applied; 200 with `alreadyApplied: true` for the same report again ' +
    '(same message id and bytes), nothing changed. 400 naming the element path for a malformed file; 422 ' +
    '`payment_batch_unknown` for an original message id no batch has; 409 `batch_state` for a batch not ' +
    'released, `status_report_conflict` for another report under a message id already applied.',
  middleware: [status] as const,
  request: {
    body: { required: true, content: { 'application/xml': { schema: FileBody } } },
  },
  responses: {
    200: json(StatusReportResultSchema, 'Applied before: nothing changed'),
    201: json(StatusReportResultSchema, 'Applied: the report, and the batch with its payments as they are now'),
    ...commonErrors,
    ...conflictError,
    415: problem('Not an XML media type'),
    422: problem('The report answers a message that is no payment batch'),
  },
});

const listDef = createRoute({
  method: 'get',
  path: '/payment-status-reports',
  tags: ['payments'],
  summary: 'List applied pain.002 status reports, newest first',
  middleware: [read] as const,
  request: {
    query: z.object({
      batchId: z.string().max(100).optional().openapi({ description: 'Only the reports on this batch' }),
      ...pageQuery({ limit: 50, max: 500, cursor: idCursor('psr') }),
    }),
  },
  responses: { 200: json(pageOf(StatusReportSummarySchema), 'A page'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/payment-status-reports/{id}',
  tags: ['payments'],
  summary: 'A status report: what it said at each level and what it changed',
  middleware: [read] as const,
  request: { params: z.object({ id: z.string().min(1).max(100) }) },
  responses: { 200: json(StatusReportSchema, 'The report'), ...commonErrors, ...notFoundError },
});

const mediaType = (value: string | undefined) => (value ?? '').split(';')[0]!.trim().toLowerCase();

export function statusReportRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(postDef, async (c) => {
        const type = mediaType(c.req.header('content-type'));
        if (type !== '' && !REPORT_TYPES.has(type)) {
          throw new AppError(
            'unsupported_media_type',
            415,
            `a pain.002 status report is sent as application/xml, not ${type}`,
            { field: 'header.content-type' },
          );
        }
        const bytes = new Uint8Array(await c.req.arrayBuffer());
        const result = await inRequestUnit(context, c, (unit) =>
          applyStatusReport(unit, bytes, c.var.principal.worksAs),
        );
        return c.json(result, result.alreadyApplied ? 200 : 201);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        return c.json(pageFrom(await listStatusReports(c.var.database.db, q), q.limit), 200);
      });

      app.openapi(getDef, async (c) => c.json(await getStatusReport(c.var.database.db, c.req.valid('param').id), 200));
    },
  };
}
