/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { switchOffAnomalyChecks } from '../../testing/anomaly-checks-off.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { testTmpDir } from '../../testing/test-database.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { verifiedBeneficiary } from '../../testing/verified-beneficiary.js';
import { earliestValueDate, MONDAY_TO_FRIDAY, notAValueDate, type ValueDays } from './value-dates.js';

/**
 * Value dates by the bank's calendar and cut-off: a bank account names an engine business calendar
 * (its holidays, its zone) and a cut-off time; a payment by API or from a CSV line refuses a holiday,
 * defaults to the first date the bank still executes on, batching moves what the bank no longer
 * executes on, release refuses a batch whose value date closed, and a recurring payment without a
 * calendar of its own pays on the bank's business day before.
 */

// December 2026: Friday 25 and Saturday 26 are TARGET2 holidays here; Berlin is UTC+1 in winter.
const TARGET2: ValueDays = {
  calendar: 'TARGET2',
  days: { weekend: [6, 7], holidays: ['2026-12-24', '2026-12-25', '2026-12-31', '2027-01-01'] },
  timezone: 'Europe/Berlin',
  cutOff: '15:00',
};

describe('value dates: the arithmetic', () => {
  test('the earliest value date: today until the cut-off in the calendar’s zone, then the next business day', () => {
    const at = (iso: string, value: ValueDays = TARGET2) => earliestValueDate(new Date(iso), value);
    assert.equal(at('2026-12-21T13:59:00Z'), '2026-12-21'); // 14:59 in Berlin
    assert.equal(at('2026-12-21T14:00:00Z'), '2026-12-22'); // 15:00 in Berlin: the cut-off
    // Wednesday 23 after the cut-off: 24 and 25 are holidays, 26 and 27 the weekend.
    assert.equal(at('2026-12-23T16:00:00Z'), '2026-12-28');
    // 23:30 UTC on Monday is already Tuesday in Berlin.
    assert.equal(at('2026-12-21T23:30:00Z', { ...TARGET2, cutOff: null }), '2026-12-22');
    // Without a calendar: UTC, Monday to Friday, no cut-off.
    assert.equal(at('2026-12-25T20:00:00Z', MONDAY_TO_FRIDAY), '2026-12-25');
    assert.equal(at('2026-12-26T08:00:00Z', MONDAY_TO_FRIDAY), '2026-12-28');
  });

  test('why a date is not a value date', () => {
    assert.equal(notAValueDate('2026-12-23', TARGET2), undefined);
    assert.equal(
      notAValueDate('2026-12-25', TARGET2),
      'must be a business day of the bank account\'s calendar "TARGET2" (2026-12-25 is a holiday)',
    );
    assert.equal(
      notAValueDate('2026-12-27', TARGET2),
      'must be a business day of the bank account\'s calendar "TARGET2" (2026-12-27 is a weekend day)',
    );
    assert.equal(notAValueDate('2026-12-26', MONDAY_TO_FRIDAY), 'must be a business day (Monday to Friday)');
    assert.equal(notAValueDate('2026-12-25', MONDAY_TO_FRIDAY), undefined);
  });
});

