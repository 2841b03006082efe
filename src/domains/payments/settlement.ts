import { ensureAccount } from '../ledger/accounts.js';
import { postJournal } from '../ledger/journal.js';
import { resolvePending } from '../ledger/pending.js';
import type { DomainWork } from '../unit-of-work.js';
import { expectStatus, lockPayment, presentPayment, transition, type Payment } from './instructions.js';
import { CLEARING_ACCOUNT } from './ledger-hold.js';

/**
 * What the bank statement says happened to a sent payment (treasury's reconciliation calls these):
 *   - settled: the bank executed it. The ledger hold placed at approval is posted (the pending
 *     transfer becomes a posted one: cash out, into the outgoing clearing account), and the payment
 *     is `settled` through `transition` (history, audit, event `payment.settled`).
 *   - returned: the money came back (a credit entry with return information naming the payment's
 *     end-to-end id). Cash in, out of clearing; what the bank kept (the returned amount short of the
 *     payment's) goes to bank charges; the payment is `returned` with the bank's reason code.
 * Bank charges an entry carries post from the bank account's cash to `expenses:bank_charges`.
 * Transfer ids derive from the payment's, so a repeat finds its own.
 */

/** What banks charge: an expense. */
export const BANK_CHARGES_ACCOUNT = { code: 'expenses:bank_charges', normalSide: 'debit' } as const;

const cashAccountOf = async (unit: DomainWork, bankAccountId: string) =>
  (
    await unit.tx
      .selectFrom('bank_accounts')
      .select('ledger_account_id')
      .where('id', '=', bankAccountId)
      .executeTakeFirstOrThrow()
  ).ledger_account_id;

export async function settlePayment(
  unit: DomainWork,
  paymentId: string,
  how: { bankEntryId: string; bookingDate: string },
): Promise<Payment> {
  const payment = await lockPayment(unit.tx, paymentId);
  expectStatus(payment, ['sent', 'accepted'], 'settle');
  if (payment.hold_transfer_id) {
    await resolvePending(unit, {
      id: `${payment.hold_transfer_id}.post`,
      pendingId: payment.hold_transfer_id,
      action: 'post',
      actor: unit.actor,
      reason: `settled per bank entry ${how.bankEntryId}`,
      requestId: unit.requestId,
    });
  }
  const settled = await transition(unit, payment, 'settled', {
    by: unit.actor,
    reason: `booked by the bank on ${how.bookingDate}`,
    data: { bankEntryId: how.bankEntryId, bookingDate: how.bookingDate, holdPosted: payment.hold_transfer_id },
  });
  return presentPayment(settled);
}

export async function returnPayment(
  unit: DomainWork,
  paymentId: string,
  how: { bankEntryId: string; reason: string; amount?: bigint },
): Promise<Payment> {
  const payment = await lockPayment(unit.tx, paymentId);
  expectStatus(payment, ['settled'], 'return');
  const returned = how.amount ?? payment.amount;
  const cash = await cashAccountOf(unit, payment.bank_account_id);
  const clearing = await ensureAccount(unit, { ...CLEARING_ACCOUNT, currency: payment.currency }, unit.actor);
  const transfers = [
    {
      id: `${payment.id}.return`,
      debitAccountId: cash,
      creditAccountId: clearing.id,
      amount: returned,
      currency: payment.currency,
      code: 'payment.return',
      reference: payment.id,
      metadata: { bankEntryId: how.bankEntryId, reason: how.reason },
    },
  ];
  if (returned < payment.amount) {
    const charges = await ensureAccount(unit, { ...BANK_CHARGES_ACCOUNT, currency: payment.currency }, unit.actor);
    transfers.push({
      id: `${payment.id}.return.charges`,
      debitAccountId: charges.id,
      creditAccountId: clearing.id,
      amount: payment.amount - returned,
      currency: payment.currency,
      code: 'bank.charges',
      reference: payment.id,
      metadata: { bankEntryId: how.bankEntryId, reason: how.reason },
    });
  }
  await postJournal(unit, {
    journalId: `${payment.id}.return`,
    transfers,
    actor: unit.actor,
    reason: `returned by the bank (${how.reason})`,
    requestId: unit.requestId,
  });
  const rejection = {
    code: how.reason,
    reason: `returned by the bank (${how.reason})`,
    by: unit.actor,
    at: unit.clock.now().toISOString(),
  };
  const row = await transition(unit, payment, 'returned', {
    by: unit.actor,
    reason: rejection.reason,
    change: { rejection },
    data: { bankEntryId: how.bankEntryId, returnReason: how.reason, returnedAmount: returned.toString() },
  });
  return presentPayment(row);
}

/**
 * Charges the bank booked on one of the organisation's accounts (with an entry, or as an entry of
 * their own): bank charges debited, the account's cash credited; a refund of charges (a credit)
 * the other way round. Returns the journal id.
 */
export async function postBankCharges(
  unit: DomainWork,
  what: {
    id: string;
    bankAccountId: string;
    amount: bigint;
    currency: string;
    refund?: boolean;
    reason: string;
    metadata?: Record<string, unknown>;
  },
): Promise<string> {
  const cash = await cashAccountOf(unit, what.bankAccountId);
  const charges = await ensureAccount(unit, { ...BANK_CHARGES_ACCOUNT, currency: what.currency }, unit.actor);
  await postJournal(unit, {
    journalId: what.id,
    transfers: [
      {
        id: what.id,
        debitAccountId: what.refund ? cash : charges.id,
        creditAccountId: what.refund ? charges.id : cash,
        amount: what.amount,
        currency: what.currency,
        code: 'bank.charges',
        metadata: what.metadata ?? {},
      },
    ],
    actor: unit.actor,
    reason: what.reason,
    requestId: unit.requestId,
  });
  return what.id;
}
