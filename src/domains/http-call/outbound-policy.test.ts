import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { loadConfig } from '../../config/config.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { createWebhookDispatcher } from '../webhooks/outbound/webhooks-module.js';
import { nonPublicReason, OutboundRefused, outboundPolicy, type Resolver } from '../../net/outbound-policy.js';

/**
 * The outbound URL policy that webhooks and http.request share: no credentials in URLs, public hosts
 * only unless configured, and the address actually connected to is checked (DNS rebinding). Every
 * request here goes to 127.0.0.1, or is refused before a connection is made.
 */

/** A local HTTP server counting connections: a refused request must never open one. */
class Local {
  server: Server = createServer((req, res) => {
    this.requests += 1;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  connections = 0;
  requests = 0;
  port = 0;
  async start(): Promise<this> {
    this.server.on('connection', () => (this.connections += 1));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const at = (address: string): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 });

/** Resolves names from a table; each call takes the next answer (the last one repeats). */
function scriptedResolver(answers: Record<string, string[][]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = (hostname: string) => {
    calls.push(hostname);
    const list = answers[hostname];
    if (!list)
      return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    const answer = list.length > 1 ? list.shift()! : list[0]!;
    return Promise.resolve(answer.map(at));
  };
  return Object.assign(resolve, { calls });
}

const refused = async (promise: Promise<unknown>, pattern: RegExp) => {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof OutboundRefused, String(error));
    assert.match(error.message, pattern);
    return true;
  });
};

describe('outbound URL policy', () => {
  let local: Local;
  before(async () => {
    local = await new Local().start();
  });
  after(() => local.close());

  test('non-public addresses are recognised in every notation; public ones pass', () => {
    const closed = [
      '127.0.0.1',
      '127.1.2.3',
      '0.0.0.0',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '::ffff:0:10.0.0.1',
      '::127.0.0.1',
      '64:ff9b::169.254.169.254',
      '2002:7f00:1::1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'fe80::1%eth0',
      'ff02::1',
      '2001:db8::1',
    ];
    for (const address of closed) assert.ok(nonPublicReason(address), `${address} should be refused`);
    for (const address of ['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(nonPublicReason(address), undefined, address);
    }
  });

  test('credentials, other schemes and non-public hosts are refused without the allowance', async () => {
    const policy = outboundPolicy({ resolve: scriptedResolver({ 'internal.example': [['10.1.2.3']] }) });
    await refused(policy.check('https://user:pass@example.com/hook'), /must not hold credentials/);
    await refused(policy.check('https://token@example.com/hook'), /must not hold credentials/);
    await refused(policy.check('ftp://example.com/x'), /http:\/\/ or https:\/\//);
    await refused(policy.check('file:///etc/passwd'), /http:\/\/ or https:\/\//);
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://[::1]:8080/',
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://0.0.0.0/',
      'http://[::ffff:127.0.0.1]/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'http://internal.example/',
    ]) {
      await refused(policy.check(url), /outboundAllow/);
    }
    // The real resolver: localhost is a loopback name.
    await refused(
      outboundPolicy().check(`http://localhost:${local.port}/`),
      /localhost \((127\.0\.0\.1|::1)\) is a loopback/,
    );
    // A public host passes; a name that does not resolve now is left to the connect-time check.
    const publicPolicy = outboundPolicy({ resolve: scriptedResolver({ 'hooks.example': [['93.184.216.34']] }) });
    await publicPolicy.check('https://hooks.example/x');
    await publicPolicy.check('https://8.8.8.8/x');
    await publicPolicy.check('https://unknown.example/x');
  });

  test('the allowance admits exactly what it lists: addresses, CIDRs, names', async () => {
    const resolve = scriptedResolver({ 'core.internal': [['10.20.0.5']], 'bureau.corp': [['192.168.7.7']] });
    const policy = outboundPolicy({
      allow: ['127.0.0.1', '::1', '10.20.0.0/16', 'fd00::/8', 'bureau.corp', '*.svc.local'],
      resolve,
    });
    for (const url of [
      'http://127.0.0.1:9/',
      'http://[::1]:9/',
      'http://[::ffff:127.0.0.1]:9/',
      'http://10.20.3.4/',
      'http://core.internal/',
      'http://[fd00::5]/',
      'http://bureau.corp/',
      'http://api.svc.local/',
    ]) {
      await policy.check(url);
    }
    assert.ok(!resolve.calls.includes('bureau.corp'), 'an allowed name is not even resolved');
    for (const url of ['http://127.0.0.2/', 'http://10.21.0.1/', 'http://169.254.169.254/', 'http://[fe80::1]/']) {
      await refused(policy.check(url), /outboundAllow/);
    }
    await refused(policy.check('https://u:p@127.0.0.1/'), /credentials/);
    await outboundPolicy({ allow: ['localhost'] }).check(`http://localhost:${local.port}/`);
    await outboundPolicy({ allow: ['127.0.0.1', '::1'] }).check(`http://localhost:${local.port}/`);

    assert.throws(() => outboundPolicy({ allow: ['10.0.0.0/33'] }), /not a CIDR/);
    assert.throws(
      () => loadConfig({ env: { FINFLOW_OUTBOUND_ALLOW: '127.0.0.1, not a host!' } }),
      /FINFLOW_OUTBOUND_ALLOW.*not an IP address, a CIDR or a host name/,
    );
    assert.deepEqual(
      loadConfig({ env: { FINFLOW_OUTBOUND_ALLOW: '127.0.0.1, 10.0.0.0/8,core.internal' } }).outboundAllow,
      ['127.0.0.1', '10.0.0.0/8', 'core.internal'],
    );
    assert.deepEqual(loadConfig({ env: {} }).outboundAllow, []);
  });

  test('requests: refused before connecting without the allowance, sent with it', async () => {
    const url = `http://127.0.0.1:${local.port}/x`;
    const before = local.connections;
    await refused(outboundPolicy().fetch(url, { method: 'POST', body: '{}' }), /127\.0\.0\.1 is a loopback address/);
    await refused(outboundPolicy().fetch(`http://localhost:${local.port}/x`, { method: 'GET' }), /loopback/);
    assert.equal(local.connections, before, 'no connection was opened');

    const response = await outboundPolicy({ allow: ['127.0.0.1'] }).fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true });
  });

  test('DNS rebinding: the address connected to is checked, not the one seen at registration', async () => {
    const before = local.connections;
    // Public when the URL is registered, loopback when the request connects.
    const resolve = scriptedResolver({ 'rebind.example': [['93.184.216.34'], ['127.0.0.1']] });
    const policy = outboundPolicy({ resolve });
    const url = `http://rebind.example:${local.port}/hook`;
    await policy.check(url);
    await refused(policy.fetch(url, { method: 'POST', body: '{}' }), /rebind\.example \(127\.0\.0\.1\) is a loopback/);
    assert.deepEqual(resolve.calls, ['rebind.example', 'rebind.example']);
    // A name with one allowed and one refused address is refused as a whole.
    const mixed = outboundPolicy({
      allow: ['127.0.0.1'],
      resolve: scriptedResolver({ 'mixed.example': [['127.0.0.1', '10.0.0.1']] }),
    });
    await refused(mixed.fetch(`http://mixed.example:${local.port}/`, { method: 'GET' }), /10\.0\.0\.1/);
    assert.equal(local.connections, before, 'no connection was opened');

    // With the address allowed, the same name connects through the policy's own lookup.
    const allowed = outboundPolicy({
      allow: ['127.0.0.1'],
      resolve: scriptedResolver({ 'rebind.example': [['127.0.0.1']] }),
    });
    assert.equal((await allowed.fetch(url, { method: 'GET' })).status, 200);
  });
});

