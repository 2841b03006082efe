/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument --
   response bodies are read field by field and each read is asserted */
import '@hono/zod-openapi'; // first: the demo seeders load domain schemas that routes extend with .openapi()
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApiKey } from '../../auth/api-keys.js';
import type { Role } from '../../auth/roles.js';
import { seedExamples } from '../../demo/seed-examples.js';
import { seedPortfolio } from '../../demo/seed-portfolio.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * The console's search box (GET /search) and a manager's reassignment of a task
 * (POST /tasks/{id}/reassign), on the demo portfolio: each kind is searched only for a caller who
 * may read it; a reassignment keeps to the queue's members and four eyes, and is audited.
 */
describe('search and task reassignment', () => {
  let server: TestServer;
  const tokens = new Map<Role, string>();
  const json = async (
    path: string,
    init: Parameters<TestServer['call']>[1] = {},
  ): Promise<{ status: number; body: any }> => {
    const res = await server.call(`/api/v1${path}`, init);
    return { status: res.status, body: await res.json() };
  };
  const as = (role: Role) => ({ token: tokens.get(role)! });

  before(async () => {
    server = await startTestServer();
    await seedExamples(server.engine);
    await seedPortfolio({ database: server.database, clock: server.engine.services.clock, engine: server.engine });
    for (const role of ['viewer', 'treasurer', 'collector', 'collections_manager', 'credit_manager'] as const) {
      tokens.set(role, (await createApiKey(server.database, { name: `search-${role}`, role, actor: 'test' })).token);
    }
    // The demo's review and call tasks are opened by the worker, after seeding returns: on a loaded
    // machine (PostgreSQL, CI) they may not be there yet.
    for (let waited = 0; waited < 60_000; waited += 200) {
      const reviews = await json('/tasks?status=open&queue=credit-officers&limit=1');
      const cases = await json('/collections/cases?limit=1&status=open');
      if (reviews.body.data?.length && cases.body.data?.[0]?.instanceId) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
  after(async () => server?.close());

  test('finds a customer by external id (exact first) and by part of the name', async () => {
    const exact = await json('/search?q=DEMO-C1');
    assert.equal(exact.status, 200);
    assert.equal(exact.body.data[0].kind, 'customer');
    assert.equal(exact.body.data[0].label, 'Emma Clarke');
    assert.deepEqual(exact.body.searched, ['customer', 'case', 'application', 'instance', 'task']);
    const byName = await json('/search?q=emma&kind=customer');
    assert.deepEqual(
      byName.body.data.map((h: { label: string }) => h.label),
      ['Emma Clarke'],
    );
    const limited = await json('/search?q=DEMO&kind=customer&limit=2');
    assert.equal(limited.body.data.length, 2);
  });

  test('finds a case, an application, an instance and a task by their ids', async () => {
    const cases = await json('/collections/cases?limit=1&status=open');
    const theCase = cases.body.data[0];
    const byCase = await json(`/search?q=${theCase.id}`);
    assert.deepEqual(
      byCase.body.data.filter((h: { kind: string }) => h.kind === 'case').map((h: { id: string }) => h.id),
      [theCase.id],
    );
    const byInstance = await json(`/search?q=${theCase.instanceId}&kind=instance`);
    assert.equal(byInstance.body.data[0].id, theCase.instanceId);
    assert.match(byInstance.body.data[0].label, /^collections-case v\d+$/);

    const apps = await json('/credit/applications?limit=1');
    const byApplication = await json(`/search?q=${apps.body.data[0].id}&kind=application`);
    assert.equal(byApplication.body.data[0].id, apps.body.data[0].id);

    const tasks = await json('/tasks?status=open&limit=1');
    const task = tasks.body.data[0];
    const byTask = await json(`/search?q=${task.id}&kind=task`);
    assert.equal(byTask.body.data[0].id, task.id);
    const byTitle = await json(`/search?q=${encodeURIComponent('Credit application')}&kind=task`);
    assert.ok(byTitle.body.data.length >= 1);
  });

  test('each kind is searched only for a caller who may read it', async () => {
    const viewer = await json('/search?q=DEMO', as('viewer'));
    assert.equal(viewer.status, 200);
    assert.deepEqual(viewer.body.searched, ['customer', 'case', 'application', 'instance']);
    const treasurer = await json('/search?q=DEMO', as('treasurer'));
    assert.deepEqual(treasurer.body.searched, ['customer', 'instance', 'task']);
    assert.ok(treasurer.body.data.every((h: { kind: string }) => ['customer', 'instance', 'task'].includes(h.kind)));
  });

  test('bad input is refused naming the field; wildcards are searched as text', async () => {
    const empty = await json('/search?q=');
    assert.equal(empty.status, 400);
    assert.ok(empty.body.errors.some((e: { field: string }) => e.field === 'query.q'));
    const kind = await json('/search?q=x&kind=ledger');
    assert.equal(kind.status, 400);
    const limit = await json('/search?q=x&limit=0');
    assert.equal(limit.status, 400);
    const wildcard = await json('/search?q=%25%25&kind=customer');
    assert.equal(wildcard.status, 200);
    assert.deepEqual(wildcard.body.data, []);
  });

  test('a manager reassigns an open task within its queue; others are refused; it is audited', async () => {
    const tasks = await json('/tasks?status=open&queue=credit-officers&limit=1');
    const task = tasks.body.data[0];
    assert.ok(task, 'a credit review task of the demo');

    const refused = await json(`/tasks/${task.id}/reassign`, {
      ...as('collector'),
      method: 'POST',
      json: { assignee: null },
    });
    assert.equal(refused.status, 403);

    const outsider = await json(`/tasks/${task.id}/reassign`, {
      ...as('credit_manager'),
      method: 'POST',
      json: { assignee: 'nobody-here' },
    });
    assert.equal(outsider.status, 400);
    assert.ok(outsider.body.errors.some((e: { field: string }) => e.field === 'body.assignee'));

    const unknownField = await json(`/tasks/${task.id}/reassign`, {
      ...as('credit_manager'),
      method: 'POST',
      json: { assignee: null, extra: 1 },
    });
    assert.equal(unknownField.status, 400);

    const back = await json(`/tasks/${task.id}/reassign`, {
      ...as('credit_manager'),
      method: 'POST',
      json: { assignee: null, reason: 'olga is away' },
    });
    assert.equal(back.status, 200);
    assert.equal(back.body.assignee, null);
    const member = task.assignee === 'olga' ? 'omar' : 'olga';
    const moved = await json(`/tasks/${task.id}/reassign`, {
      ...as('credit_manager'),
      method: 'POST',
      json: { assignee: member },
    });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.assignee, member);

    const audit = await json(`/audit?entityType=task&entityId=${task.id}`);
    const rows = audit.body.data.filter((r: { action: string }) => r.action === 'task.reassigned');
    assert.equal(rows.length, 2);

    const missing = await json('/tasks/tsk_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z/reassign', {
      method: 'POST',
      json: { assignee: null },
    });
    assert.equal(missing.status, 404);
  });
});
