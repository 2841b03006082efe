import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { commonErrors, json } from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { CalendarDate } from '../../payments/http/schemas.js';
import { readPositions } from './positions.js';

/** GET /treasury/positions: each account's statement and ledger balances side by side, and per currency. */

const Minor = z.string().openapi({ description: 'Signed minor units', example: '125000' });
/** Only the shape: a currency no account holds answers empty sums, not an error. */
export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code, e.g. "EUR"')
  .openapi({ example: 'EUR' });

const AccountPositionSchema = z
  .object({
    bankAccountId: z.string(),
    name: z.string(),
    currency: z.string(),
    status: z.string(),
    statementBalance: Minor.nullable(),
    statementDate: z.string().nullable(),
    statementId: z.string().nullable(),
    ledgerAccount: z.string(),
    ledgerBalance: Minor,
    ledgerAvailable: Minor,
    difference: Minor.nullable(),
    unsettledOutflows: Minor,
    unsettledPayments: z.number().int(),
    forwardBalance: Minor,
  })
  .openapi('AccountPosition');

const CurrencyPositionSchema = z
  .object({
    currency: z.string(),
    accounts: z.number().int(),
    accountsWithoutStatement: z.number().int(),
    statementBalance: Minor,
    ledgerBalance: Minor,
    difference: Minor,
    unsettledOutflows: Minor,
    forwardBalance: Minor,
  })
  .openapi('CurrencyPosition');

const PositionsSchema = z
  .object({ asOf: z.string(), accounts: z.array(AccountPositionSchema), central: z.array(CurrencyPositionSchema) })
  .openapi('TreasuryPositions');

const positionsDef = createRoute({
  method: 'get',
  path: '/treasury/positions',
  tags: ['treasury'],
  summary:
    'Bank positions: statement vs ledger balance per account, value-dated balance, central position per currency',
  description:
    'Per active bank account: the latest statement closing balance and its date, the ledger balance of its cash ' +
    'account, their difference, and the value-dated (forward) balance: the statement balance less the approved, ' +
    'batched, sent and accepted payments not settled yet with a value date up to `asOf`. `central` sums them per currency.',
  middleware: [requirePermission('payments:read')] as const,
  request: {
    query: z.object({
      asOf: CalendarDate.optional().openapi({
        description: 'Value date up to which unsettled payments count; default today',
      }),
      currency: CurrencyCode.optional(),
      bankAccountId: z.string().min(1).max(100).optional(),
    }),
  },
  responses: { 200: json(PositionsSchema, 'The positions'), ...commonErrors },
});

export function positionRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(positionsDef, async (c) => {
        const q = c.req.valid('query');
        const asOf = q.asOf ?? context.clock.now().toISOString().slice(0, 10);
        return c.json(await readPositions(c.var.database.db, { ...q, asOf }), 200);
      });
    },
  };
}
