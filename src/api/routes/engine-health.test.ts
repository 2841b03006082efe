import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createApiKey } from '../../auth/api-keys.js';
import { seedExamples } from '../../demo/seed-examples.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/** Engine health counts instances and tasks in SQL; it needs workflows:read. */
describe('GET /reports/engine-health', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ worker: false });
    await seedExamples(server.engine);
  });
  after(async () => server?.close());

  test('instances by status agree with the table; queues show backlog and breaches', async () => {
    const db = server.database.db;
    const counts = await sql<{ status: string; n: number }>`
      SELECT status, count(*)::int AS n FROM wf_instances GROUP BY status`.execute(db);
    const res = await server.call('/api/v1/reports/engine-health');
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      instances: Array<{ status: string; count: number }>;
      failed: { count: number };
      queues: Array<{ queue: string; open: number; overdue: number }>;
      byWorkflow: Array<{ workflow: string; running: number }>;
      days: number;
    };
    assert.deepEqual(
      body.instances.map((i) => i.status),
      ['running', 'suspended', 'failed', 'completed', 'cancelled'],
    );
    for (const { status, n } of counts.rows) {
      assert.equal(body.instances.find((i) => i.status === status)?.count, n, status);
    }
    assert.equal(body.failed.count, counts.rows.find((r) => r.status === 'failed')?.n ?? 0);
    assert.equal(body.days, 7);
    const open = await sql<{ n: number }>`SELECT count(*)::int AS n FROM wf_tasks WHERE status = 'open'`.execute(db);
    assert.equal(
      body.queues.reduce((n, q) => n + q.open, 0),
      open.rows[0]!.n,
    );
  });

  test('days is validated; a role without workflows:read is refused', async () => {
    const bad = await server.call('/api/v1/reports/engine-health?days=0');
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /query\.days/);
    const key = await createApiKey(server.database, { name: 'viewer', role: 'viewer', actor: 'test' });
    assert.equal((await server.call('/api/v1/reports/engine-health', { token: key.token })).status, 200);
  });
});
