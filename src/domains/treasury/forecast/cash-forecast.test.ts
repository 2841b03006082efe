/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../../core/clock.js';
import { apiClient, type Body } from '../../../testing/api-client.js';
import { camt053 } from '../../../testing/camt053-file.js';
import { testTmpDir } from '../../../testing/test-database.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';

/**
 * Treasury positions, the cash forecast and alerts through the HTTP API, with exact figures: two EUR
 * accounts (one without a statement) and a USD one; payments approved, pending and later; invoices
 * current and 20, 45 and 100 days past due; a pending loan payout on the ledger; balance alerts on
 * import (below, not above) and the statement-missing check.
 */

const EUR_IBAN = 'DE89370400440532013000';
const EUR2_IBAN = 'ES9121000418450200051332';
const USD_IBAN = 'GB29NWBK60161331926819';

describe('treasury positions, forecast and alerts', () => {
  let server: TestServer;
  // Monday 2 March 2026, 10:00 UTC.
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  const dataDir = testTmpDir();
  const tokens: Record<string, string> = {};
  const { call, expect, expectProblem } = apiClient(() => server);
  const as = (name: string) => ({ token: tokens[name]! });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const accounts: Record<'eur' | 'eur2' | 'usd', Body> = {} as never;

  async function waitForStatus(id: string, status: string): Promise<Body> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const p = expect(await call('GET', `/payments/${id}`), 200);
      if (p.status === status) return p;
      if (Date.now() > deadline) assert.fail(`payment ${id} is ${p.status}, not ${status}`);
      await sleep(50);
    }
  }
  const events = async (type: string) =>
    server.database.db.selectFrom('wf_events').select(['key', 'data']).where('type', '=', type).orderBy('id').execute();
  const importStatement = async (body: string) => {
    const res = await server.call('/api/v1/statements', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body,
    });
    const json = (await res.json()) as Body;
    assert.equal(res.status, 201, JSON.stringify(json));
    return json;
  };

  before(async () => {
    server = await startTestServer({ clock, config: { dataDir } });
    for (const [name, role] of Object.entries({ tess: 'treasurer', anna: 'payment_approver', vera: 'viewer' })) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    const specs = {
      eur: { name: 'Main EUR', currency: 'EUR', iban: EUR_IBAN, ledgerAccount: 'cash:bank:eur' },
      eur2: { name: 'Second EUR', currency: 'EUR', iban: EUR2_IBAN, ledgerAccount: 'cash:bank:eur2' },
      usd: { name: 'USD', currency: 'USD', iban: USD_IBAN, ledgerAccount: 'cash:bank:usd' },
    };
    for (const [key, spec] of Object.entries(specs)) {
      accounts[key as keyof typeof accounts] = expect(
        await call('POST', '/bank-accounts', { ...as('tess'), json: { ...spec, ownerName: 'Finflow GmbH' } }),
        201,
      );
    }
  });
  after(async () => server?.close());

  test('setup: alert thresholds, ledger cash, payments, receivables, a pending payout, statements', async () => {
    // Alerts first, so the imports below are checked against them.
    const set = async (account: Body, json: Body) =>
      expect(await call('PUT', `/bank-accounts/${account.id}/alerts`, { ...as('tess'), json }), 200);
    const eurAlerts = await set(accounts.eur, { minBalance: '600000', statementExpectedBy: '09:00' });
    assert.deepEqual([eurAlerts.minBalance, eurAlerts.statementExpectedBy], ['600000', '09:00']);
    await set(accounts.usd, { minBalance: '100000', statementExpectedBy: '11:00' });
    await set(accounts.eur2, { minBalance: null, statementExpectedBy: '08:00' });
    const got = expect(await call('GET', `/bank-accounts/${accounts.usd.id}/alerts`, as('vera')), 200);
    assert.deepEqual([got.minBalance, got.statementExpectedBy, got.updatedBy !== null], ['100000', '11:00', true]);

    // The books: 4 500.00 posted to the EUR cash account; a pending loan payout of 250.00.
    for (const spec of [
      { code: 'equity:capital', currency: 'EUR', normalSide: 'credit' },
      { code: 'liabilities:disbursements', currency: 'EUR', normalSide: 'credit' },
      { code: 'cash:disbursements', currency: 'EUR', normalSide: 'debit' },
    ]) {
      expect(await call('POST', '/ledger/accounts', { ...as('tess'), json: spec }), 201);
    }
    const ledgerId = async (code: string) =>
      (expect(await call('GET', `/ledger/accounts?code=${code}`, as('tess')), 200).data as Body[])[0]!.id;
    const leg = async (id: string, debit: string, credit: string, amount: string, extra: Body = {}) => ({
      id,
      debitAccountId: await ledgerId(debit),
      creditAccountId: await ledgerId(credit),
      amount,
      currency: 'EUR',
      ...extra,
    });
    expect(
      await call('POST', '/ledger/transfers', {
        ...as('tess'),
        json: {
          journalId: 'capital-1',
          reason: 'capital',
          transfers: [await leg('capital-1', 'cash:bank:eur', 'equity:capital', '450000')],
        },
      }),
      201,
    );
    expect(
      await call('POST', '/ledger/transfers', {
        ...as('tess'),
        json: {
          journalId: 'app-1.disbursement',
          reason: 'loan payout',
          transfers: [
            await leg('app-1.disbursement', 'liabilities:disbursements', 'cash:disbursements', '25000', {
              pending: true,
              code: 'loan.payout',
            }),
          ],
        },
      }),
      201,
    );

    // Payments: two small EUR ones approved automatically (today and 10 March), a large one pending
    // approval (4 March), a small USD one approved (today).
    const beneficiary = expect(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: {
          name: 'Acme SARL',
          kind: 'supplier',
          bankDetails: { iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPPXXX' },
        },
      }),
      201,
    );
    expect(
      await call('POST', `/beneficiaries/${beneficiary.id}/changes/${beneficiary.changes[0].id}/approve`, as('anna')),
      200,
    );
    const pay = async (account: Body, amount: string, date: string, status: string) => {
      const created = expect(
        await call('POST', '/payments', {
          ...as('tess'),
          key: `test-${randomUUID()}`,
          json: { bankAccountId: account.id, beneficiaryId: beneficiary.id, amount, requestedExecutionDate: date },
        }),
        201,
      );
      return waitForStatus(created.id, status);
    };
    await pay(accounts.eur, '40000', '2026-03-02', 'approved');
    await pay(accounts.eur, '60000', '2026-03-10', 'approved');
    await pay(accounts.eur, '250000', '2026-03-04', 'pending_approval');
    await pay(accounts.usd, '5000', '2026-03-02', 'approved');
    // A cancelled payment counts nowhere (its hold is voided too).
    const cancelled = await pay(accounts.eur, '7000', '2026-03-03', 'approved');
    expect(
      await call('POST', `/payments/${cancelled.id}/cancel`, { ...as('tess'), json: { reason: 'duplicate' } }),
      200,
    );

    // Receivables: current, 20, 45 and 100 days past due; one in USD; one beyond the horizon.
    for (const [externalId, name] of [
      ['C-1', 'Ana García'],
      ['C-2', 'Bob Builder'],
    ]) {
      expect(
        await call('POST', '/customers', {
          json: { externalId, name, email: `${externalId}@example.com`, language: 'en' },
        }),
        201,
      );
    }
    const invoices: Array<[string, string, string, string, string]> = [
      ['INV-CUR', 'EUR', '100000', '2026-02-01', '2026-03-05'],
      ['INV-CUR2', 'EUR', '40000', '2026-02-01', '2026-03-12'],
      ['INV-20', 'EUR', '50000', '2026-01-10', '2026-02-10'],
      ['INV-45', 'EUR', '30000', '2025-12-16', '2026-01-16'],
      ['INV-100', 'EUR', '70000', '2025-10-22', '2025-11-22'],
      ['INV-LATER', 'EUR', '80000', '2026-02-01', '2026-04-30'],
    ];
    for (const [externalId, currency, amount, issueDate, dueDate] of invoices) {
      expect(
        await call('POST', '/receivables', {
          json: { externalId, customerExternalId: 'C-1', kind: 'invoice', currency, issueDate, amount, dueDate },
        }),
        201,
      );
    }
    expect(
      await call('POST', '/receivables', {
        json: {
          externalId: 'INV-USD',
          customerExternalId: 'C-2',
          kind: 'invoice',
          currency: 'USD',
          issueDate: '2026-02-01',
          amount: '99999',
          dueDate: '2026-03-05',
        },
      }),
      201,
    );
    // 100.00 of INV-CUR2 is paid already: 300.00 of it is open.
    expect(
      await call('POST', '/receivables/INV-CUR2/payments', {
        json: { externalId: 'P-CUR2', amount: '10000', currency: 'EUR', receivedOn: '2026-03-02' },
      }),
      201,
    );
    expect(await call('POST', '/receivables/close-of-business', { json: { asOf: '2026-03-02' } }), 200);
    assert.equal(expect(await call('GET', '/receivables/INV-45'), 200).dpd, 45);

    // Statements: EUR closes at 5 000.00 (below its 6 000.00 threshold), USD at 1 200.00 (above 1 000.00).
    const statement = (iban: string, currency: string, opening: bigint, id: string) =>
      camt053({ messageId: `MSG-${id}`, statementId: id, iban, currency, opening, date: '2026-02-27' }, [
        { amount: 20_000n, direction: 'CRDT', bookingDate: '2026-02-27', accountServicerReference: `ASR-${id}` },
      ]);
    await importStatement(statement(EUR_IBAN, 'EUR', 480_000n, 'EUR-1'));
    await importStatement(statement(USD_IBAN, 'USD', 100_000n, 'USD-1'));
  });

  test('an import below the threshold publishes treasury.balance_below_threshold; above it does not', async () => {
    const alerts = await events('treasury.balance_below_threshold');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.key, accounts.eur.id);
    const data = alerts[0]!.data as Body;
    assert.deepEqual(
      [data.bankAccountId, data.currency, data.balance, data.threshold, data.shortfall, data.statementDate],
      [accounts.eur.id, 'EUR', '500000', '600000', '100000', '2026-02-27'],
    );
    // The same file again imports nothing and raises nothing.
    await importStatement(
      camt053(
        {
          messageId: 'MSG-EUR-1',
          statementId: 'EUR-1',
          iban: EUR_IBAN,
          currency: 'EUR',
          opening: 480_000n,
          date: '2026-02-27',
        },
        [{ amount: 20_000n, direction: 'CRDT', bookingDate: '2026-02-27', accountServicerReference: 'ASR-EUR-1' }],
      ),
    );
    assert.equal((await events('treasury.balance_below_threshold')).length, 1);
  });

  test('positions: statement vs ledger per account, forward balance, central position per currency', async () => {
    const p = expect(await call('GET', '/treasury/positions', as('vera')), 200);
    assert.equal(p.asOf, '2026-03-02');
    const row = (id: string) => p.accounts.find((a: Body) => a.bankAccountId === id);
    const pick = (a: Body) => [
      a.statementBalance,
      a.statementDate,
      a.ledgerBalance,
      a.ledgerAvailable,
      a.difference,
      a.unsettledOutflows,
      a.unsettledPayments,
      a.forwardBalance,
    ];
    // EUR: 5 000.00 at the bank, 4 500.00 in the books; 1 000.00 of holds; 400.00 due to leave by today.
    assert.deepEqual(pick(row(accounts.eur.id)), [
      '500000',
      '2026-02-27',
      '450000',
      '350000',
      '50000',
      '40000',
      1,
      '460000',
    ]);
    assert.deepEqual(pick(row(accounts.eur2.id)), [null, null, '0', '0', null, '0', 0, '0']);
    assert.deepEqual(pick(row(accounts.usd.id)), ['120000', '2026-02-27', '0', '-5000', '120000', '5000', 1, '115000']);
    assert.deepEqual(
      p.central.map((c: Body) => [
        c.currency,
        c.accounts,
        c.accountsWithoutStatement,
        c.statementBalance,
        c.ledgerBalance,
        c.difference,
        c.unsettledOutflows,
        c.forwardBalance,
      ]),
      [
        ['EUR', 2, 1, '500000', '450000', '50000', '40000', '460000'],
        ['USD', 1, 0, '120000', '0', '120000', '5000', '115000'],
      ],
    );
    // Up to 10 March the second approved payment counts too.
    const later = expect(await call('GET', '/treasury/positions?asOf=2026-03-10&currency=EUR', as('vera')), 200);
    assert.deepEqual(
      later.central.map((c: Body) => [c.currency, c.unsettledOutflows, c.forwardBalance]),
      [['EUR', '100000', '400000']],
    );
    const none = expect(await call('GET', '/treasury/positions?currency=XYZ', as('vera')), 200);
    assert.deepEqual([none.accounts, none.central], [[], []]);
    expectProblem(await call('GET', '/treasury/positions?asOf=2026-02-30', as('vera')), 400, 'query.asOf');
    expectProblem(await call('GET', '/treasury/positions?currency=eur', as('vera')), 400, 'query.currency');
  });

  const figures = (b: Body) => [
    b.start,
    b.end,
    b.opening,
    b.inflows,
    b.outflows,
    b.closing,
    b.collectionsDue,
    b.payments,
    b.disbursements,
  ];

  test('forecast by week: opening, weighted collections, payments and the pending payout', async () => {
    const f = expect(await call('GET', '/treasury/forecast?currency=EUR&weeks=3', as('vera')), 200);
    assert.deepEqual([f.currency, f.from, f.to, f.granularity], ['EUR', '2026-03-02', '2026-03-22', 'week']);
    assert.deepEqual(f.opening, { balance: '500000', accounts: 2, accountsWithoutStatement: 1 });
    // Week 1: current 1 000.00 × 0.95 + 20 dpd 500.00 × 0.7 + 45 dpd 300.00 × 0.5 + 100 dpd 700.00 × 0.1
    // = 1 520.00 in; 400.00 + 2 500.00 (pending approval) + 250.00 payout out.
    assert.deepEqual(f.buckets.map(figures), [
      ['2026-03-02', '2026-03-08', '500000', '152000', '315000', '337000', '250000', '290000', '25000'],
      ['2026-03-09', '2026-03-15', '337000', '28500', '60000', '305500', '30000', '60000', '0'],
      ['2026-03-16', '2026-03-22', '305500', '0', '0', '305500', '0', '0', '0'],
    ]);
    assert.deepEqual(f.totals, {
      inflows: '180500',
      outflows: '375000',
      collectionsDue: '280000',
      payments: '350000',
      disbursements: '25000',
    });
    const full = expect(await call('GET', '/treasury/forecast?currency=EUR', as('vera')), 200);
    assert.equal(full.buckets.length, 13);
    assert.equal(full.buckets[12].end, '2026-05-31');
    // INV-LATER (30 April, current) falls in week 9.
    assert.deepEqual([full.buckets[8].start, full.buckets[8].inflows], ['2026-04-27', '76000']);
  });

  test('forecast by day, as CSV, for an unknown currency, and its field errors', async () => {
    const d = expect(await call('GET', '/treasury/forecast?currency=EUR&weeks=1&granularity=day', as('vera')), 200);
    assert.deepEqual(
      d.buckets.map((b: Body) => [b.start, b.inflows, b.outflows, b.closing]),
      [
        ['2026-03-02', '57000', '65000', '492000'],
        ['2026-03-03', '0', '0', '492000'],
        ['2026-03-04', '0', '250000', '242000'],
        ['2026-03-05', '95000', '0', '337000'],
        ['2026-03-06', '0', '0', '337000'],
        ['2026-03-07', '0', '0', '337000'],
        ['2026-03-08', '0', '0', '337000'],
      ],
    );
    const csv = await server.call('/api/v1/treasury/forecast?currency=EUR&weeks=2', {
      token: tokens.vera!,
      headers: { accept: 'text/csv' },
    });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(
      await csv.text(),
      'start,end,opening,inflows,outflows,closing,collectionsDue,payments,disbursements\r\n' +
        '2026-03-02,2026-03-08,500000,152000,315000,337000,250000,290000,25000\r\n' +
        '2026-03-09,2026-03-15,337000,28500,60000,305500,30000,60000,0\r\n',
    );
    const byParam = await server.call('/api/v1/treasury/forecast?currency=USD&weeks=1&format=csv', {
      token: tokens.vera!,
    });
    // USD: 1 200.00 opening, 999.99 × 0.95 = 949.99 (rounded down) in, 50.00 out.
    assert.equal(
      (await byParam.text()).split('\r\n')[1],
      '2026-03-02,2026-03-08,120000,94999,5000,209999,99999,5000,0',
    );

    const unknown = expect(await call('GET', '/treasury/forecast?currency=XYZ&weeks=2', as('vera')), 200);
    assert.deepEqual(unknown.opening, { balance: '0', accounts: 0, accountsWithoutStatement: 0 });
    assert.deepEqual(
      unknown.buckets.map((b: Body) => [b.opening, b.inflows, b.outflows, b.closing]),
      [
        ['0', '0', '0', '0'],
        ['0', '0', '0', '0'],
      ],
    );
    expectProblem(await call('GET', '/treasury/forecast', as('vera')), 400, 'query.currency');
    expectProblem(await call('GET', '/treasury/forecast?currency=EUR&weeks=0', as('vera')), 400, 'query.weeks');
    expectProblem(await call('GET', '/treasury/forecast?currency=EUR&weeks=x', as('vera')), 400, 'query.weeks');
    expectProblem(
      await call('GET', '/treasury/forecast?currency=EUR&granularity=month', as('vera')),
      400,
      'query.granularity',
    );
    expectProblem(await call('GET', '/treasury/forecast?currency=EUR&from=2026-13-01', as('vera')), 400, 'query.from');
  });

  test('the probabilities are a setting: changed, they change the forecast; bad bands name the field', async () => {
    const shipped = expect(await call('GET', '/treasury/forecast/settings', as('vera')), 200);
    assert.deepEqual(
      shipped.bands.map((b: Body) => [b.maxDpd, b.probability]),
      [
        [0, 0.95],
        [30, 0.7],
        [60, 0.5],
        [90, 0.3],
        [null, 0.1],
      ],
    );
    expectProblem(
      await call('PUT', '/treasury/forecast/settings', {
        ...as('tess'),
        json: {
          bands: [
            { maxDpd: 10, probability: 1 },
            { maxDpd: 5, probability: 0.5 },
            { maxDpd: null, probability: 0 },
          ],
        },
      }),
      400,
      'body.bands.1.maxDpd',
    );
    expectProblem(
      await call('PUT', '/treasury/forecast/settings', {
        ...as('tess'),
        json: { bands: [{ maxDpd: 0, probability: 1.5 }] },
      }),
      400,
      'body.bands.0.probability',
    );
    assert.equal((await call('PUT', '/treasury/forecast/settings', { ...as('vera'), json: shipped })).status, 403);
    expect(
      await call('PUT', '/treasury/forecast/settings', {
        ...as('tess'),
        json: {
          bands: [
            { maxDpd: 0, probability: 1 },
            { maxDpd: null, probability: 0 },
          ],
        },
      }),
      200,
    );
    const f = expect(await call('GET', '/treasury/forecast?currency=EUR&weeks=1', as('vera')), 200);
    assert.deepEqual([f.buckets[0].inflows, f.buckets[0].collectionsDue], ['100000', '250000']);
    expect(await call('PUT', '/treasury/forecast/settings', { ...as('tess'), json: shipped }), 200);
  });

  test('statement missing: published once a day for a late account; refusals name the field', async () => {
    // 10:00: the second EUR account (08:00) has none today; main EUR (09:00) had its import today; USD is due at 11:00.
    const first = expect(await call('POST', '/treasury/alerts/check', as('tess')), 200);
    assert.deepEqual(
      first.missing.map((m: Body) => [m.bankAccountId, m.expectedBy, m.date, m.lastImportedAt]),
      [[accounts.eur2.id, '08:00', '2026-03-02', null]],
    );
    assert.equal(first.published, 1);
    const again = expect(await call('POST', '/treasury/alerts/check', as('tess')), 200);
    assert.deepEqual([again.missing.length, again.published], [1, 0]);
    const missing = await events('treasury.statement_missing');
    assert.deepEqual(
      missing.map((e) => [e.key, (e.data as Body).expectedBy]),
      [[accounts.eur2.id, '08:00']],
    );

    assert.equal((await call('POST', '/treasury/alerts/check', as('vera'))).status, 403);
    // The scheduled workflow docs/cash-forecast.md shows deploys: its action exists and takes its input.
    const doc = readFileSync(new URL('../../../../docs/cash-forecast.md', import.meta.url), 'utf8');
    const source = /```yaml\n(key: treasury-statement-check[\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(source, 'the example workflow is in the docs');
    expect(await call('POST', '/workflows', { json: { source } }), 201);

    // Next day, 10:00, through the workflow's action: both EUR accounts are late now (main EUR's import
    // was yesterday), USD (11:00) not yet; the second EUR account is published again, a day later.
    clock.set('2026-03-03T10:00:00Z');
    const started = expect(await call('POST', '/workflows/treasury-statement-check/instances', { json: {} }), 201);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const instance = expect(await call('GET', `/instances/${started.id}`), 200);
      if (instance.status === 'completed') break;
      if (Date.now() > deadline) assert.fail(`the check workflow is ${instance.status}`);
      await sleep(50);
    }
    assert.deepEqual(
      (await events('treasury.statement_missing')).map((e) => [e.key, (e.data as Body).date]),
      [[accounts.eur2.id, '2026-03-02'], ...[accounts.eur.id, accounts.eur2.id].sort().map((id) => [id, '2026-03-03'])],
    );
    clock.set('2026-03-02T10:00:00Z');
    expectProblem(
      await call('PUT', `/bank-accounts/${accounts.eur.id}/alerts`, {
        ...as('tess'),
        json: { minBalance: '12.5', statementExpectedBy: null },
      }),
      400,
      'body.minBalance',
    );
    expectProblem(
      await call('PUT', `/bank-accounts/${accounts.eur.id}/alerts`, {
        ...as('tess'),
        json: { minBalance: null, statementExpectedBy: '25:00' },
      }),
      400,
      'body.statementExpectedBy',
    );
    assert.equal(
      (
        await call('PUT', '/bank-accounts/bac_missing/alerts', {
          ...as('tess'),
          json: { minBalance: null, statementExpectedBy: null },
        })
      ).status,
      404,
    );
  });
  test('a balance alert is raised when the balance crosses below its threshold, not at every import below it', async () => {
    // USD (threshold 1 000.00) closed at 1 200.00: no alert so far. Each statement below is the latest.
    const usdStatement = async (id: string, date: string, opening: bigint) =>
      importStatement(
        camt053({ messageId: `MSG-${id}`, statementId: id, iban: USD_IBAN, currency: 'USD', opening, date }, [
          { amount: 1_000n, direction: 'DBIT', bookingDate: date, accountServicerReference: `ASR-${id}` },
        ]),
      );
    const usdAlerts = async () =>
      (await events('treasury.balance_below_threshold'))
        .filter((e) => e.key === accounts.usd.id)
        .map((e) => (e.data as Body).balance);
    const state = async () =>
      expect(await call('GET', `/bank-accounts/${accounts.usd.id}/alerts`, as('vera')), 200).belowThreshold;
    await usdStatement('USD-2', '2026-03-02', 91_000n); // closes 900.00: crosses below
    assert.deepEqual([await usdAlerts(), await state()], [['90000'], true]);
    await usdStatement('USD-3', '2026-03-03', 90_000n); // 890.00: still below, no second alert
    assert.deepEqual(await usdAlerts(), ['90000']);
    await usdStatement('USD-4', '2026-03-04', 120_000n); // 1 190.00: recovered
    assert.deepEqual([await usdAlerts(), await state()], [['90000'], false]);
    await usdStatement('USD-5', '2026-03-05', 96_000n); // 950.00: crosses below again
    assert.deepEqual([await usdAlerts(), await state()], [['90000', '95000'], true]);

    // A changed threshold starts afresh; saving the same settings again changes (and audits) nothing.
    const put = (json: Body) => call('PUT', `/bank-accounts/${accounts.usd.id}/alerts`, { ...as('tess'), json });
    const lowered = expect(await put({ minBalance: '50000', statementExpectedBy: '11:00' }), 200);
    assert.equal(lowered.belowThreshold, false);
    const same = expect(await put({ minBalance: '50000', statementExpectedBy: '11:00' }), 200);
    assert.equal(same.updatedAt, lowered.updatedAt);
  });

  test("statement missing in each account's zone and calendar: holidays skipped, the local day counted", async () => {
    const calendar = await server.call('/api/v1/calendars/TREASURY-DE', {
      method: 'PUT',
      json: { timezone: 'Europe/Berlin', holidays: ['2026-03-10'] },
    });
    assert.equal(calendar.status, 201, await calendar.clone().text());
    const put = (account: Body, json: Body) =>
      call('PUT', `/bank-accounts/${account.id}/alerts`, { ...as('tess'), json });
    // Second EUR: 08:00 on the German calendar (its zone, Europe/Berlin); USD: 07:00 New York time
    // (daylight saving time there since 8 March: UTC-4).
    const eur2 = expect(
      await put(accounts.eur2, { minBalance: null, statementExpectedBy: '08:00', calendar: 'TREASURY-DE' }),
      200,
    );
    assert.deepEqual([eur2.calendar, eur2.timeZone], ['TREASURY-DE', null]);
    expect(
      await put(accounts.usd, { minBalance: null, statementExpectedBy: '07:00', timeZone: 'America/New_York' }),
      200,
    );
    expect(await put(accounts.eur, { minBalance: null, statementExpectedBy: null }), 200);
    const check = async (at: string) => {
      clock.set(at);
      const result = expect(await call('POST', '/treasury/alerts/check', as('tess')), 200);
      return result.missing.map((m: Body) => [m.bankAccountId, m.date, m.timeZone]);
    };
    const missingEvents = async () =>
      (await events('treasury.statement_missing')).filter((e) => (e.data as Body).date >= '2026-03-10').length;
    try {
      // Tuesday 10 March, a holiday in Germany; 10:00 UTC is 06:00 in New York: nobody is late.
      assert.deepEqual(await check('2026-03-10T10:00:00Z'), []);
      // 12:00 UTC is 08:00 in New York: USD is late; the German account still is not (holiday).
      assert.deepEqual(await check('2026-03-10T12:00:00Z'), [[accounts.usd.id, '2026-03-10', 'America/New_York']]);
      // 03:00 UTC on the 11th is still the 10th in New York: listed again, not published again; Berlin's
      // 04:00 is before its 08:00.
      assert.deepEqual(await check('2026-03-11T03:00:00Z'), [[accounts.usd.id, '2026-03-10', 'America/New_York']]);
      assert.equal(await missingEvents(), 1);
      // Wednesday 07:30 UTC is 08:30 in Berlin: the German account is late on its business day.
      assert.deepEqual(await check('2026-03-11T07:30:00Z'), [[accounts.eur2.id, '2026-03-11', 'Europe/Berlin']]);
      assert.equal(await missingEvents(), 2);
    } finally {
      clock.set('2026-03-02T10:00:00Z');
    }

    expectProblem(
      await put(accounts.usd, { minBalance: null, statementExpectedBy: '06:00', timeZone: 'Mars/Olympus' }),
      400,
      'body.timeZone',
    );
    expectProblem(
      await put(accounts.usd, { minBalance: null, statementExpectedBy: '06:00', calendar: 'NO-SUCH-CAL' }),
      422,
      'body.calendar',
    );
  });
});
