import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { commonErrors, conflictError, json, notFoundError } from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { collectFromBank } from '../bank-collect.js';

/** POST /bank-accounts/{id}/collect: fetch what the bank left (status reports, statements) and apply it. */

const importing = requirePermission('statements:import');
const IdParam = z.object({ id: z.string().min(1).max(100) });

const CollectSchema = z
  .object({
    bankAccountId: z.string(),
    files: z.array(
      z.object({
        name: z.string(),
        kind: z.enum(['status_report', 'statement']),
        ids: z.array(z.string()),
        newEntries: z.number().int().nullable(),
        reconciliationError: z
          .string()
          .nullable()
          .optional()
          .openapi({ description: 'A statement imported whose matching failed: why (its entries stay unmatched)' }),
      }),
    ),
    failed: z.array(z.object({ name: z.string(), error: z.string() })),
  })
  .openapi('BankCollection');

const collectDef = createRoute({
  method: 'post',
  path: '/bank-accounts/{id}/collect',
  tags: ['treasury'],
  summary: 'Collect the bank’s files over the account’s connection: pain.002 reports applied, statements imported',
  description:
    'Each file in the connection’s inbox, in name order, is recognised by its content: a pain.002 is applied to ' +
    'its payment batch (as POST /payment-status-reports), a statement imported and matched (as POST /statements). ' +
    'A handled file is archived; one that fails stays in the inbox and is listed in `failed` with its error. ' +
    'An account without a connection is 409. Safe to repeat: both paths are idempotent by content.',
  middleware: [importing] as const,
  request: { params: IdParam },
  responses: { 200: json(CollectSchema, 'What was collected'), ...commonErrors, ...notFoundError, ...conflictError },
});

export function collectRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(collectDef, async (c) =>
        c.json(
          await collectFromBank(context, c.req.valid('param').id, {
            actor: c.var.principal.id,
            requestId: c.var.requestId,
          }),
          200,
        ),
      );
    },
  };
}
