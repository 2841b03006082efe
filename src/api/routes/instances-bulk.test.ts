import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApiKey } from '../../auth/api-keys.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

// A workflow whose second step always fails at once: event.publish refuses an unknown field.
const FLAKY = `key: bulk-flaky
name: Bulk flaky
steps:
  - id: prepare
    type: action
    action: context.set
    with: { ready: true }
  - id: publish
    type: action
    action: event.publish
    with: { type: 'x', bogus: 1 }
  - id: done
    type: end
    outcome: done
`;
const WAITING = `key: bulk-waiting
name: Bulk waiting
steps:
  - id: pause
    type: wait
    duration: P30D
  - id: done
    type: end
    outcome: done
`;

const TERMS = {
  nodes: [
    { id: 'in', type: 'inputNode', name: 'Request', position: { x: 0, y: 0 } },
    {
      id: 'table',
      type: 'decisionTableNode',
      name: 'Rate by grade',
      position: { x: 300, y: 0 },
      content: {
        hitPolicy: 'first',
        inputs: [{ id: 'grade', name: 'Grade', field: 'grade' }],
        outputs: [{ id: 'rate', name: 'Rate', field: 'rate' }],
        rules: [
          { _id: 'a', grade: '"A"', rate: '5' },
          { _id: 'b', grade: '', rate: '9' },
        ],
      },
    },
    { id: 'out', type: 'outputNode', name: 'Response', position: { x: 600, y: 0 } },
  ],
  edges: [
    { id: 'e1', sourceId: 'in', targetId: 'table', type: 'edge' },
    { id: 'e2', sourceId: 'table', targetId: 'out', type: 'edge' },
  ],
};

