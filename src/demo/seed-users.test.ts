/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are read field by field and each read is asserted; typing every nested shape here would restate the OpenAPI schemas */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLES } from '../auth/roles.js';
import { totpCode } from '../auth/totp.js';
import { getQueue } from '../engine/tasks/queue-store.js';
import { BrowserSession } from '../testing/browser-session.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { seedExamples } from './seed-examples.js';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, demoEmail, seedDemoUsers } from './seed-users.js';

describe('demo users', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ worker: false });
    await seedExamples(server.engine);
  });
  after(async () => server?.close());

  test('one per role, once; each signs in with the documented password (and TOTP secret where the role needs it)', async () => {
    const clock = server.engine.services.clock;
    const seeded = await seedDemoUsers(server.database, clock);
    assert.deepEqual(
      seeded.created.map((u) => u.role),
      [...ROLES],
    );
    assert.deepEqual(await seedDemoUsers(server.database, clock), { created: [] }, 'a second start adds no one');

    const collector = new BrowserSession(server);
    const signedIn = await collector.signIn(demoEmail('collector'), DEMO_PASSWORD);
    assert.equal(signedIn.status, 201, JSON.stringify(signedIn.body));
    assert.equal(signedIn.body.pending, null);
    const collectors = await getQueue(server.database.db, 'collectors');
    assert.ok(collectors?.members.includes(String(signedIn.body.user.id)), 'the collector works the collectors queue');
    assert.equal((await collector.call('GET', '/me/tasks')).status, 200);

    const approver = new BrowserSession(server);
    const pending = await approver.signIn(demoEmail('payment_approver'), DEMO_PASSWORD);
    assert.equal(pending.body.pending, 'mfa');
    const passed = await approver.call('POST', '/session/mfa', {
      json: { code: totpCode(DEMO_TOTP_SECRET, clock.now()) },
    });
    assert.equal(passed.status, 200, JSON.stringify(passed.body));
    assert.equal(passed.body.pending, null);
  });
});
