/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../../core/clock.js';
import { upsertCustomer } from '../../customers/customer-service.js';
import { inDomainTransaction, type DomainWork } from '../../unit-of-work.js';
import type { DomainContext } from '../../contract.js';
import { registerDomainActions } from '../../../domain-list.js';
import '../../channels/tables.js';
import { Engine } from '../../../engine/index.js';
import { adjustReceivable } from '../../receivables/adjustments.js';
import { runCloseOfBusiness } from '../../receivables/delinquency/close-of-business.js';
import { chargeFee } from '../../receivables/fees.js';
import { recordPayment, reversePayment } from '../../receivables/payments.js';
import { createReceivable } from '../../receivables/receivable-service.js';
import { addDays } from '../../receivables/schedule/due-dates.js';
import type { Database } from '../../../storage/database.js';
import { apiClient } from '../../../testing/api-client.js';
import { openTestDatabase } from '../../../testing/test-database.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';
import { bestHour, bestTime } from './best-time.js';
import { collectionKpis } from './kpis.js';
import { diffOfProportions, meanCi, moneyRatio, round, wilson } from './statistics.js';
import { strategyReport } from './strategies.js';

/**
 * The collections reports against hand computations. Statistics first, against published values
 * (Newcombe 1998). Then a small portfolio moved day by day from January to March 2026 through the
 * real receivables services (invoices, payments, a reversal, a fee, a credit note, close of business
 * every night, so the bucket changes are the real events), with collection cases, promises, contacts
 * and messages written straight into their tables. Every expected figure below is worked out by hand
 * in the comment next to it. Last, the three routes through a real server: shapes, the same figures,
 * and 400s that name the bad query field.
 */

const close = (actual: number | null | undefined, expected: number, what: string) =>
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-4, `${what}: ${actual}`);

describe('report statistics', () => {
  test('Wilson score intervals match the published values', () => {
    // Newcombe (1998), Statistics in Medicine 17:857, table I, method 3.
    const cases: Array<[number, number, number, number]> = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [x, n, low, high] of cases) {
      const ci = wilson(x, n)!;
      close(ci.low, low, `${x}/${n} low`);
      close(ci.high, high, `${x}/${n} high`);
    }
    assert.equal(wilson(0, 0), null);
    assert.deepEqual(wilson(5, 5, 0), { low: 1, high: 1 });
    assert.throws(() => wilson(6, 5), RangeError);
  });

  test("Newcombe's hybrid score interval for a difference matches the published values", () => {
    // Newcombe (1998), Statistics in Medicine 17:873, table II, method 10.
    const cases: Array<[number, number, number, number, number, number, boolean]> = [
      [56, 70, 48, 80, 0.0524, 0.3339, true],
      [9, 10, 3, 10, 0.1705, 0.809, true],
      [5, 56, 0, 29, -0.0381, 0.1926, false],
    ];
    for (const [x1, n1, x2, n2, low, high, significant] of cases) {
      const d = diffOfProportions({ successes: x1, n: n1 }, { successes: x2, n: n2 })!;
      close(d.difference, x1 / n1 - x2 / n2, 'difference');
      close(d.low, low, `${x1}/${n1} − ${x2}/${n2} low`);
      close(d.high, high, `${x1}/${n1} − ${x2}/${n2} high`);
      assert.equal(d.significant, significant);
    }
    assert.equal(diffOfProportions({ successes: 1, n: 2 }, { successes: 0, n: 0 }), null);
  });

  test('mean with a normal-approximation interval', () => {
    // mean 3, sd √2.5 = 1.5811, half-width 1.96 · 1.5811 / √5 = 1.3859
    const m = meanCi([1, 2, 3, 4, 5])!;
    assert.equal(m.n, 5);
    close(m.mean, 3, 'mean');
    close(m.sd, 1.5811, 'sd');
    close(m.low, 1.6141, 'low');
    close(m.high, 4.3859, 'high');
    assert.deepEqual(meanCi([0.4]), { n: 1, mean: 0.4, sd: null, low: null, high: null });
    assert.equal(meanCi([]), null);
  });

  test('money ratios are exact decimals, rounded half up', () => {
    assert.equal(moneyRatio(115000n, 205000n, 4), '0.5610');
    assert.equal(moneyRatio(1n, 8n, 2), '0.13');
    assert.equal(moneyRatio(120000n, 211500n, 2, 100), '56.74');
    // Beyond 2^53 a float would lose the last digits.
    assert.equal(moneyRatio(9007199254740993n, 1n, 0), '9007199254740993');
    assert.equal(moneyRatio(1n, 0n), null);
    assert.equal(round(-0.00001), 0);
  });
});

