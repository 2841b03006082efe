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
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { createBankAccount, getBankAccount, listBankAccounts } from '../bank-accounts.js';
import { BankAccountInputSchema, BankAccountSchema } from './schemas.js';

/** /bank-accounts: the organisation's own accounts, the debtor side of payments. */

const read = requirePermission('payments:read');
const manage = requirePermission('bankaccounts:manage');
const IdParam = z.object({ id: z.string().min(1).max(100) });

const createDef = createRoute({
  method: 'post',
  path: '/bank-accounts',
  tags: ['payments'],
  summary: 'Add a bank account (IBAN or account number + bank code, BIC) tied to a ledger cash account',
  description:
    'The IBAN checksum and country format, the BIC and the country are validated (400 naming the field). ' +
    'The ledger cash account is created when absent; one with the same code but another side is 409 ' +
    '`account_conflict`. The same account in the same currency twice is 409 `bank_account_exists`.',
  middleware: [manage, idempotent()] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: { required: true, content: { 'application/json': { schema: BankAccountInputSchema } } },
  },
  responses: {
    201: json(BankAccountSchema, 'Created'),
    ...commonErrors,
    ...conflictError,
    ...unprocessableError('Idempotency-Key reused with a different request'),
  },
});

const listDef = createRoute({
  method: 'get',
  path: '/bank-accounts',
  tags: ['payments'],
  summary: 'List bank accounts, oldest first',
  middleware: [read] as const,
  request: {
    query: z.object({
      currency: z.string().max(3).optional(),
      ...pageQuery({ limit: 100, max: 500, cursor: idCursor('bac') }),
    }),
  },
  responses: { 200: json(pageOf(BankAccountSchema), 'A page'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/bank-accounts/{id}',
  tags: ['payments'],
  summary: 'A bank account',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(BankAccountSchema, 'The bank account'), ...commonErrors, ...notFoundError },
});

export function bankAccountRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(createDef, async (c) => {
        const input = c.req.valid('json');
        const account = await inRequestUnit(context, c, (unit) =>
          createBankAccount(unit, input, c.var.principal.worksAs),
        );
        return c.json(account, 201);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        return c.json(pageFrom(await listBankAccounts(c.var.database.db, q), q.limit), 200);
      });

      app.openapi(getDef, async (c) => c.json(await getBankAccount(c.var.database.db, c.req.valid('param').id), 200));
    },
  };
}
