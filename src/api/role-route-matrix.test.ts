import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApiKey } from '../auth/api-keys.js';
import { guardedOperations, renderPermissionsDoc, type GuardedOperation } from '../auth/permissions-doc.js';
import { roleHas, ROLES, type Role } from '../auth/roles.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/**
 * The full role × route matrix: every operation of the OpenAPI document, called with an API key of
 * every role. Exactly the roles the permission table grants get past the permission check (any
 * answer but 403 `forbidden`); every other role gets 403 `forbidden` naming the permission. The
 * permission each operation checks is read from the document, which takes it from the route's own
 * middleware — and docs/permissions.md must be exactly what roles.ts and that document render.
 */
describe('role × route matrix', () => {
  let server: TestServer;
  let operations: GuardedOperation[];
  let everyPath: Array<{ method: string; path: string; security: unknown }>;
  const tokens = new Map<Role, string>();

  before(async () => {
    server = await startTestServer({ worker: false });
    for (const role of ROLES) {
      const key = await createApiKey(server.database, { name: `matrix-${role}`, role, actor: 'test' });
      tokens.set(role, key.token);
    }
    const doc = (await (await server.call('/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security?: unknown }>>;
    };
    operations = guardedOperations(doc);
    everyPath = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.entries(item).map(([method, op]) => ({ method, path: p, security: op.security })),
    );
  });
  after(async () => server?.close());

  test('every operation checks a permission, needs only a session, or is public by design', () => {
    const unguarded = everyPath
      .filter((op) => !operations.some((g) => g.method === op.method.toUpperCase() && g.path === op.path))
      .map((op) => `${op.method.toUpperCase()} ${op.path}`);
    assert.deepEqual(unguarded.sort(), [
      'DELETE /session',
      'GET /health',
      'GET /session',
      'PATCH /me',
      'POST /hooks/inbound/{name}',
      'POST /hooks/sms/status',
      'POST /session',
      'POST /session/mfa',
      'POST /session/mfa/enrollment',
      'POST /session/mfa/enrollment/confirm',
      'POST /session/password',
      'POST /session/sign-out-everywhere',
    ]);
    assert.ok(operations.length > 100, `${operations.length} guarded operations`);
  });

  test('each role passes exactly the permission checks the table grants it', async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      const url = `/api/v1${op.path.replace(/\{[^}]+\}/g, 'matrix-x')}`;
      const write = !['GET', 'HEAD', 'DELETE'].includes(op.method);
      for (const role of ROLES) {
        const res = await server.call(url, {
          method: op.method,
          token: tokens.get(role)!,
          ...(write ? { json: {} } : {}),
        });
        const body = res.status === 403 ? ((await res.json()) as { code: string; permission?: string }) : null;
        if (res.status !== 403) await res.body?.cancel();
        const refused = body?.code === 'forbidden';
        if (refused === roleHas(role, op.permission)) {
          wrong.push(`${op.method} ${op.path} as ${role}: ${res.status} ${body?.code ?? ''} (needs ${op.permission})`);
        }
        if (refused) assert.equal(body?.permission, op.permission, `${op.method} ${op.path}`);
      }
    }
    console.log(
      `# role × route matrix: ${operations.length} operations × ${ROLES.length} roles = ${operations.length * ROLES.length} calls`,
    );
    assert.deepEqual(wrong, []);
  });

  test('docs/permissions.md is what roles.ts and the OpenAPI document render (npm run docs:permissions)', () => {
    const file = readFileSync(path.resolve(import.meta.dirname, '../../docs/permissions.md'), 'utf8');
    assert.equal(file, renderPermissionsDoc(operations), 'docs/permissions.md drifted: run npm run docs:permissions');
  });
});
