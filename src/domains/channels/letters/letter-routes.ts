import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import {
  commonErrors,
  conflictError,
  json,
  notFoundError,
  problem,
  pageFrom,
  pageOf,
  pageQuery,
} from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { getLetter, getLetterPdf, listLetters, markLetterPrinted } from './letter-store.js';

/**
 * /channels/letters: the letters letter.send rendered, for the print-and-mail provider to fetch
 * (the list of ready ones, each PDF) and to mark printed once it has them.
 */

const LetterSchema = z
  .object({
    id: z.string().openapi({ example: 'ltr_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    customerId: z.string(),
    template: z.string(),
    locale: z.string().openapi({ description: 'The template locale rendered', example: 'es' }),
    subject: z.string().openapi({ description: 'The heading printed on the letter' }),
    recipient: z
      .object({
        name: z.string(),
        lines: z.array(z.string()).openapi({ description: 'The address block below the name, as printed' }),
        address: z.record(z.string(), z.string()).openapi({ description: "The customer's address when rendered" }),
      })
      .openapi({ description: 'Who and where, as printed on the letter' }),
    pages: z.number().int(),
    size: z.number().int().openapi({ description: 'Bytes of the PDF' }),
    status: z.enum(['ready', 'printed']),
    instanceId: z.string().nullable(),
    stepId: z.string().nullable(),
    messageId: z.string().nullable().openapi({ description: 'The channel message that reports it' }),
    createdAt: z.string(),
    printedAt: z.string().nullable(),
    printedBy: z.string().nullable(),
  })
  .openapi('Letter');

const read = requirePermission('channels:read');
const write = requirePermission('channels:write');
const IdParam = z.object({ id: z.string().min(1).max(120) });

const listDef = createRoute({
  method: 'get',
  path: '/channels/letters',
  tags: ['channels'],
  summary: 'Letters, newest first (ready ones are for the print-and-mail provider)',
  middleware: [read] as const,
  request: {
    query: z.object({
      status: z.enum(['ready', 'printed']).optional(),
      customer: z.string().max(120).optional().openapi({ description: 'Customer id' }),
      ...pageQuery({ limit: 100, max: 500 }),
    }),
  },
  responses: {
    200: json(pageOf(LetterSchema), 'A page of letters'),
    ...commonErrors,
  },
});

const getDef = createRoute({
  method: 'get',
  path: '/channels/letters/{id}',
  tags: ['channels'],
  summary: "One letter's metadata",
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(LetterSchema, 'The letter'), ...commonErrors, ...notFoundError },
});

const pdfDef = createRoute({
  method: 'get',
  path: '/channels/letters/{id}/pdf',
  tags: ['channels'],
  summary: 'The letter as printed: an A4 PDF with its font embedded',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The PDF',
      content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...commonErrors,
    ...notFoundError,
  },
});

const printedDef = createRoute({
  method: 'post',
  path: '/channels/letters/{id}/printed',
  tags: ['channels'],
  summary: 'Mark a letter printed: the print-and-mail provider has it (audited; once only)',
  middleware: [write] as const,
  request: { params: IdParam },
  responses: {
    200: json(LetterSchema, 'The letter, printed'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    409: problem('The letter was already marked printed'),
  },
});

export function letterRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        const data = await listLetters(c.var.database.db, q);
        return c.json(pageFrom(data, q.limit), 200);
      });

      app.openapi(getDef, async (c) => c.json(await getLetter(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(pdfDef, async (c) => {
        const { id } = c.req.valid('param');
        const pdf = await getLetterPdf(c.var.database.db, id);
        return c.body(new Uint8Array(pdf), 200, {
          'content-type': 'application/pdf',
          'content-disposition': `inline; filename="${id}.pdf"`,
          'cache-control': 'private, no-store',
        });
      });

      app.openapi(printedDef, async (c) => {
        const { id } = c.req.valid('param');
        const letter = await inRequestUnit(context, c, (unit) => markLetterPrinted(unit, id, c.var.principal.worksAs));
        return c.json(letter, 200);
      });
    },
  };
}
