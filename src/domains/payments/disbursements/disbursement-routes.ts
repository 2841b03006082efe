import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { idempotent } from '../../../api/middleware/idempotency.js';
import { commonErrors, IdempotencyKeyHeader, json, unprocessableError } from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { listDisbursements, runDisbursements } from './disbursements.js';

/** /disbursements: credit's pending loan payouts, and the run making them payment instructions. */

const read = requirePermission('payments:read');
const initiate = requirePermission('payments:initiate');

const RunBodySchema = z
  .object({
    bankAccountId: z.string().min(1).max(100).optional().openapi({
      description: 'The debtor account; default: the only active bank account in each payout’s currency',
      example: 'bac_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z',
    }),
  })
  .strict()
  .openapi('DisbursementRunInput');

const RunResultSchema = z
  .object({
    asOf: z.string(),
    created: z.array(
      z.object({
        transferId: z.string().openapi({ description: 'The pending loan.payout ledger transfer' }),
        paymentId: z.string(),
        customerId: z.string(),
        beneficiaryId: z.string(),
        loanExternalId: z.string(),
        amount: z.string(),
        currency: z.string(),
        requestedExecutionDate: z.string(),
      }),
    ),
    skipped: z.array(
      z.object({
        transferId: z.string(),
        customerId: z.string().nullable(),
        reason: z.enum(['no_beneficiary', 'beneficiary_not_verified', 'no_bank_account_in_currency']),
      }),
    ),
  })
  .openapi('DisbursementRunResult');

const DisbursementSchema = z
  .object({
    transferId: z.string(),
    amount: z.string(),
    currency: z.string(),
    receivableId: z.string().nullable(),
    customerId: z.string().nullable(),
    loanExternalId: z.string().nullable(),
    bookedAt: z.string(),
    payment: z.object({ id: z.string(), status: z.string() }).nullable(),
  })
  .openapi('Disbursement');

const runDef = createRoute({
  method: 'post',
  path: '/disbursements/run',
  tags: ['payments'],
  summary: 'Make a payment instruction of every pending loan payout to its borrower (each payout at most once)',
  description:
    'Each pending `loan.payout` ledger transfer not yet carried by a payment becomes one instruction (source ' +
    '`disbursement`, sourceRef the transfer id) to the borrower’s verified beneficiary of kind `customer`, its ' +
    'maker the caller; a borrower without one is skipped and listed. 422 `bankAccountId` for an unknown or ' +
    'closed account, or when none is given and a payout’s currency has no or several active accounts. The ' +
    'shipped workflow `disbursements-run` runs it every morning.',
  middleware: [initiate, idempotent({ required: true })] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: { required: false, content: { 'application/json': { schema: RunBodySchema } } },
  },
  responses: {
    200: json(RunResultSchema, 'What was made and what was skipped'),
    ...commonErrors,
    ...unprocessableError('Unknown or closed bank account; no single active account in a payout’s currency'),
  },
});

const listDef = createRoute({
  method: 'get',
  path: '/disbursements',
  tags: ['payments'],
  summary: 'Pending loan payouts, oldest first, each with the payment carrying it',
  middleware: [read] as const,
  responses: { 200: json(z.object({ data: z.array(DisbursementSchema) }), 'The pending payouts'), ...commonErrors },
});

export function disbursementRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(runDef, async (c) => {
        const body = c.req.valid('json');
        const result = await inRequestUnit(context, c, (unit) =>
          runDisbursements(unit, { bankAccountId: body?.bankAccountId }, c.var.principal.worksAs),
        );
        return c.json(result, 200);
      });

      app.openapi(listDef, async (c) => c.json({ data: await listDisbursements(c.var.database.db) }, 200));
    },
  };
}
