// First: domain schemas are plain zod that routes extend with .openapi(); the extension must load first.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-explicit-any --
   response bodies are read field by field and each read is asserted */
import '@hono/zod-openapi';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { seedPortfolio } from '../../../demo/seed-portfolio.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';

/** The credit decision report counts the applications of a period by outcome and score band, in SQL. */
describe('GET /credit/reports/decisions', () => {
  let server: TestServer;
  let today: string;
  before(async () => {
    server = await startTestServer({ worker: false });
    await seedPortfolio({ database: server.database, clock: server.engine.services.clock, engine: server.engine });
    today = server.engine.services.clock.now().toISOString().slice(0, 10);
    // Decisions as policy would have written them: one approved at 580, one declined at 505; the third waits.
    const ids = (await server.database.db.selectFrom('credit_applications').select('id').orderBy('id').execute()).map(
      (r) => r.id,
    );
    await sql`UPDATE credit_applications SET outcome = 'approve',
      decision = '{"score": {"score": 580, "grade": "A"}}' WHERE id = ${ids[0]}`.execute(server.database.db);
    await sql`UPDATE credit_applications SET outcome = 'decline',
      decision = '{"score": {"score": 505, "grade": "E"}}' WHERE id = ${ids[1]}`.execute(server.database.db);
    await sql`UPDATE credit_applications SET outcome = NULL, decision = '{}' WHERE id = ${ids[2]}`.execute(
      server.database.db,
    );
  });
  after(async () => server?.close());

  const get = async (query: string) => {
    const res = await server.call(`/api/v1/credit/reports/decisions?${query}`);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  test('outcomes, rates over the decided, score bands and grades', async () => {
    const { status, body } = await get(`from=${today}&to=${today}`);
    assert.equal(status, 200);
    assert.deepEqual(body.outcomes, {
      approve: 1,
      decline: 1,
      review: 0,
      pending: 1,
      total: 3,
      approveRate: 0.5,
      declineRate: 0.5,
      reviewRate: 0,
    });
    assert.deepEqual(
      body.byProduct.map((p: { product: string; total: number }) => [p.product, p.total]),
      [['personal-loan', 3]],
    );
    assert.deepEqual(body.scoreBands, [
      { low: 500, high: 519, approve: 0, decline: 1, review: 0, total: 1 },
      { low: 580, high: 599, approve: 1, decline: 0, review: 0, total: 1 },
    ]);
    assert.deepEqual(body.grades, [
      { grade: 'A', count: 1 },
      { grade: 'E', count: 1 },
    ]);
  });

  test('filters: another product or currency, and a period before the submissions, count nothing', async () => {
    for (const query of [`product=credit-line`, `currency=USD`, `segment=b2b`]) {
      const { body } = await get(`from=${today}&to=${today}&${query}`);
      assert.equal(body.outcomes.total, 0, query);
      assert.equal(body.outcomes.approveRate, null, query);
    }
  });

  test('a bad query is a 400 naming the field', async () => {
    for (const [query, field] of [
      ['from=2026-03-01&to=2026-02-01', 'query.to'],
      ['to=2026-03-01', 'query.from'],
      ['from=2026-01-01&to=2026-01-31&currency=euro', 'query.currency'],
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
