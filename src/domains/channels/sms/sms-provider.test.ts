import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadConfig, type Config } from '../../../config/config.js';
import { secretStore } from '../../../config/secrets.js';
import { AppError } from '../../../core/errors.js';
import { NonRetryableError } from '../../../engine/index.js';
import { startFakeTwilio, type FakeTwilio } from '../../../testing/fake-twilio.js';
import { createSmsProvider, type SmsProvider } from './sms-provider.js';

const config = (overrides: Partial<Config>): Config => loadConfig({ env: {}, overrides });

/** Asserts a retryable failure: a plain Error the engine retries, never a NonRetryableError. */
function assertRetryable(error: unknown, pattern: RegExp): true {
  assert.ok(
    error instanceof Error && !(error instanceof NonRetryableError),
    `expected a retryable error, got ${String(error)}`,
  );
  assert.match(error.message, pattern);
  return true;
}

describe('SMS provider, twilio profile, against a fake Twilio on 127.0.0.1', () => {
  let fake: FakeTwilio;
  let sms: SmsProvider;

  before(async () => {
    fake = await startFakeTwilio();
    sms = createSmsProvider(
      config({ smsUrl: fake.url, smsAccount: fake.account, smsFrom: '+15005550006' }),
      secretStore({ SMS_AUTH_TOKEN: fake.token }),
      { timeoutMs: 1500 },
    );
  });
  after(() => fake.close());

  test('sends a form-encoded message with basic auth, idempotency headers and the status callback', async () => {
    const accepted = await sms.send({
      to: '+34600111222',
      body: 'Su factura vence mañana: 125,00 €',
      idempotencyKey: 'wfi_1:tok_1:1',
      statusCallbackUrl: 'https://finflow.example/api/v1/hooks/sms/status?m=msg_1&sig=abc',
    });
    assert.equal(sms.profile, 'twilio');
    assert.match(accepted.providerId, /^SM[0-9a-f]{32}$/);
    assert.equal(accepted.status, 'queued');
    const request = fake.requests.at(-1)!;
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(request.headers['idempotency-key'], 'wfi_1:tok_1:1');
    assert.equal(request.idempotencyKey, 'wfi_1:tok_1:1');
    assert.deepEqual(request.form, {
      To: '+34600111222',
      From: '+15005550006',
      Body: 'Su factura vence mañana: 125,00 €',
      StatusCallback: 'https://finflow.example/api/v1/hooks/sms/status?m=msg_1&sig=abc',
    });
    assert.equal(fake.messages.get('wfi_1:tok_1:1')?.sid, accepted.providerId);
  });

  test('500 then 201 for the same idempotency key: the first call is retryable, exactly one message is delivered', async () => {
    fake.failFirstTo.add('+34600333444');
    const request = { to: '+34600333444', body: 'Recordatorio de pago', idempotencyKey: 'wfi_2:tok_1:1' };
    await assert.rejects(sms.send(request), (error) => assertRetryable(error, /answered 500: Internal Server Error/));
    const accepted = await sms.send(request); // the engine's retry of the step
    const again = await sms.send(request); // a crash after sending, before the step committed
    assert.equal(again.providerId, accepted.providerId);
    assert.equal(fake.requests.filter((r) => r.idempotencyKey === 'wfi_2:tok_1:1').length, 3);
    assert.equal([...fake.messages.values()].filter((m) => m.to === '+34600333444').length, 1);
  });

  test("400 is a NonRetryableError carrying the provider's message, without the token", async () => {
    await assert.rejects(sms.send({ to: '12345', body: 'hi', idempotencyKey: 'k-400' }), (error) => {
      assert.ok(error instanceof NonRetryableError);
      assert.equal(error.message, "SMS provider answered 400: Invalid 'To' Phone Number: 12345");
      return true;
    });
  });

  test('a wrong token is a NonRetryableError that does not reveal the token', async () => {
    const wrong = createSmsProvider(
      config({ smsUrl: fake.url, smsAccount: fake.account }),
      secretStore({ SMS_AUTH_TOKEN: 'wrong-token-value' }),
    );
    await assert.rejects(wrong.send({ to: '+34600111222', body: 'hi', idempotencyKey: 'k-401' }), (error) => {
      assert.ok(error instanceof NonRetryableError);
      assert.match(error.message, /answered 401: Authentication Error/);
      assert.doesNotMatch(error.message, /wrong-token-value/);
      return true;
    });
  });

  test('a timeout is retryable', async () => {
    fake.hangTo.add('+34600555666');
    await assert.rejects(sms.send({ to: '+34600555666', body: 'hi', idempotencyKey: 'k-slow' }), (error) =>
      assertRetryable(error, /unreachable: no answer within 1500 ms/),
    );
  });

  test('a refused connection is retryable', async () => {
    const closed = await startFakeTwilio();
    await closed.close();
    const down = createSmsProvider(
      config({ smsUrl: closed.url, smsAccount: closed.account }),
      secretStore({ SMS_AUTH_TOKEN: closed.token }),
    );
    await assert.rejects(down.send({ to: '+34600111222', body: 'hi', idempotencyKey: 'k-down' }), (error) =>
      assertRetryable(error, /unreachable: fetch failed/),
    );
  });

  test('without account or token, send fails with sms_not_configured (creating the provider does not)', async () => {
    const unconfigured = createSmsProvider(config({}), secretStore({}));
    await assert.rejects(unconfigured.send({ to: '+34600111222', body: 'hi', idempotencyKey: 'k' }), (error) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'sms_not_configured');
      assert.equal(error.status, 422);
      assert.match(error.message, /smsAccount.*SMS_AUTH_TOKEN/);
      return true;
    });
  });
});