/**
 * The portfolio (all invoices with one installment; amounts in minor units):
 *
 *   R1 Ana EUR 100000 issued 01-10 due 02-10  1-30 on 02-11, 31-60 on 03-13; fee 1500 on 03-15; pays 40000 on 03-20
 *   R2 Ben EUR  50000 issued 02-01 due 02-20  1-30 on 02-21; paid in full 03-05 (→ current, paid)
 *   R3 Ana EUR  30000 issued 02-15 due 03-15  1-30 on 03-16; pays 10000 on 03-25, reversed 03-26
 *   R4 Ben EUR  20000 issued 01-05 due 01-20  paid on its due date: never overdue
 *   R5 Ben EUR  60000 issued 03-10 due 04-10  credit note 5000 on 03-20
 *   R6 Cai USD  80000 issued 02-01 due 03-01  1-30 on 03-02; paid in full 03-03
 *   R7 Ana EUR  25000 issued 02-05 due 02-25  1-30 on 02-26; paid in full 03-08
 *
 * Ana lives in Madrid (UTC+1 until 29 March), Ben in New York (UTC−5 until 8 March), Cai in Shanghai
 * (UTC+8). 1 March 2026 is a Sunday.
 */
interface Portfolio {
  customers: Record<'ana' | 'ben' | 'cai', string>;
  receivables: Record<string, string>;
}

const INVOICES = [
  { ext: 'R1', customer: 'ANA', currency: 'EUR', issue: '2026-01-10', amount: '100000', due: '2026-02-10' },
  { ext: 'R2', customer: 'BEN', currency: 'EUR', issue: '2026-02-01', amount: '50000', due: '2026-02-20' },
  { ext: 'R3', customer: 'ANA', currency: 'EUR', issue: '2026-02-15', amount: '30000', due: '2026-03-15' },
  { ext: 'R4', customer: 'BEN', currency: 'EUR', issue: '2026-01-05', amount: '20000', due: '2026-01-20' },
  { ext: 'R5', customer: 'BEN', currency: 'EUR', issue: '2026-03-10', amount: '60000', due: '2026-04-10' },
  { ext: 'R6', customer: 'CAI', currency: 'USD', issue: '2026-02-01', amount: '80000', due: '2026-03-01' },
  { ext: 'R7', customer: 'ANA', currency: 'EUR', issue: '2026-02-05', amount: '25000', due: '2026-02-25' },
];

/** What happens at noon UTC on a day, through the real services. */
const NOON: Record<string, (unit: DomainWork) => Promise<unknown>> = {
  '2026-01-20': (u) => pay(u, 'R4', '20000', 'EUR', '2026-01-20'),
  '2026-03-03': (u) => pay(u, 'R6', '80000', 'USD', '2026-03-03'),
  '2026-03-05': (u) => pay(u, 'R2', '50000', 'EUR', '2026-03-05'),
  '2026-03-08': (u) => pay(u, 'R7', '25000', 'EUR', '2026-03-08'),
  '2026-03-15': (u) => chargeFee(u, 'R1', { kind: 'late_fee', amount: 1500n }),
  '2026-03-20': async (u) => {
    await pay(u, 'R1', '40000', 'EUR', '2026-03-20');
    await adjustReceivable(u, 'R5', {
      kind: 'credit_note',
      amount: 5000n,
      reason: 'one line disputed and found valid',
    });
  },
  '2026-03-25': (u) => pay(u, 'R3', '10000', 'EUR', '2026-03-25'),
  '2026-03-26': (u) => reversePayment(u, 'P-R3', 'direct debit returned'),
};

const pay = (unit: DomainWork, receivable: string, amount: string, currency: string, on: string) =>
  recordPayment(unit, receivable, { externalId: `P-${receivable}`, amount, currency, receivedOn: on });

async function seedPortfolio(context: DomainContext, clock: ManualClock): Promise<Portfolio> {
  const work = <T>(at: string, fn: (unit: DomainWork) => Promise<T>) => {
    clock.set(at);
    return inDomainTransaction(context, { actor: 'test' }, fn);
  };
  const customers = await work('2026-01-05T08:00:00Z', async (unit) => ({
    ana: (await upsertCustomer(unit, { externalId: 'ANA', name: 'Ana', timeZone: 'Europe/Madrid' })).customer.id,
    ben: (await upsertCustomer(unit, { externalId: 'BEN', name: 'Ben', timeZone: 'America/New_York' })).customer.id,
    cai: (await upsertCustomer(unit, { externalId: 'CAI', name: 'Cai', timeZone: 'Asia/Shanghai' })).customer.id,
  }));
  const receivables: Record<string, string> = {};
  for (let day = '2026-01-05'; day <= '2026-03-31'; day = addDays(day, 1)) {
    for (const i of INVOICES.filter((x) => x.issue === day)) {
      const { receivable } = await work(`${day}T09:00:00Z`, (unit) =>
        createReceivable(unit, {
          externalId: i.ext,
          customerExternalId: i.customer,
          kind: 'invoice',
          currency: i.currency,
          issueDate: i.issue,
          amount: i.amount,
          dueDate: i.due,
        }),
      );
      receivables[i.ext] = receivable.id;
    }
    const noon = NOON[day];
    if (noon) await work(`${day}T12:00:00Z`, noon);
    clock.set(`${day}T22:00:00Z`);
    await runCloseOfBusiness(context, { asOf: day, actor: 'test' });
  }
  await seedCollections(context.database, { customers, receivables });
  return { customers, receivables };
}

