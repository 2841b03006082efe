import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RouteModule } from '../context.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { defaultMaxInFlight } from './admission.js';

/**
 * The server-wide bound on requests in flight: with `maxInFlightRequests` 2 and two requests held
 * open, a third is answered 429 at once with Retry-After and problem+json, and writes nothing; the
 * health check is not refused; once the two finish, the same request succeeds.
 */
describe('admission control', () => {
  let server: TestServer;
  const held: Array<() => void> = [];
  let entered = 0;
  const slow: RouteModule = {
    register(app) {
      app.get('/test/slow', async (c) => {
        entered += 1;
        await new Promise<void>((resolve) => held.push(resolve));
        return c.json({ ok: true }, 200);
      });
    },
  };
  before(async () => {
    server = await startTestServer({ worker: false, routes: [slow], config: { maxInFlightRequests: 2 } });
  });
  after(async () => {
    for (const release of held) release();
    await server?.close();
  });
  const { call, expect } = apiClient(() => server);

  test('over the bound: 429 with Retry-After, nothing written; under it again: served', async () => {
    const slowOnes = [server.call('/api/v1/test/slow'), server.call('/api/v1/test/slow')];
    while (entered < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const auditBefore = await server.database.db.selectFrom('audit_log').select('seq').orderBy('seq').execute();

    const refused = await server.call('/api/v1/customers', {
      method: 'POST',
      json: { externalId: 'ADM-1', name: 'Lucía Fernández' },
      headers: { 'idempotency-key': 'adm-1' },
    });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.ok(refused.headers.get('x-request-id'));
    const problem = (await refused.json()) as Body;
    assert.equal(problem.code, 'server_busy');
    assert.equal(problem.retryAfter, 1);
    assert.equal((await server.call('/api/v1/health', { token: null })).status, 200, 'health is never refused');

    for (const release of held.splice(0)) release();
    for (const res of await Promise.all(slowOnes)) assert.equal(res.status, 200);
    assert.deepEqual(
      await server.database.db.selectFrom('audit_log').select('seq').orderBy('seq').execute(),
      auditBefore,
    );
    const none = await server.database.db
      .selectFrom('customers')
      .select('id')
      .where('external_id', '=', 'ADM-1')
      .execute();
    assert.deepEqual(none, [], 'the refused request wrote nothing');
    const keys = await server.database.db
      .selectFrom('idempotency_keys')
      .select('key')
      .where('key', '=', 'adm-1')
      .execute();
    assert.deepEqual(keys, [], 'nor claimed its Idempotency-Key');

    const created = expect(
      await call('POST', '/customers', { json: { externalId: 'ADM-1', name: 'Lucía Fernández' }, key: 'adm-1' }),
      201,
    );
    assert.equal(created.externalId, 'ADM-1');
  });

  test('the default bound follows the database pool', () => {
    assert.equal(defaultMaxInFlight(1), 64);
    assert.equal(defaultMaxInFlight(10), 160);
  });
});
