/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ManualClock } from '../../core/clock.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { previousBusinessDay, WEEKENDS } from './business-dates.js';
import { nominalDates } from './recurring/occurrences.js';

/**
 * Recurring payments through the HTTP API on a real server: each occurrence becomes one payment
 * instruction a few days ahead — on its date, or the business day before by its calendar — through
 * the approval workflow, its maker the recurring payment's maker; a rerun makes nothing twice and a
 * cancelled one makes nothing more.
 */

describe('recurring payments: the dates', () => {
  test('monthly on the 31st across February; last business day; weekly', () => {
    const monthly = (day: number | 'last_business_day', startDate: string, until: string) =>
      nominalDates({ frequency: 'monthly', day, startDate, endDate: null }, null, until);
    assert.deepEqual(monthly(31, '2026-01-15', '2026-04-30'), ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    assert.deepEqual(monthly(30, '2028-01-31', '2028-03-31'), ['2028-02-29', '2028-03-30']); // a leap year
    assert.deepEqual(monthly(15, '2026-01-16', '2026-03-15'), ['2026-02-15', '2026-03-15']); // the 15th has passed
    assert.deepEqual(
      nominalDates(
        { frequency: 'monthly', day: 1, startDate: '2026-01-01', endDate: '2026-03-01' },
        '2026-01-01',
        '2026-12-31',
      ),
      ['2026-02-01', '2026-03-01'],
    );
    assert.deepEqual(
      nominalDates({ frequency: 'weekly', day: 3, startDate: '2026-01-26', endDate: null }, null, '2026-02-11'),
      ['2026-01-28', '2026-02-04', '2026-02-11'],
    );
    // 31 May 2026 is a Sunday: paid Friday the 29th; with the 29th a holiday, Thursday the 28th.
    assert.equal(previousBusinessDay('2026-05-31', WEEKENDS), '2026-05-29');
    assert.equal(previousBusinessDay('2026-05-31', { weekend: [6, 7], holidays: ['2026-05-29'] }), '2026-05-28');
    assert.equal(previousBusinessDay('2026-05-27', WEEKENDS), '2026-05-27');
    // A Friday-Saturday weekend.
    assert.equal(previousBusinessDay('2026-05-30', { weekend: [5, 6], holidays: [] }), '2026-05-28');
  });
});

describe('recurring payments', () => {
  let server: TestServer;
  // Monday 26 January 2026, 10:00 UTC.
  const clock = new ManualClock('2026-01-26T10:00:00Z');
  const tokens: Record<string, string> = {};
  const { call, expect, expectProblem } = apiClient(() => server);
  const as = (name: string) => ({ token: tokens[name]! });
  let account: Body;
  let landlord: Body;
  const made: Record<string, Body> = {};

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
    landlord = expect(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: { name: 'Immo Rent GmbH', kind: 'supplier', bankDetails: { iban: 'FR1420041010050500013M02606' } },
      }),
      201,
    );
    // A second person verifies the landlord's bank details, so its payments reach their approvers.
    expect(
      await call('POST', `/beneficiaries/${landlord.id}/changes/${landlord.changes[0].id}/approve`, {
        ...as('anna'),
        json: {},
      }),
      200,
    );
    const calendar = await server.call('/api/v1/calendars/PAYROLL-TEST', {
      method: 'PUT',
      json: { timezone: 'Europe/Berlin', holidays: ['2026-02-27'] },
    });
    assert.equal(calendar.status, 201, await calendar.clone().text());
  });
  after(async () => server?.close());

  const create = (json: Body, who = 'tess') =>
    call('POST', '/recurring-payments', { ...as(who), key: randomUUID(), json });
  const run = async (withinDays?: number) =>
    expect(
      await call('POST', '/recurring-payments/run', {
        ...as('tess'),
        key: randomUUID(),
        json: withinDays === undefined ? {} : { withinDays },
      }),
      200,
    );
  const auditActions = async (id: string) =>
    (expect(await call('GET', `/audit?entityType=recurring_payment&entityId=${id}&limit=100`), 200).data as Body[]).map(
      (r) => r.action as string,
    );
  const rows = (result: Body) =>
    (result.created as Body[]).map((c) => [c.recurringPaymentId, c.occurrence, c.requestedExecutionDate, c.amount]);

  test('creating: the stored schedule exactly; bad input 400/422 naming the field', async () => {
    const base = {
      beneficiaryId: landlord.id,
      bankAccountId: account.id,
      amount: '250000',
      remittance: { unstructured: 'Rent Berlin office' },
      purpose: 'RENT',
      schedule: { frequency: 'monthly', day: 31, startDate: '2026-01-26' },
    };
    const rent = expect(await create(base), 201);
    assert.match(String(rent.id), /^rcp_/);
    assert.deepEqual(
      { ...rent, id: undefined, createdAt: undefined, updatedAt: undefined },
      {
        id: undefined,
        beneficiaryId: landlord.id,
        bankAccountId: account.id,
        amount: '250000',
        currency: 'EUR',
        remittance: { unstructured: 'Rent Berlin office' },
        purpose: 'RENT',
        schedule: { frequency: 'monthly', day: 31, startDate: '2026-01-26', endDate: null },
        calendar: null,
        status: 'active',
        lastOccurrence: null,
        createdBy: 'tess',
        createdAt: undefined,
        updatedAt: undefined,
        cancelledBy: null,
        cancelledAt: null,
        reason: null,
      },
    );
    made.rent = rent;
    made.payroll = expect(
      await create({
        ...base,
        amount: '4200000',
        remittance: { unstructured: 'Payroll' },
        purpose: 'SALA',
        schedule: { frequency: 'monthly', day: 'last_business_day', startDate: '2026-01-26', endDate: '2026-12-31' },
        calendar: 'PAYROLL-TEST',
      }),
      201,
    );
    assert.deepEqual(
      [made.payroll.schedule, made.payroll.calendar],
      [
        { frequency: 'monthly', day: 'last_business_day', startDate: '2026-01-26', endDate: '2026-12-31' },
        'PAYROLL-TEST',
      ],
    );
    made.cleaning = expect(
      await create({
        ...base,
        amount: '9000',
        currency: 'EUR',
        remittance: { unstructured: 'Cleaning' },
        schedule: { frequency: 'weekly', day: 1, startDate: '2026-01-26' },
      }),
      201,
    );

    const schedule = (s: Body) => ({ ...base, schedule: { ...base.schedule, ...s } });
    expectProblem(await create(schedule({ day: 32 })), 400, 'body.schedule.day');
    expectProblem(await create(schedule({ day: 'last' })), 400, 'body.schedule.day');
    expectProblem(await create(schedule({ frequency: 'daily' })), 400, 'body.schedule.frequency');
    expectProblem(await create(schedule({ startDate: '2026-02-30' })), 400, 'body.schedule.startDate');
    expectProblem(await create({ ...base, amount: '25.00' }), 400, 'body.amount');
    expectProblem(await create({ ...base, purpose: 'rent' }), 400, 'body.purpose');
    expectProblem(await create({ ...base, currency: 'EURO' }), 400, 'body.currency');
    expectProblem(await create(schedule({ frequency: 'weekly', day: 8 })), 422, 'body.schedule.day');
    expectProblem(await create(schedule({ frequency: 'weekly', day: 'last_business_day' })), 422, 'body.schedule.day');
    expectProblem(await create(schedule({ startDate: '2026-01-25' })), 422, 'body.schedule.startDate');
    expectProblem(await create(schedule({ endDate: '2026-01-25' })), 422, 'body.schedule.endDate');
    expectProblem(await create({ ...base, calendar: 'NOPE' }), 422, 'body.calendar');
    expectProblem(await create({ ...base, currency: 'USD' }), 422, 'body.currency');
    expectProblem(await create({ ...base, beneficiaryId: 'ben_nope' }), 422, 'body.beneficiaryId');
    expectProblem(await create({ ...base, bankAccountId: 'bac_nope' }), 422, 'body.bankAccountId');
    expect(await create(base, 'vera'), 403);
    expect(await call('POST', '/recurring-payments', { ...as('tess'), json: base }), 400); // no Idempotency-Key

    const listed = expect(await call('GET', '/recurring-payments?status=active', as('vera')), 200);
    assert.deepEqual(
      listed.data.map((r: Body) => r.id),
      [made.rent.id, made.payroll.id, made.cleaning.id],
    );
  });

  test('the daily run: each occurrence once, on the business day before a weekend or holiday', async () => {
    // Monday 26 January, 5 days ahead: the 31st is a Saturday, so rent and payroll are paid Friday the 30th.
    const first = await run(5);
    assert.deepEqual([first.asOf, first.horizon], ['2026-01-26', '2026-01-31']);
    assert.deepEqual(rows(first), [
      [made.rent!.id, '2026-01-31', '2026-01-30', '250000'],
      [made.payroll!.id, '2026-01-31', '2026-01-30', '4200000'],
      [made.cleaning!.id, '2026-01-26', '2026-01-26', '9000'],
    ]);
    assert.deepEqual((await run(5)).created, [], 'a rerun makes nothing twice');
    assert.deepEqual((await run(0)).created, []);

    const payment = expect(await call('GET', `/payments/${first.created[0].paymentId}`), 200);
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
        payment.purpose,
        payment.createdBy,
      ],
      [
        'recurring',
        `${made.rent!.id}:2026-01-31`,
        '250000',
        'EUR',
        landlord.id,
        account.id,
        '2026-01-30',
        { unstructured: 'Rent Berlin office' },
        'RENT',
        'tess',
      ],
    );

    // The unique index holds an occurrence to one instruction even past the code's own check.
    // A copy of the instruction under another id and end-to-end id: only the occurrence index refuses it.
    const copy = (id: string, source: string) =>
      sql`INSERT INTO payment_instructions
            SELECT (jsonb_populate_record(p, jsonb_build_object('id', ${id}::text, 'end_to_end_id', ${`FF${id.slice(4)}`}::text, 'source', ${source}::text))).*
            FROM payment_instructions p WHERE p.id = ${String(payment.id)}`.execute(server.database.db);
    await assert.rejects(copy('pmt_duplicate', 'recurring'), /payment_instructions_source_ref_idx/);
    // The same copy under another source goes in: the refusal above was the index's.
    await copy('pmt_control', 'disbursement');
    await server.database.db.deleteFrom('payment_instructions').where('id', '=', 'pmt_control').execute();

    expectProblem(
      await call('POST', '/recurring-payments/run', { ...as('tess'), key: randomUUID(), json: { withinDays: 91 } }),
      400,
      'body.withinDays',
    );
    expect(await call('POST', '/recurring-payments/run', { ...as('vera'), key: randomUUID(), json: {} }), 403);
  });

  test('self-approval of an occurrence is refused for the recurring payment’s maker', async () => {
    const detail = expect(await call('GET', `/recurring-payments/${made.rent!.id}`, as('vera')), 200);
    const paymentId = String(detail.payments[0].paymentId);
    const deadline = Date.now() + 20_000;
    let task: Body | undefined;
    for (;;) {
      const payment = expect(await call('GET', `/payments/${paymentId}`), 200);
      task = (payment.tasks as Body[]).find((t) => t.step === 'first_approval' && t.status === 'open');
      if (task) break;
      assert.ok(Date.now() < deadline, `no approval task: ${JSON.stringify(payment)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const complete = (who: string) =>
      call('POST', `/tasks/${String(task.id)}/complete`, {
        ...as(who),
        key: randomUUID(),
        json: { outcome: 'approve', data: {} },
      });
    const self = expect(await complete('tess'), 409);
    assert.equal(self.code, 'separation_of_duties');
    expect(await complete('anna'), 200);
  });

  test('cancel stops further occurrences; February’s 31st is the 28th, paid before the weekend', async () => {
    const cancelled = expect(
      await call('POST', `/recurring-payments/${made.cleaning!.id}/cancel`, {
        ...as('tess'),
        key: randomUUID(),
        json: { reason: 'contract ended' },
      }),
      200,
    );
    assert.deepEqual(
      [cancelled.status, cancelled.cancelledBy, cancelled.reason, cancelled.lastOccurrence],
      ['cancelled', 'tess', 'contract ended', '2026-01-26'],
    );
    const again = expect(
      await call('POST', `/recurring-payments/${made.cleaning!.id}/cancel`, { ...as('tess'), key: randomUUID() }),
      409,
    );
    assert.equal(again.code, 'recurring_payment_state');
    expect(await call('POST', '/recurring-payments/rcp_nope/cancel', { ...as('tess'), key: randomUUID() }), 404);

    // Monday 23 February: the 28th is a Saturday; payroll's Friday the 27th is a holiday of its calendar.
    clock.set(new Date('2026-02-23T10:00:00Z'));
    const expected = [
      [made.rent!.id, '2026-02-28', '2026-02-27', '250000'],
      [made.payroll!.id, '2026-02-28', '2026-02-26', '4200000'],
    ];
    // The shipped workflow's 05:00 trigger is due at the new time and may have run first: then it made them.
    const february = rows(await run(5));
    assert.ok(february.length === 0 || february.length === 2, JSON.stringify(february));
    if (february.length > 0) assert.deepEqual(february, expected);
    for (const [id, occurrence, date] of expected) {
      const detail = expect(await call('GET', `/recurring-payments/${String(id)}`), 200);
      assert.deepEqual(
        detail.payments.map((p: Body) => [p.occurrence, p.requestedExecutionDate]),
        [
          ['2026-01-31', '2026-01-30'],
          [occurrence, date],
        ],
      );
      assert.equal(detail.lastOccurrence, '2026-02-28');
    }
    assert.deepEqual((await run(5)).created, []);
    const cleaning = expect(await call('GET', `/recurring-payments/${made.cleaning!.id}`), 200);
    assert.deepEqual(
      cleaning.payments.map((p: Body) => [p.occurrence, p.requestedExecutionDate]),
      [['2026-01-26', '2026-01-26']],
    );
    assert.deepEqual(await auditActions(String(made.cleaning!.id)), [
      'recurring_payment.created',
      'recurring_payment.occurred',
      'recurring_payment.cancelled',
    ]);
  });

  test('the shipped daily workflow makes the same (started by hand here)', async () => {
    const started = expect(
      await call('POST', '/workflows/recurring-payments-run/instances', { json: { input: { withinDays: 40 } } }),
      201,
    );
    const deadline = Date.now() + 20_000;
    let instance: Body;
    for (;;) {
      instance = expect(await call('GET', `/instances/${started.id}`), 200);
      if (instance.status !== 'running') break;
      assert.ok(Date.now() < deadline, `recurring-payments-run still running: ${JSON.stringify(instance)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(instance.status, 'completed', JSON.stringify(instance));
    // Horizon 4 April: March's 31st (a Tuesday) for both.
    const rent = expect(await call('GET', `/recurring-payments/${made.rent!.id}`), 200);
    assert.equal(rent.lastOccurrence, '2026-03-31');
    assert.deepEqual(
      rent.payments.map((p: Body) => [p.occurrence, p.requestedExecutionDate]),
      [
        ['2026-01-31', '2026-01-30'],
        ['2026-02-28', '2026-02-27'],
        ['2026-03-31', '2026-03-31'],
      ],
    );
    const payroll = expect(await call('GET', `/recurring-payments/${made.payroll!.id}`), 200);
    assert.deepEqual(
      payroll.payments.map((p: Body) => [p.occurrence, p.requestedExecutionDate]),
      [
        ['2026-01-31', '2026-01-30'],
        ['2026-02-28', '2026-02-26'],
        ['2026-03-31', '2026-03-31'],
      ],
    );
    assert.deepEqual(await auditActions(String(made.rent!.id)), [
      'recurring_payment.created',
      'recurring_payment.occurred',
      'recurring_payment.occurred',
      'recurring_payment.occurred',
    ]);
  });
});
