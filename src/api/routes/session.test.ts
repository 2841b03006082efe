/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   response bodies are read field by field and each read is asserted; typing every nested shape here would restate the OpenAPI schemas */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApiKey } from '../../auth/api-keys.js';
import { LOCK_MS, MAX_FAILED_SIGN_INS } from '../../auth/sign-in.js';
import { SESSION_IDLE_MS } from '../../auth/sessions.js';
import { totpCode } from '../../auth/totp.js';
import { createUser, disableUser } from '../../auth/users.js';
import { ManualClock } from '../../core/clock.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { BrowserSession, signedInUser, TEST_PASSWORD } from '../../testing/browser-session.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * Signing in from a browser, as a person does it and as an attacker tries it: every refusal is a
 * clear 401/403 problem and writes nothing but the audit row of the failure (and the failure count
 * that locks the account).
 */
describe('browser sessions', () => {
  let server: TestServer;
  const clock = new ManualClock('2026-12-07T09:00:00.000Z');
  before(async () => {
    server = await startTestServer({ worker: false, clock });
  });
  after(async () => server?.close());
  const { call, expect } = apiClient(() => server);
  const ok = (reply: { status: number; body: Record<string, unknown>; what: string }, status = 200) => {
    assert.equal(reply.status, status, `${reply.what} → ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body as Body;
  };
  const auditActions = async (entityId: string) =>
    (
      await server.database.db
        .selectFrom('audit_log')
        .select('action')
        .where('entity_id', '=', entityId)
        .orderBy('seq')
        .execute()
    ).map((r) => r.action);
  const sessionCount = async (userId: string) =>
    Number(
      (
        await server.database.db
          .selectFrom('user_sessions')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  test('first sign-in: one-time password → new password → TOTP enrollment (QR) → signed in; each step gated', async () => {
    const created = await createUser(server.database, {
      email: 'olga@bank.test',
      name: 'Olga Petrova',
      roles: ['credit_officer'],
      actor: 'test',
    });
    const browser = new BrowserSession(server);
    const opened = ok(await browser.signIn('OLGA@bank.test ', created.oneTimePassword), 201);
    assert.equal(opened.pending, 'password_change');
    assert.equal(opened.user.id, created.id);
    assert.ok(browser.cookie?.startsWith('finflow_session='));

    // Pending: nothing else is reachable, by GET or by write.
    assert.equal(ok(await browser.call('GET', '/me/tasks'), 403).code, 'password_change_required');
    // A weak new password is refused, naming the field.
    const weak = ok(
      await browser.call('POST', '/session/password', {
        json: { currentPassword: created.oneTimePassword, newPassword: 'password1234' },
      }),
      400,
    );
    assert.equal(weak.errors[0].field, 'body.newPassword');
    const changed = ok(
      await browser.call('POST', '/session/password', {
        json: { currentPassword: created.oneTimePassword, newPassword: TEST_PASSWORD },
      }),
    );
    assert.equal(changed.pending, 'mfa_enrollment', 'a credit officer must enroll a second factor');
    assert.equal(ok(await browser.call('GET', '/customers'), 403).code, 'mfa_enrollment_required');

    const enrollment = ok(await browser.call('POST', '/session/mfa/enrollment'));
    assert.match(enrollment.otpauthUri, /^otpauth:\/\/totp\/finflow:olga%40bank\.test\?.*secret=[A-Z2-7]+/);
    assert.match(enrollment.qrSvg, /^<svg[^>]*>[\s\S]*<path/);
    const wrong = ok(await browser.call('POST', '/session/mfa/enrollment/confirm', { json: { code: '000000' } }), 422);
    assert.equal(wrong.code, 'totp_invalid');
    const confirmed = ok(
      await browser.call('POST', '/session/mfa/enrollment/confirm', {
        json: { code: totpCode(enrollment.secret, clock.now()) },
      }),
    );
    assert.equal(confirmed.recoveryCodes.length, 10);
    assert.equal(confirmed.session.pending, null);
    assert.equal(confirmed.session.mfaEnrolled, true);
    assert.ok(confirmed.session.permissions.includes('credit:apply'));
    assert.ok(!confirmed.session.permissions.includes('ledger:post'));

    ok(await browser.call('GET', '/me/tasks'));
    ok(await browser.call('GET', '/customers'));
    // The role's limits hold for a session as for a key.
    const refused = ok(await browser.call('POST', '/ledger/accounts', { json: {} }), 403);
    assert.equal(refused.code, 'forbidden');
    assert.deepEqual(refused.roles, ['credit_officer']);
    assert.deepEqual(await auditActions(created.id), [
      'user.created',
      'user.signed_in',
      'user.password_changed',
      'user.mfa_enrollment_started',
      'user.mfa_enrolled',
    ]);
  });

  test('a person changes their own language and time zone; bad values name the field', async () => {
    const { id, session } = await signedInUser(server, {
      email: 'ines@bank.test',
      name: 'Inés Mora',
      roles: ['viewer'],
    });
    const changed = ok(await session.call('PATCH', '/me', { json: { locale: 'es', timeZone: 'Europe/Madrid' } }));
    assert.deepEqual([changed.locale, changed.timeZone, changed.name], ['es', 'Europe/Madrid', 'Inés Mora']);
    const bad = ok(await session.call('PATCH', '/me', { json: { locale: 'fr', timeZone: 'Mars/Olympus' } }), 400);
    assert.deepEqual(
      (bad.errors as Array<{ field: string }>).map((e) => e.field),
      ['body.locale', 'body.timeZone'],
    );
    ok(await session.call('PATCH', '/me', { json: { locale: 'es' } })); // the same again: nothing written
    assert.equal((await auditActions(id)).filter((a) => a === 'user.profile_updated').length, 1);
    expect(await call('PATCH', '/me', { json: { locale: 'es' } }), 401); // an API key has no profile
  });

  test('writes need the CSRF token; the session names the user in the audit log', async () => {
    const { id, session } = await signedInUser(server, {
      email: 'ana@bank.test',
      name: 'Ana Ruiz',
      roles: ['collector'],
    });
    const customer = { externalId: 'CSRF-1', name: 'Lucía Fernández' };
    const forged = ok(await session.call('POST', '/customers', { json: customer, csrf: false }), 403);
    assert.equal(forged.code, 'csrf_token_invalid');
    // A collector may not create customers: the permission check still applies after CSRF.
    assert.equal(ok(await session.call('POST', '/customers', { json: customer }), 403).code, 'forbidden');
    const { session: teller } = await signedInUser(
      server,
      { email: 'tom@bank.test', name: 'Tom Berg', roles: ['collector', 'operator'] },
      clock,
    );
    const created = ok(await teller.call('POST', '/customers', { json: customer }), 201);
    const row = await server.database.db
      .selectFrom('audit_log')
      .select('actor')
      .where('entity_id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.match(row.actor, /^usr_/, 'the user, not a key, is the actor');
    assert.notEqual(row.actor, id);
  });

  test('second factor at sign-in: wrong code, replayed code, then a fresh one; a recovery code works once', async () => {
    const user = await signedInUser(
      server,
      { email: 'carl@bank.test', name: 'Carl Jensen', roles: ['treasurer'] },
      clock,
    );
    const browser = new BrowserSession(server);
    const opened = ok(await browser.signIn(user.email, TEST_PASSWORD), 201);
    assert.equal(opened.pending, 'mfa');
    assert.equal(ok(await browser.call('GET', '/ledger/accounts'), 403).code, 'mfa_required');
    assert.equal(
      ok(await browser.call('POST', '/session/mfa', { json: { code: '123456' } }), 401).code,
      'totp_invalid',
    );
    // The code used to confirm enrollment, in the same 30 s step: refused as a replay.
    const replay = ok(
      await browser.call('POST', '/session/mfa', { json: { code: totpCode(user.totpSecret!, clock.now()) } }),
      401,
    );
    assert.equal(replay.code, 'totp_replayed');
    clock.advance(30_000);
    const passed = ok(
      await browser.call('POST', '/session/mfa', { json: { code: totpCode(user.totpSecret!, clock.now()) } }),
    );
    assert.equal(passed.pending, null);
    ok(await browser.call('GET', '/ledger/accounts'));

    // Recovery codes: from a fresh enrollment of another user, used once each.
    const created = await createUser(server.database, {
      email: 'rita@bank.test',
      name: 'Rita Moreno',
      roles: ['payment_approver'],
      actor: 'test',
    });
    const first = new BrowserSession(server);
    ok(await first.signIn(created.email, created.oneTimePassword), 201);
    ok(
      await first.call('POST', '/session/password', {
        json: { currentPassword: created.oneTimePassword, newPassword: TEST_PASSWORD },
      }),
    );
    const { secret } = ok(await first.call('POST', '/session/mfa/enrollment'));
    const { recoveryCodes } = ok(
      await first.call('POST', '/session/mfa/enrollment/confirm', { json: { code: totpCode(secret, clock.now()) } }),
    );
    const second = new BrowserSession(server);
    ok(await second.signIn(created.email, TEST_PASSWORD), 201);
    const recovered = ok(
      await second.call('POST', '/session/mfa', { json: { recoveryCode: recoveryCodes[0].toUpperCase() } }),
    );
    assert.equal(recovered.pending, null);
    const third = new BrowserSession(server);
    ok(await third.signIn(created.email, TEST_PASSWORD), 201);
    const again = ok(await third.call('POST', '/session/mfa', { json: { recoveryCode: recoveryCodes[0] } }), 401);
    assert.equal(again.code, 'recovery_code_invalid');

    // A lost phone: an admin removes the factor; the user's sessions end and the next sign-in enrolls again.
    const reset = expect(await call('POST', `/users/${created.id}/reset-mfa`, { json: { reason: 'lost phone' } }), 200);
    assert.equal(reset.id, created.id);
    assert.equal(ok(await second.call('GET', '/ledger/accounts'), 401).code, 'session_expired');
    const fresh = new BrowserSession(server);
    assert.equal(ok(await fresh.signIn(created.email, TEST_PASSWORD), 201).pending, 'mfa_enrollment');
    assert.equal(
      ok(await fresh.call('POST', '/session/mfa', { json: { recoveryCode: recoveryCodes[1] } }), 409).code,
      'not_pending',
    );
  });

  test('wrong and unknown passwords: the same 401; five in a row lock the account, even for the right password', async () => {
    const { id, email } = await signedInUser(server, { email: 'lock@bank.test', name: 'Lars Holm', roles: ['viewer'] });
    const sessionsBefore = await sessionCount(id);
    const browser = new BrowserSession(server);
    const unknown = ok(await browser.signIn('nobody@bank.test', TEST_PASSWORD), 401);
    const wrong = ok(await browser.signIn(email, 'not the password at all'), 401);
    assert.equal(unknown.code, 'sign_in_failed');
    assert.equal(wrong.code, 'sign_in_failed');
    assert.equal(unknown.detail, wrong.detail, 'an unknown email and a wrong password read the same');
    for (let i = 1; i < MAX_FAILED_SIGN_INS - 1; i++) ok(await browser.signIn(email, `wrong password ${i}`), 401);
    const locked = ok(await browser.signIn(email, 'the fifth wrong one'), 403);
    assert.equal(locked.code, 'account_locked');
    assert.equal(ok(await browser.signIn(email, TEST_PASSWORD), 403).code, 'account_locked');
    assert.equal(browser.cookie, null);
    assert.equal(await sessionCount(id), sessionsBefore, 'no session was opened');
    const actions = await auditActions(id);
    assert.equal(actions.filter((a) => a === 'user.sign_in_failed').length, MAX_FAILED_SIGN_INS);
    assert.equal(actions.at(-1), 'user.sign_in_refused');
    assert.deepEqual(await auditActions('nobody@bank.test'), ['user.sign_in_failed']);

    clock.advance(LOCK_MS);
    assert.equal(ok(await browser.signIn(email, TEST_PASSWORD), 201).pending, null);
  });

  test('sign-out, sign-out everywhere, idle timeout and a disabled user end sessions', async () => {
    const user = await signedInUser(server, { email: 'eve@bank.test', name: 'Eve Adams', roles: ['auditor'] });
    const other = new BrowserSession(server);
    ok(await other.signIn(user.email, TEST_PASSWORD), 201);
    const stale = user.session.cookie;

    expect(await call('GET', '/session'), 401); // an API key has no session
    ok(await user.session.call('DELETE', '/session'), 204);
    assert.equal(user.session.cookie, null);
    const reused = new BrowserSession(server);
    reused.cookie = stale;
    assert.equal(ok(await reused.call('GET', '/session'), 401).code, 'session_expired');

    const otherCookie = other.cookie;
    const ended = ok(await other.call('POST', '/session/sign-out-everywhere'));
    assert.equal(ended.sessionsEnded, 1);
    assert.equal(other.cookie, null, 'the cookie is cleared');
    other.cookie = otherCookie;
    assert.equal(ok(await other.call('GET', '/audit'), 401).code, 'session_expired');

    const idle = new BrowserSession(server);
    ok(await idle.signIn(user.email, TEST_PASSWORD), 201);
    ok(await idle.call('GET', '/audit'));
    clock.advance(SESSION_IDLE_MS);
    assert.equal(ok(await idle.call('GET', '/audit'), 401).code, 'session_expired');

    const live = new BrowserSession(server);
    ok(await live.signIn(user.email, TEST_PASSWORD), 201);
    await disableUser(server.database, { user: user.id, actor: 'test' });
    assert.equal(ok(await live.call('GET', '/audit'), 401).code, 'session_expired');
    assert.equal(ok(await live.signIn(user.email, TEST_PASSWORD), 403).code, 'user_disabled');
  });

  test("a user's own API key acts as that user: it cannot add a role, and stops with the user", async () => {
    const user = await signedInUser(server, { email: 'kim@bank.test', name: 'Kim Lee', roles: ['collector'] });
    await assert.rejects(
      createApiKey(server.database, { name: 'kim-admin', role: 'admin', owner: user.id, actor: 'test' }),
      /does not hold the role admin/,
    );
    const key = await createApiKey(server.database, {
      name: 'kim-script',
      role: 'collector',
      owner: user.email,
      actor: 'test',
    });
    assert.equal(key.owner, user.id);
    const mine = expect(await call('GET', '/me/tasks', { token: key.token }), 200);
    assert.deepEqual(mine.data, []);
    await disableUser(server.database, { user: user.id, actor: 'test' });
    expect(await call('GET', '/me/tasks', { token: key.token }), 401);
  });
});

describe('sign-in throttle per address', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ worker: false });
  });
  after(async () => server?.close());

  test('20 failed sign-ins from one address in 10 minutes: the 21st is 429 with Retry-After, before any password check', async () => {
    const browser = new BrowserSession(server);
    for (let i = 0; i < 20; i++) {
      const reply = await browser.signIn(`spray${i}@bank.test`, 'Summer2026!');
      assert.equal(reply.status, 401);
    }
    const res = await server.call('/api/v1/session', {
      method: 'POST',
      token: null,
      json: { email: 'spray-last@bank.test', password: 'Summer2026!' },
    });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    assert.equal(((await res.json()) as { code: string }).code, 'too_many_sign_ins');
    const audited = await server.database.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('entity_id', '=', 'spray-last@bank.test')
      .execute();
    assert.deepEqual(audited, [], 'the refused attempt never reached the users table');
  });
});
