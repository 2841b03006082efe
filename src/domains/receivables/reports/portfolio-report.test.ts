// First: domain schemas are plain zod that routes extend with .openapi(); the extension must load first.
import '@hono/zod-openapi';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedPortfolio } from '../../../demo/seed-portfolio.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';
import { addDays } from '../schedule/due-dates.js';
import { readSettings } from '../settings.js';
import { pointDates, portfolioPoints, type PortfolioQuery } from './portfolio-report.js';
import type { PointRow } from './portfolio-points.js';
import { replayedPoints } from './portfolio-replay.js';

interface Point {
  date: string;
  bucket: string;
  currency: string;
  receivables: number;
  owed: string;
}

/**
 * The portfolio over time, rebuilt from installments and payments, agrees on its last day with the
 * delinquency state the receivables keep (GET /receivables/buckets), and shows the past: the demo's
 * loans were all current before their first installment fell due.
 */
describe('GET /receivables/reports/portfolio', () => {
  let server: TestServer;
  let today: string;
  before(async () => {
    server = await startTestServer({ worker: false });
    await seedPortfolio({
      database: server.database,
      clock: server.engine.services.clock,
      engine: server.engine,
    });
    today = server.engine.services.clock.now().toISOString().slice(0, 10);
  });
  after(async () => server?.close());

  const get = async (query: string) => {
    const res = await server.call(`/api/v1/receivables/reports/portfolio?${query}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test('point dates: the end of each interval and the last day', () => {
    assert.deepEqual(pointDates('2026-01-01', '2026-01-03', 'day'), ['2026-01-01', '2026-01-02', '2026-01-03']);
    assert.deepEqual(pointDates('2026-01-15', '2026-03-10', 'month'), ['2026-01-31', '2026-02-28', '2026-03-10']);
    assert.deepEqual(pointDates('2026-01-01', '2026-01-20', 'week'), ['2026-01-07', '2026-01-14', '2026-01-20']);
  });

  test("the last point is the portfolio's bucket state today", async () => {
    const { status, body } = await get(`from=${addDays(today, -200)}&to=${today}&interval=month`);
    assert.equal(status, 200);
    const points = body.points as Point[];
    const last = points.filter((p) => p.date === today);
    const now = (await (await server.call('/api/v1/receivables/buckets')).json()) as {
      data: Array<{ bucket: string; currency: string; count: number; outstanding: string }>;
    };
    assert.deepEqual(
      last
        .map((p) => ({ bucket: p.bucket, currency: p.currency, count: p.receivables, outstanding: p.owed }))
        .sort((a, b) => a.bucket.localeCompare(b.bucket)),
      now.data.filter((r) => r.count > 0).sort((a, b) => a.bucket.localeCompare(b.bucket)),
    );
    assert.deepEqual(body.buckets, ['current', '1-30', '31-60', '61-90', '90+']);
    // 200 days ago nothing of the demo was past due yet: the 90+ loan's first installment was 130 days ago.
    const first = points.filter((p) => p.date === (body.dates as string[])[0]);
    assert.ok(
      first.every((p) => p.bucket === 'current'),
      JSON.stringify(first),
    );
  });

  test('filters narrow the portfolio: segment and product (receivable kind)', async () => {
    const allBody = (await get(`from=${today}&to=${today}`)).body;
    const all = allBody.points as Point[];
    assert.deepEqual(allBody.options, {
      segments: ['b2b', 'consumer'],
      products: ['invoice', 'loan'],
      currencies: ['EUR'],
    });
    const b2b = (await get(`from=${today}&to=${today}&segment=b2b`)).body.points as Point[];
    const loans = (await get(`from=${today}&to=${today}&product=loan`)).body.points as Point[];
    const total = (list: Point[]) => list.reduce((n, p) => n + p.receivables, 0);
    assert.equal(total(all), 8); // nine receivables, one paid
    assert.equal(total(b2b), 3); // invoices I1, I2, I3 (I4 is paid)
    assert.equal(total(loans), 5);
    assert.equal((await get(`from=${today}&to=${today}&currency=USD`)).body.points instanceof Array, true);

    // What the filters can take, found by skipping through indexes: currencies, kinds, credit products.
    for (const [externalId, product] of [
      ['OPT-1', 'trade-credit'],
      ['OPT-2', 'bnpl'],
      ['OPT-3', 'bnpl'],
    ] as const) {
      const res = await server.call('/api/v1/receivables', {
        method: 'POST',
        headers: { 'idempotency-key': `create-${externalId}` },
        json: {
          externalId,
          customerExternalId: 'DEMO-C4',
          kind: 'invoice',
          currency: 'USD',
          issueDate: addDays(today, -40),
          dueDate: addDays(today, -10),
          lines: [{ description: 'Goods', quantity: '1', unitPrice: '10000', taxRate: '0' }],
          metadata: { product },
        },
      });
      assert.equal(res.status, 201, await res.text());
    }
    assert.deepEqual((await get(`from=${today}&to=${today}`)).body.options, {
      segments: ['b2b', 'consumer'],
      products: ['bnpl', 'invoice', 'loan', 'trade-credit'],
      currencies: ['EUR', 'USD'],
    });
    const bnpl = (await get(`from=${today}&to=${today}&product=bnpl`)).body.points as Point[];
    assert.deepEqual(
      bnpl.map((p) => [p.bucket, p.currency, p.receivables, p.owed]),
      [['1-30', 'USD', 2, '20000']],
    );
  });

  test('worked back from the present, the points agree with every history replayed', async () => {
    // History on top of the demo: partial payments received on different days (some back-dated, one
    // after a point), a reversed payment, a fee and a credit note.
    const post = async (path: string, json: unknown, key: string) => {
      const res = await server.call(`/api/v1${path}`, { method: 'POST', json, headers: { 'idempotency-key': key } });
      const text = await res.text();
      assert.ok(res.status < 300, `${path}: ${res.status} ${text}`);
      return JSON.parse(text) as { payment?: { id: string } };
    };
    const list = (await (await server.call('/api/v1/receivables?limit=1000')).json()) as {
      data: Array<{ id: string; externalId: string }>;
    };
    const receivable = (externalId: string) => list.data.find((r) => r.externalId === externalId)!.id;
    const pay = (externalId: string, rcv: string, amount: string, daysAgo: number) =>
      post(
        `/receivables/${rcv}/payments`,
        { externalId, amount, currency: 'EUR', receivedOn: addDays(today, -daysAgo) },
        `pay-${externalId}`,
      );
    const [l3, l4, l5, i2, i3] = ['DEMO-L3', 'DEMO-L4', 'DEMO-L5', 'DEMO-I2', 'DEMO-I3'].map(receivable);
    await pay('H-1', l3!, '40000', 40);
    await pay('H-2', l3!, '25000', 3);
    await pay('H-3', l4!, '60000', 70);
    await pay('H-4', l5!, '10000', 100);
    await pay('H-5', i2!, '500000', 15);
    const bounced = await pay('H-6', i3!, '158000', 9);
    await post(`/payments/${bounced.payment!.id}/reverse`, { reason: 'bounced' }, 'rev-H-6');
    await post(`/receivables/${l4!}/fees`, { kind: 'late_fee', amount: '2500' }, 'fee-l4');
    await post(`/receivables/${i2!}/credit-notes`, { amount: '12000', reason: 'damaged goods' }, 'cn-i2');

    const { buckets } = await readSettings(server.database.db);
    const queries: PortfolioQuery[] = [
      { from: addDays(today, -200), to: today, interval: 'month' },
      { from: addDays(today, -60), to: today, interval: 'week' },
      { from: addDays(today, -30), to: today, interval: 'day' },
      { from: addDays(today, -45), to: addDays(today, -5), interval: 'day' },
      { from: addDays(today, -90), to: today, interval: 'week', segment: 'b2b' },
      { from: addDays(today, -90), to: today, interval: 'week', product: 'loan', currency: 'EUR' },
    ];
    for (const q of queries) {
      const dates = pointDates(q.from, q.to, q.interval!);
      const sorted = (rows: PointRow[]) =>
        rows.map((r) => JSON.stringify([r.d, r.bucket, r.currency, r.receivables, r.owed])).sort();
      const fast = (await portfolioPoints(q, dates, buckets).execute(server.database.db)).rows;
      const full = (await replayedPoints(q, dates, buckets).execute(server.database.db)).rows;
      assert.ok(full.length > 0, JSON.stringify(q));
      assert.deepEqual(sorted(fast), sorted(full), JSON.stringify(q));
    }
  });

  test('a bad query is a 400 naming the field', async () => {
    for (const [query, field] of [
      ['from=2026-03-01&to=2026-02-01', 'query.to'],
      ['from=2026-03-01', 'query.to'],
      ['from=2020-01-01&to=2026-01-31&interval=day', 'query.to'],
      ['from=2025-01-01&to=2026-01-31&interval=day', 'query.interval'],
      ['from=2026-01-01&to=2026-01-31&currency=eur', 'query.currency'],
    ] as const) {
      const { status, body } = await get(query);
      assert.equal(status, 400, query);
      assert.ok(
        (body.errors as Array<{ field: string }>).some((e) => e.field === field),
        `${query}: ${JSON.stringify(body.errors)}`,
      );
    }
  });
});
