/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiClient, type Body } from '../../testing/api-client.js';
import { GOOD_APPLICATION_TERMS } from '../../testing/credit-application-body.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * Credit intake pushes back: with `creditBacklogLimit` 2 and no worker deciding, the third
 * application is refused with 429, Retry-After and problem+json, and nothing of it is stored (no
 * application, no customer, no audit row, no event, and its Idempotency-Key is free); once a worker
 * has taken the first two past their automatic decision, the same request is accepted.
 */
describe('credit intake backlog', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ worker: false, config: { creditBacklogLimit: 2 } });
  });
  after(async () => {
    await server?.close();
  });
  const { call, expect } = apiClient(() => server);

  const application = (n: number): Body => ({
    applicant: {
      externalId: `BL-${n}`,
      name: 'Ana Gómez',
      dateOfBirth: '1985-06-15',
      nationalId: `ID-BL-${n}`,
      email: `bl.${n}@example.com`,
      language: 'es',
      timeZone: 'Europe/Madrid',
    },
    ...GOOD_APPLICATION_TERMS,
  });
  const counts = async () => {
    const db = server.database.db;
    const count = async (table: 'credit_applications' | 'customers' | 'audit_log' | 'wf_events' | 'idempotency_keys') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string | number | bigint>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      applications: await count('credit_applications'),
      customers: await count('customers'),
      audit: await count('audit_log'),
      events: await count('wf_events'),
      keys: await count('idempotency_keys'),
    };
  };

  test('the application over the bound gets 429 with Retry-After, writes nothing, and succeeds once the backlog drains', async () => {
    const first = expect(await call('POST', '/credit/applications', { json: application(1), key: 'bl-1' }), 201);
    expect(await call('POST', '/credit/applications', { json: application(2), key: 'bl-2' }), 201);
    const before = await counts();

    const refused = await server.call('/api/v1/credit/applications', {
      method: 'POST',
      json: application(3),
      headers: { 'idempotency-key': 'bl-3' },
    });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = (await refused.json()) as Body;
    assert.equal(problem.code, 'credit_backlog_full');
    assert.equal(problem.status, 429);
    assert.equal(problem.retryAfter, 5);
    assert.deepEqual(await counts(), before, 'a refused application stores nothing');
    const customer = await call('GET', '/customers/BL-3');
    assert.equal(customer.status, 404);

    // A replay of an accepted request still gets its first answer while the backlog is full.
    const replay = expect(await call('POST', '/credit/applications', { json: application(1), key: 'bl-1' }), 201);
    assert.equal(replay.id, first.id);

    // A worker takes the two past their automatic decision (no bureau configured: to review).
    server.engine.createWorker().start();
    const deadline = Date.now() + 20_000;
    for (;;) {
      const waiting = await server.database.db
        .selectFrom('credit_applications')
        .select('id')
        .where('status', 'in', ['submitted', 'assessing'])
        .execute();
      if (waiting.length === 0) break;
      assert.ok(Date.now() < deadline, `applications still undecided: ${JSON.stringify(waiting)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const accepted = expect(await call('POST', '/credit/applications', { json: application(3), key: 'bl-3' }), 201);
    assert.equal(accepted.status, 'submitted');
  });

  test('the OpenAPI document lists the 429 (with Retry-After) on the intake route', async () => {
    const doc = expect(await call('GET', '/openapi.json'), 200);
    const answer = doc.paths['/credit/applications'].post.responses['429'];
    assert.ok(answer, 'POST /credit/applications lists 429');
    assert.ok(answer.headers['retry-after'], 'with its Retry-After header');
    assert.ok(doc.paths['/customers'].post.responses['429'], 'every authenticated route lists the server-wide 429');
  });
});