describe('instances: count, search and bulk actions on the whole filtered set; decision simulation', () => {
  let server: TestServer;
  let viewer: string;
  const { call, expect, expectProblem } = apiClient(() => server);
  const failedIds: string[] = [];
  const waitingIds: string[] = [];

  const waitFor = async (check: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`timed out waiting for ${what}`);
  };

  before(async () => {
    server = await startTestServer();
    viewer = (await createApiKey(server.database, { name: 'viewer', role: 'viewer', actor: 'test' })).token;
    expect(await call('POST', '/workflows', { json: { source: FLAKY } }), 201);
    expect(await call('POST', '/workflows', { json: { source: WAITING } }), 201);
    for (let i = 0; i < 5; i++) {
      const started = expect(
        await call('POST', '/workflows/bulk-flaky/instances', { json: { correlationKey: `order-${i}` } }),
        201,
      );
      failedIds.push(started.id as string);
    }
    for (let i = 0; i < 2; i++) {
      waitingIds.push(expect(await call('POST', '/workflows/bulk-waiting/instances', { json: {} }), 201).id as string);
    }
    await waitFor(async () => {
      const body = expect(await call('GET', '/instances/count?status=failed&workflow=bulk-flaky'), 200);
      return body.count === 5;
    }, 'five failed instances');
  });
  after(async () => server?.close());

  test('count and list take the same filter, with free-text search over correlation key, workflow and error', async () => {
    assert.deepEqual(expect(await call('GET', '/instances/count?status=failed'), 200), { count: 5, capped: false });
    assert.equal(expect(await call('GET', '/instances/count?q=ORDER-3'), 200).count, 1);
    assert.equal(expect(await call('GET', '/instances/count?q=bulk-'), 200).count, 7);
    assert.equal(expect(await call('GET', `/instances/count?q=${failedIds[0]}`), 200).count, 1);
    // The error text is searchable: the failed step names the unknown field.
    assert.equal(expect(await call('GET', '/instances/count?q=bogus'), 200).count, 5);
    // LIKE wildcards are taken literally.
    assert.equal(expect(await call('GET', '/instances/count?q=%25'), 200).count, 0);
    const page = expect(await call('GET', '/instances?q=order&status=failed&limit=2'), 200);
    assert.equal((page.data as Body[]).length, 2);
    assert.equal(page.next, (page.data as Body[])[1]!.id);
    const rest = expect(await call('GET', `/instances?q=order&status=failed&limit=10&after=${String(page.next)}`), 200);
    assert.equal((rest.data as Body[]).length, 3);
    expectProblem(await call('GET', '/instances/count?version=0'), 400, 'query.version');
  });

  test('bulk retry applies to every failed instance, not a page, and reports each one; others are skipped', async () => {
    const retried = expect(
      await call('POST', '/instances/bulk', { json: { status: 'failed', action: 'retry', reason: 'fixed upstream' } }),
      200,
    );
    assert.equal(retried.matched, 5);
    assert.equal(retried.truncated, false);
    assert.deepEqual(retried.counts, { ok: 5, skipped: 0, failed: 0 });
    assert.deepEqual((retried.results as Body[]).map((r) => String(r.id)).sort(), [...failedIds].sort());
    // Each instance's timeline and the audit log have the retry with the reason.
    const instance = expect(await call('GET', `/instances/${failedIds[0]}`), 200);
    const entry = (instance.timeline as Body[]).find((e) => e.event === 'instance.retried');
    assert.ok(entry, 'the retry is in the timeline');
    assert.equal((entry.data as Body).reason, 'fixed upstream');

    // Retry of the whole workflow: the waiting ones are not failed, so skipped with the reason.
    const mixed = expect(await call('POST', '/instances/bulk', { json: { q: 'bulk-waiting', action: 'retry' } }), 200);
    assert.deepEqual(mixed.counts, { ok: 0, skipped: 2, failed: 0 });
    assert.equal((mixed.results as Body[])[0]!.code, 'instance_not_failed');
  });

  test('bulk suspend, resume and cancel; limit bounds the call and says more matched', async () => {
    const suspended = expect(
      await call('POST', '/instances/bulk', { json: { workflow: 'bulk-waiting', action: 'suspend', limit: 1 } }),
      200,
    );
    assert.equal(suspended.matched, 1);
    assert.equal(suspended.truncated, true);
    assert.equal((suspended.results as Body[])[0]!.id, waitingIds[0]);
    const resumed = expect(
      await call('POST', '/instances/bulk', { json: { status: 'suspended', action: 'resume' } }),
      200,
    );
    assert.deepEqual(resumed.counts, { ok: 1, skipped: 0, failed: 0 });
    const cancelled = expect(
      await call('POST', '/instances/bulk', { json: { workflow: 'bulk-waiting', action: 'cancel' } }),
      200,
    );
    assert.deepEqual(cancelled.counts, { ok: 2, skipped: 0, failed: 0 });
    assert.equal(expect(await call('GET', '/instances/count?workflow=bulk-waiting&status=cancelled'), 200).count, 2);
  });

  test('bulk refuses bad input with the field named, and a viewer', async () => {
    expectProblem(await call('POST', '/instances/bulk', { json: { status: 'failed' } }), 400, 'body.action');
    expectProblem(await call('POST', '/instances/bulk', { json: { action: 'explode' } }), 400, 'body.action');
    expectProblem(
      await call('POST', '/instances/bulk', { json: { action: 'retry', limit: 10_001 } }),
      400,
      'body.limit',
    );
    expectProblem(await call('POST', '/instances/bulk', { json: { action: 'retry', extra: 1 } }), 400, 'body');
    const refused = expect(await call('POST', '/instances/bulk', { json: { action: 'retry' }, token: viewer }), 403);
    assert.equal(refused.permission, 'workflows:operate');
    expect(await call('GET', '/instances/count', { token: viewer }), 200);
  });

  test('simulate: an edited document or a stored version, with every node’s trace', async () => {
    expect(await call('PUT', '/decisions/bulk-terms', { json: TERMS }), 201);
    const stored = expect(
      await call('POST', '/decisions/bulk-terms/simulate', { json: { input: { grade: 'A' } } }),
      200,
    );
    assert.equal(stored.version, 1);
    assert.deepEqual(stored.result, { rate: 5 });
    assert.ok((stored.trace as Record<string, Body>).table, 'the table node is traced');
    const edited = structuredClone(TERMS);
    (edited.nodes[1]!.content!.rules[0] as Record<string, string>).rate = '6';
    const simulated = expect(
      await call('POST', '/decisions/bulk-terms/simulate', { json: { input: { grade: 'A' }, content: edited } }),
      200,
    );
    assert.equal(simulated.version, null);
    assert.deepEqual(simulated.result, { rate: 6 });
    const trace = (simulated.trace as Record<string, Body>).table!;
    assert.equal(trace.name, 'Rate by grade');
    assert.ok(trace.traceData, 'the table says which rule matched');
    expectProblem(
      await call('POST', '/decisions/bulk-terms/simulate', {
        json: { input: {}, content: { nodes: [{}], edges: [] } },
      }),
      400,
      'body.content',
    );
    expect(await call('POST', '/decisions/nope/simulate', { json: { input: {} } }), 404);
    const refused = expect(
      await call('POST', '/decisions/bulk-terms/simulate', { json: { input: {} }, token: viewer }),
      403,
    );
    assert.equal(refused.permission, 'decisions:manage');
  });
});
