import { addDays } from '../../receivables/schedule/due-dates.js';
import { random, type Random } from './prng.js';

/**
 * The simulated portfolio: one customer and one receivable per account, drawn from a seed. Where
 * the customer lives decides the time zone, the currency and the phone prefix; the language is
 * mostly the place's. A fifth are business customers, most of whom owe an invoice on net 30; the
 * rest owe a 12-month loan. First due dates are spread over the first 30 simulated days.
 *
 * Each account also gets a payment behaviour:
 * - `on_time` pays on time: most (`payAhead`) pay every installment that falls due in the simulated
 *   period at the first due date, as one payment (posting a payment costs about as much as loading
 *   a receivable, and these accounts never reach collections); the others pay each installment on
 *   its due date;
 * - `late` pays each installment `lateDays` after its due date;
 * - `promiser` stops paying; when a collector calls, it promises what is overdue for a date a few
 *   days out and pays everything overdue on that date, then pays on time (a `breaker` lets its
 *   first promise lapse and keeps the next one, if a collector calls again);
 * - `plan_taker` stops paying; when a collector calls, it agrees a two-part payment plan for the
 *   arrears, pays the parts on their dates and the later installments on time;
 * - `defaulter` never pays.
 * Everyone but `on_time` falls overdue, so the weights below keep the delinquent share near 13 %.
 */

export type Behaviour = 'on_time' | 'late' | 'promiser' | 'plan_taker' | 'defaulter';

export interface Place {
  timeZone: string;
  currency: string;
  languages: readonly string[];
  phone: (rng: Random) => string;
}

export const PLACES: readonly Place[] = [
  {
    timeZone: 'Europe/Madrid',
    currency: 'EUR',
    languages: ['es', 'es', 'en'],
    phone: (rng) => `+346${rng.int(10_000_000, 99_999_999)}`,
  },
  {
    timeZone: 'America/Mexico_City',
    currency: 'MXN',
    languages: ['es', 'es', 'en'],
    phone: (rng) => `+5255${rng.int(10_000_000, 99_999_999)}`,
  },
  {
    timeZone: 'Asia/Shanghai',
    currency: 'CNY',
    languages: ['zh-CN', 'zh-CN', 'en'],
    phone: (rng) => `+86138${rng.int(10_000_000, 99_999_999)}`,
  },
];

export const BEHAVIOUR_WEIGHTS: Readonly<Record<Behaviour, number>> = {
  on_time: 88,
  late: 4,
  promiser: 3.5,
  plan_taker: 2.5,
  defaulter: 2,
};

/** The share of on-time payers who pay each installment on its due date rather than ahead. */
export const MONTHLY_SHARE = 0.2;

const RATINGS = { A: 25, B: 30, C: 25, D: 12, E: 8 } as const;

export interface Account {
  index: number;
  customerExternalId: string;
  receivableExternalId: string;
  customer: {
    externalId: string;
    name: string;
    email: string;
    phone: string;
    language: string;
    timeZone: string;
    segment: 'retail' | 'business';
    riskRating: string;
  };
  receivable: Record<string, unknown>;
  currency: string;
  behaviour: Behaviour;
  /** For `on_time`: pays the simulated period's installments at once, at the first due date. */
  payAhead: boolean;
  /** For `late`: days after each due date that the installment is paid. */
  lateDays: number;
  /** For `promiser`: lets its first promise lapse. */
  breaker: boolean;
}

export function generatePortfolio(options: { seed: number; accounts: number; start: string }): Account[] {
  const rng = random(options.seed);
  const tag = `S${options.seed}`;
  const accounts: Account[] = [];
  for (let index = 0; index < options.accounts; index++) {
    const place = rng.pick(PLACES);
    const business = rng.chance(0.2);
    const rating = rng.weighted(RATINGS);
    const behaviour = rng.weighted(BEHAVIOUR_WEIGHTS);
    const customerExternalId = `${tag}-C${index}`;
    const receivableExternalId = `${tag}-R${index}`;
    const firstDue = addDays(options.start, rng.int(0, 29));
    let receivable: Record<string, unknown>;
    if (business && rng.chance(0.6)) {
      receivable = {
        externalId: receivableExternalId,
        customerExternalId,
        kind: 'invoice',
        currency: place.currency,
        issueDate: addDays(firstDue, -30),
        paymentTerms: 'net 30',
        amount: String(rng.int(50, 2000) * 1000),
      };
    } else {
      receivable = {
        externalId: receivableExternalId,
        customerExternalId,
        kind: 'loan',
        currency: place.currency,
        issueDate: addDays(firstDue, -30),
        principal: String(rng.int(10, 150) * 10_000),
        annualRate: rng.pick(['0.09', '0.12', '0.18', '0.24']),
        termMonths: 12,
        method: 'annuity',
        firstDueDate: firstDue,
      };
    }
    accounts.push({
      index,
      customerExternalId,
      receivableExternalId,
      customer: {
        externalId: customerExternalId,
        name: `${business ? 'Firm' : 'Customer'} ${tag}-${index}`,
        email: `c${index}.${tag.toLowerCase()}@example.com`,
        phone: place.phone(rng),
        language: rng.pick(place.languages),
        timeZone: place.timeZone,
        segment: business ? 'business' : 'retail',
        riskRating: rating,
      },
      receivable,
      currency: place.currency,
      behaviour,
      payAhead: !rng.chance(MONTHLY_SHARE),
      lateDays: rng.int(2, 20),
      breaker: rng.chance(0.35),
    });
  }
  return accounts;
}
