import { sql } from 'kysely';
import { storedEventsOfType } from '../../engine/index.js';
import { customerHistory } from '../collections/case-history.js';
import { annuityPayment, loanSchedule } from '../receivables/schedule/loan-schedule.js';
import type { Tx } from '../../storage/schema.js';
import type { Applicant } from './application-input.js';
import type { ApplicationRow } from './tables.js';
import type { CreditProduct } from './credit-settings.js';

/**
 * What finflow finds out about an application before policy looks at it: the bureau's answer, the
 * applicant's history with us (exposure, payment behaviour, recent applications), and affordability.
 * Money stays in bigint minor units; only the ratios (DTI, PTI, income gap) are plain numbers.
 */

/** The bureau's answer as the workflow's `http.request` step mapped it (null: no bureau configured). */
export interface BureauReport {
  found: boolean;
  score: number | null;
  estimatedMonthlyIncome: bigint | null;
  monthlyDebtPayments: bigint | null;
  recentDefault: boolean;
  name: string | null;
  dateOfBirth: string | null;
}

/** Reads the mapped bureau answer defensively: a bureau is outside input too. */
export function parseBureau(mapped: unknown): BureauReport | null {
  if (mapped === null || mapped === undefined || typeof mapped !== 'object') return null;
  const m = mapped as Record<string, unknown>;
  const int = (v: unknown): bigint | null =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
      ? BigInt(v)
      : typeof v === 'string' && /^\d{1,18}$/.test(v)
        ? BigInt(v)
        : null;
  const found = m.found === true;
  return {
    found,
    score: found && typeof m.score === 'number' && Number.isFinite(m.score) ? m.score : null,
    estimatedMonthlyIncome: found ? int(m.estimatedMonthlyIncome) : null,
    monthlyDebtPayments: found ? int(m.monthlyDebtPayments) : null,
    recentDefault: found && m.recentDefault === true,
    name: found && typeof m.name === 'string' ? m.name : null,
    dateOfBirth: found && typeof m.dateOfBirth === 'string' ? m.dateOfBirth : null,
  };
}

export interface InternalHistory {
  existingCustomer: boolean;
  exposure: string;
  creditLimit: string | null;
  openReceivables: number;
  /** Worst days past due on the customer's open receivables now; null with none. */
  maxDpd: number | null;
  /** Installments the customer ever missed (receivable.installment_missed events). */
  missedInstallments: number;
  /** The next installment of every open loan, summed: what the customer already pays us monthly. */
  monthlyInstallments: string;
  riskRating: string | null;
  /** Applications by the same national id (or customer) in the last 30 days, this one included. */
  applications30d: number;
  /** Collection cases opened in the last 365 days, and those still open. */
  collectionCases: number;
  openCollectionCases: number;
  /** Promises to pay broken in the last 180 days. */
  brokenPromises: number;
}

export async function internalHistory(tx: Tx, app: ApplicationRow, now: Date): Promise<InternalHistory> {
  const customer = await tx
    .selectFrom('customers')
    .select(['exposure', 'credit_limit', 'risk_rating', 'created_at'])
    .where('id', '=', app.customer_id)
    .executeTakeFirstOrThrow();
  const receivables = await tx
    .selectFrom('receivables')
    .select([sql<string>`count(*)`.as('open'), sql<number | null>`max(dpd)`.as('max_dpd')])
    .where('customer_id', '=', app.customer_id)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  const installments = await sql<{ total: string | null }>`
    SELECT SUM(next.principal_due + next.interest_due + next.fee_due) AS total
      FROM receivables r
      CROSS JOIN LATERAL (
        SELECT i.principal_due, i.interest_due, i.fee_due FROM installments i
         WHERE i.receivable_id = r.id
           AND i.principal_paid + i.interest_paid + i.fee_paid < i.principal_due + i.interest_due + i.fee_due
         ORDER BY i.seq LIMIT 1) next
     WHERE r.customer_id = ${app.customer_id} AND r.status = 'open' AND r.kind = 'loan'`.execute(tx);
  const missed = await sql<{ n: string }>`
    SELECT count(*) AS n FROM ${storedEventsOfType('receivable.installment_missed')} e
      JOIN receivables r ON r.id = e.key
     WHERE r.customer_id = ${app.customer_id}`.execute(tx);
  const since = new Date(now.getTime() - 30 * 86_400_000);
  let recent = tx
    .selectFrom('credit_applications')
    .select(sql<string>`count(*)`.as('n'))
    .where('created_at', '>=', since);
  recent = app.national_id_hash
    ? recent.where((eb) =>
        eb.or([eb('national_id_hash', '=', app.national_id_hash), eb('customer_id', '=', app.customer_id)]),
      )
    : recent.where('customer_id', '=', app.customer_id);
  const applications = await recent.executeTakeFirstOrThrow();
  const open = Number(receivables.open);
  const collections = await customerHistory(tx, app.customer_id, now.toISOString().slice(0, 10));
  return {
    // A customer created by this very application has no history with us.
    existingCustomer: customer.created_at.getTime() < app.created_at.getTime() || open > 0,
    exposure: customer.exposure.toString(),
    creditLimit: customer.credit_limit?.toString() ?? null,
    openReceivables: open,
    maxDpd: open > 0 ? Number(receivables.max_dpd ?? 0) : null,
    missedInstallments: Number(missed.rows[0]?.n ?? 0),
    monthlyInstallments: installments.rows[0]?.total ?? '0',
    riskRating: customer.risk_rating,
    applications30d: Number(applications.n),
    collectionCases: collections.priorCases,
    openCollectionCases: collections.openCases,
    brokenPromises: collections.brokenPromises,
  };
}

