/**
 * The terms of the credit contract's GOOD application (5 000 EUR over 24 months, income 4 000/month,
 * expenses 1 000, employed 60 months): with its bureau file, grade A and approved without review.
 */
export const GOOD_APPLICATION_TERMS = {
  product: 'personal-loan',
  amount: '500000',
  currency: 'EUR',
  termMonths: 24,
  purpose: 'car',
  monthlyIncome: '400000',
  monthlyExpenses: '100000',
  employment: { status: 'employed', monthsInJob: 60, employer: 'Acme' },
  consent: { bureauCheck: true },
};