describe('outbound URL policy in webhooks and http.request', () => {
  let local: Local;
  let closed: TestServer;
  let open: TestServer;
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');

  before(async () => {
    local = await new Local().start();
    closed = await startTestServer({ clock, worker: false, config: { outboundAllow: [] } });
    open = await startTestServer({ clock, worker: false }); // allows 127.0.0.1, as tests do
  });
  after(async () => {
    await closed.close();
    await open.close();
    await local.close();
  });

  const problem = async (response: Response) => {
    const text = await response.text();
    assert.equal(response.status, 400, text);
    const body = JSON.parse(text) as { code: string; errors: Array<{ field: string; message: string }> };
    assert.equal(body.code, 'validation_failed');
    return body.errors[0]!;
  };

  test('registering a webhook: credentials and non-public hosts → 400 naming body.url', async () => {
    const post = (server: TestServer, url: string) =>
      server.call('/api/v1/webhooks', { method: 'POST', json: { url, eventTypes: ['*'] } });
    const credentials = await problem(await post(open, 'https://user:secret-pass@example.com/hook'));
    assert.equal(credentials.field, 'body.url');
    assert.match(credentials.message, /must not hold credentials/);
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/hook',
      'http://[::1]:8080/hook',
      `http://localhost:${local.port}/hook`,
      `http://127.0.0.1:${local.port}/hook`,
    ]) {
      const issue = await problem(await post(closed, url));
      assert.equal(issue.field, 'body.url', url);
      assert.match(issue.message, /outboundAllow/);
    }
    // The allowance (127.0.0.1 on the test server) admits the address, and only it.
    const created = await post(open, `http://127.0.0.1:${local.port}/hook`);
    const createdText = await created.text();
    assert.equal(created.status, 201, createdText);
    const { id } = JSON.parse(createdText) as { id: string };
    assert.equal((await problem(await post(open, 'http://10.0.0.1/hook'))).field, 'body.url');
    const patched = await problem(
      await open.call(`/api/v1/webhooks/${id}`, { method: 'PATCH', json: { url: 'http://169.254.169.254/' } }),
    );
    assert.equal(patched.field, 'body.url');
    const withCredentials = await problem(
      await open.call(`/api/v1/webhooks/${id}`, { method: 'PATCH', json: { url: 'https://a:b@example.com/' } }),
    );
    assert.equal(withCredentials.field, 'body.url');
    assert.equal((await open.call(`/api/v1/webhooks/${id}`, { method: 'DELETE' })).status, 204);
  });

  test('sending: a delivery to a host the policy refuses fails with the reason recorded, nothing is sent', async () => {
    // Registered where 127.0.0.1 is allowed, delivered by a dispatcher whose policy does not allow it
    // (as after the allowance was removed from the config).
    const created = await open.call('/api/v1/webhooks', {
      method: 'POST',
      json: { url: `http://127.0.0.1:${local.port}/refused`, eventTypes: ['policy.test'] },
    });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    // A subscription stored before credentials were refused: shown without them, refused when sent.
    await open.database.db
      .updateTable('webhook_subscriptions')
      .set({ url: `http://user:stored-password@127.0.0.1:${local.port}/old` })
      .where('id', '=', id)
      .execute();
    const shown = await (await open.call(`/api/v1/webhooks/${id}`)).text();
    assert.ok(!shown.includes('stored-password'), shown);
    assert.match(shown, /\[redacted\]@127\.0\.0\.1/);

    const event = await open.call('/api/v1/events', {
      method: 'POST',
      json: { type: 'policy.test', key: 'p-1', data: {} },
    });
    assert.equal(event.status, 202, await event.text());
    const requestsBefore = local.requests;
    const connectionsBefore = local.connections;
    const counts = await createWebhookDispatcher({ database: open.database, clock }).runDue();
    assert.equal(counts.attempted, 1);
    assert.equal(counts.retrying, 1);
    const list = (await (await open.call(`/api/v1/webhooks/${id}/deliveries`)).json()) as {
      data: Array<{ id: string; lastError: string }>;
    };
    assert.match(list.data[0]!.lastError, /refused by the outbound URL policy: the URL must not hold credentials/);

    // Without credentials, but to a loopback address the dispatcher's policy does not allow.
    await open.database.db
      .updateTable('webhook_subscriptions')
      .set({ url: `http://127.0.0.1:${local.port}/refused` })
      .where('id', '=', id)
      .execute();
    clock.advance(24 * 60 * 60 * 1000);
    await createWebhookDispatcher({ database: open.database, clock }).runDue();
    const detail = (await (await open.call(`/api/v1/webhook-deliveries/${list.data[0]!.id}`)).json()) as {
      lastError: string;
    };
    assert.match(detail.lastError, /refused by the outbound URL policy: 127\.0\.0\.1 is a loopback address/);
    assert.equal(local.requests, requestsBefore);
    assert.equal(local.connections, connectionsBefore);
    await open.call(`/api/v1/webhooks/${id}`, { method: 'DELETE' });
  });

  test('http.request: a refused host fails the step at once with the reason; an allowed one is called', async () => {
    const yaml = `
key: call-out
name: Call out
input: { type: object, properties: { url: { type: string } } }
steps:
  - id: call
    type: action
    action: http.request
    with: { url: '{{ input.url }}' }
`;
    const runOn = async (server: TestServer, url: string) => {
      const deployed = await server.call('/api/v1/workflows', {
        method: 'POST',
        headers: { 'content-type': 'application/yaml' },
        body: yaml,
      });
      assert.ok(deployed.status === 201 || deployed.status === 200, await deployed.text());
      const started = await server.call('/api/v1/workflows/call-out/instances', {
        method: 'POST',
        json: { input: { url } },
      });
      const startedText = await started.text();
      assert.equal(started.status, 201, startedText);
      const { id } = JSON.parse(startedText) as { id: string };
      await server.engine.createWorker().runUntilIdle();
      return (await (await server.call(`/api/v1/instances/${id}`)).json()) as {
        status: string;
        error: { message: string; attempt: number } | null;
      };
    };
    const before = local.connections;
    for (const [url, reason] of [
      [`http://127.0.0.1:${local.port}/x`, /127\.0\.0\.1 is a loopback address/],
      [`http://localhost:${local.port}/x`, /localhost \(.*\) is a loopback address/],
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
      ['http://[::1]:9/', /::1 is a loopback address/],
      [`http://user:pw@127.0.0.1:${local.port}/x`, /must not hold credentials/],
    ] as const) {
      const instance = await runOn(closed, url);
      assert.equal(instance.status, 'failed', url);
      assert.match(instance.error!.message, reason);
      assert.equal(instance.error!.attempt, 1, 'not retried: the same URL is refused again');
    }
    assert.equal(local.connections, before, 'no connection was opened');

    const allowed = await runOn(open, `http://127.0.0.1:${local.port}/x`);
    assert.equal(allowed.status, 'completed', JSON.stringify(allowed));
  });
});
