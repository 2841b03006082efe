import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { assertBadCursors, walkPages } from '../testing/paging.js';
import { onPostgres } from '../testing/test-database.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

describe('HTTP API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  test('health answers without a key and names the database', async () => {
    const res = await server.call('/api/v1/health', { token: null });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.status, 'ok');
    assert.equal(body.database, onPostgres() ? 'postgres' : 'pglite');
    assert.match(String(body.version), /^\d+\.\d+\.\d+/);
    assert.ok(res.headers.get('x-request-id'));
  });

  test('every other route refuses a missing or bad key with 401 problem+json', async () => {
    for (const path of ['/api/v1/api-keys', '/api/v1/audit', '/api/v1/openapi.json', '/metrics']) {
      const res = await server.call(path, { token: null });
      assert.equal(res.status, 401, path);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      const problem = (await res.json()) as Record<string, unknown>;
      assert.equal(problem.code, 'unauthorized');
      assert.equal(problem.status, 401);
    }
    const wrong = await server.call('/api/v1/api-keys', {
      token: `ff_key_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z_${'a'.repeat(43)}`,
    });
    assert.equal(wrong.status, 401);
  });

  test('a role without the permission gets 403', async () => {
    const created = await server.call('/api/v1/api-keys', { method: 'POST', json: { name: 'reader', role: 'viewer' } });
    assert.equal(created.status, 201);
    const { token } = (await created.json()) as { token: string };
    const res = await server.call('/api/v1/api-keys', { token });
    assert.equal(res.status, 403);
    const problem = (await res.json()) as Record<string, unknown>;
    assert.equal(problem.code, 'forbidden');
    assert.equal(problem.permission, 'apikeys:manage');
    // …but what a viewer may do works.
    assert.equal((await server.call('/api/v1/openapi.json', { token })).status, 200);
  });

  test('a malformed body gets 400 problem+json naming the field, and writes nothing', async () => {
    const keysBefore = await server.database.db.selectFrom('api_keys').select('id').execute();
    const auditBefore = await server.database.db.selectFrom('audit_log').select('seq').orderBy('seq').execute();

    const res = await server.call('/api/v1/api-keys', { method: 'POST', json: { name: 'x', role: 'superuser' } });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const problem = (await res.json()) as { code: string; errors: Array<{ field: string }>; detail: string };
    assert.equal(problem.code, 'validation_failed');
    assert.deepEqual(
      problem.errors.map((e) => e.field),
      ['body.role'],
    );

    const missing = await server.call('/api/v1/api-keys', { method: 'POST', json: { role: 'admin' } });
    assert.equal(((await missing.json()) as { errors: Array<{ field: string }> }).errors[0]!.field, 'body.name');

    const notJson = await server.call('/api/v1/api-keys', {
      method: 'POST',
      body: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(notJson.status, 400);
    assert.equal(((await notJson.json()) as { errors: Array<{ field: string }> }).errors[0]!.field, 'body');

    assert.deepEqual(await server.database.db.selectFrom('api_keys').select('id').execute(), keysBefore);
    assert.deepEqual(
      await server.database.db.selectFrom('audit_log').select('seq').orderBy('seq').execute(),
      auditBefore,
    );
  });

  test('API keys: created key works, is audited, is listed without secret, and stops working when revoked', async () => {
    const created = await server.call('/api/v1/api-keys', { method: 'POST', json: { name: 'ops', role: 'operator' } });
    const key = (await created.json()) as { id: string; token: string; role: string };
    assert.equal(key.role, 'operator');
    assert.match(key.token, /^ff_key_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
    assert.equal((await server.call('/api/v1/audit', { token: key.token })).status, 200);

    const list = (await (await server.call('/api/v1/api-keys')).json()) as { data: Array<Record<string, unknown>> };
    const listed = list.data.find((k) => k.id === key.id)!;
    assert.equal(listed.token, undefined);
    assert.equal(JSON.stringify(list).includes(key.token.slice(-43)), false);

    const revoked = await server.call(`/api/v1/api-keys/${key.id}/revoke`, {
      method: 'POST',
      json: { reason: 'rotated' },
    });
    assert.equal(revoked.status, 200);
    assert.equal((await server.call('/api/v1/audit', { token: key.token })).status, 401);

    const trail = (await (await server.call(`/api/v1/audit?entityType=api_key&entityId=${key.id}`)).json()) as {
      data: Array<{ action: string; reason: string | null; actor: string }>;
    };
    assert.deepEqual(
      trail.data.map((e) => e.action),
      ['apikey.created', 'apikey.revoked'],
    );
    assert.equal(trail.data[1]!.reason, 'rotated');
    assert.equal(trail.data[1]!.actor, server.bootstrapKey!.id);

    const unknown = await server.call('/api/v1/api-keys/key_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z/revoke', { method: 'POST' });
    assert.equal(unknown.status, 404);
  });

  test('API keys page oldest first: every key exactly once, in order, cursor after cursor; a bad cursor is 400', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await server.call('/api/v1/api-keys', {
        method: 'POST',
        json: { name: `pager ${i}`, role: 'viewer' },
      });
      assert.equal(res.status, 201);
    }
    const inDatabase = (await server.database.db.selectFrom('api_keys').select('id').orderBy('id').execute()).map(
      (k) => k.id,
    );
    assert.ok(inDatabase.length >= 6);
    const walked = await walkPages<{ id: string; name: string; token?: string }>(server, '/api-keys', 2);
    assert.deepEqual(
      walked.rows.map((k) => k.id),
      inDatabase,
    );
    assert.ok(walked.pages >= 3);
    assert.ok(walked.rows.every((k) => k.token === undefined));
    // A revoked key stays listed, in its place.
    await server.call(`/api/v1/api-keys/${inDatabase.at(-1)!}/revoke`, { method: 'POST' });
    const again = await walkPages<{ id: string; revokedAt: string | null }>(server, '/api-keys', 4);
    assert.deepEqual(
      again.rows.map((k) => k.id),
      inDatabase,
    );
    assert.ok(again.rows.at(-1)!.revokedAt);
    await assertBadCursors(server, '/api-keys', [
      'key_nope',
      'usr_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z',
      'key_01jd5z4k3w6y8t1q2r3s4v5x6z',
    ]);
  });

  test('the OpenAPI document is valid OpenAPI 3.1 and lists the routes', async () => {
    const res = await server.call('/api/v1/openapi.json');
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(doc.openapi, '3.1.0');
    await SwaggerParser.validate(structuredClone(doc) as never);
    for (const path of ['/health', '/api-keys', '/api-keys/{id}/revoke', '/audit', '/audit/verify']) {
      assert.ok(doc.paths[path], `missing ${path}`);
    }
  });

  test('audit verify over HTTP reports an intact chain', async () => {
    const body = (await (await server.call('/api/v1/audit/verify')).json()) as { ok: boolean; rowsChecked: number };
    assert.equal(body.ok, true);
    assert.ok(body.rowsChecked >= 1);
  });

  test('Prometheus metrics count requests by route template', async () => {
    const res = await server.call('/metrics');
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /finflow_http_requests_total\{[^}]*route="\/api\/v1\/health"[^}]*\} \d+/);
    assert.match(text, /finflow_process_cpu_user_seconds_total/);
  });

  test('unknown routes get problem+json 404', async () => {
    const res = await server.call('/api/v1/nope');
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
  });
});
