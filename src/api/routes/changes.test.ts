/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are read field by field and each read is asserted; typing every nested shape here would restate the OpenAPI schemas */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApiKey } from '../../auth/api-keys.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { signedInUser, type SignedInUser } from '../../testing/browser-session.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../../examples');
const WORKFLOW = `key: four-eyes-demo
name: Four eyes demo
steps:
  - id: done
    type: end
    outcome: done
`;

/**
 * Four-eyes changes with fourEyesChanges on (the default of `finflow serve`): workflow definitions,
 * decision versions and role grants take effect only when a second person approves them — never the
 * maker, through any session, role or key of their own, and never the user whose roles change.
 */
describe('four-eyes changes', () => {
  let server: TestServer;
  let ada: SignedInUser; // admin, the maker
  let ben: SignedInUser; // a second admin, the checker
  let mia: SignedInUser; // credit manager: reviews decisions, not workflows
  before(async () => {
    server = await startTestServer({ worker: false, config: { fourEyesChanges: true } });
    ada = await signedInUser(server, { email: 'ada@bank.test', name: 'Ada Lind', roles: ['admin'] });
    ben = await signedInUser(server, { email: 'ben@bank.test', name: 'Ben Okafor', roles: ['admin'] });
    mia = await signedInUser(server, { email: 'mia@bank.test', name: 'Mia Weber', roles: ['credit_manager'] });
  });
  after(async () => server?.close());
  const { call, expect } = apiClient(() => server);
  const ok = (reply: { status: number; body: Body; what: string }, status = 200) => {
    assert.equal(reply.status, status, `${reply.what} → ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  };

  test('the direct deploy routes refuse with 409 change_approval_required and write nothing', async () => {
    const deploy = expect(await call('POST', '/workflows', { json: { source: WORKFLOW } }), 409);
    assert.equal(deploy.code, 'change_approval_required');
    const decision = JSON.parse(readFileSync(path.join(EXAMPLES, 'decisions/loan-grade.json'), 'utf8')) as Body;
    assert.equal(
      expect(await call('PUT', '/decisions/loan-grade', { json: decision }), 409).code,
      'change_approval_required',
    );
    assert.equal(
      expect(await call('PUT', `/users/${mia.id}/roles`, { json: { roles: ['admin'] } }), 409).code,
      'change_approval_required',
    );
    assert.equal(expect(await call('GET', '/workflows/four-eyes-demo'), 404).code, 'not_found');
  });

  test('a workflow: the maker cannot approve (session or own key), a role without the permission cannot, a second admin does', async () => {
    const proposed = ok(
      await ada.session.call('POST', '/changes/workflows', { json: { source: WORKFLOW, reason: 'new flow' } }),
      201,
    );
    assert.equal(proposed.status, 'proposed');
    assert.equal(proposed.target, 'four-eyes-demo');
    assert.equal(proposed.proposedBy, ada.id);
    expect(await call('GET', '/workflows/four-eyes-demo'), 404);

    const own = ok(await ada.session.call('POST', `/changes/${proposed.id}/approve`), 409);
    assert.equal(own.code, 'separation_of_duties');
    const key = await createApiKey(server.database, { name: 'ada-cli', role: 'admin', owner: ada.id, actor: 'test' });
    const viaKey = expect(await call('POST', `/changes/${proposed.id}/approve`, { token: key.token }), 409);
    assert.equal(viaKey.code, 'separation_of_duties', 'a key of her own is still Ada');
    const manager = ok(await mia.session.call('POST', `/changes/${proposed.id}/approve`), 403);
    assert.equal(manager.permission, 'workflows:deploy');

    const approved = ok(
      await ben.session.call('POST', `/changes/${proposed.id}/approve`, { json: { reason: 'read it' } }),
    );
    assert.equal(approved.status, 'approved');
    assert.equal(approved.decidedBy, ben.id);
    assert.deepEqual((approved.result as Body).version, 1);
    expect(await call('GET', '/workflows/four-eyes-demo'), 200);
    const again = ok(await ben.session.call('POST', `/changes/${proposed.id}/approve`), 409);
    assert.equal(again.code, 'change_not_proposed');

    const audit = await server.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor', 'after'])
      .where('entity_id', '=', String(proposed.id))
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      audit.map((a) => [a.action, a.actor]),
      [
        ['change.proposed', ada.id],
        ['change.approved', ben.id],
      ],
    );
    const after = audit[1]!.after as Body;
    assert.deepEqual([after.proposedBy, after.decidedBy], [ada.id, ben.id], 'both names');
  });

  test('a decision: checked when proposed; a credit manager approves what an admin proposed; the maker may withdraw', async () => {
    const bad = ok(
      await ada.session.call('POST', '/changes/decisions/loan-grade', { json: { content: { nodes: 'no' } } }),
      400,
    );
    assert.equal(bad.errors[0].field, 'content');
    const content = JSON.parse(readFileSync(path.join(EXAMPLES, 'decisions/loan-grade.json'), 'utf8')) as Body;
    const proposed = ok(await ada.session.call('POST', '/changes/decisions/loan-grade', { json: { content } }), 201);
    const approved = ok(await mia.session.call('POST', `/changes/${proposed.id}/approve`));
    assert.equal((approved.result as Body).version, 1);
    expect(await call('GET', '/decisions/loan-grade'), 200);

    const second = ok(await mia.session.call('POST', '/changes/decisions/loan-grade', { json: { content } }), 201);
    const withdrawn = ok(
      await mia.session.call('POST', `/changes/${second.id}/reject`, { json: { reason: 'duplicate' } }),
    );
    assert.equal(withdrawn.status, 'rejected');
    const list = ok(await ben.session.call('GET', '/changes?status=proposed'));
    assert.deepEqual(list.data, []);
  });

  test('a new user gets roles only when a second admin approves; nobody approves their own roles', async () => {
    const created = ok(
      await ada.session.call('POST', '/users', {
        json: { email: 'zoe@bank.test', name: 'Zoe Park', roles: ['admin'] },
      }),
      201,
    );
    assert.deepEqual(created.roles, [], 'no roles until approved');
    assert.match(String(created.pendingChange), /^chg_/);
    assert.equal(
      ok(await ada.session.call('POST', `/changes/${created.pendingChange}/approve`), 409).code,
      'separation_of_duties',
    );

    // Ben proposes more roles for himself: Ada may approve that, Ben may not.
    const self = ok(
      await ben.session.call('POST', `/changes/user-roles/${ben.id}`, { json: { roles: ['admin', 'auditor'] } }),
      201,
    );
    assert.equal(ok(await ben.session.call('POST', `/changes/${self.id}/approve`), 409).code, 'separation_of_duties');

    const granted = ok(await ben.session.call('POST', `/changes/${created.pendingChange}/approve`));
    assert.deepEqual((granted.result as Body).roles, ['admin']);
    const zoe = expect(await call('GET', '/users/zoe@bank.test'), 200);
    assert.deepEqual(zoe.roles, ['admin']);
  });
});
