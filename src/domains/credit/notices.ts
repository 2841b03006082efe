import { Decimal } from 'decimal.js';
import type { CreditApplication } from './applications.js';

/**
 * What the applicant is told, as data for the channels' templates (credit_approved, credit_declined
 * with the adverse-action reasons, credit_counter_offer). Wording lives in the templates, which
 * operations staff edit per language (PUT /channels/templates/email/{name}/{locale}).
 */
export const NOTICE_TEMPLATES = ['credit_approved', 'credit_declined', 'credit_counter_offer'] as const;

const percent = (rate: unknown) => (typeof rate === 'string' ? new Decimal(rate).times(100).toString() : null);

export function answerNoticeData(app: CreditApplication): Record<string, unknown> {
  const contract = app.contract ?? {};
  const offer = app.offer ?? {};
  return {
    reference: app.id,
    product: app.product,
    currency: app.currency,
    requestedAmount: app.amount,
    termMonths: contract.termMonths ?? app.termMonths,
    amount: contract.principal ?? app.amount,
    ratePercent: percent(contract.annualRate),
    installment: contract.installment ?? null,
    firstDueDate: contract.firstDueDate ?? null,
    creditLimit: contract.creditLimit ?? null,
    reasons: app.reasons.filter((r) => !r.code.startsWith('RT_')).map((r) => r.text),
    offer: app.offer
      ? { amount: offer.amount, termMonths: offer.termMonths, ratePercent: percent(offer.annualRate) }
      : null,
  };
}
