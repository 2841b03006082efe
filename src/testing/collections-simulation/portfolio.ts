import { addDays } from '../../domains/receivables/schedule/due-dates.js';
import { random, type Random } from './prng.js';

/**
 * The simulated portfolio, drawn from a seed: an account is one receivable of one customer. Where
 * the customer lives decides the time zone, the currency and the phone prefix; the language is
 * mostly the place's. A fifth of the customers are businesses; most of them owe invoices on net 30
 * (one to three, or a batch of 8 to 14 issued together), the rest a loan. Consumers owe a 12-month
 * loan with monthly installments. First due dates are spread over the first 30 simulated days.
 *
 * Each customer also gets a payment behaviour, the same for all its accounts:
 * - `on_time` pays on time: most (`payAhead`) have paid every installment that falls due in the
 *   simulated period before it starts, as one payment (posting a payment costs about as much as
 *   loading a receivable, and these accounts never reach collections); the others pay each
 *   installment on its due date;
 * - `late` pays each installment `lateDays` after its due date;
 * - `promiser` stops paying; when a collector calls, it promises what is overdue for a date a few
 *   days out and pays everything overdue on that date, then pays on time (a `breaker` lets its
 *   first promise lapse and keeps the next one, if a collector calls again);
 * - `plan_taker` stops paying; when a collector calls, it agrees a two-part payment plan for the
 *   arrears, pays the parts on their dates and the later installments on time (a `breaker` pays the
 *   first part only, and nothing after it);
 * - `defaulter` never pays.
 * Everyone but `on_time` falls overdue: about 7 % of the customers with the weights below (every
 * case costs the engine a fifth of a second; docs/collections-simulation.md).
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
  on_time: 93,
  late: 1.5,
  promiser: 2.5,
  plan_taker: 1.5,
  defaulter: 1.5,
};

/** The share of on-time payers who pay each installment on its due date rather than ahead. */
export const MONTHLY_SHARE = 0.05;

const RATINGS = { A: 28, B: 32, C: 24, D: 10, E: 6 } as const;

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
  /** For `promiser`: lets its first promise lapse; for `plan_taker`: pays only a plan's first part. */
  breaker: boolean;
}

export function generatePortfolio(options: { seed: number; accounts: number; start: string }): Account[] {
  const rng = random(options.seed);
  const tag = `S${options.seed}`;
  const accounts: Account[] = [];
  for (let c = 0; accounts.length < options.accounts; c++) {
    const place = rng.pick(PLACES);
    const business = rng.chance(0.2);
    const customerExternalId = `${tag}-C${c}`;
    const customer: Account['customer'] = {
      externalId: customerExternalId,
      name: `${business ? 'Firm' : 'Customer'} ${tag}-${c}`,
      email: `c${c}.${tag.toLowerCase()}@example.com`,
      phone: place.phone(rng),
      language: rng.pick(place.languages),
      timeZone: place.timeZone,
      segment: business ? 'business' : 'retail',
      riskRating: rng.weighted(RATINGS),
    };
    // How the customer pays, whatever it owes.
    const traits = {
      behaviour: rng.weighted(BEHAVIOUR_WEIGHTS),
      payAhead: !rng.chance(MONTHLY_SHARE),
      lateDays: rng.int(2, 12),
      breaker: rng.chance(0.35),
    };
    // What it owes: a consumer a loan; a business a loan or invoices, a few at a time, or now and then
    // a batch of 8 to 14 issued together (the customer then has many accounts falling due at once).
    let receivables: Array<Record<string, unknown>>;
    if (business && rng.chance(0.6)) {
      const batch = rng.chance(0.15);
      const count = batch ? rng.int(8, 14) : rng.int(1, 3);
      const base = rng.int(0, 25);
      receivables = Array.from({ length: count }, () => {
        const due = addDays(options.start, batch ? base + rng.int(0, 4) : rng.int(0, 29));
        return {
          kind: 'invoice',
          currency: place.currency,
          issueDate: addDays(due, -30),
          paymentTerms: 'net 30',
          amount: String(rng.int(50, 2000) * 1000),
        };
      });
    } else {
      const firstDue = addDays(options.start, rng.int(0, 29));
      receivables = [
        {
          kind: 'loan',
          currency: place.currency,
          issueDate: addDays(firstDue, -30),
          principal: String(rng.int(10, 150) * 10_000),
          annualRate: rng.pick(['0.09', '0.12', '0.18', '0.24']),
          termMonths: 12,
          method: 'annuity',
          firstDueDate: firstDue,
        },
      ];
    }
    for (const terms of receivables) {
      if (accounts.length >= options.accounts) break;
      const index = accounts.length;
      const receivableExternalId = `${tag}-R${index}`;
      accounts.push({
        index,
        customerExternalId,
        receivableExternalId,
        customer,
        receivable: { externalId: receivableExternalId, customerExternalId, ...terms },
        currency: place.currency,
        ...traits,
      });
    }
  }
  return accounts;
}
