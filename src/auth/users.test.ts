import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readAuditLog } from '../storage/audit/audit-log.js';
import type { Database } from '../storage/database.js';
import { openTestDatabase } from '../testing/test-database.js';
import { hashPassword, passwordIssues, verifyPassword } from './passwords.js';
import { changePassword, createUser, disableUser, getUser, listUsers, resetPassword, setRoles } from './users.js';

describe('passwords', () => {
  test('argon2id hashes verify the right password only, and a bad hash is just false', async () => {
    const hash = await hashPassword('violet-harbour-seventeen');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(hash, 'violet-harbour-seventeen'), true);
    assert.equal(await verifyPassword(hash, 'violet-harbour-seventeeN'), false);
    assert.equal(await verifyPassword('not a hash', 'x'), false);
  });

  test('the policy refuses short, common and personal passwords, naming the field', () => {
    const person = { email: 'lucia.fernandez@example.com', name: 'Lucía Fernández' };
    assert.deepEqual(passwordIssues('violet-harbour-seventeen', person), []);
    assert.match(passwordIssues('short', person)[0]!.message, /at least 12/);
    assert.match(passwordIssues('password123456', person)[0]!.message, /too common/);
    assert.match(passwordIssues('qwertyuiop123', person)[0]!.message, /too common/);
    assert.match(passwordIssues('Fernández-2026-ok!', person)[0]!.message, /name or email/);
    assert.equal(passwordIssues('x'.repeat(257), person, 'body.newPassword')[0]!.field, 'body.newPassword');
  });
});

describe('users', () => {
  let database: Database;
  before(async () => {
    database = await openTestDatabase();
  });
  after(async () => {
    await database.close();
  });

  test('create: a one-time password that signs in nowhere until changed, roles, an audit row without secrets', async () => {
    const created = await createUser(database, {
      email: ' Ana.Collector@Example.com ',
      name: 'Ana Collector',
      roles: ['operator', 'viewer', 'operator'],
      locale: 'es',
      timeZone: 'Europe/Madrid',
      actor: 'key_admin',
    });
    assert.equal(created.email, 'ana.collector@example.com');
    assert.deepEqual(created.roles, ['operator', 'viewer']);
    assert.equal(created.mustChangePassword, true);
    assert.match(created.oneTimePassword, /^[a-zA-Z2-9]{5}(-[a-zA-Z2-9]{5}){3}$/);
    const row = await database.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.equal(await verifyPassword(row.password_hash, created.oneTimePassword), true);

    const [audit] = await readAuditLog(database.db, { entityType: 'user', entityId: created.id });
    assert.equal(audit!.action, 'user.created');
    assert.equal(audit!.actor, 'key_admin');
    const text = JSON.stringify({ ...audit, seq: null, chain_seq: null });
    assert.ok(
      !text.includes(created.oneTimePassword) && !text.includes(row.password_hash),
      'no secret in the audit row',
    );
    assert.deepEqual((await getUser(database.db, 'ANA.collector@example.com')).id, created.id);
  });

  test('bad input is refused with every field named, and nothing is written', async () => {
    const before = (await listUsers(database.db)).length;
    await assert.rejects(
      createUser(database, {
        email: 'not-an-email',
        name: ' ',
        roles: ['root'],
        locale: 'fr',
        timeZone: 'Mars/Base',
        actor: 'x',
      }),
      (error: { code: string; issues: { field: string }[] }) => {
        assert.equal(error.code, 'validation_failed');
        assert.deepEqual(error.issues.map((i) => i.field).sort(), ['email', 'locale', 'name', 'roles', 'timeZone']);
        return true;
      },
    );
    await assert.rejects(
      createUser(database, { email: 'ana.collector@example.com', name: 'Ana', roles: ['viewer'], actor: 'x' }),
      /exists/,
    );
    assert.equal((await listUsers(database.db)).length, before);
  });

  test('change, reset, roles and disable are audited; the new password must pass the policy', async () => {
    const user = await createUser(database, {
      email: 'tom@example.com',
      name: 'Tom Treasurer',
      roles: ['viewer'],
      actor: 'key_admin',
    });
    await assert.rejects(
      changePassword(database, { user: user.id, newPassword: 'password123456', actor: user.id }),
      /newPassword: is too common/,
    );
    const changed = await changePassword(database, {
      user: user.id,
      newPassword: 'amber-lantern-oxbow-9',
      actor: user.id,
    });
    assert.equal(changed.mustChangePassword, false);

    const reset = await resetPassword(database, { user: 'tom@example.com', actor: 'key_admin' });
    assert.equal(reset.mustChangePassword, true);
    const row = await database.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    assert.equal(
      await verifyPassword(row.password_hash, 'amber-lantern-oxbow-9'),
      false,
      'the old password no longer works',
    );
    assert.equal(await verifyPassword(row.password_hash, reset.oneTimePassword), true);

    const roles = await setRoles(database, { user: user.id, roles: ['operator'], actor: 'key_admin' });
    assert.deepEqual(roles.roles, ['operator']);
    await assert.rejects(setRoles(database, { user: user.id, roles: [], actor: 'key_admin' }), /at least one role/);

    const disabled = await disableUser(database, { user: user.id, actor: 'key_admin', reason: 'left the company' });
    assert.equal(disabled.status, 'disabled');
    assert.equal((await disableUser(database, { user: user.id, actor: 'key_admin' })).status, 'disabled');

    const actions = (await readAuditLog(database.db, { entityType: 'user', entityId: user.id })).map((a) => a.action);
    assert.deepEqual(actions, [
      'user.created',
      'user.password_changed',
      'user.password_reset',
      'user.roles_set',
      'user.disabled',
    ]);
    const all = JSON.stringify(
      (await readAuditLog(database.db, { entityType: 'user', entityId: user.id })).map((a) => [
        a.before,
        a.after,
        a.reason,
      ]),
    );
    assert.ok(!all.includes('amber-lantern-oxbow-9') && !all.includes(reset.oneTimePassword));
  });

  test('an unknown user is a 404', async () => {
    await assert.rejects(getUser(database.db, 'usr_00000000000000000000000000'), { code: 'not_found' });
    await assert.rejects(disableUser(database, { user: 'nobody@example.com', actor: 'x' }), { code: 'not_found' });
  });
});
