import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../api/context.js';
import { requirePermission } from '../../api/middleware/auth.js';
import { idempotent } from '../../api/middleware/idempotency.js';
import {
  commonErrors,
  conflictError,
  IdempotencyKeyHeader,
  idempotencyErrors,
  json,
  notFoundError,
  problem,
  SeqCursor,
} from '../../api/schemas.js';
import { AppError } from '../../core/errors.js';
import type { DomainContext } from '../contract.js';
import { ACCOUNT_CODE, ACCOUNT_CODE_RULE, CLIENT_ID, CLIENT_ID_RULE } from './ledger-model.js';
import {
  accountBalance,
  createAccount,
  getAccount,
  getTransfer,
  listAccounts,
  listTransfers,
  postJournal,
  resolvePending,
  reverseJournal,
  trialBalance,
  type AccountBalance,
  type JournalResult,
  type LedgerAccount,
  type LedgerTransfer,
} from './ledger-service.js';
import { TRANSFER_KINDS } from './tables.js';

/**
 * The ledger over HTTP (docs/ledger.md): accounts, journal entries of transfers, two-phase holds,
 * reversals, balances and the trial balance. Amounts are decimal strings of minor units.
 */

// ---------------------------------------------------------------------------------------------
// Schemas

const ClientId = z.string().regex(CLIENT_ID, CLIENT_ID_RULE);
const AmountString = z
  .string()
  .regex(/^-?\d{1,30}$/, 'must be an integer amount in minor units, as a string (e.g. "12345")')
  .openapi({ example: '12345', description: 'Minor units (cents) as a decimal string' });
const Money = z.string().openapi({ description: 'Minor units as a decimal string', example: '12345' });
const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code')
  .openapi({ example: 'EUR' });
const Metadata = z.record(z.string(), z.unknown()).openapi({ description: 'Any JSON object, kept as given' });
const Reason = z.string().min(1).max(500).openapi({ description: 'Recorded in the audit log' });
const Limit = z.coerce.number().int().min(1).max(1000).default(100);
const AfterSeq = SeqCursor;

