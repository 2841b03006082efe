import { sql } from 'kysely';
import type { Queryable } from '../../../storage/schema.js';
import type { DomainWork } from '../../unit-of-work.js';
import { onlyActiveAccount, payingAccount } from '../bank-accounts.js';
import { submitPayments } from '../runs/submit-payments.js';
import type { BankAccountRow } from '../tables.js';
import { earliestValueDate, valueDaysByAccount } from '../value-dates.js';
import '../../ledger/tables.js';

/**
 * Disbursement payments: credit booking leaves each loan's payout as a *pending* ledger transfer
 * (code `loan.payout`, id `<application id>.disbursement`, reference the loan's receivable). A run
 * turns every such transfer still pending and not yet carried by a payment into one payment
 * instruction to the borrower — source `disbursement`, sourceRef the transfer id, so the unique
 * index on payment_instructions (source, source_ref) makes it at most once — through the same
 * submit path as a CSV run (one approval workflow per payment). The borrower is paid only to a
 * *verified* beneficiary of kind `customer` for that customer; without one the payout is skipped
 * and reported, and the next run tries again. The run's caller is the payments' maker.
 * The ledger is left as it is: see docs/payments.md "Disbursements". The loan is read from the
 * `receivables` table by SQL only (its table types are program-wide; payments may not import receivables).
 */

export const PAYOUT_CODE = 'loan.payout';

export type SkipReason = 'no_beneficiary' | 'beneficiary_not_verified' | 'no_bank_account_in_currency';

interface PendingPayout {
  transferId: string;
  amount: bigint;
  currency: string;
  receivableId: string | null;
  customerId: string | null;
  loanExternalId: string | null;
  postedAt: Date;
  paymentId: string | null;
  paymentStatus: string | null;
}

/** Pending `loan.payout` transfers not yet posted or voided, with their loan and their payment if any. */
async function pendingPayouts(db: Queryable, onlyUnpaid: boolean): Promise<PendingPayout[]> {
  let query = db
    .selectFrom('ledger_transfers as t')
    .leftJoin('receivables as r', 'r.id', 't.reference')
    .leftJoin('payment_instructions as p', (join) =>
      join.onRef('p.source_ref', '=', 't.id').on('p.source', '=', 'disbursement'),
    )
    .select([
      't.id as transferId',
      't.amount',
      't.currency',
      't.reference as receivableId',
      't.posted_at as postedAt',
      'r.customer_id as customerId',
      'r.external_id as loanExternalId',
      'p.id as paymentId',
      'p.status as paymentStatus',
    ])
    .where('t.code', '=', PAYOUT_CODE)
    .where('t.kind', '=', 'pending')
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('ledger_transfers as x').select('x.id').whereRef('x.pending_id', '=', 't.id'))),
    )
    .orderBy('t.seq');
  if (onlyUnpaid) query = query.where('p.id', 'is', null);
  return query.execute();
}

export interface DisbursementRunResult {
  asOf: string;
  created: Array<{
    transferId: string;
    paymentId: string;
    customerId: string;
    beneficiaryId: string;
    loanExternalId: string;
    amount: string;
    currency: string;
    requestedExecutionDate: string;
  }>;
  skipped: Array<{ transferId: string; customerId: string | null; reason: SkipReason }>;
}

/**
 * The debtor account per currency: the one named (only its currency's payouts are paid; the others
 * are skipped), else the only active account in that currency — none or several: 422 naming
 * `bankAccountId`, since guessing which account pays out a loan is not ours to do.
 */
async function accountFor(
  db: Queryable,
  currency: string,
  named: BankAccountRow | null,
): Promise<BankAccountRow | null> {
  if (named) return named.currency === currency ? named : null;
  return onlyActiveAccount(db, currency, `pay out the pending ${currency} loan payouts from`);
}