/**
 * Cases (K), promises (P), contacts and messages, written as the collections code would have.
 *
 *   K1 R1 Ana consumer-medium champion   opened 03-01 08:00, dpd 19, overdue 100000; open (R1 rolls to 31-60 on 03-13)
 *   K2 R2 Ben consumer-low    champion   opened 03-01 07:00, dpd 9,  overdue 50000;  closed paid 03-05, recovered 50000
 *   K3 R6 Cai consumer-low    challenger opened 03-02 23:00, dpd 1,  overdue 80000 USD; closed paid 03-03, recovered 80000
 *   K4 R3 Ana consumer-low    champion   opened 03-16 23:00, dpd 1,  overdue 30000;  open
 *   K5 R7 Ana consumer-low    challenger opened 03-01 09:00, dpd 4,  overdue 25000;  closed paid 03-08, recovered 25000
 *   K6 R5 Ben consumer-low    champion   opened 04-01 00:00 — just after the period
 */
async function seedCollections(database: Database, p: Portfolio): Promise<void> {
  const { ana, ben, cai } = p.customers;
  const r = p.receivables;
  const kase = (
    id: string,
    receivable: string,
    customer: string,
    segment: string,
    variant: string,
    opened: string,
    dpd: number,
    overdue: bigint,
    closed: { at: string; recovered: bigint } | null,
    currency = 'EUR',
  ) => ({
    id,
    receivable_id: r[receivable]!,
    customer_id: customer,
    currency,
    status: closed ? ('closed' as const) : ('open' as const),
    state: closed ? 'closed' : 'active',
    segment,
    variant,
    queue: 'collectors',
    segment_version: 1,
    strategy_version: 1,
    collector: null,
    collector_since: null,
    instance_id: `inst-${id}`,
    opened_at: opened,
    opened_dpd: dpd,
    opened_overdue: overdue,
    opened_outstanding: overdue,
    opened_paid: 0n,
    last_stage_at: null,
    closed_at: closed?.at ?? null,
    outcome: closed ? 'paid' : null,
    recovered: closed?.recovered ?? 0n,
    updated_at: closed?.at ?? opened,
  });
  await database.db
    .insertInto('collection_cases')
    .values([
      kase('K1', 'R1', ana, 'consumer-medium', 'champion', '2026-03-01T08:00:00Z', 19, 100000n, null),
      kase('K2', 'R2', ben, 'consumer-low', 'champion', '2026-03-01T07:00:00Z', 9, 50000n, {
        at: '2026-03-05T12:00:00Z',
        recovered: 50000n,
      }),
      kase(
        'K3',
        'R6',
        cai,
        'consumer-low',
        'challenger',
        '2026-03-02T23:00:00Z',
        1,
        80000n,
        { at: '2026-03-03T12:00:00Z', recovered: 80000n },
        'USD',
      ),
      kase('K4', 'R3', ana, 'consumer-low', 'champion', '2026-03-16T23:00:00Z', 1, 30000n, null),
      kase('K5', 'R7', ana, 'consumer-low', 'challenger', '2026-03-01T09:00:00Z', 4, 25000n, {
        at: '2026-03-08T12:00:00Z',
        recovered: 25000n,
      }),
      kase('K6', 'R5', ben, 'consumer-low', 'champion', '2026-04-01T00:00:00Z', 0, 0n, null),
    ])
    .execute();

  const promise = (
    id: string,
    caseId: string,
    customer: string,
    status: 'open' | 'kept' | 'broken' | 'cancelled',
    collector: string | null,
    segment: string,
    resolved: string | null,
    currency = 'EUR',
  ) => ({
    id,
    case_id: caseId,
    customer_id: customer,
    amount: 1000n,
    currency,
    promised_date: '2026-03-10',
    status,
    baseline_paid: 0n,
    collector,
    segment,
    created_by: collector ?? 'api',
    created_at: '2026-03-02T10:00:00Z',
    resolved_at: resolved,
  });
  await database.db
    .insertInto('collection_promises')
    .values([
      promise('P1', 'K1', ana, 'kept', 'colin', 'consumer-medium', '2026-03-10T00:00:00Z'),
      promise('P2', 'K1', ana, 'broken', 'colin', 'consumer-medium', '2026-03-20T00:00:00Z'),
      promise('P3', 'K4', ana, 'kept', 'cleo', 'consumer-low', '2026-03-25T00:00:00Z'),
      promise('P4', 'K4', ana, 'broken', null, 'consumer-low', '2026-03-28T00:00:00Z'),
      promise('P5', 'K5', ana, 'cancelled', 'cleo', 'consumer-low', '2026-03-08T12:00:00Z'),
      promise('P6', 'K2', ben, 'kept', 'cleo', 'consumer-low', '2026-04-02T00:00:00Z'),
      promise('P7', 'K4', ana, 'open', 'cleo', 'consumer-low', null),
      promise('P8', 'K3', cai, 'broken', 'cleo', 'consumer-low', '2026-03-03T00:00:00Z', 'USD'),
    ])
    .execute();

  const contact = (id: string, at: string, rightParty: boolean, direction: 'outbound' | 'inbound' = 'outbound') => ({
    id,
    case_id: 'K4',
    customer_id: ana,
    channel: 'call',
    direction,
    contacted_at: at,
    reached: rightParty,
    right_party: rightParty,
    willingness: null,
    delay_reason: null,
    notes: null,
    segment: 'consumer-low',
    recorded_by: 'cleo',
    created_at: at,
  });
  await database.db
    .insertInto('collection_contacts')
    .values([
      contact('C1', '2026-03-17T09:30:00Z', true), // Madrid Tue 10:30
      contact('C2', '2026-03-17T09:45:00Z', false), // Madrid Tue 10:45
      contact('C3', '2026-03-18T17:10:00Z', true), // Madrid Wed 18:10
      contact('C4', '2026-03-17T23:30:00Z', false), // Madrid Wed 00:30
      contact('C5', '2026-03-18T10:00:00Z', true, 'inbound'), // not an attempt
    ])
    .execute();

  const message = (
    id: string,
    channel: 'email' | 'sms',
    customer: string,
    at: string,
    status: string,
    instance: string | null,
  ) => ({
    id,
    channel,
    customer_id: customer,
    recipient: channel === 'sms' ? '+34600111222' : 'someone@example.com',
    template: 'payment_overdue',
    locale: 'en',
    subject: null,
    body_text: 'Your account is overdue',
    status,
    provider_id: null,
    segments: null,
    encoding: null,
    attachments: '[]',
    idempotency_key: null,
    instance_id: instance,
    step_id: null,
    error: null,
    created_at: at,
    updated_at: at,
  });
  await database.db
    .insertInto('channel_messages')
    .values([
      message('M1', 'sms', ana, '2026-03-17T09:00:00Z', 'delivered', 'inst-K4'), // K4, Madrid Tue 10:00
      message('M2', 'sms', ana, '2026-03-24T09:20:00Z', 'sent', 'inst-K4'), // K4, Tue 10:20; R3's payment is reversed
      message('M3', 'email', ana, '2026-03-18T17:00:00Z', 'skipped', 'inst-K4'), // never sent
      message('M4', 'email', ben, '2026-03-03T14:00:00Z', 'sent', null), // K2 (open then), New York Tue 09:00
      message('M5', 'sms', ana, '2026-03-03T09:10:00Z', 'sent', 'inst-K5'), // K5 (not K1), Tue 10:10; R7 paid 5 days on
      message('M6', 'sms', ana, '2026-03-06T09:00:00Z', 'sent', 'inst-K5'), // K5, Fri 10:00; R7 paid 2 days on
      message('M7', 'sms', cai, '2026-03-02T23:30:00Z', 'sent', 'inst-K3'), // K3, Shanghai Tue 07:30; R6 paid that day
      message('M8', 'email', ben, '2026-01-15T10:00:00Z', 'sent', null), // no case open
    ])
    .execute();
}

