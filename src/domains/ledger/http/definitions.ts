import { createRoute, z } from '@hono/zod-openapi';
import { requirePermission } from '../../../api/middleware/auth.js';
import {
  commonErrors,
  conflictError,
  IdempotencyKeyHeader,
  idempotencyErrors,
  json,
  notFoundError,
  problem,
  pageOf,
  pageQuery,
} from '../../../api/schemas.js';
import { idempotent } from '../../../api/middleware/idempotency.js';
import {
  AccountSchema,
  AccountWithBalanceSchema,
  AfterSeq,
  AmountString,
  ClientId,
  CreateAccountSchema,
  JournalSchema,
  Limit,
  PostTransfersSchema,
  Reason,
  ResolutionSchema,
  TransferSchema,
  TrialBalanceSchema,
} from './schemas.js';

/** The ledger's routes as OpenAPI declares them: paths, permissions, inputs and answers. */

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

export const createAccountDef = createRoute({
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

export const listAccountsDef = createRoute({
  method: 'get',
  path: '/ledger/accounts',
  tags: ['ledger'],
  summary: 'List ledger accounts in id order, with keyset paging',
  middleware: [read] as const,
  request: {
    query: z.object({
      code: z.string().max(200).optional(),
      currency: z.string().max(3).optional(),
      ...pageQuery({ limit: 100, max: 1000, cursorMax: 200 }),
    }),
  },
  responses: {
    200: json(pageOf(AccountSchema), 'A page of accounts'),
    ...commonErrors,
  },
});

export const getAccountDef = createRoute({
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

export const accountTransfersDef = createRoute({
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

export const postTransfersDef = createRoute({
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

export const listTransfersDef = createRoute({
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

export const getTransferDef = createRoute({
  method: 'get',
  path: '/ledger/transfers/{id}',
  tags: ['ledger'],
  summary: 'A transfer',
  middleware: [read] as const,
  request: { params: transferParams },
  responses: { 200: json(TransferSchema, 'The transfer'), ...commonErrors, ...notFoundError },
});

export const resolveDef = (action: 'post' | 'void') =>
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

export const reverseDef = createRoute({
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

export const trialBalanceDef = createRoute({
  method: 'get',
  path: '/ledger/trial-balance',
  tags: ['ledger'],
  summary: 'Sums of debits and credits over all accounts, per currency',
  middleware: [read] as const,
  request: { query: z.object({ currency: z.string().max(3).optional() }) },
  responses: { 200: json(TrialBalanceSchema, 'One line per currency'), ...commonErrors },
});