interface Recorded {
  method: string | undefined;
  path: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('SMS provider, generic profile', () => {
  const recorded: Recorded[] = [];
  let status = 200;
  let answer: unknown = { data: { id: 'msg-778', state: 'ACCEPTED' } };
  let url: string;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      recorded.push({
        method: req.method,
        path: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  const mapping = {
    path: '/v1/messages',
    format: 'json',
    fields: { to: 'recipient', from: 'sender', body: 'content.text', statusCallback: 'callback_url' },
    auth: { type: 'bearer' },
    idPath: 'data.id',
    statusPath: 'data.state',
    extra: { channel: 'sms' },
  };

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const provider = (smsMapping: Record<string, unknown>, extra: Partial<Config> = {}) =>
    createSmsProvider(
      config({ smsProfile: 'generic', smsUrl: url, smsFrom: 'FINFLOW', smsMapping, ...extra }),
      secretStore({ SMS_AUTH_TOKEN: 'generic-token-123' }),
    );

  test('JSON body by the mapping, bearer auth, Idempotency-Key; id and status read by dotted paths', async () => {
    const sms = provider(mapping);
    const accepted = await sms.send({
      to: '+8613800138000',
      body: '您的账单已逾期',
      idempotencyKey: 'k-gen-1',
      statusCallbackUrl: 'https://finflow.example/cb',
    });
    assert.equal(sms.profile, 'generic');
    assert.deepEqual(accepted, { providerId: 'msg-778', status: 'ACCEPTED' });
    const request = recorded.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v1/messages');
    assert.equal(request.headers.authorization, 'Bearer generic-token-123');
    assert.equal(request.headers['idempotency-key'], 'k-gen-1');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), {
      channel: 'sms',
      recipient: '+8613800138000',
      sender: 'FINFLOW',
      content: { text: '您的账单已逾期' },
      callback_url: 'https://finflow.example/cb',
    });
  });

  test('form format with an API-key header; 429 is retryable, 422 is not', async () => {
    const sms = provider({
      ...mapping,
      format: 'form',
      fields: { to: 'to', body: 'text' },
      auth: { type: 'header', name: 'X-Api-Key' },
      statusPath: undefined,
    });
    answer = { data: { id: 42 } };
    assert.deepEqual(await sms.send({ to: '+34600111222', body: 'a b&c', idempotencyKey: 'k-form' }), {
      providerId: '42',
      status: 'accepted',
    });
    const request = recorded.at(-1)!;
    assert.equal(request.headers['x-api-key'], 'generic-token-123');
    assert.equal(request.body, 'channel=sms&to=%2B34600111222&text=a+b%26c');

    status = 429;
    answer = { error: { message: 'rate limited' } };
    await assert.rejects(sms.send({ to: '+34600111222', body: 'x', idempotencyKey: 'k-429' }), (error) =>
      assertRetryable(error, /answered 429: rate limited/),
    );
    status = 422;
    answer = { detail: 'recipient is blocked' };
    await assert.rejects(sms.send({ to: '+34600111222', body: 'x', idempotencyKey: 'k-422' }), (error) => {
      assert.ok(error instanceof NonRetryableError);
      assert.equal(error.message, 'SMS provider answered 422: recipient is blocked');
      return true;
    });
    status = 200;
  });

  test('an answer without an id is not retried (the provider has the message)', async () => {
    answer = { ok: true };
    await assert.rejects(
      provider(mapping).send({ to: '+34600111222', body: 'x', idempotencyKey: 'k-noid' }),
      (error) => {
        assert.ok(error instanceof NonRetryableError);
        assert.match(error.message, /no id at "data.id"/);
        return true;
      },
    );
  });

  test('an invalid mapping is refused naming the field as smsMapping.<path>', async () => {
    const bad = provider({ ...mapping, auth: { type: 'oauth' }, fields: { body: 'text' } });
    await assert.rejects(bad.send({ to: '+34600111222', body: 'x', idempotencyKey: 'k-bad' }), (error) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'invalid_config');
      assert.deepEqual(error.issues.map((i) => i.field).sort(), ['smsMapping.auth.type', 'smsMapping.fields.to']);
      return true;
    });
  });
});
