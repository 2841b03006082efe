import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../../api/context.js';
import { requirePermission } from '../../../../api/middleware/auth.js';
import { idempotent } from '../../../../api/middleware/idempotency.js';
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
} from '../../../../api/schemas.js';
import { notFound, validationError } from '../../../../core/errors.js';
import type { DomainContext } from '../../../contract.js';
import { inRequestUnit } from '../../../unit-of-work.js';
import { CalendarDate } from '../../../payments/http/schemas.js';
import { ignoreEntry, matchByHand, reverseBankMatch } from '../manual.js';
import { runReconciliation } from '../matching.js';
import { getReconciliationEntry, listExceptions, reconciliationReport } from '../queries.js';
import {
  MatchBodySchema,
  MatchSchema,
  ReasonBodySchema,
  ReconciliationEntrySchema,
  ReportSchema,
  RunBodySchema,
  RunSummarySchema,
} from './schemas.js';

/** /reconciliation, /bank-entries/{id}/match|ignore, /bank-matches/{id}/reverse: reconciling bank entries. */

const read = requirePermission('payments:read');
const work = requirePermission('reconciliation:work');
const IdParam = z.object({ id: z.string().min(1).max(100) });
const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const runDef = createRoute({
  method: 'post',
  path: '/reconciliation/run',
  tags: ['treasury'],
  summary: 'Match unmatched (and exception) bank entries now, by the rules decision treasury.reconciliation-rules',
  middleware: [work, idempotent()] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: { required: false, content: { 'application/json': { schema: RunBodySchema } } },
  },
  responses: { 200: json(RunSummarySchema, 'What the run did'), ...commonErrors, ...conflictError },
});

const exceptionsDef = createRoute({
  method: 'get',
  path: '/reconciliation/exceptions',
  tags: ['treasury'],
  summary: 'Bank entries reconciliation could not match, oldest first, with ranked suggestions',
  middleware: [read] as const,
  request: {
    query: z.object({
      bankAccountId: z.string().max(100).optional(),
      ...pageQuery({ limit: 50, max: 500, cursor: idCursor('bke') }),
    }),
  },
  responses: { 200: json(pageOf(ReconciliationEntrySchema), 'A page'), ...commonErrors },
});

const entryDef = createRoute({
  method: 'get',
  path: '/bank-entries/{id}/reconciliation',
  tags: ['treasury'],
  summary: 'A bank entry with its matches (reversed ones too), exception reason and suggestions',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(ReconciliationEntrySchema, 'The entry'), ...commonErrors, ...notFoundError },
});

const matchDef = createRoute({
  method: 'post',
  path: '/bank-entries/{id}/match',
  tags: ['treasury'],
  summary: 'Match a bank entry by hand to one or more targets with amounts (a split); audited',
  description:
    'Targets: `receivable` (id or external id; the amount is posted as a payment through the allocation ' +
    'waterfall), `outgoing_payment` (a debit settles a sent or accepted payment for its whole amount; a credit ' +
    'returns a settled one), `charge` (bank charges) and `writeoff` (a difference written off). The amounts may ' +
    'not exceed what is left of the entry; what stays left keeps the entry an exception.',
  middleware: [work, idempotent()] as const,
  request: { params: IdParam, headers: IdempotencyKeyHeader, body: jsonBody(MatchBodySchema) },
  responses: {
    200: json(ReconciliationEntrySchema, 'The entry with its matches'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...unprocessableError('A target that cannot take this entry or amount'),
  },
});

const ignoreDef = createRoute({
  method: 'post',
  path: '/bank-entries/{id}/ignore',
  tags: ['treasury'],
  summary: 'Ignore a bank entry nothing in finflow expects (an internal transfer); audited with the reason',
  middleware: [work, idempotent()] as const,
  request: { params: IdParam, headers: IdempotencyKeyHeader, body: jsonBody(ReasonBodySchema) },
  responses: {
    200: json(ReconciliationEntrySchema, 'The entry'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
  },
});

const reverseDef = createRoute({
  method: 'post',
  path: '/bank-matches/{id}/reverse',
  tags: ['treasury'],
  summary: 'Reverse a match: the receivable payment reversed (or the charge / write-off journal); audited',
  description:
    'The entry goes back to unmatched when nothing else is matched on it, and is then never confirmed ' +
    'automatically again (only suggested). A settlement or return of an outgoing payment is not reversed here ' +
    '(409 `match_not_reversible`).',
  middleware: [work, idempotent()] as const,
  request: { params: IdParam, headers: IdempotencyKeyHeader, body: jsonBody(ReasonBodySchema) },
  responses: { 200: json(MatchSchema, 'The reversed match'), ...commonErrors, ...notFoundError, ...conflictError },
});

const reportDef = createRoute({
  method: 'get',
  path: '/reconciliation/report',
  tags: ['treasury'],
  summary: 'Match rate, exceptions by age and unreconciled amounts per account and day, over booking dates',
  middleware: [read] as const,
  request: {
    query: z.object({
      from: CalendarDate.optional().openapi({ description: 'First booking date; default 30 days before `to`' }),
      to: CalendarDate.optional().openapi({ description: 'Last booking date; default today' }),
    }),
  },
  responses: { 200: json(ReportSchema, 'The report'), ...commonErrors },
});

const DAY = 86_400_000;

export function reconciliationRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(runDef, async (c) => {
        const body = c.req.valid('json') as z.infer<typeof RunBodySchema> | undefined;
        const summary = await runReconciliation((work) => inRequestUnit(context, c, work), {
          bankAccountId: body?.bankAccountId,
          includeExceptions: body?.includeExceptions ?? true,
        });
        return c.json(summary, 200);
      });

      app.openapi(exceptionsDef, async (c) => {
        const q = c.req.valid('query');
        return c.json(pageFrom(await listExceptions(c.var.database.db, q), q.limit), 200);
      });

      app.openapi(entryDef, async (c) => {
        const { id } = c.req.valid('param');
        const found = await getReconciliationEntry(c.var.database.db, id);
        if (!found) throw notFound('bank entry', id);
        return c.json(found, 200);
      });

      app.openapi(matchDef, async (c) => {
        const { id } = c.req.valid('param');
        const body = c.req.valid('json');
        return c.json(
          await inRequestUnit(context, c, (unit) => matchByHand(unit, id, body, c.var.principal.worksAs)),
          200,
        );
      });

      app.openapi(ignoreDef, async (c) => {
        const { id } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        return c.json(
          await inRequestUnit(context, c, (unit) => ignoreEntry(unit, id, reason, c.var.principal.worksAs)),
          200,
        );
      });

      app.openapi(reverseDef, async (c) => {
        const { id } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        return c.json(
          await inRequestUnit(context, c, (unit) => reverseBankMatch(unit, id, reason, c.var.principal.worksAs)),
          200,
        );
      });

      app.openapi(reportDef, async (c) => {
        const q = c.req.valid('query');
        const today = context.clock.now().toISOString().slice(0, 10);
        const to = q.to ?? today;
        const from = q.from ?? new Date(Date.parse(to) - 30 * DAY).toISOString().slice(0, 10);
        if (from > to) throw validationError([{ field: 'query.to', message: 'must not be before from' }]);
        if (Date.parse(to) - Date.parse(from) > 366 * DAY) {
          throw validationError([{ field: 'query.from', message: 'the range is at most 366 days' }]);
        }
        return c.json(await reconciliationReport(c.var.database.db, { from, to, today }), 200);
      });
    },
  };
}
