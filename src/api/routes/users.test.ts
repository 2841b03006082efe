import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertBadCursors, walkPages } from '../../testing/paging.js';
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

  test('the list pages by email: every user exactly once, in order, cursor after cursor; search is a server filter', async () => {
    // Created out of email order, more than a page of them.
    const emails = ['pg-e', 'pg-a', 'pg-g', 'pg-c', 'pg-f', 'pg-b', 'pg-d'].map((n) => `${n}@paging.test`);
    for (const email of emails) {
      const res = await server.call('/api/v1/users', {
        method: 'POST',
        json: { email, name: `Pager ${email.slice(3, 4).toUpperCase()}`, roles: ['viewer'] },
      });
      assert.equal(res.status, 201, await res.text());
    }
    type Listed = { id: string; email: string; roles: string[] };
    const inDatabase = (await server.database.db.selectFrom('users').select('email').orderBy('email').execute()).map(
      (u) => u.email,
    );
    const all = await walkPages<Listed>(server, '/users', 2);
    assert.deepEqual(
      all.rows.map((u) => u.email),
      inDatabase,
      'every user once, in the database’s email order',
    );
    assert.equal(all.pages, Math.ceil(inDatabase.length / 2) + (inDatabase.length % 2 === 0 ? 1 : 0));
    assert.ok(
      all.rows.every((u) => u.roles.length > 0 || !emails.includes(u.email)),
      'each page carries its roles',
    );
    assert.deepEqual(
      all.rows.filter((u) => u.roles.includes('viewer') && emails.includes(u.email)).length,
      emails.length,
    );

    // The search filter pages too; it matches the name or the email in any case, `%` literally.
    const found = await walkPages<Listed>(server, '/users?search=PAGING.test', 3);
    assert.deepEqual(
      found.rows.map((u) => u.email),
      [...emails].sort(),
    );
    assert.equal(found.pages, 3);
    const byName = await walkPages<Listed>(server, '/users?search=pager%20c', 10);
    assert.deepEqual(
      byName.rows.map((u) => u.email),
      ['pg-c@paging.test'],
    );
    assert.deepEqual((await walkPages<Listed>(server, '/users?search=pg%25', 10)).rows, []);

    await assertBadCursors(server, '/users', ['not-an-email', 'two words@x', `${'a'.repeat(250)}@paging.test`]);
    const limit = await server.call('/api/v1/users?limit=0');
    assert.equal(limit.status, 400);
    assert.deepEqual(
      ((await limit.json()) as { errors: { field: string }[] }).errors.map((e) => e.field),
      ['query.limit'],
    );
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
