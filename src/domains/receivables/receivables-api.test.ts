/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-explicit-any --
   response bodies are read field by field and each read is asserted; typing every nested shape here would restate the OpenAPI schemas */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * Customers, receivables, payments and fees through the HTTP API, on a clock the test moves, with
 * the ledger checked after each money movement.
 */

interface Problem {
  status: number;
  code: string;
  errors?: Array<{ field: string; message: string }>;
}

/** A 10 000.00 EUR loan at 12 % over 12 months. */
const LOAN_L1 = {
  externalId: 'L-1',
  customerExternalId: 'C-1',
  kind: 'loan',
  currency: 'EUR',
  issueDate: '2026-01-10',
  principal: '1000000',
  annualRate: '0.12',
  termMonths: 12,
  method: 'annuity',
  firstDueDate: '2026-02-10',
};

describe('receivables API', () => {
  let server: TestServer;
  const clock = new ManualClock('2026-01-10T09:00:00Z');

  before(async () => {
    server = await startTestServer({ clock, worker: false });
  });
  after(() => server.close());

  const post = async (path: string, json: unknown, headers: Record<string, string> = {}) => {
    const res = await server.call(`/api/v1${path}`, { method: 'POST', json, headers });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const get = async (path: string) => {
    const res = await server.call(`/api/v1${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const balance = async (code: string, currency = 'EUR') => {
    const { body } = await get(`/ledger/accounts?code=${encodeURIComponent(code)}&currency=${currency}`);
    assert.equal(body.data.length, 1, `one ledger account ${code} ${currency}`);
    const { body: detail } = await get(`/ledger/accounts/${body.data[0].id}`);
    return detail.balance.balance as string;
  };

  test('a loan: schedule to the cent, ledger booked, payments allocated, overpaid, reversed', async () => {
    const customer = await post('/customers', {
      externalId: 'C-1',
      name: 'Ana García',
      email: 'ana@example.es',
      language: 'es',
      timeZone: 'Europe/Madrid',
      creditLimit: '2000000',
      limitCurrency: 'EUR',
      riskRating: 'B',
    });
    assert.equal(customer.status, 201, JSON.stringify(customer.body));
    assert.equal(customer.body.riskRating, 'B');

    const loan = await post('/receivables', LOAN_L1, { 'idempotency-key': 'loan-L-1' });
    assert.equal(loan.status, 201, JSON.stringify(loan.body));
    const id = loan.body.id as string;
    const { body: schedule } = await get(`/receivables/${id}/schedule`);
    assert.equal(schedule.installments.length, 12);
    assert.deepEqual(
      [schedule.installments[0].principalDue, schedule.installments[0].interestDue],
      ['78849', '10000'],
      'first installment of a 10 000.00 at 12 % annuity: 888.49 = 788.49 principal + 100.00 interest',
    );
    assert.equal(await balance('receivables:principal'), '1000000');
    assert.equal(await balance('loans:disbursements_payable'), '1000000');
    assert.equal((await get('/customers/C-1')).body.exposure, loan.body.totalDue);

    // The same create again (another key): no second loan, no second booking.
    const again = await post('/receivables', LOAN_L1);
    assert.equal(again.status, 200);
    assert.equal(await balance('receivables:principal'), '1000000');
    const changed = await post('/receivables', { ...LOAN_L1, principal: '2000000' });
    assert.equal(changed.status, 409);
    assert.equal(changed.body.code, 'receivable_terms_differ');

    // Overdue by 5 days, then a partial payment: interest first, then principal of installment 1.
    clock.set('2026-02-15T09:00:00Z');
    await post('/receivables/close-of-business', { asOf: '2026-02-15' });
    assert.equal((await get(`/receivables/${id}`)).body.dpd, 5);
    const partial = await post(`/receivables/${id}/payments`, {
      externalId: 'P-1',
      amount: '50000',
      currency: 'EUR',
      receivedOn: '2026-02-15',
    });
    assert.equal(partial.status, 201, JSON.stringify(partial.body));
    assert.deepEqual(partial.body.payment.allocations, [
      { seq: 1, component: 'interest', amount: '10000' },
      { seq: 1, component: 'principal', amount: '40000' },
    ]);
    assert.equal(partial.body.receivable.dpd, 5, 'installment 1 is still not fully paid');
    assert.equal(await balance('income:interest'), '10000');
    assert.equal(await balance('receivables:principal'), '960000');

    // The same payment again is a no-op; other content under its id is refused.
    assert.equal(
      (
        await post(`/receivables/${id}/payments`, {
          externalId: 'P-1',
          amount: '50000',
          currency: 'EUR',
          receivedOn: '2026-02-15',
        })
      ).status,
      200,
    );
    const reused = await post(`/receivables/${id}/payments`, {
      externalId: 'P-1',
      amount: '1',
      currency: 'EUR',
      receivedOn: '2026-02-15',
    });
    assert.equal(reused.status, 409);
    assert.equal(reused.body.code, 'payment_id_reused');

    // Paying the rest of installment 1 cures the loan.
    const cure = await post(`/receivables/${id}/payments`, {
      externalId: 'P-2',
      amount: '38849',
      currency: 'EUR',
      receivedOn: '2026-02-15',
    });
    assert.equal(cure.body.receivable.dpd, 0);
    assert.equal(cure.body.receivable.bucket, 'current');

    // Paying off everything and more: the rest is held as customer credit.
    const outstanding = BigInt(cure.body.receivable.outstanding);
    const payoff = await post(`/receivables/${id}/payments`, {
      externalId: 'P-3',
      amount: String(outstanding + 1234n),
      currency: 'EUR',
      receivedOn: '2026-02-15',
    });
    assert.equal(payoff.body.receivable.status, 'paid');
    assert.equal(payoff.body.payment.unallocated, '1234');
    assert.equal((await get('/customers/C-1')).body.creditBalances.EUR, '1234');
    assert.equal(await balance('liabilities:customer_credit'), '1234');
    assert.equal(await balance('receivables:principal'), '0');

    // The payoff bounces: the loan owes again, the credit is gone, the ledger is back.
    const reversed = await post(`/payments/${payoff.body.payment.id}/reverse`, { reason: 'direct debit returned' });
    assert.equal(reversed.status, 200, JSON.stringify(reversed.body));
    assert.equal(reversed.body.payment.status, 'reversed');
    assert.equal(reversed.body.receivable.status, 'open');
    assert.equal(reversed.body.receivable.outstanding, outstanding.toString());
    assert.equal(await balance('liabilities:customer_credit'), '0');
    assert.equal((await get('/customers/C-1')).body.creditBalances.EUR, '0');

    const { body: trial } = await get('/ledger/trial-balance');
    assert.deepEqual(
      trial.data.map((l: { currency: string }) => l.currency),
      ['EUR'],
    );
    assert.equal(trial.data[0].debits, trial.data[0].credits, 'debits = credits');

    const { body: payments } = await get(`/receivables/${id}/payments`);
    assert.deepEqual(
      payments.data.map((p: { externalId: string; status: string }) => `${p.externalId}:${p.status}`),
      ['P-1:posted', 'P-2:posted', 'P-3:reversed'],
    );
  });

  test('an invoice from lines and payment terms; a fee joins the waterfall', async () => {
    await post('/customers', { externalId: 'B-1', name: 'Acme SL' });
    const invoice = await post('/receivables', {
      externalId: 'INV-1',
      customerExternalId: 'B-1',
      kind: 'invoice',
      currency: 'EUR',
      issueDate: '2026-02-15',
      paymentTerms: 'net 30',
      lines: [
        { description: 'Consulting', quantity: '3', unitPrice: '10000', taxRate: '0.21' },
        { description: 'Travel', quantity: '1', unitPrice: '4550' },
      ],
    });
    assert.equal(invoice.status, 201, JSON.stringify(invoice.body));
    assert.equal(invoice.body.totalDue, '40850');
    assert.equal(invoice.body.maturityDate, '2026-03-17');
    const fee = await post(`/receivables/${invoice.body.id}/fees`, { kind: 'late_fee', amount: '500' });
    assert.equal(fee.status, 201, JSON.stringify(fee.body));
    assert.equal(fee.body.receivable.outstanding, '41350');
    const paid = await post(`/receivables/INV-1/payments`, {
      externalId: 'PI-1',
      amount: '600',
      currency: 'EUR',
      receivedOn: '2026-02-16',
    });
    assert.deepEqual(paid.body.payment.allocations, [
      { seq: 1, component: 'fee', amount: '500' },
      { seq: 1, component: 'principal', amount: '100' },
    ]);
  });

  test('bad input names the field; unknown references are 422/404', async () => {
    const bad = await post('/receivables', {
      externalId: 'L-bad',
      customerExternalId: 'C-1',
      kind: 'loan',
      currency: 'EUX',
      issueDate: '2026-13-01',
      principal: '12.50',
      termMonths: 12,
      method: 'annuity',
      firstDueDate: '2026-02-10',
    });
    assert.equal(bad.status, 400);
    const fields = (bad.body as Problem).errors!.map((e) => e.field).sort();
    assert.deepEqual(fields, ['body.annualRate', 'body.currency', 'body.issueDate', 'body.principal']);

    const unknown = await post('/receivables', {
      externalId: 'L-x',
      customerExternalId: 'nobody',
      kind: 'invoice',
      currency: 'EUR',
      issueDate: '2026-02-01',
      amount: '100',
      dueDate: '2026-03-01',
    });
    assert.equal(unknown.status, 422);
    assert.equal((unknown.body as Problem).errors![0]!.field, 'body.customerExternalId');

    const wrongCurrency = await post('/receivables/INV-1/payments', {
      externalId: 'PX',
      amount: '1',
      currency: 'USD',
      receivedOn: '2026-02-16',
    });
    assert.equal(wrongCurrency.status, 422);
    assert.equal((wrongCurrency.body as Problem).errors![0]!.field, 'body.currency');

    assert.equal((await get('/receivables/nope')).status, 404);

    const buckets = await server.call('/api/v1/receivables/settings', {
      method: 'PATCH',
      json: {
        buckets: [
          { name: '1-10', minDpd: 1, maxDpd: 10 },
          { name: '20+', minDpd: 20, maxDpd: null },
        ],
      },
    });
    assert.equal(buckets.status, 400);
    assert.equal(((await buckets.json()) as Problem).errors![0]!.field, 'body.buckets.1.minDpd');
  });

  test('a viewer reads but cannot post payments', async () => {
    const key = await post('/api-keys', { name: 'auditor', role: 'viewer' });
    const token = key.body.token as string;
    const list = await server.call('/api/v1/receivables', { token });
    assert.equal(list.status, 200);
    const pay = await server.call('/api/v1/receivables/INV-1/payments', {
      method: 'POST',
      token,
      json: { externalId: 'PV', amount: '1', currency: 'EUR', receivedOn: '2026-02-16' },
    });
    assert.equal(pay.status, 403);
  });
});
