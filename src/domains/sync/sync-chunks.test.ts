import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ManualClock } from '../../core/clock.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * Receivables and payments sync set-based in chunks; a chunk with a bad row is rolled back and redone
 * row by row. What must hold: the report is the row-by-row one, the good rows commit, and the bad
 * row leaves nothing behind — no audit row, no event, no ledger balance move — also when the same
 * request is sent again (which changes nothing at all).
 */

interface Report {
  committed: boolean;
  counts: { created: number; updated: number; unchanged: number; failed: number };
  rows: Array<{ index: number; status: string; id?: string; errors?: Array<{ field: string; message: string }> }>;
}

describe('bulk sync in chunks: a failed row leaves nothing behind', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ clock: new ManualClock('2026-03-01T10:00:00Z'), worker: false });
    const res = await server.call('/api/v1/sync/customers', {
      method: 'POST',
      json: {
        rows: [
          { externalId: 'K-1', name: 'Kim' },
          { externalId: 'K-2', name: 'Lee' },
        ],
      },
    });
    assert.equal(res.status, 200);
  });
  after(() => server.close());

  const sync = async (kind: string, rows: unknown[]) => {
    const res = await server.call(`/api/v1/sync/${kind}`, { method: 'POST', json: { rows, mode: 'per_row' } });
    assert.equal(res.status, 200);
    return (await res.json()) as Report;
  };
  /** What a sync may leave behind: audit rows, events, and the ledger's posted totals. */
  const trail = async () => {
    const db = server.database.db;
    const audit = await db.selectFrom('audit_log').select(['action', 'entity_id', 'after']).orderBy('seq').execute();
    const events = await db.selectFrom('wf_events').select(['type', 'key', 'data']).orderBy('id').execute();
    const ledger = await sql<{ code: string; debits: string; credits: string }>`
      SELECT code, debits_posted::text AS debits, credits_posted::text AS credits
      FROM ledger_accounts ORDER BY code`.execute(db);
    return { audit, events, ledger: ledger.rows };
  };
  const mentions = (rows: Array<{ after?: unknown; data?: unknown; key?: unknown }>, text: string) =>
    rows.filter((r) => JSON.stringify(r).includes(text));
  const invoice = (externalId: string, customerExternalId: string, amount: string) => ({
    externalId,
    customerExternalId,
    kind: 'invoice',
    currency: 'EUR',
    issueDate: '2026-02-01',
    dueDate: '2026-02-20',
    amount,
  });

  test('receivables: an unknown customer in the chunk fails alone; the good rows commit; resending is a no-op', async () => {
    const rows = [
      invoice('RK-1', 'K-1', '10000'),
      invoice('RK-2', 'K-404', '20000'),
      invoice('RK-3', 'K-2', '30000'),
      { ...invoice('RK-4', 'K-2', '1'), dueDate: 'never' },
    ];
    const first = await sync('receivables', rows);
    assert.deepEqual(first.counts, { created: 2, updated: 0, unchanged: 0, failed: 2 });
    assert.deepEqual(
      first.rows.map((r) => [r.index, r.status, r.errors?.map((e) => e.field)]),
      [
        [0, 'created', undefined],
        [1, 'error', ['customerExternalId']],
        [2, 'created', undefined],
        [3, 'error', ['dueDate']],
      ],
    );
    const after = await trail();
    assert.deepEqual(mentions(after.audit, 'RK-2'), [], 'no audit row of the failed row');
    assert.deepEqual(mentions(after.events, 'RK-2'), [], 'no event of the failed row');
    assert.deepEqual(
      after.audit
        .filter((a) => a.action === 'receivable.created')
        .map((a) => (a.after as { externalId: string }).externalId),
      ['RK-1', 'RK-3'],
    );
    const principal = after.ledger.find((a) => a.code === 'receivables:principal')!;
    assert.equal(principal.debits, '40000', 'only the good rows moved the ledger');
    const rows1 = await server.database.db
      .selectFrom('receivables')
      .select('external_id')
      .orderBy('external_id')
      .execute();
    assert.deepEqual(
      rows1.map((r) => r.external_id),
      ['RK-1', 'RK-3'],
    );

    const again = await sync('receivables', rows);
    assert.deepEqual(again.counts, { created: 0, updated: 0, unchanged: 2, failed: 2 });
    assert.deepEqual(
      again.rows.map((r) => r.id),
      first.rows.map((r) => r.id),
    );
    assert.deepEqual(await trail(), after, 'resending writes no audit row, event or balance move');
  });

  test('payments: a currency mismatch in the chunk fails alone; allocation, ledger and events are the good rows only', async () => {
    const payments = [
      { externalId: 'PK-1', receivableExternalId: 'RK-1', amount: '10000', currency: 'EUR', receivedOn: '2026-03-01' },
      { externalId: 'PK-2', receivableExternalId: 'RK-3', amount: '5000', currency: 'USD', receivedOn: '2026-03-01' },
      { externalId: 'PK-3', receivableExternalId: 'RK-3', amount: '5000', currency: 'EUR', receivedOn: '2026-03-01' },
      { externalId: 'PK-4', receivableExternalId: 'RK-3', amount: '26000', currency: 'EUR', receivedOn: '2026-03-01' },
    ];
    const before = await trail();
    const first = await sync('payments', payments);
    assert.deepEqual(first.counts, { created: 3, updated: 0, unchanged: 0, failed: 1 });
    assert.equal(first.rows[1]!.errors![0]!.field, 'currency');
    const after = await trail();
    assert.deepEqual(mentions(after.audit, 'PK-2'), [], 'no audit row of the failed payment');
    assert.deepEqual(mentions(after.events, 'PK-2'), [], 'no event of the failed payment');
    const account = (ledger: typeof after.ledger, code: string) => ledger.find((a) => a.code === code)!;
    assert.equal(
      BigInt(account(after.ledger, 'cash:collections').debits) -
        BigInt(account(before.ledger, 'cash:collections')?.debits ?? 0),
      41000n,
      'cash moved by the good payments only',
    );
    assert.equal(account(after.ledger, 'liabilities:customer_credit').credits, '1000', 'RK-3 overpaid by 1 000');
    // Two payments of one receivable in one chunk allocate one after the other, as row by row.
    const rk3 = (await (await server.call('/api/v1/receivables/RK-3')).json()) as {
      outstanding: string;
      status: string;
    };
    assert.deepEqual([rk3.outstanding, rk3.status], ['0', 'paid']);
    const received = after.events.filter((e) => e.type === 'receivable.payment_received');
    assert.deepEqual(
      received.map((e) => (e.data as { payment: { externalId: string } }).payment.externalId),
      ['PK-1', 'PK-3', 'PK-4'],
    );
    assert.deepEqual(
      after.events.filter((e) => e.type === 'receivable.paid').map((e) => e.key),
      [await receivableId('RK-1'), await receivableId('RK-3')],
    );

    const again = await sync('payments', payments);
    assert.deepEqual(again.counts, { created: 0, updated: 0, unchanged: 3, failed: 1 });
    assert.deepEqual(await trail(), after, 'resending writes no audit row, event or balance move');
  });

  test('a clean chunk is applied set-based: two payments of one loan allocate one after the other', async () => {
    const loan = {
      externalId: 'LK-1',
      customerExternalId: 'K-1',
      kind: 'loan',
      currency: 'EUR',
      issueDate: '2026-01-01',
      principal: '120000',
      annualRate: '0.12',
      termMonths: 3,
      method: 'equal_principal',
      firstDueDate: '2026-02-01',
    };
    assert.equal((await sync('receivables', [loan, invoice('RK-5', 'K-2', '500')])).counts.created, 2);
    const before = (await (await server.call('/api/v1/receivables/LK-1')).json()) as { dpd: number };
    assert.equal(before.dpd, 28, 'synced past due');
    const paid = await sync('payments', [
      { externalId: 'PL-1', receivableExternalId: 'LK-1', amount: '30000', currency: 'EUR', receivedOn: '2026-03-01' },
      { externalId: 'PL-2', receivableExternalId: 'LK-1', amount: '20000', currency: 'EUR', receivedOn: '2026-03-01' },
      { externalId: 'PL-3', receivableExternalId: 'RK-5', amount: '500', currency: 'EUR', receivedOn: '2026-03-01' },
    ]);
    assert.deepEqual(paid.counts, { created: 3, updated: 0, unchanged: 0, failed: 0 });
    const schedule = (await (await server.call('/api/v1/receivables/LK-1/schedule')).json()) as {
      receivable: { outstanding: string; dpd: number; totalPaid: string };
      installments: Array<{ principalPaid: string; interestPaid: string; outstanding: string }>;
    };
    assert.equal(schedule.receivable.totalPaid, '50000');
    assert.equal(schedule.receivable.dpd, 0, 'the first installment (40 000 + interest) is paid: cured');
    const paidSum = schedule.installments.reduce((s, i) => s + BigInt(i.principalPaid) + BigInt(i.interestPaid), 0n);
    assert.equal(paidSum, 50000n);
    const events = await server.database.db
      .selectFrom('wf_events')
      .select(['type'])
      .where('key', '=', await receivableId('LK-1'))
      .orderBy('id')
      .execute();
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'receivable.overdue',
        'receivable.bucket_changed',
        'receivable.created',
        'receivable.payment_received',
        'receivable.bucket_changed',
        'receivable.cured',
        'receivable.payment_received',
      ],
    );
  });

  const receivableId = async (externalId: string) =>
    (
      await server.database.db
        .selectFrom('receivables')
        .select('id')
        .where('external_id', '=', externalId)
        .executeTakeFirstOrThrow()
    ).id;
});
