import type { DomainWork } from '../../unit-of-work.js';
import { daysBetween, type Candidate, type EntryRow } from './candidate.js';
import { nameSimilarity } from './names.js';
import { scoreCandidates, type Scored } from './outcomes.js';
import type { Rules } from './rules.js';

/**
 * Batch bookings of outgoing payments. finflow's pain.001 files ask for batch booking, so a bank
 * books a released file as ONE debit entry of the files's total, and lists each payment in the
 * entry's transaction details. Such an entry is settled payment by payment: every transaction's
 * end-to-end id is scored by the reconciliation decision's `end_to_end` rule like a single entry's,
 * and the entry is confirmed only when each transaction has exactly one confirmable payment, no
 * payment serves two transactions, and the payments (with the bank's charges, when it booked them)
 * add up to the entry. Anything else leaves the whole entry to a person, with the payments it found
 * as suggestions: half-matching a batch would settle some payments of a booking nobody checked.
 */

export interface BookedTransaction {
  index: number;
  endToEndId: string | null;
  /** TxDtls/Amt, minor units; null when the bank left it out. */
  amount: bigint | null;
  counterpartyName: string | null;
}

/** A debit entry the bank booked for several of our payments at once. */
export const isBatchBooking = (entry: EntryRow): boolean =>
  entry.direction === 'debit' && !entry.reversal && entry.return_reason === null && entry.transaction_count > 1;

interface StoredTransaction {
  endToEndId?: string;
  amount?: { amount?: string };
  counterparty?: { name?: string };
}

/** The entry's transactions, as the import kept them (`details`, compact JSON of the parsed entry). */
export function bookedTransactions(entry: EntryRow): BookedTransaction[] {
  const details = (typeof entry.details === 'string' ? JSON.parse(entry.details) : entry.details) as {
    transactions?: StoredTransaction[];
  } | null;
  return (details?.transactions ?? []).map((t, index) => {
    const e2e = t.endToEndId?.trim();
    return {
      index,
      endToEndId: e2e && e2e.toUpperCase() !== 'NOTPROVIDED' ? e2e : null,
      amount: t.amount?.amount !== undefined && /^\d+$/.test(t.amount.amount) ? BigInt(t.amount.amount) : null,
      counterpartyName: t.counterparty?.name ?? null,
    };
  });
}

export interface BatchPlan {
  /** The payment each transaction settles, in transaction order; null when the entry goes to a person. */
  chosen: Scored[] | null;
  /** Why it goes to a person. */
  reason: string;
  /** Every payment found for any transaction, scored: the suggestions. */
  scored: Scored[];
  /** What the bank booked beyond the payments (its charges), when the entry is confirmed. */
  charges: bigint;
}

export async function planBatchBooking(
  unit: DomainWork,
  entry: EntryRow,
  remaining: bigint,
  rules: Rules,
): Promise<BatchPlan> {
  const transactions = bookedTransactions(entry);
  const ids = [...new Set(transactions.flatMap((t) => (t.endToEndId ? [t.endToEndId] : [])))];
  const payments =
    ids.length === 0
      ? []
      : await unit.tx
          .selectFrom('payment_instructions as p')
          .innerJoin('beneficiaries as b', 'b.id', 'p.beneficiary_id')
          .select(['p.id', 'p.amount', 'p.end_to_end_id', 'p.requested_execution_date', 'b.name'])
          .where('p.end_to_end_id', 'in', ids)
          .where('p.bank_account_id', '=', entry.bank_account_id)
          .where('p.status', 'in', ['sent', 'accepted'])
          .execute();

  const perTransaction: Scored[][] = [];
  for (const t of transactions) {
    const candidates: Candidate[] = payments
      .filter((p) => t.endToEndId !== null && p.end_to_end_id === t.endToEndId)
      .map((p) => ({
        rule: 'end_to_end' as const,
        targetKind: 'outgoing_payment' as const,
        targetId: p.id,
        label: p.end_to_end_id,
        openAmount: p.amount,
        amountFit: t.amount === null || t.amount === p.amount ? ('exact' as const) : ('different' as const),
        nameSimilarity: nameSimilarity(t.counterpartyName, p.name),
        daysFromDue: daysBetween(entry.booking_date, p.requested_execution_date),
        counterpartyName: t.counterpartyName,
        targetName: p.name,
      }));
    perTransaction.push(await scoreCandidates(entry, candidates, rules));
  }
  const scored = perTransaction.flat();
  const refuse = (reason: string): BatchPlan => ({
    chosen: null,
    reason: `a batch booking of ${transactions.length} transactions: ${reason}`,
    scored,
    charges: 0n,
  });

  const chosen: Scored[] = [];
  for (const [i, candidates] of perTransaction.entries()) {
    const t = transactions[i]!;
    const sure = candidates.filter((s) => s.confidence >= s.autoConfirmAt);
    const which = `transaction ${i + 1}${t.endToEndId ? ` (${t.endToEndId})` : ''}`;
    if (sure.length === 0) return refuse(`${which} matches no sent payment confidently`);
    if (sure.length > 1) return refuse(`${which} matches ${sure.length} payments`);
    chosen.push(sure[0]!);
  }
  if (new Set(chosen.map((c) => c.targetId)).size !== chosen.length) {
    return refuse('one payment is named by two transactions');
  }
  const total = chosen.reduce((sum, c) => sum + c.openAmount, 0n);
  const charges = remaining - total;
  const booked = entry.charges === null ? 0n : BigInt(entry.charges);
  if (charges !== 0n && charges !== booked) {
    return refuse(`its payments add up to ${total}, the entry to ${remaining}`);
  }
  return { chosen, reason: '', scored, charges };
}
