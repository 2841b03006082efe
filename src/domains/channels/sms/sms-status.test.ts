import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { loadConfig, type Config } from '../../../config/config.js';
import { secretStore } from '../../../config/secrets.js';
import { systemClock } from '../../../core/clock.js';
import type { DomainContext } from '../../contract.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';
import { startFakeTwilio, type FakeTwilio } from '../../../testing/fake-twilio.js';
import { createSmsProvider } from './sms-provider.js';
import { smsStatusRoutes } from './sms-status-routes.js';
import { messageSignature, smsStatusCallbackUrl, twilioSignature } from './sms-status.js';

/**
 * The status route is mounted through `startTestServer({ routes })` on a context whose database and
 * engine are the server's own — bound lazily, since they exist only once the server runs. (When the
 * channels module mounts the same route, its copy answers first; both behave the same.)
 */
async function serverWithStatusRoute(overrides: Partial<Config>, secrets: Record<string, string>): Promise<TestServer> {
  const started: { server?: TestServer } = {};
  const config = loadConfig({ env: {}, overrides });
  const context: DomainContext = {
    get database() {
      return started.server!.database;
    },
    get engine() {
      return started.server!.engine;
    },
    clock: systemClock,
    config,
    secrets: secretStore(secrets),
    publicUrl: () => config.publicUrl ?? started.server!.url,
  };
  started.server = await startTestServer({
    config: overrides,
    secrets,
    routes: [smsStatusRoutes(context)],
    worker: false,
  });
  return started.server;
}

async function insertMessage(server: TestServer, id: string, providerId: string | null): Promise<void> {
  await sql`
    insert into channel_messages (id, channel, recipient, body_text, status, provider_id, created_at, updated_at)
    values (${id}, 'sms', '+34600111222', 'Recordatorio', 'sent', ${providerId}, now(), now())`.execute(
    server.database.db,
  );
}

async function messageRow(server: TestServer, id: string) {
  const { rows } = await sql<{ status: string; error: string | null }>`
    select status, error from channel_messages where id = ${id}`.execute(server.database.db);
  return rows[0];
}

async function events(server: TestServer, key: string) {
  const { rows } = await sql<{ data: Record<string, unknown>; published_by: string }>`
    select data, published_by from wf_events where type = 'message.delivery_status' and key = ${key}
    order by published_at`.execute(server.database.db);
  return rows;
}

