import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../api/context.js';
import { commonErrors } from '../../../api/schemas.js';
import { csvTable } from '../../../core/csv.js';
import { placementExport } from '../placements.js';
import { read, Row } from './schemas.js';

/** GET /collections/placements/export: an agency's placed accounts, as CSV or JSON. */

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

export function registerPlacementExport(app: App): void {
  app.openapi(exportDef, async (c) => {
    const { agency, format } = c.req.valid('query');
    const rows = await placementExport(c.var.database.db, agency);
    if (format === 'json') return c.json({ data: rows }, 200);
    return c.body(csvTable(EXPORT_COLUMNS, rows), 200, { 'content-type': 'text/csv; charset=utf-8' });
  });
}
