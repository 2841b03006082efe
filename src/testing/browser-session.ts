/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are read field by field by tests, which assert each read */
import assert from 'node:assert/strict';
import { totpCode } from '../auth/totp.js';
import { createUser } from '../auth/users.js';
import type { Clock } from '../core/clock.js';
import type { Reply } from './api-client.js';
import type { TestServer } from './test-server.js';

/**
 * A browser as the API sees it: it keeps the session cookie, and sends the session's CSRF token on
 * writes, as the console does. `call` goes to /api/v1 with no API key.
 */
export class BrowserSession {
  cookie: string | null = null;
  csrfToken: string | null = null;
  constructor(readonly server: TestServer) {}

  async call(method: string, path: string, init: { json?: unknown; csrf?: boolean } = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    const write = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    if (write && this.csrfToken && init.csrf !== false) headers['x-csrf-token'] = this.csrfToken;
    const res = await this.server.call(`/api/v1${path}`, {
      method,
      headers,
      token: null,
      ...(init.json !== undefined ? { json: init.json } : {}),
    });
    const set = res.headers.get('set-cookie');
    if (set) {
      const [pair] = set.split(';');
      this.cookie = /=$/.test(pair!) || /Max-Age=0/i.test(set) ? null : pair!;
    }
    const text = await res.text();
    const body = text ? (JSON.parse(text) as Record<string, any>) : {};
    const csrf = (body.csrfToken ?? (body.session as { csrfToken?: unknown } | undefined)?.csrfToken) as unknown;
    if (typeof csrf === 'string') this.csrfToken = csrf;
    return { status: res.status, body, what: `${method} ${path} (session)` };
  }

  signIn(email: string, password: string): Promise<Reply> {
    return this.call('POST', '/session', { json: { email, password } });
  }
}

export const TEST_PASSWORD = 'correct horse battery staple of finflow';

export interface SignedInUser {
  id: string;
  email: string;
  session: BrowserSession;
  /** The TOTP secret enrolled, when the roles required one. */
  totpSecret: string | null;
}

/**
 * A user created with `roles` and signed in through every step a person takes: the one-time
 * password, the new password, and TOTP enrollment when a role requires it.
 */
export async function signedInUser(
  server: TestServer,
  input: { email: string; name: string; roles: string[] },
  clock: Clock = { now: () => new Date() },
): Promise<SignedInUser> {
  const created = await createUser(server.database, { ...input, actor: 'test' });
  const session = new BrowserSession(server);
  const ok = (reply: Reply, status = 200) => {
    assert.equal(reply.status, status, `${reply.what} → ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
  let state = ok(await session.signIn(input.email, created.oneTimePassword), 201);
  assert.equal(state.pending, 'password_change');
  state = ok(
    await session.call('POST', '/session/password', {
      json: { currentPassword: created.oneTimePassword, newPassword: TEST_PASSWORD },
    }),
  );
  let totpSecret: string | null = null;
  if (state.pending === 'mfa_enrollment') {
    const enrollment = ok(await session.call('POST', '/session/mfa/enrollment'));
    totpSecret = String(enrollment.secret);
    const confirmed = ok(
      await session.call('POST', '/session/mfa/enrollment/confirm', {
        json: { code: totpCode(totpSecret, clock.now()) },
      }),
    );
    state = confirmed.session as Record<string, any>;
  }
  assert.equal(state.pending, null, JSON.stringify(state));
  return { id: created.id, email: created.email, session, totpSecret };
}
