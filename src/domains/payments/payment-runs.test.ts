/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * CSV payment runs through the HTTP API on a real server (PGlite, or PostgreSQL with
 * FINFLOW_TEST_PG=1): a valid file becomes one payment per line with the exact minor amounts, each
 * with its own approval workflow; a file with problems on lines 3 and 5 is refused naming both by
 * line and column and writes nothing; a replay with the same Idempotency-Key returns the same run.
 */

describe('payment runs (CSV)', () => {
  let server: TestServer;
  // Monday 2 March 2026, 10:00 UTC.
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  const tokens: Record<string, string> = {};
  const { call, expect, expectProblem } = apiClient(() => server);
  const as = (name: string) => ({ token: tokens[name]! });
  let eur: Body;
  let jpy: Body;
  let supplier: Body;
  let employee: Body;

  before(async () => {
    server = await startTestServer({ clock });
    for (const [name, role] of Object.entries({ tess: 'treasurer', anna: 'payment_approver', vera: 'viewer' })) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    eur = expect(
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
    jpy = expect(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        json: {
          name: 'Tokyo JPY',
          currency: 'JPY',
          accountNumber: '1234567',
          bankCode: '0005',
          country: 'JP',
          ownerName: 'Finflow Lending KK',
          ledgerAccount: 'cash:bank:jpy',
        },
      }),
      201,
    );
    const beneficiary = async (name: string, kind: string, iban: string) => {
      const created = expect(
        await call('POST', '/beneficiaries', { ...as('tess'), json: { name, kind, bankDetails: { iban } } }),
        201,
      );
      expect(
        await call('POST', `/beneficiaries/${created.id}/changes/${created.changes[0].id}/approve`, {
          ...as('anna'),
          json: {},
        }),
        200,
      );
      return created;
    };
    supplier = await beneficiary('Acme SARL', 'supplier', 'FR1420041010050500013M02606');
    employee = await beneficiary('Jana Novak', 'employee', 'GB82WEST12345698765432');
  });
  after(async () => server?.close());

  const upload = (csv: string, key: string | null = randomUUID(), query = '', token = tokens.tess!) =>
    server.call(`/api/v1/payment-runs${query}`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'text/csv', ...(key === null ? {} : { 'idempotency-key': key }) },
      body: csv,
    });
  const count = async (table: 'payment_instructions' | 'payment_runs' | 'payment_run_items') =>
    Number(
      (
        await server.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  let run: Body;
  const validFile = () =>
    [
      'beneficiaryId,amount,currency,requestedExecutionDate,remittance,sourceRef,bankAccountId',
      `${supplier.id},1234.56,EUR,2026-03-04,Invoice 77,SUP-77,`,
      `${employee.id},0.05,,,"Salary March, bonus",PAY-2026-03-JN,`,
      `${supplier.id},1000,EUR,,,,`,
      `${employee.id},1500,JPY,2026-03-06,,PAY-2026-03-JN-JP,${jpy.id}`,
      '',
    ].join('\r\n');

  test('a valid run: one payment per line, exact minor units, one approval workflow each', async () => {
    const key = randomUUID();
    const res = await upload(validFile(), key, `?bankAccountId=${eur.id}`);
    run = expect({ status: res.status, body: (await res.json()) as Body, what: 'POST /payment-runs' }, 201);
    assert.match(String(run.id), /^prr_/);
    assert.equal(run.paymentCount, 4);
    assert.deepEqual(run.totals, [
      { currency: 'EUR', amount: '223461' }, // 123456 + 5 + 100000
      { currency: 'JPY', amount: '1500' }, // JPY has no minor digits
    ]);
    assert.equal(run.createdBy, 'tess');
    assert.match(String(run.fileSha256), /^[0-9a-f]{64}$/);

    const detail = expect(await call('GET', `/payment-runs/${run.id}`, as('vera')), 200);
    assert.deepEqual(
      detail.payments.map((p: Body) => [
        p.line,
        p.payment.beneficiaryId,
        p.payment.bankAccountId,
        p.payment.amount,
        p.payment.currency,
        p.payment.requestedExecutionDate,
        p.payment.remittance,
        p.payment.sourceRef,
        p.payment.source,
        p.payment.createdBy,
      ]),
      [
        [
          2,
          supplier.id,
          eur.id,
          '123456',
          'EUR',
          '2026-03-04',
          { unstructured: 'Invoice 77' },
          'SUP-77',
          'csv',
          'tess',
        ],
        [
          3,
          employee.id,
          eur.id,
          '5',
          'EUR',
          '2026-03-02',
          { unstructured: 'Salary March, bonus' },
          'PAY-2026-03-JN',
          'csv',
          'tess',
        ],
        [4, supplier.id, eur.id, '100000', 'EUR', '2026-03-02', null, null, 'csv', 'tess'],
        [5, employee.id, jpy.id, '1500', 'JPY', '2026-03-06', null, 'PAY-2026-03-JN-JP', 'csv', 'tess'],
      ],
    );
    assert.equal(detail.next, null);
    // Paged in line order.
    const page = expect(await call('GET', `/payment-runs/${run.id}?limit=2&after=3`), 200);
    assert.deepEqual(
      page.payments.map((p: Body) => p.line),
      [4, 5],
    );
    assert.equal(page.next, '5');

    // Each payment was submitted like POST /payments: history, audit, and its own approval workflow.
    const ids = detail.payments.map((p: Body) => String(p.payment.id));
    const submitted = await server.database.db
      .selectFrom('wf_events')
      .select('key')
      .where('type', '=', 'payment.pending_approval')
      .where('key', 'in', ids)
      .execute();
    assert.deepEqual(submitted.map((e) => e.key).sort(), [...ids].sort());
    const deadline = Date.now() + 20_000;
    let instances: unknown[];
    for (;;) {
      const payments = await Promise.all(
        ids.map(async (id: string) => expect(await call('GET', `/payments/${id}`), 200)),
      );
      instances = payments.map((p) => p.instanceId);
      if (instances.every((i) => typeof i === 'string')) break;
      assert.ok(Date.now() < deadline, `approval workflows not started: ${JSON.stringify(instances)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(new Set(instances).size, 4, 'one approval workflow per payment');
    const audit = expect(await call('GET', `/audit?entityType=payment_instruction&entityId=${ids[0]}&limit=10`), 200);
    const created = audit.data.find((r: Body) => r.action === 'payment.created');
    assert.deepEqual(
      [
        created.after.createdBy,
        created.after.amount,
        created.after.source,
        created.after.sourceRef,
        created.after.status,
      ],
      ['tess', '123456', 'csv', 'SUP-77', 'pending_approval'],
    );
    const runAudit = expect(await call('GET', `/audit?entityType=payment_run&entityId=${run.id}`), 200);
    assert.deepEqual(
      runAudit.data.map((r: Body) => r.action),
      ['payment_run.created'],
    );

    // The same key and file again: the same run, nothing created twice.
    const before = await count('payment_instructions');
    const replay = await upload(validFile(), key, `?bankAccountId=${eur.id}`);
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(((await replay.json()) as Body).id, run.id);
    assert.equal(await count('payment_instructions'), before);
    assert.equal(await count('payment_runs'), 1);
    // The key with another file is refused.
    const other = await upload(validFile().replace('1234.56', '1234.57'), key, `?bankAccountId=${eur.id}`);
    assert.equal(other.status, 422);
    assert.equal(((await other.json()) as Body).code, 'idempotency_key_reused');
    // A new key with the same file: its sourceRefs were paid already (lines 2, 3 and 5).
    const again = await upload(validFile(), randomUUID(), `?bankAccountId=${eur.id}`);
    assert.equal(again.status, 422);
    assert.deepEqual(
      ((await again.json()) as Body).issues.map((i: Body) => [i.line, i.column]),
      [
        [2, 'sourceRef'],
        [3, 'sourceRef'],
        [5, 'sourceRef'],
      ],
    );

    const list = expect(await call('GET', '/payment-runs', as('vera')), 200);
    assert.deepEqual(
      list.data.map((r: Body) => [r.id, r.paymentCount]),
      [[run.id, 4]],
    );
  });

  test('errors on lines 3 and 5: both named with their columns, and nothing is written', async () => {
    const before = await Promise.all([
      count('payment_instructions'),
      count('payment_runs'),
      count('payment_run_items'),
    ]);
    const csv = [
      'beneficiaryId,amount,requestedExecutionDate',
      `${supplier.id},10.00,`,
      `${supplier.id},12.345,`,
      `${employee.id},99.99,2026-03-03`,
      `ben_nope,5,2026-03-07`,
      `${employee.id},1,`,
      `${employee.id},2,2026-13-01`, // no such month: no Date at all (was a 500)
    ].join('\n');
    const res = await upload(csv, randomUUID(), `?bankAccountId=${eur.id}`);
    assert.equal(res.status, 422);
    const problem = (await res.json()) as Body;
    assert.equal(problem.code, 'payment_run_invalid');
    assert.deepEqual(problem.issues, [
      {
        line: 3,
        column: 'amount',
        value: '12.345',
        message: '"12.345" has 3 decimal places; EUR has 2 (amounts are never rounded)',
      },
      { line: 5, column: 'beneficiaryId', value: 'ben_nope', message: 'beneficiary ben_nope does not exist' },
      {
        line: 5,
        column: 'requestedExecutionDate',
        value: '2026-03-07',
        message: 'must be a business day (Monday to Friday)',
      },
      { line: 7, column: 'requestedExecutionDate', value: '2026-13-01', message: 'must be a date YYYY-MM-DD' },
    ]);
    assert.deepEqual(
      problem.errors.map((e: Body) => [e.field, e.line]),
      [
        ['body.amount', 3],
        ['body.beneficiaryId', 5],
        ['body.requestedExecutionDate', 5],
        ['body.requestedExecutionDate', 7],
      ],
    );
    assert.deepEqual(
      await Promise.all([count('payment_instructions'), count('payment_runs'), count('payment_run_items')]),
      before,
    );
  });

  test('the file and the request: header, values, media type, key and permission are checked', async () => {
    const issuesOf = async (res: Response, status = 422) => {
      assert.equal(res.status, status);
      return ((await res.json()) as Body).issues.map((i: Body) => [i.line, i.column, i.message]);
    };
    assert.deepEqual(await issuesOf(await upload(`beneficiaryId,amt\n${supplier.id},1\n`, randomUUID())), [
      [
        1,
        'amt',
        'unknown column "amt"; the columns are beneficiaryId, amount, currency, bankAccountId, requestedExecutionDate, remittance, creditorReference, purpose, sourceRef',
      ],
      [1, 'amount', 'the required column amount is missing'],
    ]);
    assert.deepEqual(
      await issuesOf(
        await upload(
          `beneficiaryId,amount,currency,purpose,creditorReference\n${supplier.id},-1,EUR,SALA,RF18539007547034\n` +
            `${supplier.id},1,USD,sal,RF00\n${supplier.id},1\n${supplier.id},1,EUR,,\n`,
          randomUUID(),
        ),
      ),
      [
        [2, 'bankAccountId', 'is required (or give the bankAccountId query parameter for the whole file)'],
        [3, 'bankAccountId', 'is required (or give the bankAccountId query parameter for the whole file)'],
        [3, 'creditorReference', 'must be an ISO 11649 creditor reference (RF…)'],
        [3, 'purpose', 'must be an ISO 20022 purpose code of 4 capital letters, e.g. "SALA"'],
        [4, null, 'has 2 values; the header names 5 columns'],
        [5, 'bankAccountId', 'is required (or give the bankAccountId query parameter for the whole file)'],
      ],
    );
    assert.deepEqual(
      await issuesOf(
        await upload(
          `beneficiaryId,amount,currency\n${supplier.id},-1,EUR\n${supplier.id},1,USD\n${supplier.id},0.00,\n`,
          randomUUID(),
          `?bankAccountId=${eur.id}`,
        ),
      ),
      [
        [2, 'amount', '"-1" is not a decimal amount in EUR (digits and "." only, e.g. 1234.56)'],
        [3, 'currency', "must be the debtor account's currency (EUR) or empty"],
        [4, 'amount', 'must be above 0'],
      ],
    );
    assert.deepEqual(await issuesOf(await upload('beneficiaryId,amount\n', randomUUID())), [
      [null, null, 'the file has no payment lines'],
    ]);
    assert.deepEqual(await issuesOf(await upload(`beneficiaryId,amount\n"${supplier.id},1\n`, randomUUID())), [
      [2, null, 'a quoted value is not closed before the end of the file'],
    ]);
    const noKey = await upload(`beneficiaryId,amount\n${supplier.id},1\n`, null, `?bankAccountId=${eur.id}`);
    assert.equal(noKey.status, 400);
    assert.equal(((await noKey.json()) as Body).code, 'idempotency_key_required');
    const json = await server.call('/api/v1/payment-runs', {
      method: 'POST',
      token: tokens.tess!,
      headers: { 'idempotency-key': randomUUID() },
      json: { lines: [] },
    });
    assert.equal(json.status, 415);
    expectProblem(
      {
        status: json.status,
        body: (await json
          .clone()
          .json()
          .catch(() => ({}))) as Body,
        what: 'POST /payment-runs (JSON)',
      },
      415,
      'header.content-type',
    );
    const viewer = await upload(`beneficiaryId,amount\n${supplier.id},1\n`, randomUUID(), '', tokens.vera);
    assert.equal(viewer.status, 403);
    expect(await call('GET', '/payment-runs/prr_nope'), 404);
    expectProblem(await call('GET', `/payment-runs/${run.id}?after=x`), 400, 'query.after');
  });
});