const MARCH = { from: '2026-03-01', to: '2026-03-31' };

describe('collections reports on a seeded portfolio', () => {
  let database: Database;

  before(async () => {
    database = await openTestDatabase();
    const clock = new ManualClock('2026-01-05T08:00:00Z');
    const context: DomainContext = { database, clock, engine: new Engine({ database, clock }) };
    registerDomainActions(context);
    await seedPortfolio(context, clock);
  });
  after(() => database.close());

  test('cure rate: cases opened in the period now closed cured or paid', async () => {
    const kpis = await collectionKpis(database.db, MARCH);
    // Opened in March: K1–K5 (K6 opened 04-01 00:00, outside); closed paid: K2, K3, K5.
    assert.deepEqual(kpis.cureRate, { cured: 3, opened: 5, rate: 0.6, ci: { low: 0.2307, high: 0.8824 } });
    assert.deepEqual(kpis.period, { from: '2026-03-01', to: '2026-03-31', days: 31 });

    const low = await collectionKpis(database.db, { ...MARCH, segment: 'consumer-low' });
    assert.deepEqual(low.cureRate, { cured: 3, opened: 4, rate: 0.75, ci: { low: 0.3006, high: 0.9544 } });
    const eur = await collectionKpis(database.db, { ...MARCH, currency: 'EUR' });
    assert.deepEqual([eur.cureRate.cured, eur.cureRate.opened], [2, 4]);
    const april = await collectionKpis(database.db, { from: '2026-04-01', to: '2026-04-30' });
    assert.deepEqual(april.cureRate, { cured: 0, opened: 1, rate: 0, ci: { low: 0, high: 0.7935 } });
    const empty = await collectionKpis(database.db, { from: '2025-01-01', to: '2025-01-31' });
    assert.deepEqual(empty.cureRate, { cured: 0, opened: 0, rate: null, ci: null });
  });

  test('roll rates from the bucket-change events', async () => {
    const kpis = await collectionKpis(database.db, MARCH);
    assert.deepEqual(kpis.rollRates, [
      // current: R3, R6 at the start (R4 owed nothing), R5 issued in March; R3 and R6 went 1-30.
      { from: 'current', to: '1-30', inBucket: 3, rolled: 2, rate: 0.6667 },
      // 1-30: R1, R2, R7 at the start, R3 and R6 moved in; only R1 went on to 31-60 (R2, R6, R7 paid).
      { from: '1-30', to: '31-60', inBucket: 5, rolled: 1, rate: 0.2 },
      // 31-60: R1 from 03-13.
      { from: '31-60', to: '61-90', inBucket: 1, rolled: 0, rate: 0 },
      { from: '61-90', to: '90+', inBucket: 0, rolled: 0, rate: null },
    ]);
    const usd = await collectionKpis(database.db, { ...MARCH, currency: 'USD' });
    assert.deepEqual(
      usd.rollRates.slice(0, 2).map((r) => [r.inBucket, r.rolled]),
      [
        [1, 1],
        [1, 0],
      ],
    );
    // February: R1 owing at the start, R2, R3, R6, R7 issued (R4 was paid in January); R1, R2, R7 rolled.
    const february = await collectionKpis(database.db, { from: '2026-02-01', to: '2026-02-28' });
    assert.deepEqual(february.rollRates[0], { from: 'current', to: '1-30', inBucket: 5, rolled: 3, rate: 0.6 });
  });

  test('promise-kept rate: kept ÷ (kept + broken) resolved in the period', async () => {
    const kpis = await collectionKpis(database.db, MARCH);
    // P1, P3 kept; P2, P4, P8 broken; P5 cancelled, P6 resolved in April, P7 open.
    assert.deepEqual(kpis.promiseKeptRate, {
      overall: { kept: 2, broken: 3, rate: 0.4 },
      byCollector: [
        { collector: 'cleo', kept: 1, broken: 1, rate: 0.5 },
        { collector: 'colin', kept: 1, broken: 1, rate: 0.5 },
        { collector: null, kept: 0, broken: 1, rate: 0 },
      ],
      bySegment: [
        { segment: 'consumer-low', kept: 1, broken: 2, rate: 0.3333 },
        { segment: 'consumer-medium', kept: 1, broken: 1, rate: 0.5 },
      ],
    });
    const eur = await collectionKpis(database.db, { ...MARCH, currency: 'EUR' });
    assert.deepEqual(eur.promiseKeptRate.overall, { kept: 2, broken: 2, rate: 0.5 });
  });

  test('recovery rate per currency, never summed across currencies', async () => {
    const kpis = await collectionKpis(database.db, MARCH);
    assert.deepEqual(kpis.recoveryRate, [
      // K1 open: R1 paid 40000 since; K2 50000; K4 open: R3's only payment was reversed, 0; K5 25000.
      // 115000 ÷ (100000 + 50000 + 30000 + 25000) = 0.56098
      { currency: 'EUR', cases: 4, recovered: '115000', openedOverdue: '205000', rate: '0.5610' },
      { currency: 'USD', cases: 1, recovered: '80000', openedOverdue: '80000', rate: '1.0000' },
    ]);
  });

  test('CEI and DSO from installments, payments, fees and adjustments', async () => {
    const kpis = await collectionKpis(database.db, MARCH);
    assert.deepEqual(kpis.cei, [
      {
        currency: 'EUR',
        // owed at the start of 03-01 by R1 100000 + R2 50000 + R3 30000 + R4 0 + R7 25000 (R1's fee came later)
        beginning: '205000',
        // R5 as issued (the credit note is not a sale taken back)
        creditSales: '60000',
        feesCharged: '1500',
        sales: '61500',
        // R1 100000 + 1500 − 40000, R3 30000 (reversed payment), R5 60000 − 5000
        endingTotal: '146500',
        // R5's installment, due 04-10
        endingCurrent: '55000',
        // R1 40000 + R2 50000 + R7 25000
        collected: '115000',
        adjusted: '5000',
        // (205000 + 61500 − 146500) ÷ (205000 + 61500 − 55000) × 100 = 120000 ÷ 211500 × 100
        cei: '56.74',
      },
      {
        currency: 'USD',
        beginning: '80000',
        creditSales: '0',
        feesCharged: '0',
        sales: '0',
        endingTotal: '0',
        endingCurrent: '0',
        collected: '80000',
        adjusted: '0',
        cei: '100.00',
      },
    ]);
    for (const f of kpis.cei) {
      // Nothing is lost: what was owed plus what was charged, less what came in, is what is owed.
      assert.equal(
        BigInt(f.beginning) + BigInt(f.sales) - BigInt(f.collected) - BigInt(f.adjusted),
        BigInt(f.endingTotal),
      );
    }
    assert.deepEqual(kpis.dso, [
      // 146500 ÷ 61500 × 31 = 73.8455
      { currency: 'EUR', endingTotal: '146500', sales: '61500', days: 31, dso: '73.85' },
      { currency: 'USD', endingTotal: '0', sales: '0', days: 31, dso: null },
    ]);

    // January: R1 and R4 issued (120000); R4 paid 20000; nothing past due until 02-11.
    const january = await collectionKpis(database.db, { from: '2026-01-01', to: '2026-01-31', currency: 'EUR' });
    assert.deepEqual(
      january.cei.map((f) => [f.beginning, f.sales, f.endingTotal, f.endingCurrent, f.collected, f.cei]),
      [['0', '120000', '100000', '100000', '20000', '100.00']],
    );
    // 100000 ÷ 120000 × 31 = 25.8333
    assert.equal(january.dso[0]!.dso, '25.83');

    // A period that ends before R5's credit note (03-20): at its end R5 still owed 60000 and nothing
    // was adjusted in it. R1 100000 + the fee charged on 03-15 1500, R3 30000 (paid only on 03-25).
    const midMarch = await collectionKpis(database.db, { from: '2026-03-10', to: '2026-03-15', currency: 'EUR' });
    assert.deepEqual(
      midMarch.cei.map((f) => [f.endingTotal, f.adjusted, f.feesCharged]),
      [['191500', '0', '1500']],
    );
  });

  test("best time: slots in the customer's time zone, with payment and right-party rates", async () => {
    const report = await bestTime(database.db, { minSample: 1 });
    const slot = (s: (typeof report.rows)[number]) =>
      `${s.channel} ${s.segment} ${s.weekday} ${s.hour}: ${s.attempts} = ${s.messages}m + ${s.contacts}c, rp ${s.rightParty} (${s.rightPartyRate}), paid ${s.paid} (${s.paymentRate})`;
    assert.deepEqual(report.rows.map(slot), [
      'call consumer-low 2 10: 2 = 0m + 2c, rp 1 (0.5), paid 0 (0)', // C1, C2
      'call consumer-low 3 0: 1 = 0m + 1c, rp 0 (0), paid 0 (0)', // C4: 23:30 UTC Tuesday is Wednesday in Madrid
      'call consumer-low 3 18: 1 = 0m + 1c, rp 1 (1), paid 0 (0)', // C3
      'email consumer-low 2 9: 1 = 1m + 0c, rp 0 (null), paid 1 (1)', // M4: R2 paid two days on
      'sms consumer-low 2 7: 1 = 1m + 0c, rp 0 (null), paid 1 (1)', // M7: Monday 23:30 UTC is Tuesday in Shanghai
      'sms consumer-low 2 10: 3 = 3m + 0c, rp 0 (null), paid 0 (0)', // M1, M2, M5
      'sms consumer-low 5 10: 1 = 1m + 0c, rp 0 (null), paid 1 (1)', // M6
    ]);
    const best = (r: typeof report) =>
      r.best.map((b) => `${b.channel} ${b.segment}: ${b.best ? `${b.best.weekday} ${b.best.hour}` : 'none'}`);
    // By payment rate, then right-party rate, then sample size, then the earliest slot.
    assert.deepEqual(best(report), ['call consumer-low: 3 18', 'email consumer-low: 2 9', 'sms consumer-low: 2 7']);
    assert.deepEqual(best(await bestTime(database.db, { minSample: 2 })), [
      'call consumer-low: 2 10',
      'email consumer-low: none',
      'sms consumer-low: 2 10',
    ]);
    assert.deepEqual(best(await bestTime(database.db, {})), [
      'call consumer-low: none',
      'email consumer-low: none',
      'sms consumer-low: none',
    ]);
    const sms = await bestTime(database.db, { channel: 'sms', segment: 'consumer-low', minSample: 1 });
    assert.deepEqual(
      sms.rows.map((r) => r.channel),
      ['sms', 'sms', 'sms'],
    );
    assert.deepEqual((await bestTime(database.db, { segment: 'b2b' })).rows, []);

    // Over all weekdays: 10:00 has M1, M2, M5, M6 (1 paid of 4), 07:00 has M7 (1 of 1).
    assert.equal(await bestHour(database.db, { segment: 'consumer-low', channel: 'sms', minSample: 1 }), 7);
    assert.equal(await bestHour(database.db, { segment: 'consumer-low', channel: 'sms', minSample: 2 }), 10);
    assert.equal(await bestHour(database.db, { segment: 'consumer-low', channel: 'sms', minSample: 5 }), null);
    assert.equal(await bestHour(database.db, { segment: 'consumer-low', channel: 'call', minSample: 2 }), 10);
    assert.equal(await bestHour(database.db, { segment: 'consumer-low', channel: 'sms' }), null);
  });

  test('strategies: per segment and variant, and each challenger against its champion', async () => {
    const report = await strategyReport(database.db, MARCH);
    assert.deepEqual(report.unitCosts, { email: '1', sms: '5', call: '200', letter: '80' });
    assert.deepEqual(
      report.variants.map((v) => `${v.segment}/${v.variant}`),
      ['consumer-low/champion', 'consumer-low/challenger', 'consumer-medium/champion'],
    );
    const [lowChampion, lowChallenger, medium] = report.variants;
    assert.deepEqual(lowChampion, {
      segment: 'consumer-low',
      variant: 'champion',
      cases: 2, // K2, K4
      cured: 1,
      cureRate: { rate: 0.5, ci: { low: 0.0945, high: 0.9055 } },
      rolled: 0,
      rollRate: { rate: 0, ci: { low: 0, high: 0.6576 } },
      recovery: {
        byCurrency: [{ currency: 'EUR', cases: 2, recovered: '50000', openedOverdue: '80000', rate: '0.6250' }],
        // ratios 1 and 0: mean 0.5, sd 0.7071, ± 1.96 · 0.7071 / √2 = 0.98
        perCase: { n: 2, mean: 0.5, sd: 0.7071, low: -0.48, high: 1.48 },
      },
      // M4 (email) for K2; M1, M2 (SMS; M3 skipped) and 4 outbound calls for K4: 1 + 2 · 5 + 4 · 200
      cost: { emails: 1, sms: 2, calls: 4, letters: 0, total: '811', perCase: '405.50' },
    });
    assert.deepEqual(lowChallenger, {
      segment: 'consumer-low',
      variant: 'challenger',
      cases: 2, // K3 (USD), K5
      cured: 2,
      cureRate: { rate: 1, ci: { low: 0.3424, high: 1 } },
      rolled: 0,
      rollRate: { rate: 0, ci: { low: 0, high: 0.6576 } },
      recovery: {
        byCurrency: [
          { currency: 'EUR', cases: 1, recovered: '25000', openedOverdue: '25000', rate: '1.0000' },
          { currency: 'USD', cases: 1, recovered: '80000', openedOverdue: '80000', rate: '1.0000' },
        ],
        perCase: { n: 2, mean: 1, sd: 0, low: 1, high: 1 },
      },
      cost: { emails: 0, sms: 3, calls: 0, letters: 0, total: '15', perCase: '7.50' },
    });
    assert.deepEqual(medium, {
      segment: 'consumer-medium',
      variant: 'champion',
      cases: 1, // K1: R1 went from 1-30 to 31-60 on 03-13 while the case was open
      cured: 0,
      cureRate: { rate: 0, ci: { low: 0, high: 0.7935 } },
      rolled: 1,
      rollRate: { rate: 1, ci: { low: 0.2065, high: 1 } },
      recovery: {
        byCurrency: [{ currency: 'EUR', cases: 1, recovered: '40000', openedOverdue: '100000', rate: '0.4000' }],
        perCase: { n: 1, mean: 0.4, sd: null, low: null, high: null },
      },
      cost: { emails: 0, sms: 0, calls: 0, letters: 0, total: '0', perCase: '0.00' },
    });
    // 2/2 − 1/2 = 0.5; Newcombe: 0.5 − √((1 − 0.3424)² + (0.9055 − 0.5)²) … 0.5 + √(0 + (0.5 − 0.0945)²)
    assert.deepEqual(report.comparisons, [
      {
        segment: 'consumer-low',
        champion: 'champion',
        challenger: 'challenger',
        cureRateDifference: 0.5,
        ci: { low: -0.2726, high: 0.9055 },
        significant: false,
      },
    ]);

    const priced = await strategyReport(database.db, {
      ...MARCH,
      segment: 'consumer-low',
      unitCosts: { call: 100n },
    });
    assert.deepEqual(
      priced.variants.map((v) => [v.variant, v.cost.total]),
      [
        ['champion', '411'],
        ['challenger', '15'],
      ],
    );
  });
});

