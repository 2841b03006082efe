import { ensureAccount } from '../ledger/accounts.js';
import { postJournal, postJournals } from '../ledger/journal.js';
import type { AccountSpec, JournalRequest, TransferInput } from '../ledger/ledger-model.js';
import { reverseJournal } from '../ledger/reversal.js';
import type { DomainWork } from '../unit-of-work.js';
import type { Allocation } from './allocation/waterfall.js';

/**
 * How receivables move money in the ledger. One set of accounts per currency:
 *
 *   receivables:principal   (debit)   loan principal and invoice amounts still owed
 *   receivables:fees        (debit)   fees charged and not yet paid
 *   income:invoiced         (credit)  invoice revenue, recognised when the invoice is issued
 *   income:interest         (credit)  interest, recognised when collected (cash basis)
 *   income:fees             (credit)  fees, recognised when charged
 *   loans:disbursements_payable (credit) owed to borrowers until the payments capability pays out
 *   cash:collections        (debit)   incoming payments, until reconciled with the bank statement
 *   liabilities:customer_credit (credit, never below zero) overpayments held for customers
 *   losses:write_offs       (debit)   debts given up, and credit notes on loans
 *
 * so that, per currency, the balance of receivables:principal equals the unpaid principal of all
 * schedules and receivables:fees their unpaid fees — which the property tests check.
 */
export const ACCOUNTS = {
  principal: { code: 'receivables:principal', normalSide: 'debit' },
  fees: { code: 'receivables:fees', normalSide: 'debit' },
  invoiced: { code: 'income:invoiced', normalSide: 'credit' },
  interestIncome: { code: 'income:interest', normalSide: 'credit' },
  feeIncome: { code: 'income:fees', normalSide: 'credit' },
  disbursements: { code: 'loans:disbursements_payable', normalSide: 'credit' },
  cash: { code: 'cash:collections', normalSide: 'debit' },
  customerCredit: { code: 'liabilities:customer_credit', normalSide: 'credit', debitsMustNotExceedCredits: true },
  writeOffs: { code: 'losses:write_offs', normalSide: 'debit' },
} satisfies Record<string, Omit<AccountSpec, 'currency'>>;

type AccountName = keyof typeof ACCOUNTS;

export interface PostingContext {
  /** The unit the journals are posted in (it writes their balance moves and audit rows at its end). */
  unit: DomainWork;
  actor: string;
  requestId: string | null;
  /** Account ids already looked up in this unit of work. */
  memo?: Map<string, string>;
}

/** Posting on behalf of a domain unit of work: its transaction, actor and lookups. */
export function postingContextOf(unit: DomainWork): PostingContext {
  return { unit, actor: unit.actor, requestId: unit.requestId, memo: unit.memo };
}

async function accountId(ctx: PostingContext, name: AccountName, currency: string): Promise<string> {
  const key = `ledger-account:${ACCOUNTS[name].code}:${currency}`;
  const known = ctx.memo?.get(key);
  if (known) return known;
  const account = await ensureAccount(ctx.unit, { ...ACCOUNTS[name], currency }, 'system:receivables');
  ctx.memo?.set(key, account.id);
  return account.id;
}

interface Leg {
  suffix: string;
  debit: AccountName;
  credit: AccountName;
  amount: bigint;
}

/** Who writes and why. */
function writer(ctx: PostingContext, reason: string) {
  return { actor: ctx.actor, reason, requestId: ctx.requestId };
}

/** The journal entry of `legs` (those above zero); undefined when no leg moves money. */
async function journalOf(
  ctx: PostingContext,
  journalId: string,
  currency: string,
  reference: string,
  code: string,
  legs: Leg[],
  reason: string,
): Promise<JournalRequest | undefined> {
  const transfers: TransferInput[] = [];
  for (const leg of legs) {
    if (leg.amount <= 0n) continue;
    transfers.push({
      id: `${journalId}.${leg.suffix}`,
      debitAccountId: await accountId(ctx, leg.debit, currency),
      creditAccountId: await accountId(ctx, leg.credit, currency),
      amount: leg.amount,
      currency,
      code,
      reference,
    });
  }
  return transfers.length === 0 ? undefined : { journalId, transfers, ...writer(ctx, reason) };
}

async function post(
  ctx: PostingContext,
  journalId: string,
  currency: string,
  reference: string,
  code: string,
  legs: Leg[],
  reason: string,
): Promise<string> {
  const journal = await journalOf(ctx, journalId, currency, reference, code, legs, reason);
  if (journal) await postJournal(ctx.unit, journal);
  return journalId;
}

/** Posts the journals of many postings at once (a bulk sync's chunk), in order; see postJournals. */
async function postMany(
  ctx: PostingContext,
  journals: Array<() => Promise<JournalRequest | undefined>>,
): Promise<void> {
  const requests: JournalRequest[] = [];
  // One after the other: the first posting in a currency may create its accounts.
  for (const journal of journals) {
    const request = await journal();
    if (request) requests.push(request);
  }
  if (requests.length > 0) await postJournals(ctx.unit, requests);
}

