import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import {
  commonErrors,
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
import { importAndMatch } from '../statement-intake.js';
import { getStatement, listEntries, listStatements } from '../statement-queries.js';
import { EntrySchema, StatementImportSchema, StatementSchema } from './schemas.js';

/** /statements and /bank-entries: bank statements in, and the entries they booked. */

/** A 100 000-entry camt.053 is 60–80 MB; the rest of the API keeps its 10 MB limit. */
export const MAX_STATEMENT_BYTES = 256 * 1024 * 1024;
const STATEMENT_TYPES = new Set(['application/xml', 'text/xml', 'text/plain', 'application/octet-stream']);

const read = requirePermission('payments:read');
const importing = requirePermission('statements:import');
const IdParam = z.object({ id: z.string().min(1).max(100) });
const FileBody = z.string().openapi({ format: 'binary' });

const importDef = createRoute({
  method: 'post',
  path: '/statements',
  tags: ['treasury'],
  summary:
    'Import a bank statement file (camt.052/053/054 any version, MT940); the format and account come from the file',
  description:
    'The body is the raw file: `application/xml` (or `text/xml`) for ISO 20022, `text/plain` for MT940 ' +
    '(`application/octet-stream` also taken; the format is recognised from the content). Read as a stream ' +
    `(up to ${MAX_STATEMENT_BYTES / 1024 / 1024} MB) and imported in one transaction; the new entries are then ` +
    'matched (reconciliation) in a transaction of their own, summarised in `reconciliation`. Idempotent by content: ' +
    'an entry already imported (from any file) is not added again; a statement imported before that brings ' +
    'nothing new names the earlier import in `alreadyImportedAs`. A file that cannot be read is 400 naming the ' +
    'element path or line; a statement for an unknown account, or an entry in another currency than its ' +
    'account, is 422; nothing of such a file is imported.',
  middleware: [importing] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/xml': { schema: FileBody },
        'text/plain': { schema: FileBody },
      },
    },
  },
  responses: {
    201: json(StatementImportSchema, 'Imported: the statements read, their entries and how many were new'),
    ...commonErrors,
    415: problem('Not a statement media type'),
    413: problem('The file is larger than the limit'),
    422: problem('A statement for an account finflow does not know, or in another currency'),
  },
});

const listDef = createRoute({
  method: 'get',
  path: '/statements',
  tags: ['treasury'],
  summary: 'List imported statements, oldest first',
  middleware: [read] as const,
  request: {
    query: z.object({
      bankAccountId: z.string().max(100).optional(),
      ...pageQuery({ limit: 50, max: 500, cursor: idCursor('bst') }),
    }),
  },
  responses: { 200: json(pageOf(StatementSchema), 'A page'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/statements/{id}',
  tags: ['treasury'],
  summary: 'An imported statement',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(StatementSchema, 'The statement'), ...commonErrors, ...notFoundError },
});

const entriesDef = createRoute({
  method: 'get',
  path: '/bank-entries',
  tags: ['treasury'],
  summary: 'List booked bank entries, oldest first, by account, statement or reconciliation status',
  middleware: [read] as const,
  request: {
    query: z.object({
      bankAccountId: z.string().max(100).optional(),
      statementId: z.string().max(100).optional(),
      status: z.enum(['unmatched', 'matched', 'exception', 'ignored']).optional(),
      ...pageQuery({ limit: 100, max: 1000, cursor: idCursor('bke') }),
    }),
  },
  responses: { 200: json(pageOf(EntrySchema), 'A page'), ...commonErrors },
});

const mediaType = (value: string | undefined) => (value ?? '').split(';')[0]!.trim().toLowerCase();

export function statementRoutes(context: DomainContext): RouteModule {
  return {
    largeBodies: [{ path: '/statements', maxBytes: MAX_STATEMENT_BYTES }],
    register(app: App) {
      app.openapi(importDef, async (c) => {
        const type = mediaType(c.req.header('content-type'));
        if (type !== '' && !STATEMENT_TYPES.has(type)) {
          throw new AppError(
            'unsupported_media_type',
            415,
            `a statement is sent as application/xml (ISO 20022) or text/plain (MT940), not ${type}`,
            { field: 'header.content-type' },
          );
        }
        const body = c.req.raw.body;
        if (!body) throw new AppError('validation_failed', 400, 'the statement file is missing', { field: 'body' });
        const { result, reconciliation, reconciliationError } = await importAndMatch(
          (work) => inRequestUnit(context, c, work),
          body,
        );
        const { fileSha256, statements, entries, newEntries } = result;
        return c.json({ fileSha256, statements, entries, newEntries, reconciliation, reconciliationError }, 201);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        return c.json(pageFrom(await listStatements(c.var.database.db, q), q.limit), 200);
      });

      app.openapi(getDef, async (c) => c.json(await getStatement(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(entriesDef, async (c) => {
        const q = c.req.valid('query');
        return c.json(pageFrom(await listEntries(c.var.database.db, q), q.limit), 200);
      });
    },
  };
}
