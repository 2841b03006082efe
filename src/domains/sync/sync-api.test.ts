import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/** POST /sync/{kind}: bulk upsert keyed by external id, with per-row errors and two commit modes. */

interface Report {
  committed: boolean;
  counts: { created: number; updated: number; unchanged: number; failed: number };
  rows: Array<{ index: number; status: string; errors?: Array<{ field: string; message: string }> }>;
}

describe('bulk sync API', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ clock: new ManualClock('2026-03-01T10:00:00Z'), worker: false });
  });
  after(() => server.close());

  const sync = async (kind: string, rows: unknown[], mode?: string) => {
    const res = await server.call(`/api/v1/sync/${kind}`, {
      method: 'POST',
      json: { rows, ...(mode ? { mode } : {}) },
    });
    return { status: res.status, report: (await res.json()) as Report };
  };
  const customers = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({
      externalId: `S-${from + i}`,
      name: `Customer ${from + i}`,
      language: ['en', 'es', 'zh-CN'][i % 3],
      creditLimit: '100000',
      limitCurrency: 'EUR',
    }));

  test('all or nothing: one bad row commits nothing and names its index and field', async () => {
    const rows: unknown[] = customers(5);
    rows[3] = { externalId: 'S-3', name: 'Bad', email: 'not-an-email', timeZone: 'Mars/Olympus' };
    const { status, report } = await sync('customers', rows);
    assert.equal(status, 422);
    assert.equal(report.committed, false);
    assert.equal(report.counts.failed, 1);
    const bad = report.rows.find((r) => r.status === 'error')!;
    assert.equal(bad.index, 3);
    assert.deepEqual(bad.errors!.map((e) => e.field).sort(), ['email', 'timeZone']);
    // A refusal is problem+json like any other, naming each field in the request.
    const problem = report as unknown as { status: number; code: string; errors: Array<{ field: string }> };
    assert.equal(problem.status, 422);
    assert.equal(problem.code, 'sync_rows_failed');
    assert.deepEqual(problem.errors.map((e) => e.field).sort(), ['body.rows.3.email', 'body.rows.3.timeZone']);
    const list = await (await server.call('/api/v1/customers?search=S-')).json();
    assert.equal((list as { data: unknown[] }).data.length, 0, 'nothing was written');
  });

  test('per row keeps the good rows; the same rows again are unchanged; a change is an update', async () => {
    const rows: unknown[] = customers(4);
    rows.push({ externalId: 'S-x' }); // a new customer needs a name
    const first = await sync('customers', rows, 'per_row');
    assert.equal(first.status, 200);
    assert.deepEqual(first.report.counts, { created: 4, updated: 0, unchanged: 0, failed: 1 });
    assert.equal(first.report.rows[4]!.errors![0]!.field, 'name');

    const again = await sync('customers', customers(4));
    assert.deepEqual(again.report.counts, { created: 0, updated: 0, unchanged: 4, failed: 0 });

    const changed = await sync('customers', [{ externalId: 'S-1', segment: 'retail', riskRating: 'C' }]);
    assert.deepEqual(changed.report.counts, { created: 0, updated: 1, unchanged: 0, failed: 0 });
    const customer = (await (await server.call('/api/v1/customers/S-1')).json()) as {
      segment: string;
      name: string;
      ratingHistory: unknown[];
    };
    assert.equal(customer.segment, 'retail');
    assert.equal(customer.name, 'Customer 1', 'omitted fields keep their value');
    assert.equal(customer.ratingHistory.length, 1);
  });

  test('receivables and payments by external id; exposure over the limit raises an alert', async () => {
    const receivables = [
      {
        externalId: 'R-1',
        customerExternalId: 'S-0',
        kind: 'invoice',
        currency: 'EUR',
        issueDate: '2026-02-01',
        amount: '150000',
        dueDate: '2026-02-28',
      },
      {
        externalId: 'R-2',
        customerExternalId: 'S-2',
        kind: 'loan',
        currency: 'EUR',
        issueDate: '2026-02-01',
        principal: '50000',
        annualRate: '0.2',
        termMonths: 6,
        method: 'annuity',
        firstDueDate: '2026-03-01',
      },
      {
        externalId: 'R-3',
        customerExternalId: 'nobody',
        kind: 'invoice',
        currency: 'EUR',
        issueDate: '2026-02-01',
        amount: '1',
        dueDate: '2026-02-02',
      },
    ];
    const result = await sync('receivables', receivables, 'per_row');
    assert.deepEqual(result.report.counts, { created: 2, updated: 0, unchanged: 0, failed: 1 });
    assert.equal(result.report.rows[2]!.errors![0]!.field, 'customerExternalId');

    const r1 = (await (await server.call('/api/v1/receivables/R-1')).json()) as { dpd: number; bucket: string };
    assert.equal(r1.dpd, 1, 'synced already past due');
    assert.equal(r1.bucket, '1-30');

    const payments = [
      { externalId: 'PAY-1', receivableExternalId: 'R-1', amount: '150000', currency: 'EUR', receivedOn: '2026-03-01' },
      { externalId: 'PAY-2', receivableExternalId: 'R-404', amount: '1', currency: 'EUR', receivedOn: '2026-03-01' },
    ];
    const paid = await sync('payments', payments, 'per_row');
    assert.deepEqual(paid.report.counts, { created: 1, updated: 0, unchanged: 0, failed: 1 });
    assert.equal(paid.report.rows[1]!.errors![0]!.field, 'receivableExternalId');
    assert.equal((await sync('payments', [payments[0]])).report.counts.unchanged, 1);

    const events = await server.database.db
      .selectFrom('wf_events')
      .select(['type', 'key'])
      .where('type', 'in', ['customer.credit_limit_exceeded', 'receivable.paid', 'receivable.cured'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      events.map((e) => e.type),
      ['customer.credit_limit_exceeded', 'receivable.cured', 'receivable.paid'],
    );
  });

  test('more than 10 000 rows are refused before anything runs', async () => {
    const { status } = await sync('customers', customers(10_001));
    assert.equal(status, 400);
  });
});
