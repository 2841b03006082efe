import { AppError } from '../../core/errors.js';
import { lockCustomer, patchCustomer } from '../customers/customer-service.js';
import type { DomainWork } from '../unit-of-work.js';
import { ensureAccount } from '../ledger/accounts.js';
import { postJournal } from '../ledger/journal.js';
import { ACCOUNTS } from '../receivables/receivable-ledger.js';
import { createReceivable } from '../receivables/receivable-service.js';
import { addMonthsClamped } from '../receivables/schedule/due-dates.js';
import { loanSchedule } from '../receivables/schedule/loan-schedule.js';
import { expectStatus } from './applications.js';
import type { ApplicationRow } from './tables.js';
import { monthlyInstallment } from './assessment.js';
import { findProduct, readCreditSettings } from './credit-settings.js';
import type { DecisionRecord } from './decisioning.js';

/**
 * An approved application becomes a contract, in the step's transaction (so exactly once):
 * - a loan: a receivable with its schedule (which books principal against disbursements payable),
 *   and a *pending* ledger transfer paying it out — the payments capability posts it when the money
 *   has left the bank, or voids it;
 * - a credit line: the customer's credit limit raised by the amount; money moves on drawdown.
 * A loan raises the limit too, by what the schedule will have the customer owe; the exposure is
 * refreshed by receivables. The application records the contract.
 */

/** Where loan payouts wait for the payments capability (an asset: cash at the bank, going out). */
export const PAYOUT_ACCOUNT = { code: 'cash:disbursements', normalSide: 'debit' } as const;

export interface Contract {
  kind: 'loan' | 'credit_line';
  principal: string;
  currency: string;
  annualRate: string | null;
  termMonths: number;
  receivableId?: string;
  externalId?: string;
  installment?: string;
  firstDueDate?: string;
  disbursement?: { transferId: string; status: 'pending' };
  creditLimit?: string;
}

export async function bookContract(unit: DomainWork, app: ApplicationRow): Promise<Contract> {
  expectStatus(app, ['assessing', 'in_review', 'offered'], 'book a contract');
  const product = findProduct(await readCreditSettings(unit.tx), app.product);
  const decision = app.decision as DecisionRecord;
  const offer = app.offer as { amount: string; termMonths: number; annualRate: string; accepted?: boolean } | null;
  if (app.status === 'offered' && offer?.accepted !== true) {
    throw new AppError('offer_not_accepted', 409, `application ${app.id}: the counter-offer is not accepted`);
  }
  const principal = offer?.accepted ? BigInt(offer.amount) : app.amount;
  const termMonths = offer?.accepted ? offer.termMonths : app.term_months;
  const annualRate = offer?.accepted ? offer.annualRate : decision.terms.annualRate;

  let contract: Contract;
  if (product.kind === 'credit_line') {
    contract = await raiseLimit(unit, app, principal, termMonths, annualRate);
  } else {
    if (annualRate === null) {
      throw new AppError('no_price', 422, `application ${app.id}: policy gives grade ${decision.score.grade} no rate`);
    }
    contract = await bookLoan(unit, app, { principal, termMonths, annualRate, method: product.method, product });
  }

  const now = unit.clock.now();
  await unit.tx
    .updateTable('credit_applications')
    .set({ status: 'approved', contract: JSON.stringify(contract), decided_at: now, updated_at: now })
    .where('id', '=', app.id)
    .execute();
  unit.audit({
    action: 'credit.application.approved',
    entityType: 'credit_application',
    entityId: app.id,
    before: { status: app.status },
    after: { status: 'approved', contract },
  });
  unit.publish('credit.application.approved', app.id, {
    applicationId: app.id,
    customerId: app.customer_id,
    contract,
  });
  return contract;
}

