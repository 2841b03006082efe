import type { DomainWork } from '../../unit-of-work.js';
import { daysBetween, type Candidate, type EntryRow } from './candidate.js';
import { nameSimilarity } from './names.js';
import { scoreCandidates, type Scored } from './outcomes.js';
import type { Rules } from './rules.js';

/**
 * Batch bookings of outgoing payments. finflow's pain.001 files ask for batch booking, so a bank
 * books a released file as ONE debit entry of the file's total: it lists each payment in the entry's
 * transaction details, or only names the file (`Btch`: its message and payment information ids).
 * Such an entry is settled payment by payment: each listed transaction expects the payment its
 * end-to-end id names, a named file expects its payments the bank has not rejected; each is scored by
 * the reconciliation decision's `end_to_end` rule like a single entry's. The entry is confirmed only
 * when each expected payment is confirmable and unique, and the payments (with the bank's charges,
 * when it booked them) add up to the entry. Anything else leaves the whole entry to a person, with
 * the payments found as suggestions: half-matching a batch would settle some payments of a booking
 * nobody checked.
 */

export interface BookedTransaction {
  index: number;
  endToEndId: string | null;
  /** TxDtls/Amt, minor units; null when the bank left it out. */
  amount: bigint | null;
  counterpartyName: string | null;
}

/** The bank's batch summary (`NtryDtls/Btch`): which of our files it booked, when it says so. */
export interface BookedBatch {
  messageId: string | null;
  paymentInformationId: string | null;
  transactionCount: number | null;
}

/**
 * A debit entry the bank booked for several of our payments at once: it lists them as
 * transactions, or names our file (its message or payment information id) without listing them.
 */
export const isBatchBooking = (entry: EntryRow): boolean =>
  entry.direction === 'debit' &&
  !entry.reversal &&
  entry.return_reason === null &&
  (entry.transaction_count > 1 || bookedBatch(entry) !== null);

interface StoredTransaction {
  endToEndId?: string;
  amount?: { amount?: string };
  counterparty?: { name?: string };
}

interface StoredEntry {
  transactions?: StoredTransaction[];
  batch?: { messageId?: string; paymentInformationId?: string; transactionCount?: number };
}

const storedEntry = (entry: EntryRow): StoredEntry | null =>
  (typeof entry.details === 'string' ? JSON.parse(entry.details) : entry.details) as StoredEntry | null;

/** The batch summary naming one of our files, or null (none, or it names no file). */
export function bookedBatch(entry: EntryRow): BookedBatch | null {
  const batch = storedEntry(entry)?.batch;
  if (!batch || (!batch.messageId && !batch.paymentInformationId)) return null;
  return {
    messageId: batch.messageId?.trim() || null,
    paymentInformationId: batch.paymentInformationId?.trim() || null,
    transactionCount: batch.transactionCount ?? null,
  };
}

