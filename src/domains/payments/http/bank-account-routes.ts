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
import { createBankAccount, getBankAccount, listBankAccounts, updateBankAccount } from '../bank-accounts.js';
import { BankAccountInputSchema, BankAccountSchema, BankAccountUpdateSchema } from './schemas.js';

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

const updateDef = createRoute({
  method: 'patch',
  path: '/bank-accounts/{id}',
  tags: ['payments'],
  summary: "Change a bank account's calendar, cut-off time or pain.001 version",
  description:
    "Value dates are business days of the account's calendar, and today only until its cut-off time. " +
    'Payments already requested keep their dates; batching moves a date the bank no longer executes on to ' +
    'the next one, and a batch for such a date is refused at release (409 `value_date_closed`). ' +
    'An unknown calendar is 422 naming `calendar`. Audited as `bank_account.updated` with before and after.',
  middleware: [manage] as const,
  request: {
    params: IdParam,
    body: { required: true, content: { 'application/json': { schema: BankAccountUpdateSchema } } },
  },
  responses: {
    200: json(BankAccountSchema, 'The bank account as it is now'),
    ...commonErrors,
    ...notFoundError,
    ...unprocessableError('Unknown calendar'),
  },
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

      app.openapi(updateDef, async (c) => {
        const { id } = c.req.valid('param');
        const update = c.req.valid('json');
        return c.json(await inRequestUnit(context, c, (unit) => updateBankAccount(unit, id, update)), 200);
      });

      app.openapi(getDef, async (c) => c.json(await getBankAccount(c.var.database.db, c.req.valid('param').id), 200));
    },
  };
}