export interface Affordability {
  /** The new loan's monthly installment at the product's assessment (stress) rate. */
  installment: string;
  assessmentRate: string;
  existingDebtPayments: string;
  disposableIncome: string;
  /** (existing debt payments + installment) / declared income; null with no income. */
  dti: number | null;
  /** installment / declared income. */
  pti: number | null;
}

/**
 * Affordability at the product's stress rate, before the grade (and so the price) is known: the
 * installment a customer must carry even at a high rate. Existing debt is the bureau's figure when it
 * has a file (it includes loans with us), else what the customer pays us.
 */
export function affordability(
  app: ApplicationRow,
  product: CreditProduct,
  bureau: BureauReport | null,
  history: InternalHistory,
): Affordability {
  const installment = monthlyInstallment(app.amount, product.assessmentRate, app.term_months, product);
  const existing = bureau?.monthlyDebtPayments ?? BigInt(history.monthlyInstallments);
  const income = app.monthly_income;
  const ratio = (n: bigint) => (income > 0n ? Math.round((Number(n) / Number(income)) * 10_000) / 10_000 : null);
  return {
    installment: installment.toString(),
    assessmentRate: product.assessmentRate,
    existingDebtPayments: existing.toString(),
    disposableIncome: (income - app.monthly_expenses - existing - installment).toString(),
    dti: ratio(existing + installment),
    pti: ratio(installment),
  };
}

/** The first full installment by the product's schedule method. */
export function monthlyInstallment(amount: bigint, rate: string, termMonths: number, product: CreditProduct): bigint {
  if (product.method === 'annuity') return annuityPayment(amount, rate, termMonths);
  const [first] = loanSchedule({
    principal: amount,
    annualRate: rate,
    termMonths,
    method: product.method,
    firstDueDate: '2000-01-31',
    currency: 'EUR',
  });
  return first!.principalDue + first!.interestDue;
}

/** Whole years between a date of birth and a day (YYYY-MM-DD). */
export function ageOn(dateOfBirth: string, day: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

const normalise = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** Name or date of birth disagree between the application, the bureau and our customer record. */
export function identityMismatch(applicant: Applicant, bureau: BureauReport | null, customerName: string): boolean {
  const name = normalise(applicant.name);
  if (bureau?.found) {
    if (bureau.name !== null && normalise(bureau.name) !== name) return true;
    if (bureau.dateOfBirth !== null && bureau.dateOfBirth !== applicant.dateOfBirth) return true;
  }
  return normalise(customerName) !== name;
}

/** An existing customer applying with another email or phone than the ones on file. */
export function contactMismatch(
  applicant: Applicant,
  customer: { email: string | null; phone: string | null },
): boolean {
  const digits = (p: string) => p.replace(/\D/g, '');
  if (applicant.email && customer.email && applicant.email.toLowerCase() !== customer.email.toLowerCase()) return true;
  return Boolean(applicant.phone && customer.phone && digits(applicant.phone) !== digits(customer.phone));
}