async function bookLoan(
  unit: DomainWork,
  app: ApplicationRow,
  terms: {
    principal: bigint;
    termMonths: number;
    annualRate: string;
    method: 'annuity' | 'equal_principal';
    product: Parameters<typeof monthlyInstallment>[3];
  },
): Promise<Contract> {
  const customer = await unit.tx
    .selectFrom('customers')
    .select('external_id')
    .where('id', '=', app.customer_id)
    .executeTakeFirstOrThrow();
  const today = unit.today();
  const firstDueDate = addMonthsClamped(today, 1);
  const externalId = `${app.id}.loan`;
  // The approved credit joins the customer's limit before the receivable raises the exposure, so
  // booking what was approved never reads as a limit breach (exposure counts scheduled interest).
  const totalDue = loanSchedule({
    principal: terms.principal,
    annualRate: terms.annualRate,
    termMonths: terms.termMonths,
    method: terms.method,
    firstDueDate,
    currency: app.currency,
  }).reduce((sum, i) => sum + i.principalDue + i.interestDue + i.feeDue, 0n);
  const creditLimit = await raiseCustomerLimit(unit, app, totalDue);
  const { receivable } = await createReceivable(unit, {
    externalId,
    customerExternalId: customer.external_id,
    kind: 'loan',
    currency: app.currency,
    issueDate: today,
    principal: terms.principal.toString(),
    annualRate: terms.annualRate,
    termMonths: terms.termMonths,
    method: terms.method,
    firstDueDate,
    metadata: { creditApplicationId: app.id, product: app.product },
  });

  const payable = await ensureAccount(unit, { ...ACCOUNTS.disbursements, currency: app.currency }, 'system:credit');
  const payout = await ensureAccount(unit, { ...PAYOUT_ACCOUNT, currency: app.currency }, 'system:credit');
  const transferId = `${app.id}.disbursement`;
  // In the unit, with the receivable's own posting: balance moves and audit rows written at its end.
  await postJournal(unit, {
    journalId: transferId,
    transfers: [
      {
        id: transferId,
        debitAccountId: payable.id,
        creditAccountId: payout.id,
        amount: terms.principal,
        currency: app.currency,
        pending: true,
        code: 'loan.payout',
        reference: receivable.id,
        metadata: { creditApplicationId: app.id },
      },
    ],
    actor: unit.actor,
    reason: 'loan payout, pending until the payment leaves the bank',
    requestId: unit.requestId,
  });
  return {
    kind: 'loan',
    principal: terms.principal.toString(),
    currency: app.currency,
    annualRate: terms.annualRate,
    termMonths: terms.termMonths,
    receivableId: receivable.id,
    externalId,
    installment: monthlyInstallment(terms.principal, terms.annualRate, terms.termMonths, terms.product).toString(),
    firstDueDate,
    disbursement: { transferId, status: 'pending' },
    creditLimit,
  };
}

/** The customer's limit raised by `amount` (set when there was none); the limit's currency must match. */
async function raiseCustomerLimit(unit: DomainWork, app: ApplicationRow, amount: bigint): Promise<string> {
  const customer = await lockCustomer(unit.tx, app.customer_id);
  if (customer.limitCurrency !== null && customer.limitCurrency !== app.currency) {
    throw new AppError(
      'limit_currency_mismatch',
      422,
      `customer ${customer.id} has a credit limit in ${customer.limitCurrency}, the application is in ${app.currency}`,
    );
  }
  const limit = BigInt(customer.creditLimit ?? '0') + amount;
  await patchCustomer(unit, customer.id, { creditLimit: limit.toString(), limitCurrency: app.currency });
  return limit.toString();
}

async function raiseLimit(
  unit: DomainWork,
  app: ApplicationRow,
  amount: bigint,
  termMonths: number,
  annualRate: string | null,
): Promise<Contract> {
  const limit = await raiseCustomerLimit(unit, app, amount);
  return {
    kind: 'credit_line',
    principal: amount.toString(),
    currency: app.currency,
    annualRate,
    termMonths,
    creditLimit: limit,
  };
}