describe('SMS status callbacks, twilio profile', () => {
  let fake: FakeTwilio;
  let server: TestServer;

  before(async () => {
    fake = await startFakeTwilio();
    server = await serverWithStatusRoute(
      { smsUrl: fake.url, smsAccount: fake.account },
      { SMS_AUTH_TOKEN: fake.token },
    );
  });
  after(async () => {
    await server.close();
    await fake.close();
  });

  /** Sends through the provider to the fake with a signed callback URL, and records the message row. */
  async function sent(id: string): Promise<string> {
    const sms = createSmsProvider(
      loadConfig({ env: {}, overrides: { smsUrl: fake.url, smsAccount: fake.account } }),
      secretStore({ SMS_AUTH_TOKEN: fake.token }),
    );
    const { providerId } = await sms.send({
      to: '+34600111222',
      body: 'Recordatorio',
      idempotencyKey: `key-${id}`,
      statusCallbackUrl: smsStatusCallbackUrl(server.url, id, fake.token),
    });
    await insertMessage(server, id, providerId);
    return providerId;
  }

  test('a signed "delivered" callback marks the message delivered and publishes message.delivery_status', async () => {
    const sid = await sent('msg_delivered');
    const response = await fake.sendStatus(sid, 'delivered');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true });
    assert.deepEqual(await messageRow(server, 'msg_delivered'), { status: 'delivered', error: null });
    const published = await events(server, 'msg_delivered');
    assert.equal(published.length, 1);
    assert.equal(published[0]!.published_by, 'sms:provider');
    assert.deepEqual(published[0]!.data, {
      messageId: 'msg_delivered',
      channel: 'sms',
      status: 'delivered',
      providerStatus: 'delivered',
      customerId: null,
      errorCode: null,
    });
    const audit = await sql<{ action: string }>`
      select action from audit_log where entity_id = 'msg_delivered'`.execute(server.database.db);
    assert.deepEqual(audit.rows, [{ action: 'channel_message.delivery_status' }]);
  });

  test('a repeated or late callback answers 200 and changes nothing (delivered is final)', async () => {
    const sid = [...fake.messages.values()].find((m) => m.statusCallback?.includes('msg_delivered'))!.sid;
    assert.equal((await fake.sendStatus(sid, 'delivered')).status, 200);
    assert.equal((await fake.sendStatus(sid, 'sent')).status, 200);
    assert.equal((await fake.sendStatus(sid, 'undelivered', '30003')).status, 200);
    assert.deepEqual(await messageRow(server, 'msg_delivered'), { status: 'delivered', error: null });
    assert.equal((await events(server, 'msg_delivered')).length, 1);
  });

  test('"sent" changes nothing; "undelivered" records the error code; a later "delivered" still wins', async () => {
    const sid = await sent('msg_undelivered');
    await fake.sendStatus(sid, 'sent');
    assert.equal((await messageRow(server, 'msg_undelivered'))!.status, 'sent');
    assert.equal((await events(server, 'msg_undelivered')).length, 0);

    assert.equal((await fake.sendStatus(sid, 'undelivered', '30003')).status, 200);
    assert.deepEqual(await messageRow(server, 'msg_undelivered'), {
      status: 'undelivered',
      error: 'undelivered (error 30003)',
    });
    assert.equal((await events(server, 'msg_undelivered'))[0]!.data.errorCode, '30003');

    await fake.sendStatus(sid, 'delivered');
    assert.deepEqual(await messageRow(server, 'msg_undelivered'), { status: 'delivered', error: null });
    assert.deepEqual(
      (await events(server, 'msg_undelivered')).map((e) => e.data.status),
      ['undelivered', 'delivered'],
    );
  });

  const post = (query: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    server.call(`/api/v1/hooks/sms/status?${query}`, {
      method: 'POST',
      token: null,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });

  test('a missing or wrong URL signature is 401, checked before the message is looked up', async () => {
    await insertMessage(server, 'msg_sig', 'SMsig');
    const form = { MessageSid: 'SMsig', MessageStatus: 'delivered' };
    for (const query of [
      'm=msg_sig',
      'm=msg_sig&sig=AAAA',
      `m=msg_sig&sig=${messageSignature('other-secret', 'msg_sig')}`,
    ]) {
      const response = await post(query, form);
      assert.equal(response.status, 401, query);
      assert.equal(((await response.json()) as { code: string }).code, 'unauthorized');
    }
    // The signature of another message id does not open this one.
    assert.equal((await post(`m=msg_sig&sig=${messageSignature(fake.token, 'msg_other')}`, form)).status, 401);
    assert.equal((await post('m=no_such_message&sig=AAAA', form)).status, 401);
    assert.equal((await messageRow(server, 'msg_sig'))!.status, 'sent');
  });

  test('a wrong X-Twilio-Signature is 401 even with a good URL signature', async () => {
    const query = `m=msg_sig&sig=${messageSignature(fake.token, 'msg_sig')}`;
    const form = { MessageSid: 'SMsig', MessageStatus: 'delivered' };
    const response = await post(query, form, {
      'x-twilio-signature': twilioSignature(fake.token, 'https://elsewhere/', new URLSearchParams(form)),
    });
    assert.equal(response.status, 401);
    assert.equal((await messageRow(server, 'msg_sig'))!.status, 'sent');
    // Without the header, the URL signature alone is accepted (providers that do not sign).
    assert.equal((await post(query, form)).status, 200);
    assert.equal((await messageRow(server, 'msg_sig'))!.status, 'delivered');
  });

  test('an unknown message with a valid signature is 404; a body without a status is 400', async () => {
    const unknown = await post(`m=msg_missing&sig=${messageSignature(fake.token, 'msg_missing')}`, {
      MessageSid: 'SMx',
      MessageStatus: 'delivered',
    });
    assert.equal(unknown.status, 404);
    const noStatus = await post(`m=msg_sig&sig=${messageSignature(fake.token, 'msg_sig')}`, { MessageSid: 'SMsig' });
    assert.equal(noStatus.status, 400);
    assert.equal(
      ((await noStatus.json()) as { errors: Array<{ field: string }> }).errors[0]!.field,
      'body.MessageStatus',
    );
  });

  test("the Twilio signature follows Twilio's published example", () => {
    const params = new URLSearchParams({
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    });
    assert.equal(
      twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params),
      'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
    );
  });
});

describe('SMS status callbacks, generic profile', () => {
  let server: TestServer;
  const secret = 'generic-token-123';

  before(async () => {
    server = await serverWithStatusRoute(
      {
        smsProfile: 'generic',
        smsUrl: 'http://127.0.0.1:9/',
        publicUrl: 'https://finflow.example',
        smsMapping: {
          fields: { to: 'to', body: 'text' },
          auth: { type: 'bearer' },
          idPath: 'id',
          statusFields: { id: 'message_id', status: 'report.state', errorCode: 'report.err' },
          statusMap: { DELIVRD: 'delivered', UNDELIV: 'undelivered' },
        },
      },
      { SMS_AUTH_TOKEN: secret },
    );
  });
  after(() => server.close());

  test('a JSON callback read through statusFields and statusMap', async () => {
    await insertMessage(server, 'msg_gen', 'p-1');
    const url = new URL(smsStatusCallbackUrl('https://finflow.example/', 'msg_gen', secret));
    assert.equal(url.pathname, '/api/v1/hooks/sms/status');
    const response = await server.call(`${url.pathname}${url.search}`, {
      method: 'POST',
      token: null,
      json: { message_id: 'p-1', report: { state: 'UNDELIV', err: 7 } },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await messageRow(server, 'msg_gen'), { status: 'undelivered', error: 'UNDELIV (error 7)' });
    assert.equal((await events(server, 'msg_gen'))[0]!.data.providerStatus, 'UNDELIV');
  });

  test('an unknown provider status is answered 200 and ignored', async () => {
    const url = new URL(smsStatusCallbackUrl('https://finflow.example', 'msg_gen', secret));
    const response = await server.call(`${url.pathname}${url.search}`, {
      method: 'POST',
      token: null,
      json: { message_id: 'p-1', report: { state: 'ENROUTE' } },
    });
    assert.equal(response.status, 200);
    assert.equal((await messageRow(server, 'msg_gen'))!.status, 'undelivered');
  });
});