const AccountSchema = z
  .object({
    id: z.string().openapi({ example: 'acc_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    code: z.string().openapi({ example: 'liabilities:customer_credit' }),
    currency: z.string(),
    normalSide: z.enum(['debit', 'credit']),
    debitsMustNotExceedCredits: z.boolean(),
    creditsMustNotExceedDebits: z.boolean(),
    debitsPending: Money,
    debitsPosted: Money,
    creditsPending: Money,
    creditsPosted: Money,
    metadata: Metadata,
    createdAt: z.string().datetime(),
  })
  .openapi('LedgerAccount');

const BalanceSchema = z
  .object({
    asOf: z.string().datetime().nullable().openapi({ description: 'null: now, from the account row' }),
    debitsPosted: Money,
    creditsPosted: Money,
    debitsPending: Money,
    creditsPending: Money,
    balance: Money.openapi({ description: 'Posted balance on the normal side (may be negative)' }),
    available: Money.openapi({ description: 'balance minus the pending holds against it' }),
  })
  .openapi('LedgerBalance');

const AccountWithBalanceSchema = AccountSchema.extend({ balance: BalanceSchema }).openapi('LedgerAccountWithBalance');

const CreateAccountSchema = z
  .object({
    id: ClientId.optional().openapi({ description: 'Default: a new acc_… id' }),
    code: z.string().regex(ACCOUNT_CODE, ACCOUNT_CODE_RULE).openapi({ example: 'liabilities:customer_credit' }),
    currency: Currency,
    normalSide: z.enum(['debit', 'credit']).openapi({
      description: 'debit: assets and expenses; credit: liabilities, equity and income',
    }),
    debitsMustNotExceedCredits: z
      .boolean()
      .optional()
      .openapi({ description: 'No overdraft for a credit-normal account (e.g. a customer balance)' }),
    creditsMustNotExceedDebits: z.boolean().optional().openapi({ description: 'The same for a debit-normal account' }),
    metadata: Metadata.optional(),
  })
  .strict()
  .openapi('CreateLedgerAccount');

const TransferSchema = z
  .object({
    id: z.string(),
    journalId: z.string(),
    seq: z.string().openapi({ description: 'Write order (decimal string)' }),
    debitAccountId: z.string(),
    creditAccountId: z.string(),
    amount: Money,
    currency: z.string(),
    kind: z.enum(TRANSFER_KINDS),
    pendingId: z.string().nullable().openapi({ description: 'post_pending, void_pending, expire_pending: the hold' }),
    reversesId: z.string().nullable().openapi({ description: 'reversal: the transfer it reverses' }),
    expiresAt: z.string().datetime().nullable(),
    code: z.string().nullable(),
    reference: z.string().nullable(),
    metadata: Metadata,
    postedAt: z.string().datetime(),
    postedBy: z.string(),
  })
  .openapi('LedgerTransfer');

const TransferInputSchema = z
  .object({
    id: ClientId.openapi({
      description: 'Chosen by you, unique forever: the same request again changes nothing',
      example: 'pay-2026-0001.cash',
    }),
    debitAccountId: z.string().min(1).max(200),
    creditAccountId: z.string().min(1).max(200),
    amount: AmountString,
    currency: Currency,
    pending: z.boolean().optional().openapi({ description: 'A hold, posted or voided later' }),
    expiresAt: z
      .string()
      .datetime({ offset: true })
      .nullish()
      .openapi({ description: 'pending only: after this the hold can no longer be posted' }),
    code: z.string().min(1).max(200).nullish().openapi({ example: 'payment.received' }),
    reference: z.string().min(1).max(200).nullish().openapi({ example: 'INV-1' }),
    metadata: Metadata.optional(),
  })
  .strict()
  .openapi('LedgerTransferInput');

const PostTransfersSchema = z
  .object({
    journalId: ClientId.optional().openapi({ description: "Default: the first transfer's id" }),
    transfers: z.array(TransferInputSchema).min(1).max(100),
    reason: Reason.optional(),
  })
  .strict()
  .openapi('PostLedgerTransfers');

const JournalSchema = z
  .object({
    journalId: z.string(),
    created: z.boolean().openapi({ description: 'false: an identical earlier request had written it' }),
    transfers: z.array(TransferSchema),
  })
  .openapi('LedgerJournal');

const ResolutionSchema = z
  .object({ transfer: TransferSchema, created: z.boolean() })
  .openapi('LedgerPendingResolution');

const TrialBalanceSchema = z
  .object({
    data: z.array(
      z.object({
        currency: z.string(),
        debits: Money,
        credits: Money,
        debitsPending: Money,
        creditsPending: Money,
        balanced: z.boolean().openapi({ description: 'debits = credits and debitsPending = creditsPending' }),
      }),
    ),
  })
  .openapi('LedgerTrialBalance');

// ---------------------------------------------------------------------------------------------
// Routes

const read = requirePermission('ledger:read');
const post = requirePermission('ledger:post');
const accountParams = z.object({ id: z.string().min(1).max(200) });
const transferParams = z.object({ id: z.string().min(1).max(200) });
const ledgerRefusal = {
  422: problem(
    'Refused by the ledger: unknown_account, currency_mismatch, balance_limit_exceeded (a no-overdraft flag), ' +
      'amount_exceeds_pending; or an Idempotency-Key reused with a different request',
  ),
} as const;

const createAccountDef = createRoute({
  method: 'post',
  path: '/ledger/accounts',
  tags: ['ledger'],
  summary: 'Create a ledger account',
  description: '409 `account_exists` when an account with this code and currency (or this id) exists.',
  middleware: [post, idempotent()] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: { required: true, content: { 'application/json': { schema: CreateAccountSchema } } },
  },
  responses: { 201: json(AccountSchema, 'Created'), ...commonErrors, ...conflictError, ...idempotencyErrors },
});

const listAccountsDef = createRoute({
  method: 'get',
  path: '/ledger/accounts',
  tags: ['ledger'],
  summary: 'List ledger accounts in id order, with keyset paging',
  middleware: [read] as const,
  request: {
    query: z.object({
      code: z.string().max(200).optional(),
      currency: z.string().max(3).optional(),
      after: z.string().max(200).optional().openapi({ description: 'The `next` of the previous page' }),
      limit: Limit,
    }),
  },
  responses: {
    200: json(
      z.object({
        data: z.array(AccountSchema),
        next: z.string().nullable().openapi({ description: 'Pass as `after` for the next page; null on the last' }),
      }),
      'A page of accounts',
    ),
    ...commonErrors,
  },
});

const getAccountDef = createRoute({
  method: 'get',
  path: '/ledger/accounts/{id}',
  tags: ['ledger'],
  summary: 'A ledger account with its balance, now or as of a past time',
  middleware: [read] as const,
  request: {
    params: accountParams,
    query: z.object({
      asOf: z
        .string()
        .datetime({ offset: true })
        .optional()
        .openapi({ description: 'The balance recomputed from the transfers written at or before this time' }),
    }),
  },
  responses: { 200: json(AccountWithBalanceSchema, 'The account'), ...commonErrors, ...notFoundError },
});

const accountTransfersDef = createRoute({
  method: 'get',
  path: '/ledger/accounts/{id}/transfers',
  tags: ['ledger'],
  summary: "An account's transfers in write order",
  middleware: [read] as const,
  request: { params: accountParams, query: z.object({ afterSeq: AfterSeq, limit: Limit }) },
  responses: {
    200: json(z.object({ data: z.array(TransferSchema), nextAfterSeq: z.string().nullable() }), 'A page of transfers'),
    ...commonErrors,
    ...notFoundError,
  },
});

const postTransfersDef = createRoute({
  method: 'post',
  path: '/ledger/transfers',
  tags: ['ledger'],
  summary: 'Post a journal entry: 1-100 transfers, all or none',
  description:
    'Each transfer debits one account and credits another by the same amount in the same currency. ' +
    'Transfer ids make it idempotent: the same request again answers 200 with `created: false` and changes ' +
    'nothing; an id reused with other content is a 409 `transfer_id_reused`.',
  middleware: [post, idempotent()] as const,
  request: {
    headers: IdempotencyKeyHeader,
    body: { required: true, content: { 'application/json': { schema: PostTransfersSchema } } },
  },
  responses: {
    201: json(JournalSchema, 'Posted'),
    200: json(JournalSchema, 'Already posted by an identical request'),
    ...commonErrors,
    ...conflictError,
    ...ledgerRefusal,
  },
});

const listTransfersDef = createRoute({
  method: 'get',
  path: '/ledger/transfers',
  tags: ['ledger'],
  summary: 'List transfers in write order, with keyset paging',
  middleware: [read] as const,
  request: {
    query: z.object({
      accountId: z.string().max(200).optional(),
      journalId: z.string().max(200).optional(),
      reference: z.string().max(200).optional(),
      afterSeq: AfterSeq,
      limit: Limit,
    }),
  },
  responses: {
    200: json(z.object({ data: z.array(TransferSchema), nextAfterSeq: z.string().nullable() }), 'A page of transfers'),
    ...commonErrors,
  },
});

const getTransferDef = createRoute({
  method: 'get',
  path: '/ledger/transfers/{id}',
  tags: ['ledger'],
  summary: 'A transfer',
  middleware: [read] as const,
  request: { params: transferParams },
  responses: { 200: json(TransferSchema, 'The transfer'), ...commonErrors, ...notFoundError },
});

const resolveDef = (action: 'post' | 'void') =>
  createRoute({
    method: 'post',
    path: `/ledger/transfers/{id}/${action}`,
    tags: ['ledger'],
    summary:
      action === 'post'
        ? 'Post a pending transfer: all of it, or `amount` of it (the rest is released)'
        : 'Void a pending transfer: release its hold',
    description:
      '`id` in the body is the id of the resolving transfer (idempotent like every transfer id). 409 ' +
      '`pending_already_resolved`, or `pending_expired` once its `expiresAt` has passed (the hold is then released).',
    middleware: [post, idempotent()] as const,
    request: {
      headers: IdempotencyKeyHeader,
      params: transferParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema:
              action === 'post'
                ? z
                    .object({ id: ClientId, amount: AmountString.optional(), reason: Reason.optional() })
                    .strict()
                    .openapi('PostPendingTransfer')
                : z.object({ id: ClientId, reason: Reason.optional() }).strict().openapi('VoidPendingTransfer'),
          },
        },
      },
    },
    responses: {
      201: json(ResolutionSchema, 'Resolved'),
      200: json(ResolutionSchema, 'Already resolved by an identical request'),
      ...commonErrors,
      ...notFoundError,
      ...conflictError,
      ...ledgerRefusal,
    },
  });

