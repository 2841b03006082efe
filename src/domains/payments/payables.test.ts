/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { nextBusinessDay } from './business-dates.js';
import { discountOf } from './payables/discount.js';
import { payment } from './payables/payables.js';
import type { PayableRow } from './payables/tables.js';

/**
 * Payables through the HTTP API on a real server: recorded (one per beneficiary and invoice number),
 * approved by a second person (its maker is refused), and turned into payment instructions when due
 * — on the discount date for the discounted amount, else on the due date — exactly once.
 */

describe('payables', () => {
  let server: TestServer;
  // Monday 2 March 2026, 10:00 UTC.
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  const tokens: Record<string, string> = {};
  const { call, expect, expectProblem } = apiClient(() => server);
  const as = (name: string) => ({ token: tokens[name]! });
  let account: Body;
  let acme: Body;
  let globex: Body;

  before(async () => {
    server = await startTestServer({ clock });
    for (const [name, role] of Object.entries({ tess: 'treasurer', anna: 'payment_approver', vera: 'viewer' })) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    account = expect(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        json: {
          name: 'Main EUR',
          currency: 'EUR',
          iban: 'DE89370400440532013000',
          ownerName: 'Finflow Lending GmbH',
          ledgerAccount: 'cash:bank:main-eur',
        },
      }),
      201,
    );
    const beneficiary = async (name: string, iban: string) =>
      expect(
        await call('POST', '/beneficiaries', {
          ...as('tess'),
          json: { name, kind: 'supplier', bankDetails: { iban } },
        }),
        201,
      );
    acme = await beneficiary('Acme SARL', 'FR1420041010050500013M02606');
    globex = await beneficiary('Globex Ltd', 'GB82WEST12345698765432');
  });
  after(async () => server?.close());

  const record = (json: Body, who = 'tess') => call('POST', '/payables', { ...as(who), key: randomUUID(), json });
  const auditActions = async (id: string) =>
    (expect(await call('GET', `/audit?entityType=payable&entityId=${id}&limit=100`), 200).data as Body[]).map(
      (r) => r.action as string,
    );

  const payables: Record<string, Body> = {};

  test('recording: the discount computed exactly, a duplicate invoice 409, bad input naming the field', async () => {
    const a = expect(
      await record({
        beneficiaryId: acme.id,
        invoiceNumber: 'INV-100',
        amount: '1000000',
        currency: 'EUR',
        dueDate: '2026-03-04',
        discount: { date: '2026-03-03', percent: '2' },
      }),
      201,
    );
    assert.match(String(a.id), /^pbl_/);
    assert.deepEqual(
      [a.status, a.bankAccountId, a.amount, a.dueDate, a.discount, a.paymentId, a.createdBy],
      [
        'pending_approval',
        account.id,
        '1000000',
        '2026-03-04',
        { date: '2026-03-03', percent: '2', amount: '20000', payAmount: '980000' },
        null,
        'tess',
      ],
    );
    payables.a = a;
    // 2.5 % of 333 333 is 8 333.325: rounded half up to 8 333; a fixed discount is taken as given.
    payables.b = expect(
      await record({
        beneficiaryId: acme.id,
        bankAccountId: account.id,
        invoiceNumber: 'INV-101',
        amount: '333333',
        currency: 'EUR',
        dueDate: '2026-03-07', // a Saturday
        discount: { date: '2026-03-02', percent: '2.5' },
      }),
      201,
    );
    assert.deepEqual(payables.b.discount, { date: '2026-03-02', percent: '2.5', amount: '8333', payAmount: '325000' });
    payables.c = expect(
      await record({
        beneficiaryId: globex.id,
        invoiceNumber: 'INV-100', // the same number at another supplier is another invoice
        amount: '50000',
        currency: 'EUR',
        dueDate: '2026-03-05',
        discount: { date: '2026-02-27', amount: '1500' }, // already past
      }),
      201,
    );
    assert.deepEqual(payables.c.discount, { date: '2026-02-27', percent: null, amount: '1500', payAmount: '48500' });
    payables.late = expect(
      await record({
        beneficiaryId: globex.id,
        invoiceNumber: 'INV-200',
        amount: '7000',
        currency: 'EUR',
        dueDate: '2026-04-30',
      }),
      201,
    );

    const duplicate = expect(
      await record({
        beneficiaryId: acme.id,
        invoiceNumber: 'INV-100',
        amount: '1',
        currency: 'EUR',
        dueDate: '2026-03-10',
      }),
      409,
    );
    assert.equal(duplicate.code, 'duplicate_invoice');
    assert.equal(duplicate.payableId, a.id);

    const base = {
      beneficiaryId: acme.id,
      invoiceNumber: 'INV-X',
      amount: '1000',
      currency: 'EUR',
      dueDate: '2026-03-10',
    };
    expectProblem(await record({ ...base, amount: '10.50' }), 400, 'body.amount');
    expectProblem(await record({ ...base, dueDate: '2026-02-30' }), 400, 'body.dueDate');
    expectProblem(await record({ ...base, currency: 'EURO' }), 400, 'body.currency');
    expectProblem(await record({ ...base, invoiceNumber: '' }), 400, 'body.invoiceNumber');
    expectProblem(
      await record({ ...base, discount: { date: '2026-03-05', percent: '2%' } }),
      400,
      'body.discount.percent',
    );
    expectProblem(await record({ ...base, currency: 'USD' }), 422, 'body.bankAccountId');
    expectProblem(await record({ ...base, currency: 'USD', bankAccountId: account.id }), 422, 'body.currency');
    expectProblem(await record({ ...base, beneficiaryId: 'ben_nope' }), 422, 'body.beneficiaryId');
    expectProblem(await record({ ...base, bankAccountId: 'bac_nope' }), 422, 'body.bankAccountId');
    expectProblem(await record({ ...base, discount: { date: '2026-03-10', percent: '2' } }), 422, 'body.discount.date');
    expectProblem(
      await record({ ...base, discount: { date: '2026-03-05', amount: '1000' } }),
      422,
      'body.discount.amount',
    );
    expectProblem(
      await record({ ...base, discount: { date: '2026-03-05', percent: '2', amount: '10' } }),
      422,
      'body.discount.percent',
    );
    expect(await record(base, 'vera'), 403);
    const listed = expect(await call('GET', '/payables?status=pending_approval', as('vera')), 200);
    assert.deepEqual(
      listed.data.map((p: Body) => p.invoiceNumber),
      ['INV-100', 'INV-101', 'INV-100', 'INV-200'],
    );
  });

  test('the discount arithmetic: integers, half up', () => {
    const pay = (amount: bigint, percent: string) => {
      const result = discountOf(amount, '2026-03-10', { date: '2026-03-01', percent });
      assert.ok(result.ok);
      return [result.discount.amount, result.discount.payAmount];
    };
    assert.deepEqual(pay(1999n, '2.5'), ['50', '1949']); // 49.975 → 50
    assert.deepEqual(pay(123456789n, '3.3333'), ['4115185', '119341604']); // 4 115 184.5 → 4 115 185
    assert.deepEqual(discountOf(1000n, '2026-03-10', { date: '2026-03-01', percent: '0.01' }), {
      ok: false,
      field: 'discount.percent',
      message: 'gives no discount on this amount',
    });
  });

  test('approval: four eyes — the maker is refused, a second person approves', async () => {
    // The admin records one and, holding payments:approve, tries to approve it.
    const own = expect(
      await call('POST', '/payables', {
        json: {
          beneficiaryId: acme.id,
          invoiceNumber: 'INV-300',
          amount: '1000',
          currency: 'EUR',
          dueDate: '2026-03-20',
        },
      }),
      201,
    );
    const self = expect(await call('POST', `/payables/${own.id}/approve`, { json: {} }), 409);
    assert.equal(self.code, 'separation_of_duties');
    expect(await call('POST', `/payables/${own.id}/approve`, { ...as('tess'), json: {} }), 403);
    const withdrawn = expect(
      await call('POST', `/payables/${own.id}/reject`, { json: { reason: 'entered twice' } }),
      200,
    );
    assert.deepEqual([withdrawn.status, withdrawn.reason], ['rejected', 'entered twice']);
    expect(await call('POST', `/payables/${own.id}/approve`, { ...as('anna'), json: {} }), 409);

    for (const name of ['a', 'b', 'c', 'late']) {
      const approved = expect(
        await call('POST', `/payables/${payables[name]!.id}/approve`, { ...as('anna'), json: {} }),
        200,
      );
      assert.deepEqual([approved.status, approved.decidedBy], ['approved', 'anna']);
    }
    expect(await call('POST', '/payables/pbl_nope/approve', { ...as('anna'), json: {} }), 404);
  });

  test('scheduling: by the discount date while it holds, else the due date; each payable once', async () => {
    const schedule = async (withinDays?: number) =>
      expect(
        await call('POST', '/payables/schedule', {
          ...as('tess'),
          key: randomUUID(),
          json: withinDays === undefined ? {} : { withinDays },
        }),
        200,
      );
    // Today (Monday 2 March): b's discount date is today.
    const today = await schedule();
    assert.deepEqual(today, {
      asOf: '2026-03-02',
      horizon: '2026-03-02',
      scheduled: [
        {
          payableId: payables.b!.id,
          paymentId: today.scheduled[0]?.paymentId,
          amount: '325000',
          currency: 'EUR',
          requestedExecutionDate: '2026-03-02',
          discounted: true,
        },
      ],
    });
    const ahead = await schedule(3);
    assert.deepEqual(
      ahead.scheduled.map((s: Body) => [s.payableId, s.amount, s.requestedExecutionDate, s.discounted]),
      [
        [payables.a!.id, '980000', '2026-03-03', true], // 2 % off by the discount date
        [payables.c!.id, '50000', '2026-03-05', false], // its discount date had passed
      ],
    );
    // Again: nothing is scheduled twice.
    assert.deepEqual((await schedule(3)).scheduled, []);
    assert.deepEqual((await schedule(10)).scheduled, []);

    const payment = expect(await call('GET', `/payments/${ahead.scheduled[0].paymentId}`), 200);
    assert.deepEqual(
      [
        payment.source,
        payment.sourceRef,
        payment.amount,
        payment.currency,
        payment.beneficiaryId,
        payment.bankAccountId,
        payment.requestedExecutionDate,
        payment.remittance,
        payment.createdBy,
      ],
      [
        'payable',
        payables.a!.id,
        '980000',
        'EUR',
        acme.id,
        account.id,
        '2026-03-03',
        { unstructured: 'INV-100' },
        'tess',
      ],
    );
    const a = expect(await call('GET', `/payables/${payables.a!.id}`, as('vera')), 200);
    assert.deepEqual([a.status, a.paymentId, a.paidAmount], ['scheduled', payment.id, '980000']);
    assert.deepEqual(await auditActions(String(a.id)), ['payable.created', 'payable.approved', 'payable.scheduled']);
    const made = await server.database.db
      .selectFrom('payment_instructions')
      .select(['source_ref'])
      .where('source', '=', 'payable')
      .orderBy('source_ref')
      .execute();
    assert.deepEqual(
      made.map((m) => m.source_ref),
      [payables.a!.id, payables.b!.id, payables.c!.id].sort(),
    );
    const scheduled = expect(await call('GET', '/payables?status=scheduled'), 200);
    assert.equal(scheduled.data.length, 3);
    const approved = expect(await call('GET', '/payables?status=approved'), 200);
    assert.deepEqual(
      approved.data.map((p: Body) => p.id),
      [payables.late!.id],
    );
    expectProblem(
      await call('POST', '/payables/schedule', { ...as('tess'), json: { withinDays: 91 } }),
      400,
      'body.withinDays',
    );
    expect(await call('POST', '/payables/schedule', { ...as('vera'), json: {} }), 403);

    // The shipped daily workflow does the same (started by hand here): the late one, 59 days ahead.
    const started = expect(
      await call('POST', '/workflows/payables-schedule/instances', { json: { input: { withinDays: 60 } } }),
      201,
    );
    const deadline = Date.now() + 20_000;
    let instance: Body;
    for (;;) {
      instance = expect(await call('GET', `/instances/${started.id}`), 200);
      if (instance.status !== 'running') break;
      assert.ok(Date.now() < deadline, `payables-schedule still running: ${JSON.stringify(instance)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(instance.status, 'completed', JSON.stringify(instance));
    const late = expect(await call('GET', `/payables/${payables.late!.id}`), 200);
    assert.deepEqual([late.status, late.paidAmount], ['scheduled', '7000']);
    const latePayment = expect(await call('GET', `/payments/${late.paymentId}`), 200);
    assert.deepEqual([latePayment.requestedExecutionDate, latePayment.sourceRef], ['2026-04-30', payables.late!.id]);
  });

  test('a discount is paid only by its date: a Sunday discount date seen that weekend has lapsed', () => {
    const row: PayableRow = {
      id: 'pbl_sunday',
      beneficiary_id: 'ben_x',
      bank_account_id: 'bac_x',
      invoice_number: 'INV-SUN',
      amount: 200000n,
      currency: 'EUR',
      due_date: '2026-03-20', // a Friday
      discount: { date: '2026-03-08', percent: '2', amount: '4000', payAmount: '196000' }, // a Sunday
      status: 'approved',
      payment_id: null,
      paid_amount: null,
      created_by: 'tess',
      created_at: new Date('2026-03-02T10:00:00Z'),
      updated_at: new Date('2026-03-02T10:00:00Z'),
      decided_by: 'anna',
      decided_at: new Date('2026-03-02T10:00:00Z'),
      reason: null,
    };
    const on = (today: string) => {
      const pay = payment(row, nextBusinessDay(today));
      return [pay.target, pay.date, pay.amount, pay.discounted];
    };
    // Thursday and Friday: paid on the Friday before the Sunday, discounted.
    assert.deepEqual(on('2026-03-05'), ['2026-03-08', '2026-03-06', 196000n, true]);
    assert.deepEqual(on('2026-03-06'), ['2026-03-08', '2026-03-06', 196000n, true]);
    // Saturday and Sunday: the next business day (Monday) is after the discount date: the full amount, when due.
    assert.deepEqual(on('2026-03-07'), ['2026-03-20', '2026-03-20', 200000n, false]);
    assert.deepEqual(on('2026-03-08'), ['2026-03-20', '2026-03-20', 200000n, false]);
    // Past due on a Saturday: the next business day, in full.
    assert.deepEqual(on('2026-03-21'), ['2026-03-20', '2026-03-23', 200000n, false]);
  });

  test('scheduling on a Saturday: a Sunday discount is not paid on Monday; the full amount on the due date', async () => {
    // The shipped 05:00 schedule would run first once the clock jumps: its next firing is put after this test.
    await server.database.db
      .updateTable('wf_schedules')
      .set({ next_fire_at: new Date('2026-03-30T05:00:00Z') })
      .where('workflow_key', '=', 'payables-schedule')
      .execute();
    clock.set('2026-03-07T10:00:00Z'); // Saturday
    const sunday = expect(
      await record({
        beneficiaryId: acme.id,
        invoiceNumber: 'INV-400',
        amount: '200000',
        currency: 'EUR',
        dueDate: '2026-03-20',
        discount: { date: '2026-03-08', percent: '2' },
      }),
      201,
    );
    expect(await call('POST', `/payables/${sunday.id}/approve`, { ...as('anna'), json: {} }), 200);
    const schedule = async (withinDays: number) =>
      expect(await call('POST', '/payables/schedule', { ...as('tess'), key: randomUUID(), json: { withinDays } }), 200);
    // Horizon Sunday 8 March, the discount date: the discount can no longer be paid by it, so nothing is due.
    assert.deepEqual(await schedule(1), { asOf: '2026-03-07', horizon: '2026-03-08', scheduled: [] });
    const due = await schedule(13);
    assert.deepEqual(
      due.scheduled.map((s: Body) => [s.payableId, s.amount, s.requestedExecutionDate, s.discounted]),
      [[sunday.id, '200000', '2026-03-20', false]],
    );
    const paid = expect(await call('GET', `/payables/${sunday.id}`), 200);
    assert.deepEqual([paid.status, paid.paidAmount], ['scheduled', '200000']);
  });
});