/**
 * A 1 000-line payroll run in one request, in one transaction, every trigger event written (the
 * worker is off: the approval workflows are not the subject here). Its speed at 10 000 lines is
 * measured by `npm run bench:payments`, not asserted here.
 */
const LINES = 1_000;

describe('a 1 000-line payment run', () => {
  let server: TestServer;
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  const { call, expect } = apiClient(() => server);

  before(async () => {
    server = await startTestServer({ clock, worker: false });
  });
  after(async () => server?.close());

  test('is created in one transaction with the exact total', async () => {
    const account = expect(
      await call('POST', '/bank-accounts', {
        json: {
          name: 'Payroll EUR',
          currency: 'EUR',
          iban: 'DE89370400440532013000',
          ownerName: 'Finflow Lending GmbH',
          ledgerAccount: 'cash:bank:payroll',
        },
      }),
      201,
    );
    const employee = expect(
      await call('POST', '/beneficiaries', {
        json: { name: 'Staff', kind: 'employee', bankDetails: { iban: 'GB82WEST12345698765432' } },
      }),
      201,
    );
    const lines = ['beneficiaryId,amount,sourceRef,remittance'];
    let total = 0n;
    for (let i = 1; i <= LINES; i++) {
      // 1001.01 … 2010.00: every amount distinct, summed exactly in minor units.
      const minor = 100_000n + BigInt(i) * 101n;
      total += minor;
      lines.push(
        `${employee.id},${minor / 100n}.${String(minor % 100n).padStart(2, '0')},PAYROLL-2026-03-${i},Salary March`,
      );
    }
    const res = await server.call(`/api/v1/payment-runs?bankAccountId=${account.id}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'idempotency-key': randomUUID() },
      body: lines.join('\n'),
    });
    const run = (await res.json()) as Body;
    assert.equal(res.status, 201, JSON.stringify(run).slice(0, 500));
    assert.equal(run.paymentCount, LINES);
    assert.deepEqual(run.totals, [{ currency: 'EUR', amount: total.toString() }]);
    assert.equal(total, 150_550_500n);
    const events = await server.database.db
      .selectFrom('wf_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('type', '=', 'payment.pending_approval')
      .executeTakeFirstOrThrow();
    assert.equal(Number(events.n), LINES);
    const last = expect(await call('GET', `/payment-runs/${run.id}?after=${LINES}&limit=1`), 200);
    assert.deepEqual(
      last.payments.map((p: Body) => [p.line, p.payment.amount, p.payment.sourceRef]),
      [[1_001, '201000', 'PAYROLL-2026-03-1000']],
    );
  });
});
