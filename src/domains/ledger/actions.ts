import { z } from 'zod';
import type { DomainContext } from '../contract.js';
import { defineAction, NonRetryableError, type ActionContext, type ActionDefinition } from '../../engine/index.js';
import { inStepTransaction } from '../unit-of-work.js';
import { expirePendingTransfers } from './expiry.js';
import { postJournal } from './journal.js';
import { CLIENT_ID, CLIENT_ID_RULE, type TransferInput } from './ledger-model.js';

/** The ledger's actions: the workflow steps `ledger.post` and `ledger.expire`. */

const AccountRef = z.string().min(1).max(200);

const ActionTransfer = z
  .object({
    id: z
      .string()
      .regex(CLIENT_ID, CLIENT_ID_RULE)
      .optional()
      .describe('Default: `<step idempotency key>.<index>`, stable across retries of the step'),
    debitAccountId: AccountRef.optional(),
    creditAccountId: AccountRef.optional(),
    debitAccountCode: AccountRef.optional().describe(
      'Instead of debitAccountId: the account with this code and currency',
    ),
    creditAccountCode: AccountRef.optional(),
    amount: z.union([
      z.string().regex(/^\d{1,19}$/, 'must be a positive integer amount in minor units'),
      z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    ]),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code'),
    pending: z.boolean().optional(),
    expiresAt: z.string().datetime({ offset: true }).nullish(),
    code: z.string().min(1).max(200).nullish(),
    reference: z.string().min(1).max(200).nullish(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((t) => (t.debitAccountId === undefined) !== (t.debitAccountCode === undefined), {
    message: 'give exactly one of debitAccountId and debitAccountCode',
    path: ['debitAccountId'],
  })
  .refine((t) => (t.creditAccountId === undefined) !== (t.creditAccountCode === undefined), {
    message: 'give exactly one of creditAccountId and creditAccountCode',
    path: ['creditAccountId'],
  });

export const LedgerPostInput = z
  .object({
    journalId: z.string().regex(CLIENT_ID, CLIENT_ID_RULE).nullish(),
    transfers: z.array(ActionTransfer).min(1).max(100),
    reason: z.string().max(500).nullish(),
  })
  .strict();

export type LedgerPostInput = z.infer<typeof LedgerPostInput>;

async function accountIdOf(
  ctx: ActionContext,
  id: string | undefined,
  code: string | undefined,
  currency: string,
  field: string,
): Promise<string> {
  if (id !== undefined) return id;
  const row = await ctx.tx
    .selectFrom('ledger_accounts')
    .select('id')
    .where('code', '=', code!)
    .where('currency', '=', currency)
    .executeTakeFirst();
  if (!row) throw new NonRetryableError(`${field}: no ledger account with code ${code} in ${currency}`);
  return row.id;
}

export async function runLedgerPost(context: DomainContext, input: LedgerPostInput, ctx: ActionContext) {
  const transfers: TransferInput[] = [];
  for (const [i, t] of input.transfers.entries()) {
    transfers.push({
      id: t.id ?? `${ctx.idempotencyKey}.${i}`,
      debitAccountId: await accountIdOf(
        ctx,
        t.debitAccountId,
        t.debitAccountCode,
        t.currency,
        `transfers.${i}.debitAccountCode`,
      ),
      creditAccountId: await accountIdOf(
        ctx,
        t.creditAccountId,
        t.creditAccountCode,
        t.currency,
        `transfers.${i}.creditAccountCode`,
      ),
      amount: BigInt(t.amount),
      currency: t.currency,
      pending: t.pending ?? false,
      expiresAt: t.expiresAt ? new Date(t.expiresAt) : null,
      code: t.code ?? null,
      reference: t.reference ?? null,
      ...(t.metadata !== undefined ? { metadata: t.metadata } : {}),
    });
  }
  const actor = `workflow:${ctx.instanceId}`;
  const result = await inStepTransaction(stepContext(context, ctx), ctx.tx, actor, (unit) =>
    postJournal(unit, {
      ...(input.journalId ? { journalId: input.journalId } : {}),
      transfers,
      actor,
      reason: input.reason ?? null,
      requestId: null,
    }),
  );
  return { journalId: result.journalId, created: result.created, transferIds: result.transfers.map((t) => t.id) };
}

/** The domain context of a step, on the step's clock. */
const stepContext = (context: DomainContext, ctx: ActionContext): DomainContext => ({ ...context, clock: ctx.clock });

export function ledgerActions(context: DomainContext): ActionDefinition[] {
  return [
    defineAction({
      source: import.meta.url,
      name: 'ledger.post',
      description:
        'Posts a journal entry (1-100 transfers, all or none) in the step transaction. Transfer ids make it ' +
        'exactly-once; returns { journalId, created, transferIds }.',
      input: LedgerPostInput,
      run: (input, ctx) => runLedgerPost(context, input, ctx),
    }),
    defineAction({
      source: import.meta.url,
      name: 'ledger.expire',
      description:
        'Expires the pending transfers whose expiresAt has passed and releases their holds; returns { expired }.',
      input: z.object({}).strict(),
      run: async (_input, ctx) => ({
        expired: await inStepTransaction(stepContext(context, ctx), ctx.tx, `workflow:${ctx.instanceId}`, (unit) =>
          expirePendingTransfers(unit),
        ),
      }),
    }),
  ];
}