const reverseDef = createRoute({
  method: 'post',
  path: '/ledger/journals/{journalId}/reverse',
  tags: ['ledger'],
  summary: 'Reverse a journal entry with a new one',
  description:
    'Every posted transfer of the journal gets a reversal (debit and credit swapped) and its open holds are ' +
    'voided, in the new journal `journalId`. The same request again answers 200 with `created: false`.',
  middleware: [post, idempotent()] as const,
  request: {
    headers: IdempotencyKeyHeader,
    params: z.object({ journalId: z.string().min(1).max(200) }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              journalId: ClientId.openapi({ description: 'Id of the new, reversing journal' }),
              reason: Reason,
            })
            .strict()
            .openapi('ReverseLedgerJournal'),
        },
      },
    },
  },
  responses: {
    201: json(JournalSchema, 'Reversed'),
    200: json(JournalSchema, 'Already reversed by an identical request'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...ledgerRefusal,
  },
});

const trialBalanceDef = createRoute({
  method: 'get',
  path: '/ledger/trial-balance',
  tags: ['ledger'],
  summary: 'Sums of debits and credits over all accounts, per currency',
  middleware: [read] as const,
  request: { query: z.object({ currency: z.string().max(3).optional() }) },
  responses: { 200: json(TrialBalanceSchema, 'One line per currency'), ...commonErrors },
});