/** A new receivable: its principal (and the schedule's up-front fees) become assets. */
export function postReceivableCreated(ctx: PostingContext, r: CreatedReceivable): Promise<string> {
  return post(ctx, ...receivableCreatedJournal(r));
}

/** The journals of many new receivables (a bulk sync's chunk), posted at once. */
export function postReceivablesCreated(ctx: PostingContext, list: CreatedReceivable[]): Promise<void> {
  return postMany(
    ctx,
    list.map((r) => () => journalOf(ctx, ...receivableCreatedJournal(r))),
  );
}

type CreatedReceivable = { id: string; kind: 'invoice' | 'loan'; currency: string; principal: bigint; fees: bigint };
type JournalArgs = [journalId: string, currency: string, reference: string, code: string, legs: Leg[], reason: string];

function receivableCreatedJournal(r: CreatedReceivable): JournalArgs {
  return [
    `${r.id}.opened`,
    r.currency,
    r.id,
    r.kind === 'loan' ? 'loan.disbursement' : 'invoice.issued',
    [
      {
        suffix: 'principal',
        debit: 'principal',
        credit: r.kind === 'loan' ? 'disbursements' : 'invoiced',
        amount: r.principal,
      },
      { suffix: 'fees', debit: 'fees', credit: 'feeIncome', amount: r.fees },
    ],
    r.kind === 'loan' ? 'loan disbursement payable' : 'invoice issued',
  ];
}

export function postFeeCharged(
  ctx: PostingContext,
  fee: { id: string; receivableId: string; currency: string; amount: bigint },
): Promise<string> {
  return post(
    ctx,
    fee.id,
    fee.currency,
    fee.receivableId,
    'fee.charged',
    [{ suffix: 'fee', debit: 'fees', credit: 'feeIncome', amount: fee.amount }],
    'fee charged',
  );
}

/** A payment: cash in, split by what the waterfall paid; the unallocated rest is held for the customer. */
export function postPayment(ctx: PostingContext, payment: ReceivedPayment): Promise<string> {
  return post(ctx, ...paymentJournal(payment));
}

/** The journals of many payments (a bulk sync's chunk), posted at once. */
export function postPayments(ctx: PostingContext, list: ReceivedPayment[]): Promise<void> {
  return postMany(
    ctx,
    list.map((p) => () => journalOf(ctx, ...paymentJournal(p))),
  );
}

type ReceivedPayment = {
  id: string;
  receivableId: string;
  currency: string;
  allocations: Allocation[];
  unallocated: bigint;
};

function paymentJournal(payment: ReceivedPayment): JournalArgs {
  const sum = (component: Allocation['component']) =>
    payment.allocations.filter((a) => a.component === component).reduce((s, a) => s + a.amount, 0n);
  return [
    payment.id,
    payment.currency,
    payment.receivableId,
    'payment.received',
    [
      { suffix: 'principal', debit: 'cash', credit: 'principal', amount: sum('principal') },
      { suffix: 'interest', debit: 'cash', credit: 'interestIncome', amount: sum('interest') },
      { suffix: 'fee', debit: 'cash', credit: 'fees', amount: sum('fee') },
      { suffix: 'overpayment', debit: 'cash', credit: 'customerCredit', amount: payment.unallocated },
    ],
    'payment received',
  ];
}

/**
 * A credit note or a write-off takes principal and fees off the books. A credit note on an invoice
 * reverses the revenue it recognised; on a loan, and every write-off, it is a loss. Fees were
 * income when charged: a credit note takes the income back, a write-off books the loss. Interest is
 * recognised only when collected, so forgiving it posts nothing.
 */
export function postAdjustment(
  ctx: PostingContext,
  adjustment: {
    id: string;
    receivableId: string;
    kind: 'invoice' | 'loan';
    type: 'credit_note' | 'write_off';
    currency: string;
    principal: bigint;
    fee: bigint;
  },
): Promise<string> {
  const creditNote = adjustment.type === 'credit_note';
  return post(
    ctx,
    adjustment.id,
    adjustment.currency,
    adjustment.receivableId,
    creditNote ? 'receivable.credit_note' : 'receivable.write_off',
    [
      {
        suffix: 'principal',
        debit: creditNote && adjustment.kind === 'invoice' ? 'invoiced' : 'writeOffs',
        credit: 'principal',
        amount: adjustment.principal,
      },
      { suffix: 'fee', debit: creditNote ? 'feeIncome' : 'writeOffs', credit: 'fees', amount: adjustment.fee },
    ],
    creditNote ? 'credit note' : 'write-off',
  );
}

/** A payment reversal (bounced, recalled): the payment's journal is reversed by a new one. */
export async function postPaymentReversal(
  ctx: PostingContext,
  payment: { id: string; journalId: string },
  reason: string,
): Promise<string> {
  const journalId = `${payment.id}.reversal`;
  await reverseJournal(ctx.unit, { journalId: payment.journalId, newJournalId: journalId, ...writer(ctx, reason) });
  return journalId;
}
