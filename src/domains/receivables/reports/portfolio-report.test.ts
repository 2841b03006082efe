// First: domain schemas are plain zod that routes extend with .openapi(); the extension must load first.
import '@hono/zod-openapi';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedPortfolio } from '../../../demo/seed-portfolio.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';
import { addDays } from '../schedule/due-dates.js';
import { pointDates } from './portfolio-report.js';

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
    const all = (await get(`from=${today}&to=${today}`)).body.points as Point[];
    const b2b = (await get(`from=${today}&to=${today}&segment=b2b`)).body.points as Point[];
    const loans = (await get(`from=${today}&to=${today}&product=loan`)).body.points as Point[];
    const total = (list: Point[]) => list.reduce((n, p) => n + p.receivables, 0);
    assert.equal(total(all), 8); // nine receivables, one paid
    assert.equal(total(b2b), 3); // invoices I1, I2, I3 (I4 is paid)
    assert.equal(total(loans), 5);
    assert.equal((await get(`from=${today}&to=${today}&currency=USD`)).body.points instanceof Array, true);
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
