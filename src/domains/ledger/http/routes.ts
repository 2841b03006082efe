import type { App, RouteModule } from '../../../api/context.js';
import { pageFrom } from '../../../api/schemas.js';
import { rethrowRelocated } from '../../../api/located.js';
import { AppError } from '../../../core/errors.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { createAccount } from '../accounts.js';
import { postJournal } from '../journal.js';
import {
  accountBalance,
  getAccount,
  getTransfer,
  listAccounts,
  listTransfers,
  trialBalance,
} from '../ledger-queries.js';
import { resolvePending } from '../pending.js';
import { reverseJournal } from '../reversal.js';
import {
  accountTransfersDef,
  createAccountDef,
  getAccountDef,
  getTransferDef,
  listAccountsDef,
  listTransfersDef,
  postTransfersDef,
  resolveDef,
  reverseDef,
  trialBalanceDef,
} from './definitions.js';
import { presentAccount, presentBalance, presentJournal, presentTransfer, transferPage } from './present.js';

/**
 * The ledger over HTTP (docs/ledger.md): each write is one unit of work (its transaction, with the
 * balance moves and audit rows written before commit).
 *
 * The service names fields as its input does (`transfers[2].amount`, `id`); over HTTP they are where
 * the client sent them, spelled as the request validation spells them: `body.transfers.2.amount`.
 * The ledger's messages name fields mid-sentence, so the message follows by substitution.
 */
const bodyField = (field: string) => `body.${field.replace(/\[(\d+)\]/g, '.$1')}`;
const located = (rename: (field: string) => string) => rethrowRelocated({ rename, message: 'substitute' });

const parseAmount = (text: string): bigint => BigInt(text);

export function ledgerRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      app.openapi(createAccountDef, async (c) => {
        const body = c.req.valid('json');
        const account = await inRequestUnit(context, c, (unit) => createAccount(unit, body, c.var.principal.id)).catch(
          located(bodyField),
        );
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
        return c.json(pageFrom(data.map(presentAccount), q.limit), 200);
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
        const result = await inRequestUnit(context, c, (unit) =>
          postJournal(unit, {
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
          }),
        ).catch(located(bodyField));
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
          const rename = (field: string) => (field === 'pendingId' ? 'path.id' : bodyField(field));
          // An expired hold is released (the expiry is written) even though the answer is a 409, so the
          // unit catches the refusal and commits the expiry on its own here; inside an Idempotency-Key
          // request it rolls back with the request and the next expiry run releases the hold.
          const outcome = await inRequestUnit(context, c, async (unit) => {
            try {
              const resolved = await resolvePending(unit, {
                id: body.id,
                pendingId,
                action,
                ...(body.amount !== undefined ? { amount: parseAmount(body.amount) } : {}),
                actor: c.var.principal.id,
                reason: body.reason ?? null,
                requestId: c.var.requestId,
              });
              return { resolved, refused: undefined };
            } catch (error) {
              if (error instanceof AppError && error.code === 'pending_expired') {
                return { resolved: undefined, refused: error };
              }
              throw error;
            }
          }).catch(located(rename));
          if (!outcome.resolved) throw outcome.refused ?? new Error('no outcome');
          const { transfer, created } = outcome.resolved;
          return c.json({ transfer: presentTransfer(transfer), created }, created ? 201 : 200);
        });
      }

      app.openapi(reverseDef, async (c) => {
        const { journalId } = c.req.valid('param');
        const body = c.req.valid('json');
        const rename = (field: string) =>
          field === 'journalId' ? 'path.journalId' : field === 'newJournalId' ? 'body.journalId' : bodyField(field);
        const result = await inRequestUnit(context, c, (unit) =>
          reverseJournal(unit, {
            journalId,
            newJournalId: body.journalId,
            actor: c.var.principal.id,
            reason: body.reason,
            requestId: c.var.requestId,
          }),
        ).catch(located(rename));
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