// ---------------------------------------------------------------------------------------------
// Presentation and errors

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const presentAccount = (a: LedgerAccount) => ({
  id: a.id,
  code: a.code,
  currency: a.currency,
  normalSide: a.normalSide,
  debitsMustNotExceedCredits: a.debitsMustNotExceedCredits,
  creditsMustNotExceedDebits: a.creditsMustNotExceedDebits,
  debitsPending: a.debitsPending.toString(),
  debitsPosted: a.debitsPosted.toString(),
  creditsPending: a.creditsPending.toString(),
  creditsPosted: a.creditsPosted.toString(),
  metadata: a.metadata,
  createdAt: a.createdAt.toISOString(),
});

const presentBalance = (b: AccountBalance) => ({
  asOf: iso(b.asOf),
  debitsPosted: b.debitsPosted.toString(),
  creditsPosted: b.creditsPosted.toString(),
  debitsPending: b.debitsPending.toString(),
  creditsPending: b.creditsPending.toString(),
  balance: b.balance.toString(),
  available: b.available.toString(),
});

const presentTransfer = (t: LedgerTransfer) => ({
  id: t.id,
  journalId: t.journalId,
  seq: t.seq.toString(),
  debitAccountId: t.debitAccountId,
  creditAccountId: t.creditAccountId,
  amount: t.amount.toString(),
  currency: t.currency,
  kind: t.kind,
  pendingId: t.pendingId,
  reversesId: t.reversesId,
  expiresAt: iso(t.expiresAt),
  code: t.code,
  reference: t.reference,
  metadata: t.metadata,
  postedAt: t.postedAt.toISOString(),
  postedBy: t.postedBy,
});

const presentJournal = (j: JournalResult) => ({
  journalId: j.journalId,
  created: j.created,
  transfers: j.transfers.map(presentTransfer),
});

const transferPage = (data: LedgerTransfer[], limit: number) => ({
  data: data.map(presentTransfer),
  nextAfterSeq: data.length === limit ? data[data.length - 1]!.seq.toString() : null,
});

/**
 * The service names fields as its input does (`transfers[2].amount`, `id`); over HTTP they are where
 * the client sent them, spelled as the request validation spells them: `body.transfers.2.amount`.
 */
function located(rename: (field: string) => string) {
  return (error: unknown): never => {
    if (!(error instanceof AppError) || error.issues.length === 0) throw error;
    const issues = error.issues.map((i) => ({ ...i, field: rename(i.field) }));
    let message = error.message;
    error.issues.forEach((i, n) => (message = message.split(i.field).join(issues[n]!.field)));
    throw new AppError(error.code, error.status, message, {
      issues,
      cause: error,
      ...(error.details ? { details: error.details } : {}),
    });
  };
}

const inBody = (field: string) => `body.${field.replace(/\[(\d+)\]/g, '.$1')}`;

const parseAmount = (text: string): bigint => BigInt(text);

// ---------------------------------------------------------------------------------------------