export async function runDisbursements(
  unit: DomainWork,
  input: { bankAccountId?: string | undefined },
  maker: string,
): Promise<DisbursementRunResult> {
  const today = unit.today();
  const named = input.bankAccountId === undefined ? null : await payingAccount(unit.tx, input.bankAccountId);
  const payouts = await pendingPayouts(unit.tx, true);
  const result: DisbursementRunResult = { asOf: today, created: [], skipped: [] };
  if (payouts.length === 0) return result;

  const accounts = new Map<string, BankAccountRow | null>();
  for (const currency of new Set(payouts.map((p) => p.currency))) {
    accounts.set(currency, await accountFor(unit.tx, currency, named));
  }
  const customerIds = [...new Set(payouts.flatMap((p) => (p.customerId === null ? [] : [p.customerId])))];
  const beneficiaries =
    customerIds.length === 0
      ? []
      : await unit.tx
          .selectFrom('beneficiaries')
          .select(['id', 'customer_id', 'status'])
          .where('kind', '=', 'customer')
          .where('customer_id', '=', sql<string>`any(${customerIds}::text[])`)
          .orderBy('id')
          .execute();

  const due: Array<{ payout: PendingPayout; beneficiaryId: string; account: BankAccountRow }> = [];
  for (const payout of payouts) {
    const skip = (reason: SkipReason) =>
      result.skipped.push({ transferId: payout.transferId, customerId: payout.customerId, reason });
    const account = accounts.get(payout.currency) ?? null;
    if (!account) {
      skip('no_bank_account_in_currency');
      continue;
    }
    const theirs = beneficiaries.filter((b) => payout.customerId !== null && b.customer_id === payout.customerId);
    // The oldest verified one: a borrower's details are changed through the beneficiary's four eyes,
    // not by adding a second beneficiary.
    const verified = theirs.find((b) => b.status === 'verified');
    if (!verified) {
      skip(theirs.length === 0 ? 'no_beneficiary' : 'beneficiary_not_verified');
      continue;
    }
    due.push({ payout, beneficiaryId: verified.id, account });
  }
  if (due.length === 0) return result;

  // Paid out on the first value date each debtor bank still executes on (its calendar, its cut-off).
  const now = unit.clock.now();
  const valueDays = await valueDaysByAccount(unit.tx, new Set(due.map(({ account }) => account)));
  const valueDate = (account: BankAccountRow) => earliestValueDate(now, valueDays.get(account.id)!);
  const payments = await submitPayments(
    unit,
    due.map(({ payout, beneficiaryId, account }) => ({
      bankAccountId: account.id,
      beneficiaryId,
      amount: payout.amount,
      currency: payout.currency,
      requestedExecutionDate: valueDate(account),
      remittance: { unstructured: `Loan ${payout.loanExternalId ?? payout.receivableId ?? payout.transferId}` },
      purpose: 'LOAN',
      source: 'disbursement',
      sourceRef: payout.transferId,
    })),
    maker,
  );
  for (const [i, { payout, beneficiaryId, account }] of due.entries()) {
    const payment = payments[i]!;
    const entry = {
      transferId: payout.transferId,
      paymentId: payment.id,
      customerId: payout.customerId!,
      beneficiaryId,
      loanExternalId: payout.loanExternalId ?? '',
      amount: payout.amount.toString(),
      currency: payout.currency,
      requestedExecutionDate: valueDate(account),
    };
    unit.audit({
      action: 'disbursement.instructed',
      entityType: 'ledger_transfer',
      entityId: payout.transferId,
      before: null,
      after: entry,
    });
    unit.publish('disbursement.instructed', payout.transferId, { ...entry, createdBy: maker });
    result.created.push(entry);
  }
  return result;
}

/** Pending loan payouts, oldest first, each with the payment carrying it (null: not yet instructed). */
export async function listDisbursements(db: Queryable) {
  const payouts = await pendingPayouts(db, false);
  return payouts.map((p) => ({
    transferId: p.transferId,
    amount: p.amount.toString(),
    currency: p.currency,
    receivableId: p.receivableId,
    customerId: p.customerId,
    loanExternalId: p.loanExternalId,
    bookedAt: p.postedAt.toISOString(),
    payment: p.paymentId === null ? null : { id: p.paymentId, status: p.paymentStatus! },
  }));
}