describe('value dates through the API', () => {
  let server: TestServer;
  // Monday 21 December 2026, 10:00 UTC (11:00 in Berlin); the tests only move it forward.
  const clock = new ManualClock('2026-12-21T10:00:00Z');
  const tokens: Record<string, string> = {};
  const client = apiClient(() => server);
  const { call, expect, expectProblem } = client;
  const as = (name: string) => ({ token: tokens[name]! });
  const tokensOf = (maker: string, checker: string) => ({ maker: tokens[maker]!, checker: tokens[checker]! });
  const newKey = () => `test-${randomUUID()}`;
  let account: Body;
  let supplier: Body;

  before(async () => {
    server = await startTestServer({ clock, config: { dataDir: testTmpDir() } });
    await switchOffAnomalyChecks(server);
    for (const [name, role] of Object.entries({ tess: 'treasurer', anna: 'payment_approver', vera: 'viewer' })) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    const calendar = await call('PUT', '/calendars/TARGET2', {
      json: { timezone: 'Europe/Berlin', holidays: ['2026-12-25', '2026-12-26', '2027-01-01'] },
    });
    expect(calendar, 201);
    account = expect(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        key: newKey(),
        json: {
          name: 'Commerz EUR',
          currency: 'EUR',
          iban: 'DE89370400440532013000',
          ownerName: 'Finflow Lending GmbH',
          ledgerAccount: 'cash:bank:de',
          calendar: 'TARGET2',
        },
      }),
      201,
    );
    supplier = await verifiedBeneficiary(client, tokensOf('tess', 'anna'), {
      name: 'Acme SARL',
      bankDetails: { iban: 'FR1420041010050500013M02606' },
    });
  });
  after(async () => server?.close());

  const pay = (json: Body = {}) =>
    call('POST', '/payments', {
      ...as('tess'),
      key: newKey(),
      json: { bankAccountId: account.id, beneficiaryId: supplier.id, amount: '1000', ...json },
    });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Waits for the worker to approve a small payment automatically, without moving the clock. */
  async function approved(id: string): Promise<Body> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const payment = expect(await call('GET', `/payments/${id}`), 200);
      if (payment.status === 'approved') return payment;
      if (Date.now() > deadline) assert.fail(`payment ${id} not approved: ${JSON.stringify(payment)}`);
      await sleep(50);
    }
  }
  const batch = async () =>
    expect(await call('POST', '/payment-batches', { ...as('tess'), key: newKey(), json: {} }), 201);

  test('a bank account names its calendar and cut-off; a change is checked and audited', async () => {
    assert.deepEqual([account.calendar, account.cutOffTime], ['TARGET2', null]);
    const path = `/bank-accounts/${account.id}`;
    expectProblem(await call('PATCH', path, { ...as('tess'), json: { cutOffTime: '25:00' } }), 400, 'body.cutOffTime');
    expectProblem(await call('PATCH', path, { ...as('tess'), json: { cutOffTime: '3pm' } }), 400, 'body.cutOffTime');
    expectProblem(await call('PATCH', path, { ...as('tess'), json: { calendar: 'NOPE' } }), 422, 'body.calendar');
    expectProblem(await call('PATCH', path, { ...as('tess'), json: { iban: 'x' } }), 400, 'body');
    expect(await call('PATCH', path, { ...as('vera'), json: { cutOffTime: '15:00' } }), 403);
    expect(await call('PATCH', '/bank-accounts/bac_nope', { ...as('tess'), json: { cutOffTime: '15:00' } }), 404);
    expectProblem(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        key: newKey(),
        json: {
          name: 'Other',
          currency: 'EUR',
          iban: 'ES9121000418450200051332',
          ownerName: 'Finflow Lending S.L.',
          ledgerAccount: 'cash:bank:es',
          calendar: 'NOPE',
        },
      }),
      422,
      'body.calendar',
    );

    const updated = expect(await call('PATCH', path, { ...as('tess'), json: { cutOffTime: '15:00' } }), 200);
    assert.deepEqual([updated.calendar, updated.cutOffTime], ['TARGET2', '15:00']);
    // The same again changes nothing and writes no second audit row.
    expect(await call('PATCH', path, { ...as('tess'), json: { cutOffTime: '15:00' } }), 200);
    const audits = await server.database.db
      .selectFrom('audit_log')
      .select(['actor', 'before', 'after'])
      .where('action', '=', 'bank_account.updated')
      .where('entity_id', '=', account.id)
      .execute();
    assert.equal(audits.length, 1);
    // The actor is tess's API key (the principal), as for every audited change.
    assert.match(String(audits[0]!.actor), /^key_/);
    assert.deepEqual([(audits[0]!.before as Body).cutOffTime, (audits[0]!.after as Body).cutOffTime], [null, '15:00']);
  });

  test('a payment refuses a holiday of the account’s calendar; without a date, the cut-off decides', async () => {
    const holiday = expectProblem(
      await pay({ requestedExecutionDate: '2026-12-25' }),
      422,
      'body.requestedExecutionDate',
    );
    assert.match(JSON.stringify(holiday), /calendar \\"TARGET2\\" \(2026-12-25 is a holiday\)/);
    expectProblem(await pay({ requestedExecutionDate: '2026-12-27' }), 422, 'body.requestedExecutionDate');
    expectProblem(await pay({ requestedExecutionDate: '2026-12-18' }), 422, 'body.requestedExecutionDate');
    // 11:00 in Berlin: today.
    assert.equal(expect(await pay(), 201).requestedExecutionDate, '2026-12-21');
    // 15:30 in Berlin: past the cut-off, the next business day.
    clock.set(new Date('2026-12-21T14:30:00Z'));
    assert.equal(expect(await pay(), 201).requestedExecutionDate, '2026-12-22');
  });

  test('a CSV run names the line whose date is a holiday, and writes nothing', async () => {
    const csv = `beneficiaryId,amount,requestedExecutionDate\n${supplier.id},10.00,2026-12-22\n${supplier.id},10.00,2026-12-25\n`;
    const res = await server.call(`/api/v1/payment-runs?bankAccountId=${account.id}`, {
      method: 'POST',
      token: tokens.tess!,
      headers: { 'content-type': 'text/csv', 'idempotency-key': newKey() },
      body: csv,
    });
    assert.equal(res.status, 422);
    const problem = (await res.json()) as Body;
    assert.deepEqual(
      problem.issues.map((i: Body) => [i.line, i.column, i.message]),
      [
        [
          3,
          'requestedExecutionDate',
          'must be a business day of the bank account\'s calendar "TARGET2" (2026-12-25 is a holiday)',
        ],
      ],
    );
    const runs = await server.database.db.selectFrom('payment_runs').select('id').execute();
    assert.equal(runs.length, 0);
  });

  test('a recurring payment without a calendar of its own is paid on the bank’s business day before', async () => {
    // The 31st of December is not a holiday of this calendar; the 1st of January is. Monthly on the 1st:
    // paid on Thursday 31 December.
    const created = expect(
      await call('POST', '/recurring-payments', {
        ...as('tess'),
        key: newKey(),
        json: {
          beneficiaryId: supplier.id,
          bankAccountId: account.id,
          amount: '5000',
          schedule: { frequency: 'monthly', day: 1, startDate: '2026-12-22' },
        },
      }),
      201,
    );
    const run = expect(
      await call('POST', '/recurring-payments/run', { ...as('tess'), key: newKey(), json: { withinDays: 14 } }),
      200,
    );
    assert.deepEqual(
      run.created
        .filter((c: Body) => c.recurringPaymentId === created.id)
        .map((c: Body) => [c.occurrence, c.requestedExecutionDate]),
      [['2027-01-01', '2026-12-31']],
    );
  });
  test('batching moves a date that became a holiday; release refuses a closed value date until rebatched', async () => {
    // Drain what the earlier tests approved, so this test's batch holds only its own payment.
    for (const p of expect(await call('GET', '/payments?status=pending_approval&limit=100'), 200).data) {
      await approved(p.id);
    }
    const drained = await call('POST', '/payment-batches', { ...as('tess'), key: newKey(), json: {} });
    expect(drained, 201);

    const payment = expect(await pay({ requestedExecutionDate: '2026-12-23' }), 201);
    await approved(payment.id);
    // The bank announces 23 December closed after the payment was approved.
    expect(
      await call('PUT', '/calendars/TARGET2', {
        json: { timezone: 'Europe/Berlin', holidays: ['2026-12-23', '2026-12-25', '2026-12-26', '2027-01-01'] },
      }),
      200,
    );
    const [made] = (await batch()).data as Body[];
    assert.equal(made!.valueDate, '2026-12-24');
    assert.deepEqual(made!.paymentIds ?? [payment.id], [payment.id]);

    // Thursday 24, 15:30 in Berlin: the bank no longer executes for the 24th.
    clock.set(new Date('2026-12-24T14:30:00Z'));
    const refused = expect(await call('POST', `/payment-batches/${made!.id}/release`, as('anna')), 409);
    assert.equal(refused.code, 'value_date_closed');
    assert.match(String(refused.detail ?? refused.message ?? JSON.stringify(refused)), /2026-12-24.*2026-12-28/);
    const stillCreated = expect(await call('GET', `/payment-batches/${made!.id}`), 200);
    assert.equal(stillCreated.status, 'created');

    // Cancelled and batched again: dated the bank's next business day, then released.
    expect(
      await call('POST', `/payment-batches/${made!.id}/cancel`, {
        ...as('tess'),
        json: { reason: 'missed the cut-off' },
      }),
      200,
    );
    const [again] = (await batch()).data as Body[];
    assert.equal(again!.valueDate, '2026-12-28');
    const released = expect(await call('POST', `/payment-batches/${again!.id}/release`, as('anna')), 200);
    assert.equal(released.status, 'released');
  });
});
