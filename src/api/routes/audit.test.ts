import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

interface Page {
  data: Array<{ seq: string; id: string; actor: string; action: string; entityType: string; occurredAt: string }>;
  nextAfterSeq: string | null;
  nextBeforeSeq: string | null;
}

describe('GET /audit filters and pages', () => {
  let server: TestServer;
  let keyId: string;
  before(async () => {
    server = await startTestServer({ worker: false });
    // Rows to find: two queues, a calendar, and an API key (whose creation the admin key is the actor of).
    for (const name of ['audit-a', 'audit-b']) {
      assert.equal(
        (await server.call(`/api/v1/queues/${name}`, { method: 'PUT', json: { members: ['x'] } })).status,
        201,
      );
    }
    const cal = await server.call('/api/v1/calendars/AUD', {
      method: 'PUT',
      json: { timezone: 'UTC', holidays: ['2026-01-01'] },
    });
    assert.equal(cal.status, 201);
    const key = await server.call('/api/v1/api-keys', {
      method: 'POST',
      json: { name: 'audit probe', role: 'viewer' },
    });
    keyId = ((await key.json()) as { id: string }).id;
  });
  after(async () => {
    await server.close();
  });

  const page = async (query: string): Promise<Page> => {
    const res = await server.call(`/api/v1/audit?${query}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Page;
  };

  test('by action, exactly or by prefix, and by entity type', async () => {
    const exact = await page('action=queue.updated');
    assert.ok(exact.data.length >= 2);
    assert.ok(exact.data.every((e) => e.action === 'queue.updated'));
    const prefix = await page('action=apikey.*');
    assert.ok(prefix.data.some((e) => e.action === 'apikey.created'));
    assert.ok(prefix.data.every((e) => e.action.startsWith('apikey.')));
    // `_` and `%` are literal in a prefix, not LIKE wildcards.
    assert.equal((await page('action=q_eue.*')).data.length, 0);
    assert.equal((await page('action=%25')).data.length, 0);
    const calendars = await page('entityType=calendar&entityId=AUD');
    assert.deepEqual(
      calendars.data.map((e) => e.entityType),
      ['calendar'],
    );
  });

  test('by actor and by id', async () => {
    const mine = await page(`entityType=api_key&entityId=${keyId}`);
    const actor = mine.data[0]!.actor;
    const byActor = await page(`actor=${encodeURIComponent(actor)}&limit=1000`);
    assert.ok(byActor.data.length >= 4);
    assert.ok(byActor.data.every((e) => e.actor === actor));
    assert.equal((await page('actor=usr_nobody')).data.length, 0);
    const one = await page(`id=${mine.data[0]!.id}`);
    assert.deepEqual(
      one.data.map((e) => e.id),
      [mine.data[0]!.id],
    );
  });

  test('by time range', async () => {
    const all = await page('limit=1000');
    const last = all.data[all.data.length - 1]!;
    const since = await page(`from=${encodeURIComponent(last.occurredAt)}`);
    assert.ok(since.data.some((e) => e.id === last.id));
    assert.ok(since.data.every((e) => e.occurredAt >= last.occurredAt));
    const until = await page(`to=${encodeURIComponent(last.occurredAt)}&limit=1000`);
    assert.ok(until.data.every((e) => e.occurredAt < last.occurredAt));
    assert.equal((await page('from=2999-01-01T00:00:00Z')).data.length, 0);
  });

  test('newest first, paged by beforeSeq; oldest first by afterSeq', async () => {
    const first = await page('order=desc&limit=2');
    assert.equal(first.data.length, 2);
    assert.ok(BigInt(first.data[0]!.seq) > BigInt(first.data[1]!.seq));
    assert.equal(first.nextAfterSeq, null);
    assert.equal(first.nextBeforeSeq, first.data[1]!.seq);
    const second = await page(`order=desc&limit=2&beforeSeq=${first.nextBeforeSeq}`);
    assert.ok(BigInt(second.data[0]!.seq) < BigInt(first.data[1]!.seq));
    const asc = await page('limit=2');
    assert.equal(asc.nextBeforeSeq, null);
    assert.equal(asc.nextAfterSeq, asc.data[1]!.seq);
  });

  test('bad filters are 400s naming the parameter', async () => {
    for (const [query, field] of [
      ['from=yesterday', 'query.from'],
      ['to=2026-13-01T00:00:00Z', 'query.to'],
      ['order=sideways', 'query.order'],
      ['beforeSeq=-1', 'query.beforeSeq'],
      [`actor=${'x'.repeat(201)}`, 'query.actor'],
      ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'query.to'],
    ] as const) {
      const res = await server.call(`/api/v1/audit?${query}`);
      assert.equal(res.status, 400, query);
      const problem = (await res.json()) as { errors: Array<{ field: string }> };
      assert.ok(
        problem.errors.some((e) => e.field === field),
        `${query}: ${JSON.stringify(problem.errors)}`,
      );
    }
  });
});