/** The entry's transactions, as the import kept them (`details`, compact JSON of the parsed entry). */
export function bookedTransactions(entry: EntryRow): BookedTransaction[] {
  return (storedEntry(entry)?.transactions ?? []).map((t, index) => {
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

interface Expected {
  /** How the reason names it: `transaction 2 (E2E-9)`, or `payment FF01…` of a named file. */
  which: string;
  candidates: Candidate[];
}

export async function planBatchBooking(
  unit: DomainWork,
  entry: EntryRow,
  remaining: bigint,
  rules: Rules,
): Promise<BatchPlan> {
  const batch = entry.transaction_count > 1 ? null : bookedBatch(entry);
  const found = batch ? await fileBooked(unit, entry, batch) : await transactionsBooked(unit, entry);
  const perExpected: Scored[][] = [];
  for (const expected of found.expected) perExpected.push(await scoreCandidates(entry, expected.candidates, rules));
  const scored = perExpected.flat();
  const refuse = (reason: string): BatchPlan => ({
    chosen: null,
    reason: `${found.what}: ${reason}`,
    scored,
    charges: 0n,
  });
  if (found.problem) return refuse(found.problem);

  const chosen: Scored[] = [];
  for (const [i, candidates] of perExpected.entries()) {
    const which = found.expected[i]!.which;
    const sure = candidates.filter((s) => s.confidence >= s.autoConfirmAt);
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

interface Found {
  /** How the reason names the booking. */
  what: string;
  expected: Expected[];
  /** Why it cannot be confirmed before any scoring, if so. */
  problem?: string;
}

type PaymentRow = { id: string; amount: bigint; end_to_end_id: string; requested_execution_date: string; name: string };

const candidate = (entry: EntryRow, p: PaymentRow, amount: bigint | null, counterparty: string | null): Candidate => ({
  rule: 'end_to_end',
  targetKind: 'outgoing_payment',
  targetId: p.id,
  label: p.end_to_end_id,
  openAmount: p.amount,
  amountFit: amount === null || amount === p.amount ? 'exact' : 'different',
  nameSimilarity: nameSimilarity(counterparty, p.name),
  daysFromDue: daysBetween(entry.booking_date, p.requested_execution_date),
  counterpartyName: counterparty,
  targetName: p.name,
});

/** Sent or accepted payments of the entry's account, narrowed by `where`. */
function sentPayments(unit: DomainWork, entry: EntryRow) {
  return unit.tx
    .selectFrom('payment_instructions as p')
    .innerJoin('beneficiaries as b', 'b.id', 'p.beneficiary_id')
    .select(['p.id', 'p.amount', 'p.end_to_end_id', 'p.requested_execution_date', 'b.name'])
    .where('p.bank_account_id', '=', entry.bank_account_id)
    .where('p.status', 'in', ['sent', 'accepted']);
}

/** The transactions the bank listed: each expects the payment its end-to-end id names. */
async function transactionsBooked(unit: DomainWork, entry: EntryRow): Promise<Found> {
  const transactions = bookedTransactions(entry);
  const ids = [...new Set(transactions.flatMap((t) => (t.endToEndId ? [t.endToEndId] : [])))];
  const payments =
    ids.length === 0 ? [] : await sentPayments(unit, entry).where('p.end_to_end_id', 'in', ids).execute();
  return {
    what: `a batch booking of ${transactions.length} transactions`,
    expected: transactions.map((t, i) => ({
      which: `transaction ${i + 1}${t.endToEndId ? ` (${t.endToEndId})` : ''}`,
      candidates: payments
        .filter((p) => t.endToEndId !== null && p.end_to_end_id === t.endToEndId)
        .map((p) => candidate(entry, p, t.amount, t.counterpartyName)),
    })),
  };
}

/**
 * A booking that names our file without listing its payments: the file's payments the bank has not
 * rejected (sent or accepted) are what it booked. Our ids are unique (`FFB` + the batch's ULID), so
 * the file is found by its payment information id, else its message id.
 */
async function fileBooked(unit: DomainWork, entry: EntryRow, batch: BookedBatch): Promise<Found> {
  const named = batch.paymentInformationId ?? batch.messageId!;
  const files = await unit.tx
    .selectFrom('payment_batches')
    .select(['id', 'number_of_transactions'])
    .where('bank_account_id', '=', entry.bank_account_id)
    .where((eb) =>
      batch.paymentInformationId
        ? eb('payment_information_id', '=', batch.paymentInformationId)
        : eb('message_id', '=', batch.messageId!),
    )
    .execute();
  const what = `a batch booking of our file ${named}`;
  if (files.length !== 1) return { what, expected: [], problem: 'no payment file of this account has that id' };
  const payments = await sentPayments(unit, entry).where('p.batch_id', '=', files[0]!.id).orderBy('p.id').execute();
  if (payments.length === 0) return { what, expected: [], problem: 'none of its payments is sent or accepted' };
  const expected = payments.map((p) => ({
    which: `payment ${p.end_to_end_id}`,
    candidates: [candidate(entry, p, null, null)],
  }));
  if (batch.transactionCount !== null && batch.transactionCount !== payments.length) {
    const problem = `the bank booked ${batch.transactionCount} transactions, ${payments.length} of its payments are sent or accepted`;
    return { what, expected, problem };
  }
  return { what, expected };
}
