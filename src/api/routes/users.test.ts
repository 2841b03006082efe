import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

describe('users over HTTP', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ worker: false });
  });
  after(async () => {
    await server.close();
  });

  test('an admin creates, reads, re-roles, resets and disables a user; each step audited without a secret', async () => {
    const created = await server.call('/api/v1/users', {
      method: 'POST',
      json: {
        email: 'Cora@Example.com',
        name: 'Cora Collector',
        roles: ['operator'],
        locale: 'zh-CN',
        timeZone: 'Asia/Shanghai',
      },
    });
    assert.equal(created.status, 201);
    const user = (await created.json()) as { id: string; email: string; oneTimePassword: string; roles: string[] };
    assert.equal(user.email, 'cora@example.com');
    assert.match(user.oneTimePassword, /^[a-zA-Z2-9]{5}(-[a-zA-Z2-9]{5}){3}$/);

    const byEmail = (await (await server.call('/api/v1/users/cora@example.com')).json()) as Record<string, unknown>;
    assert.equal(byEmail.id, user.id);
    assert.equal(byEmail.oneTimePassword, undefined);
    const list = await (await server.call('/api/v1/users')).text();
    assert.ok(list.includes(user.id) && !list.includes(user.oneTimePassword));

    const roles = await server.call(`/api/v1/users/${user.id}/roles`, { method: 'PUT', json: { roles: ['viewer'] } });
    assert.deepEqual(((await roles.json()) as { roles: string[] }).roles, ['viewer']);
    const reset = (await (await server.call(`/api/v1/users/${user.id}/reset-password`, { method: 'POST' })).json()) as {
      oneTimePassword: string;
    };
    assert.notEqual(reset.oneTimePassword, user.oneTimePassword);
    const disabled = await server.call(`/api/v1/users/${user.id}/disable`, {
      method: 'POST',
      json: { reason: 'left' },
    });
    assert.equal(((await disabled.json()) as { status: string }).status, 'disabled');

    const trail = await (await server.call(`/api/v1/audit?entityType=user&entityId=${user.id}`)).text();
    const actions = (JSON.parse(trail) as { data: { action: string }[] }).data.map((e) => e.action);
    assert.deepEqual(actions, ['user.created', 'user.roles_set', 'user.password_reset', 'user.disabled']);
    assert.ok(
      !trail.includes(user.oneTimePassword) && !trail.includes(reset.oneTimePassword) && !trail.includes('argon2'),
    );
  });

  test('bad input is a 400 naming the fields; an unknown user 404; a taken email 409; nothing written', async () => {
    const before = await (await server.call('/api/v1/users')).text();
    const bad = await server.call('/api/v1/users', {
      method: 'POST',
      json: { email: 'nope', name: 'X', roles: ['root'], timeZone: 'Nowhere/Land' },
    });
    assert.equal(bad.status, 400);
    const problem = (await bad.json()) as { errors: { field: string }[] };
    assert.deepEqual(problem.errors.map((i) => i.field).sort(), ['body.email', 'body.roles', 'body.timeZone']);
    assert.equal((await server.call('/api/v1/users/nobody@example.com')).status, 404);
    await server.call('/api/v1/users', {
      method: 'POST',
      json: { email: 'dup@example.com', name: 'D', roles: ['viewer'] },
    });
    const dup = await server.call('/api/v1/users', {
      method: 'POST',
      json: { email: 'DUP@example.com', name: 'D', roles: ['viewer'] },
    });
    assert.equal(dup.status, 409);
    const after = await (await server.call('/api/v1/users')).text();
    const count = (text: string) => (JSON.parse(text) as { data: unknown[] }).data.length;
    assert.equal(count(after), count(before) + 1);
  });

  test('only users:manage may manage users: an operator key gets 403', async () => {
    const key = (await (
      await server.call('/api/v1/api-keys', { method: 'POST', json: { name: 'ops', role: 'operator' } })
    ).json()) as {
      token: string;
    };
    assert.equal((await server.call('/api/v1/users', { token: key.token })).status, 403);
  });
});
