import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { RouteModule } from '../../../api/context.js';
import { inDomainTransaction } from '../../unit-of-work.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';
import { updateSubscription } from './subscription-service.js';
import { createLogger, serializeError } from '../../../observability/logger.js';

/**
 * Logs never carry secrets: a database error during an update of a webhook subscription (its new
 * and previous signing secrets among the statement's parameters) is logged without the parameters,
 * and credentials under any usual name are redacted. The server's log goes to a captured stream.
 */

class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  lines(): Array<Record<string, unknown>> {
    return this.text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** What a leak would look like: a secret's text (or its base64 body), or the parameters of a statement. */
function assertClean(log: string, secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!log.includes(secret), `the log holds the secret ${secret}`);
    assert.ok(!log.includes(secret.slice('whsec_'.length, 30)), `the log holds part of the secret ${secret}`);
  }
  assert.ok(!/"params"\s*:\s*\[/.test(log), 'the log holds SQL params');
  assert.ok(!log.includes('queryOptions'), 'the log holds PGlite query options');
}

describe('logs never carry secrets', () => {
  const captured = new Captured();
  let server: TestServer;
  const secrets: string[] = [];

  // A route that reaches SQL with a value PostgreSQL rejects (a NUL byte in text) while rotating the
  // secret: whatever guards the public API puts in front, the service's statement fails.
  const failing: RouteModule = {
    register(app) {
      app.post('/test/failing-rotation/:id', async (c) => {
        const secret = newSecret();
        secrets.push(secret);
        await inDomainTransaction(
          { database: c.var.database, clock: c.var.clock, engine: server.engine },
          { actor: 'test' },
          (unit) => updateSubscription(unit, c.req.param('id'), { description: 'nul \u0000 byte', secret }),
        );
        return c.json({}, 200);
      });
    },
  };

  before(async () => {
    server = await startTestServer({ worker: false, logger: createLogger('info', captured), routes: [failing] });
  });
  after(() => server.close());

  test('a failing update of a webhook logs the error without its SQL parameters or the secrets', async () => {
    const first = newSecret();
    secrets.push(first);
    const created = await server.call('/api/v1/webhooks', {
      method: 'POST',
      json: { url: 'https://hooks.example.com/finflow', eventTypes: ['*'], secret: first },
    });
    const createdText = await created.text();
    assert.equal(created.status, 201, createdText);
    const { id } = JSON.parse(createdText) as { id: string };

    // Over the public API: refused as input (400) or failing in SQL (500); either way nothing leaks.
    const second = newSecret();
    secrets.push(second);
    const patched = await server.call(`/api/v1/webhooks/${id}`, {
      method: 'PATCH',
      json: { description: 'nul \u0000 byte', secret: second },
    });
    assert.ok([400, 500].includes(patched.status), `${patched.status} ${await patched.text()}`);

    // Through the service: the statement itself fails, with both secrets among its parameters.
    const failed = await server.call(`/api/v1/test/failing-rotation/${id}`, { method: 'POST' });
    const failedText = await failed.text();
    assert.equal(failed.status, 500, failedText);
    assertClean(failedText, secrets);

    const lines = captured.lines();
    const errors = lines.filter((line) => line.msg === 'request failed');
    assert.ok(errors.length >= 1, `the failure was logged: ${captured.text}`);
    const err = errors.at(-1)!.err as Record<string, unknown>;
    assert.match(String(err.message), /0x00|invalid byte sequence|null character|\\u0000/i);
    assert.equal(typeof err.stack, 'string');
    assertClean(captured.text, secrets);
  });

  test('a database error object carries no parameter values, and the err serializer keeps none', async () => {
    const secret = newSecret();
    const error = await server.database.db
      .insertInto('webhook_subscriptions')
      .values({
        id: 'wh_broken',
        url: 'https://hooks.example.com/x',
        event_types: JSON.stringify(['*']),
        secret,
        description: 'nul \u0000 byte',
        active: true,
        created_at: new Date(),
        created_by: 'test',
        updated_at: new Date(),
        updated_by: 'test',
      })
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error instanceof Error, 'the insert failed');
    assert.equal((error as unknown as Record<string, unknown>).params, undefined);
    assert.ok(!JSON.stringify(error).includes(secret));

    // Any library's error with a payload: only the safe fields are logged.
    const foreign = Object.assign(new Error('update failed', { cause: error }), {
      params: [secret],
      parameters: [secret],
      body: { secret },
      config: { headers: { authorization: `Bearer ${secret}` } },
      detail: `Key (secret)=(${secret}) already exists.`,
      code: '23505',
      query: 'update webhook_subscriptions set secret = $1',
    });
    const serialized = JSON.stringify(serializeError(foreign));
    assert.ok(!serialized.includes(secret), serialized);
    assert.match(serialized, /"code":"23505"/);
    assert.match(serialized, /"query":"update webhook_subscriptions set secret = \$1"/);

    const out = new Captured();
    createLogger('info', out).error({ err: foreign, error: foreign }, 'failed');
    assertClean(out.text, [secret]);
  });

  test('credentials under the usual names are redacted wherever a caller puts them', () => {
    const out = new Captured();
    const log = createLogger('info', out);
    const value = `v-${randomBytes(12).toString('hex')}`;
    log.info(
      {
        req: { headers: { authorization: `Bearer ${value}`, cookie: `session=${value}`, 'x-api-key': value } },
        res: { headers: { 'set-cookie': `session=${value}` } },
        headers: { authorization: value, 'proxy-authorization': value },
        token: value,
        secret: value,
        password: value,
        apiKey: value,
        params: [value],
        subscription: { secret: value, previousSecret: value, accessToken: value },
        source: { auth: { password: value, client_secret: value, refreshToken: value } },
      },
      'request',
    );
    assert.ok(!out.text.includes(value), out.text);
    assert.match(out.text, /\[redacted\]/);
  });
});