describe('collections report routes', () => {
  let server: TestServer;
  let viewer: string;
  const { call, expect, expectProblem } = apiClient(() => server);
  const clock = new ManualClock('2026-01-05T08:00:00Z');

  before(async () => {
    const started: { server?: TestServer } = {};
    const context: DomainContext = {
      get database() {
        return started.server!.database;
      },
      get engine() {
        return started.server!.engine;
      },
      clock,
    };
    server = started.server = await startTestServer({
      clock,
      worker: false,
    });
    await seedPortfolio(context, clock);
    viewer = String(expect(await call('POST', '/api-keys', { json: { name: 'vera', role: 'viewer' } }), 201).token);
  });
  after(() => server?.close());

  test('GET /collections/reports/kpis', async () => {
    const body = expect(
      await call('GET', '/collections/reports/kpis?from=2026-03-01&to=2026-03-31', { token: viewer }),
      200,
    );
    assert.deepEqual(body, JSON.parse(JSON.stringify(await collectionKpis(server.database.db, MARCH))));
    assert.equal(body.cureRate.rate, 0.6);
    assert.equal(body.cei[0].cei, '56.74');
    const eur = expect(
      await call('GET', '/collections/reports/kpis?from=2026-03-01&to=2026-03-31&currency=EUR&segment=consumer-low'),
      200,
    );
    assert.deepEqual(eur.filters, { segment: 'consumer-low', currency: 'EUR' });
    assert.deepEqual(
      eur.recoveryRate.map((r: { currency: string }) => r.currency),
      ['EUR'],
    );
  });

  test('GET /collections/reports/best-time', async () => {
    const body = expect(await call('GET', '/collections/reports/best-time?channel=sms&minSample=2'), 200);
    assert.equal(body.minSample, 2);
    assert.deepEqual(body.filters, { segment: null, channel: 'sms' });
    assert.equal(body.rows.length, 3);
    assert.deepEqual(body.best, [
      {
        channel: 'sms',
        segment: 'consumer-low',
        best: { weekday: 2, hour: 10, attempts: 3, paymentRate: 0, rightPartyRate: null },
      },
    ]);
    assert.equal(expect(await call('GET', '/collections/reports/best-time'), 200).minSample, 20);
  });

  test('GET /collections/reports/strategies', async () => {
    const body = expect(
      await call('GET', '/collections/reports/strategies?from=2026-03-01&to=2026-03-31&costCall=100&costEmail=2'),
      200,
    );
    assert.deepEqual(body.unitCosts, { email: '2', sms: '5', call: '100', letter: '80' });
    assert.deepEqual(
      body.variants.map((v: { segment: string; variant: string; cases: number; cost: { total: string } }) => [
        v.segment,
        v.variant,
        v.cases,
        v.cost.total,
      ]),
      [
        ['consumer-low', 'champion', 2, '412'],
        ['consumer-low', 'challenger', 2, '15'],
        ['consumer-medium', 'champion', 1, '0'],
      ],
    );
    assert.equal(body.comparisons[0].significant, false);
  });

  test('the routes are in the OpenAPI document with their query parameters', async () => {
    const doc = expect(await call('GET', '/openapi.json'), 200);
    const params = (path: string) =>
      (doc.paths[path].get.parameters as Array<{ name: string; required?: boolean }>).map(
        (p) => `${p.name}${p.required ? '*' : ''}`,
      );
    assert.deepEqual(params('/collections/reports/kpis'), ['from*', 'to*', 'segment', 'currency']);
    assert.deepEqual(params('/collections/reports/best-time'), ['segment', 'channel', 'minSample']);
    assert.ok(params('/collections/reports/strategies').includes('costLetter'));
    assert.ok(doc.components.schemas.CollectionKpis);
    assert.deepEqual(doc.paths['/collections/reports/kpis'].get.tags, ['collections']);
  });

  test('bad queries are refused with the field named', async () => {
    const kpis = '/collections/reports/kpis';
    expectProblem(await call('GET', `${kpis}?to=2026-03-31`), 400, 'query.from');
    expectProblem(await call('GET', `${kpis}?from=2026-03-01`), 400, 'query.to');
    expectProblem(await call('GET', `${kpis}?from=2026-02-30&to=2026-03-31`), 400, 'query.from');
    expectProblem(await call('GET', `${kpis}?from=2026-03-31&to=2026-03-01`), 400, 'query.to');
    expectProblem(await call('GET', `${kpis}?from=2023-01-01&to=2026-01-02`), 400, 'query.to');
    expect(await call('GET', `${kpis}?from=2023-01-01&to=2026-01-01`), 200);
    expectProblem(await call('GET', `${kpis}?from=2026-03-01&to=2026-03-31&currency=euro`), 400, 'query.currency');
    const strategies = '/collections/reports/strategies';
    expectProblem(await call('GET', `${strategies}?from=2026-04-01&to=2026-03-01`), 400, 'query.to');
    expectProblem(await call('GET', `${strategies}?from=2026-03-01&to=2026-03-31&costSms=-1`), 400, 'query.costSms');
    expectProblem(await call('GET', '/collections/reports/best-time?minSample=0'), 400, 'query.minSample');
    assert.equal((await call('GET', `${kpis}?from=2026-03-01&to=2026-03-31`, { token: null })).status, 401);
  });
});
