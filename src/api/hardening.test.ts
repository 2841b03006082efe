import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { seedExamples } from '../demo/seed-examples.js';

/**
 * The defects an attacker with a valid key found (issue 17), each pinned: a request that crashed
 * the process, 500s on bad characters and values, problem+json members, headers, audit rows.
 */
describe('hardening: hostile requests get clean answers', () => {
  let server: TestServer;
  let viewer: string;
  before(async () => {
    server = await startTestServer({ worker: false });
    await seedExamples(server.engine);
    const created = await server.call('/api/v1/api-keys', { method: 'POST', json: { name: 'v', role: 'viewer' } });
    viewer = ((await created.json()) as { token: string }).token;
  });
  after(async () => {
    await server.close();
  });

  /** Sends `body` as the exact text given (JSON.stringify cannot write 1e309 or 4 000 levels). */
  async function raw(
    method: string,
    path: string,
    body?: string | Uint8Array,
    init: { type?: string; token?: string } = {},
  ) {
    const res = await server.call(`/api/v1${path}`, {
      method,
      ...(init.token ? { token: init.token } : {}),
      headers: { 'content-type': init.type ?? 'application/json' },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    return { res, status: res.status, problem: (text ? JSON.parse(text) : {}) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  const fields = (problem: Record<string, unknown>) =>
    ((problem.errors ?? []) as Array<{ field: string }>).map((e) => e.field);

  test("a viewer's deeply nested body to the rules engine is a 400, and the server stays up", async () => {
    const decision = (await (await server.call('/api/v1/decisions')).json()) as { data: Array<{ key: string }> };
    const key = decision.data[0]!.key;
    for (const body of [
      `{"a":${'{"a":'.repeat(4000)}1${'}'.repeat(4000)}}`,
      `{"input":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    ]) {
      const { status, problem } = await raw('POST', `/decisions/${key}/evaluate`, body, { token: viewer });
      assert.equal(status, 400, JSON.stringify(problem));
      assert.deepEqual(fields(problem), ['body']);
      assert.match(String(problem.detail), /nested deeper than 64 levels/);
    }
    assert.equal((await server.call('/api/v1/health', { token: null })).status, 200);
  });

  test('bad characters and values in bodies are 400s naming the field', async () => {
    const cases: Array<[string, string, string]> = [
      ['/customers', '{"externalId":"a\\u0000b","name":"x"}', 'body.externalId'],
      ['/customers', '{"externalId":"a\\ud800b","name":"x"}', 'body.externalId'],
      ['/customers', '{"externalId":"x1","name":"y","metadata":{"a":1e309}}', 'body.metadata.a'],
      ['/customers', '{"externalId":"x2","name":"y","__proto__":{"admin":true}}', 'body.__proto__'],
      ['/events', `{"type":"a.b","data":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`, 'body'],
    ];
    for (const [path, body, field] of cases) {
      const { status, problem } = await raw('POST', path, body);
      assert.equal(status, 400, `${body.slice(0, 60)} → ${JSON.stringify(problem)}`);
      assert.equal(problem.status, 400);
      assert.ok(fields(problem).includes(field), `${body.slice(0, 60)}: ${JSON.stringify(problem)}`);
    }
    const invalidUtf8 = await raw('POST', '/customers', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
    assert.equal(invalidUtf8.status, 400);
    assert.equal(invalidUtf8.problem.code, 'malformed_request');
  });

  test('a workflow document in YAML meets the same limits, with the line of the bad field', async () => {
    const deep = `key: deep\nsteps: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    const nul = 'key: "a\\0b"\nname: x\n';
    const blocks = `key: blocks\nsteps:\n${Array.from({ length: 1300 }, (_, i) => `${' '.repeat(i + 1)}- \n`).join('')}`;
    // Found by the 10 000-case fuzz run: an alias to an anchor never set was a 500.
    const unresolved = '*!';
    // Aliases of aliases, each doubling the document ("billion laughs"): refused before expanding.
    const laughs = `a: &a [x, x]\n${Array.from({ length: 30 }, (_, i) => `l${i}: &l${i} [${i ? `*l${i - 1}, *l${i - 1}` : '*a, *a'}]`).join('\n')}\n`;
    for (const [source, field, message] of [
      [deep, /^source$/, /nested deeper than 64 levels/],
      [nul, /^key$/, /NUL/],
      [blocks, /^(source|steps\.[\d.]+)$/, /nested deeper than 64 levels/],
      [unresolved, /^source$/, /alias/i],
      [laughs, /^source$/, /alias/i],
    ] as const) {
      const { status, problem } = await raw('POST', '/workflows', source, { type: 'application/yaml' });
      const shown = JSON.stringify(problem).slice(0, 300);
      assert.equal(status, 400, `${source.slice(0, 40)}: ${shown}`);
      assert.ok(
        fields(problem).some((f) => field.test(f)),
        shown,
      );
      assert.match(String(problem.detail), message);
      assert.ok(
        (problem.errors as Array<{ line?: number }>).every((e) => typeof e.line === 'number'),
        shown,
      );
    }
  });

  test('an alias with no anchor is reported on its own line', async () => {
    const source = 'key: aliases\nname: &n x\ndescription: *n\nsteps: *missing\n';
    const { status, problem } = await raw('POST', '/workflows', source, { type: 'application/yaml' });
    assert.equal(status, 400, JSON.stringify(problem));
    assert.deepEqual(
      (problem.errors as Array<{ field: string; line?: number }>).map((e) => [e.field, e.line]),
      [['source', 4]],
    );
  });

  test('bad characters in paths and queries are 400s, not database errors', async () => {
    for (const path of ['/customers/a%00b', '/receivables/%ff', '/instances/a%00']) {
      const { status, problem } = await raw('GET', path);
      assert.equal(status, 400, `${path}: ${JSON.stringify(problem)}`);
      assert.deepEqual(fields(problem), ['path']);
      assert.ok(!String(problem.instance).includes('\u0000'), 'the answer holds the path as sent');
    }
    const nul = await raw('GET', '/customers?search=a%00');
    assert.equal(nul.status, 400);
    assert.deepEqual(fields(nul.problem), ['query.search']);
    const report = await raw('GET', '/collections/reports/kpis?from=%25&to=2026-01-31');
    assert.equal(report.status, 400, JSON.stringify(report.problem));
    assert.deepEqual(fields(report.problem), ['query.from']);
    const cursor = await raw('GET', '/audit?afterSeq=123456789012345678901234567890');
    assert.equal(cursor.status, 400, JSON.stringify(cursor.problem));
    assert.deepEqual(fields(cursor.problem), ['query.afterSeq']);
  });

  test('an amount that is not whole minor units is one 400 on the field, not a BigInt crash', async () => {
    const customer = await server.call('/api/v1/customers', {
      method: 'POST',
      json: { externalId: 'H-1', name: 'Hardy' },
    });
    assert.equal(customer.status, 201, await customer.clone().text());
    const receivable = await server.call('/api/v1/receivables', {
      method: 'POST',
      headers: { 'idempotency-key': 'h-rcv-1' },
      json: {
        externalId: 'H-INV-1',
        customerExternalId: 'H-1',
        kind: 'invoice',
        currency: 'EUR',
        issueDate: '2026-01-01',
        dueDate: '2026-01-31',
        amount: '10000',
      },
    });
    assert.equal(receivable.status, 201, await receivable.clone().text());
    const { id } = (await receivable.json()) as { id: string };
    for (const amount of ['1.50', '-100', '1e3', '100000000000000000000']) {
      const res = await server.call(`/api/v1/receivables/${id}/payments`, {
        method: 'POST',
        headers: { 'idempotency-key': `h-pay-${amount}` },
        json: { externalId: `P-${amount}`, amount, currency: 'EUR', receivedOn: '2026-01-10' },
      });
      const problem = (await res.json()) as Record<string, unknown>;
      assert.equal(res.status, 400, `${amount}: ${JSON.stringify(problem)}`);
      assert.deepEqual(fields(problem), ['body.amount'], amount);
    }
  });

  test('JSON in another charset, or a body in a type the route does not take, is a 415 naming the header', async () => {
    for (const type of ['application/json; charset=latin1', 'text/plain']) {
      const { status, problem } = await raw('POST', '/customers', '{"externalId":"c","name":"n"}', { type });
      assert.equal(status, 415, type);
      assert.equal(problem.code, 'unsupported_media_type');
      assert.deepEqual(fields(problem), ['header.content-type']);
    }
  });

  test('every answer carries the security headers; none may be cached', async () => {
    const answers = [
      await server.call('/api/v1/health', { token: null }),
      await server.call('/api/v1/customers', { token: null }),
      await server.call('/api/v1/api-keys', { method: 'POST', json: { name: 'h', role: 'viewer' } }),
      await server.call('/api/v1/nowhere'),
      // A path outside the API is a web console page (or, unbuilt, a 404): the same headers, but the
      // console's index.html may be kept as long as it is revalidated (docs/console.md).
      await server.call('/nowhere'),
    ];
    for (const res of answers) {
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      const consolePage = res.url.endsWith('/nowhere') && !res.url.includes('/api/');
      assert.equal(res.headers.get('cache-control'), consolePage && res.status === 200 ? 'no-cache' : 'no-store');
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'.*frame-ancestors 'none'/);
    }
  });

  test('a ledger account created over HTTP is audited with the request id', async () => {
    const res = await server.call('/api/v1/ledger/accounts', {
      method: 'POST',
      json: { code: 'assets:hardening', currency: 'EUR', normalSide: 'debit' },
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const row = await server.database.db
      .selectFrom('audit_log')
      .select(['request_id'])
      .where('entity_id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.request_id, res.headers.get('x-request-id'));
  });

  test('a settings change is audited once, with before and after, actor and request id; the same value again writes nothing', async () => {
    const put = (promiseGraceDays: number) =>
      server.call('/api/v1/collections/settings', { method: 'PUT', json: { promiseGraceDays } });
    const settingRows = () =>
      server.database.db
        .selectFrom('audit_log')
        .select(['actor', 'request_id', 'before', 'after'])
        .where('action', '=', 'settings.updated')
        .where('entity_id', '=', 'collections.promiseGraceDays')
        .orderBy('seq')
        .execute();
    const before = (await settingRows()).length;
    const changed = await put(7);
    assert.equal(changed.status, 200, await changed.clone().text());
    const again = await put(7);
    assert.equal(again.status, 200);
    const rows = (await settingRows()).slice(before);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0]!.actor, server.bootstrapKey!.id);
    assert.equal(rows[0]!.request_id, changed.headers.get('x-request-id'));
    // jsonb comes back parsed; a driver that hands back text is read the same way.
    const value = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
    assert.equal(value(rows[0]!.after), 7);
    assert.notEqual(value(rows[0]!.before), 7);
  });

  test('an event published over HTTP is audited: who sent it and what it started', async () => {
    const res = await server.call('/api/v1/events', {
      method: 'POST',
      json: { type: 'invoice.overdue', key: 'H-EV-1', data: { customerId: 'C', amountDue: 100, currency: 'EUR' } },
    });
    assert.equal(res.status, 202, await res.clone().text());
    const published = (await res.json()) as { id: string; started: Array<{ instanceId: string | null }> };
    const row = await server.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_id', '=', published.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.action, 'event.published');
    assert.match(row.actor, /^key_/);
    assert.equal(row.request_id, res.headers.get('x-request-id'));
    const after = (typeof row.after === 'string' ? JSON.parse(row.after) : row.after) as Record<string, unknown>;
    assert.equal(after.type, 'invoice.overdue');
    assert.deepEqual(
      after.started,
      published.started.map((s) => s.instanceId).filter((i) => i !== null),
    );
  });

  test('the OpenAPI document has only patterns JSON Schema clients can use (no regex flags)', async () => {
    const text = await (await server.call('/api/v1/openapi.json')).text();
    const patterns = [...text.matchAll(/"pattern":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    assert.ok(patterns.length > 0);
    for (const pattern of patterns) {
      assert.doesNotMatch(pattern, /\/[gimsuy]+$/, `pattern ${pattern} ends in regex flags`);
      assert.doesNotThrow(() => new RegExp(pattern, 'u'), pattern);
    }
    assert.ok(patterns.includes('^[A-Za-z0-9][A-Za-z0-9._-]*$'), 'the event type pattern');
  });
});
