import { ensureAccount } from '../ledger/accounts.js';
import { postJournal } from '../ledger/journal.js';
import { resolvePending } from '../ledger/pending.js';
import type { DomainWork } from '../unit-of-work.js';
import type { PaymentRow } from './tables.js';

/**
 * The ledger side of an approved payment: a two-phase hold (a pending transfer) crediting the debtor
 * account's cash account and debiting the outgoing-payments clearing account, so the cash a payment
 * has been promised is not counted as available. Settlement (next slice) posts it; a cancellation or
 * a rejection voids it. Ids derive from the payment's, so a step run twice finds its own transfer.
 */

/** Money on its way out: approved payments waiting for the bank (an asset, like cash in transit). */
export const CLEARING_ACCOUNT = { code: 'payments:outgoing', normalSide: 'debit' } as const;

export const holdId = (paymentId: string): string => `${paymentId}.hold`;

export async function placeHold(unit: DomainWork, payment: PaymentRow, cashAccountId: string): Promise<string> {
  const clearing = await ensureAccount(unit, { ...CLEARING_ACCOUNT, currency: payment.currency }, unit.actor);
  const id = holdId(payment.id);
  await postJournal(unit, {
    journalId: id,
    transfers: [
      {
        id,
        debitAccountId: clearing.id,
        creditAccountId: cashAccountId,
        amount: payment.amount,
        currency: payment.currency,
        pending: true,
        code: 'payment.hold',
        reference: payment.id,
        metadata: { endToEndId: payment.end_to_end_id, beneficiaryId: payment.beneficiary_id },
      },
    ],
    actor: unit.actor,
    reason: 'payment approved: its amount is held until it settles',
    requestId: unit.requestId,
  });
  return id;
}

export async function voidHold(unit: DomainWork, payment: PaymentRow, reason: string): Promise<void> {
  if (!payment.hold_transfer_id) return;
  await resolvePending(unit, {
    id: `${payment.hold_transfer_id}.void`,
    pendingId: payment.hold_transfer_id,
    action: 'void',
    actor: unit.actor,
    reason,
    requestId: unit.requestId,
  });
}