export function ledgerRoutes(_context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(createAccountDef, async (c) => {
        const body = c.req.valid('json');
        const account = await c.var.database
          .transaction((tx) => createAccount(tx, body, c.var.principal.id, c.var.clock))
          .catch(located(inBody));
        return c.json(presentAccount(account), 201);
      });

      app.openapi(listAccountsDef, async (c) => {
        const q = c.req.valid('query');
        const data = await listAccounts(c.var.database.db, {
          code: q.code,
          currency: q.currency,
          cursor: q.after,
          limit: q.limit,
        });
        return c.json(
          { data: data.map(presentAccount), next: data.length === q.limit ? data[data.length - 1]!.id : null },
          200,
        );
      });

      app.openapi(getAccountDef, async (c) => {
        const { id } = c.req.valid('param');
        const { asOf } = c.req.valid('query');
        const db = c.var.database.db;
        const account = await getAccount(db, id);
        const balance = await accountBalance(db, id, asOf === undefined ? undefined : new Date(asOf));
        return c.json({ ...presentAccount(account), balance: presentBalance(balance) }, 200);
      });

      app.openapi(accountTransfersDef, async (c) => {
        const { id } = c.req.valid('param');
        const q = c.req.valid('query');
        const db = c.var.database.db;
        await getAccount(db, id); // 404 for an unknown account, not an empty page
        const data = await listTransfers(db, { accountId: id, afterSeq: q.afterSeq, limit: q.limit });
        return c.json(transferPage(data, q.limit), 200);
      });

      app.openapi(postTransfersDef, async (c) => {
        const body = c.req.valid('json');
        const result = await c.var.database
          .transaction((tx) =>
            postJournal(
              tx,
              {
                ...(body.journalId !== undefined ? { journalId: body.journalId } : {}),
                transfers: body.transfers.map((t) => ({
                  id: t.id,
                  debitAccountId: t.debitAccountId,
                  creditAccountId: t.creditAccountId,
                  amount: parseAmount(t.amount),
                  currency: t.currency,
                  pending: t.pending ?? false,
                  expiresAt: t.expiresAt ? new Date(t.expiresAt) : null,
                  code: t.code ?? null,
                  reference: t.reference ?? null,
                  ...(t.metadata !== undefined ? { metadata: t.metadata } : {}),
                })),
                actor: c.var.principal.id,
                reason: body.reason ?? null,
                requestId: c.var.requestId,
              },
              c.var.clock,
            ),
          )
          .catch(located(inBody));
        return c.json(presentJournal(result), result.created ? 201 : 200);
      });

      app.openapi(listTransfersDef, async (c) => {
        const q = c.req.valid('query');
        const data = await listTransfers(c.var.database.db, q);
        return c.json(transferPage(data, q.limit), 200);
      });

      app.openapi(getTransferDef, async (c) =>
        c.json(presentTransfer(await getTransfer(c.var.database.db, c.req.valid('param').id)), 200),
      );

      for (const action of ['post', 'void'] as const) {
        app.openapi(resolveDef(action), async (c) => {
          const { id: pendingId } = c.req.valid('param');
          const body = c.req.valid('json') as { id: string; amount?: string; reason?: string };
          const rename = (field: string) => (field === 'pendingId' ? 'path.id' : inBody(field));
          // An expired hold is released (the expiry is written) even though the answer is a 409, so the
          // expiry commits on its own here; inside an Idempotency-Key request it rolls back with the
          // request and the next expiry run releases the hold.
          const outcome = await c.var.database
            .transaction(async (tx) => {
              try {
                const resolved = await resolvePending(
                  tx,
                  {
                    id: body.id,
                    pendingId,
                    action,
                    ...(body.amount !== undefined ? { amount: parseAmount(body.amount) } : {}),
                    actor: c.var.principal.id,
                    reason: body.reason ?? null,
                    requestId: c.var.requestId,
                  },
                  c.var.clock,
                );
                return { resolved, refused: undefined };
              } catch (error) {
                if (error instanceof AppError && error.code === 'pending_expired') {
                  return { resolved: undefined, refused: error };
                }
                throw error;
              }
            })
            .catch(located(rename));
          if (!outcome.resolved) throw outcome.refused ?? new Error('no outcome');
          const { transfer, created } = outcome.resolved;
          return c.json({ transfer: presentTransfer(transfer), created }, created ? 201 : 200);
        });
      }

      app.openapi(reverseDef, async (c) => {
        const { journalId } = c.req.valid('param');
        const body = c.req.valid('json');
        const rename = (field: string) =>
          field === 'journalId' ? 'path.journalId' : field === 'newJournalId' ? 'body.journalId' : inBody(field);
        const result = await c.var.database
          .transaction((tx) =>
            reverseJournal(
              tx,
              {
                journalId,
                newJournalId: body.journalId,
                actor: c.var.principal.id,
                reason: body.reason,
                requestId: c.var.requestId,
              },
              c.var.clock,
            ),
          )
          .catch(located(rename));
        return c.json(presentJournal(result), result.created ? 201 : 200);
      });

      app.openapi(trialBalanceDef, async (c) => {
        const { currency } = c.req.valid('query');
        const lines = await trialBalance(c.var.database.db, currency);
        return c.json(
          {
            data: lines.map((l) => ({
              currency: l.currency,
              debits: l.debits.toString(),
              credits: l.credits.toString(),
              debitsPending: l.debitsPending.toString(),
              creditsPending: l.creditsPending.toString(),
              balanced: l.debits === l.credits && l.debitsPending === l.creditsPending,
            })),
          },
          200,
        );
      });
    },
  };
}
