import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, describe, mock, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { ManualClock } from '../../../core/clock.js';
import { assertBadCursors, walkPages } from '../../../testing/paging.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';
import type { WebhookDispatcher } from './dispatcher.js';
import { createWebhookDispatcher } from './webhooks-module.js';
import { outboundPolicy } from '../../../net/outbound-policy.js';

/** The receivers listen on 127.0.0.1, which the outbound URL policy refuses unless allowed. */
const LOCAL = { outbound: outboundPolicy({ allow: ['127.0.0.1'] }) };

/**
 * Outbound webhooks end to end: a real finflow server, real HTTP receivers on 127.0.0.1, a
 * ManualClock for the retry schedule, and the dispatcher driven round by round with runDue().
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

interface Payload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
  key: string | null;
  eventId: string;
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver: answers `status` (200 by default) and records every request. */
class Receiver {
  readonly requests: Received[] = [];
  status = 200;
  responseBody = 'ok';
  #server: Server | undefined;
  port = 0;

  async listen(port = 0): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(this.status, { 'content-type': 'text/plain' }).end(this.responseBody);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Down: nothing listens on the port any more (connection refused). */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The spec's algorithm, by hand: base64(HMAC-SHA256(base64decode(secret), `${id}.${timestamp}.${body}`)). */
function verifiesBySpec(secret: string, request: Received): boolean {
  const id = request.headers['webhook-id'] as string;
  const timestamp = request.headers['webhook-timestamp'] as string;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest();
  return (request.headers['webhook-signature'] as string).split(' ').some((versioned) => {
    const [version, signature] = versioned.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * The reference verifier also checks the timestamp against the wall clock (5 minutes' tolerance);
 * our timestamps come from the ManualClock, so its Date is set to that moment just for the call.
 */
function verifiesByLibrary(secret: string, request: Received, now: Date): unknown {
  mock.timers.enable({ apis: ['Date'], now });
  try {
    return new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
  } finally {
    mock.timers.reset();
  }
}

const servers: TestServer[] = [];
const receivers: Receiver[] = [];
let shared: { server: TestServer; clock: ManualClock; dispatcher: WebhookDispatcher } | undefined;

/**
 * One server (with a ManualClock and no worker) for the tests that drive the dispatcher by hand;
 * each test works on its own subscriptions, and afterEach deletes them (which drops their pending
 * deliveries), so no test sees another's.
 */
async function setup(): Promise<{ server: TestServer; clock: ManualClock; dispatcher: WebhookDispatcher }> {
  if (!shared) {
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    const server = await startTestServer({ clock, worker: false });
    servers.push(server);
    shared = { server, clock, dispatcher: createWebhookDispatcher({ database: server.database, clock }, LOCAL) };
  }
  return shared;
}

async function receiver(): Promise<Receiver> {
  const r = await new Receiver().listen();
  receivers.push(r);
  return r;
}

async function body<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function subscribe(server: TestServer, json: Record<string, unknown>) {
  return body<{ id: string; secret: string }>(await server.call('/api/v1/webhooks', { method: 'POST', json }), 201);
}

async function publish(server: TestServer, type: string, data: unknown = {}, key = 'k-1') {
  return body<{ id: string }>(await server.call('/api/v1/events', { method: 'POST', json: { type, key, data } }), 202);
}

async function deliveries(server: TestServer, subscriptionId: string, status?: string) {
  const query = status ? `?status=${status}` : '';
  return (
    await body<{ data: Array<{ id: string; status: string; eventType: string }> }>(
      await server.call(`/api/v1/webhooks/${subscriptionId}/deliveries${query}`),
      200,
    )
  ).data;
}

interface DeliveryDetail {
  id: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  attemptHistory: Array<{ statusCode: number | null; error: string | null; responseBody: string | null }>;
}

async function delivery(server: TestServer, id: string): Promise<DeliveryDetail> {
  return body<DeliveryDetail>(await server.call(`/api/v1/webhook-deliveries/${id}`), 200);
}

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  if (!shared) return;
  const { server } = shared;
  const listed = await walkPages<{ id: string }>(server, '/webhooks', 100);
  for (const { id } of listed.rows) await server.call(`/api/v1/webhooks/${id}`, { method: 'DELETE' });
});
after(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('outbound webhooks', () => {
  test('a customer created over the API is delivered once, signed per Standard Webhooks', async () => {
    const { server, clock, dispatcher } = await setup();
    const hook = await receiver();
    const request = { method: 'POST', headers: { 'idempotency-key': 'sub-1' } };
    const json = { url: hook.url(), eventTypes: ['customer.*'], description: 'core system' };
    const created = await body<{ id: string; secret: string }>(
      await server.call('/api/v1/webhooks', { ...request, json }),
      201,
    );
    assert.match(created.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    // The Idempotency-Key replays the first response: one subscription, the same secret.
    const again = await body<{ id: string; secret: string }>(
      await server.call('/api/v1/webhooks', { ...request, json }),
      201,
    );
    assert.deepEqual(again, created);

    const shown = await body(await server.call(`/api/v1/webhooks/${created.id}`), 200);
    assert.equal(shown.secret, undefined);
    assert.equal((await body(await server.call(`/api/v1/webhooks/${created.id}/secret`), 200)).secret, created.secret);

    const customer = await body<{ id: string }>(
      await server.call('/api/v1/customers', {
        method: 'POST',
        json: { externalId: 'C-1', name: 'Ada', language: 'en', timeZone: 'Europe/London' },
      }),
      201,
    );
    const [queued] = await deliveries(server, created.id);
    assert.equal(queued?.status, 'pending');
    assert.equal(hook.requests.length, 0, 'nothing is sent before the dispatcher runs');

    clock.advance(2 * SECOND);
    assert.deepEqual(await dispatcher.runDue(), { attempted: 1, delivered: 1, retrying: 0, dead: 0 });
    assert.deepEqual(await dispatcher.runDue(), { attempted: 0, delivered: 0, retrying: 0, dead: 0 });
    assert.equal(hook.requests.length, 1);
    const received = hook.requests[0]!;
    assert.equal(received.headers['webhook-id'], queued.id);
    assert.match(queued.id, /^msg_/);
    assert.equal(received.headers['webhook-timestamp'], String(Math.floor(clock.now().getTime() / 1000)));
    assert.equal(received.headers['content-type'], 'application/json');
    assert.match(received.headers['user-agent'] ?? '', /^finflow-webhooks\//);
    assert.ok(verifiesBySpec(created.secret, received));
    const payload = verifiesByLibrary(created.secret, received, clock.now()) as Payload;
    assert.deepEqual(Object.keys(payload), ['type', 'timestamp', 'data', 'key', 'eventId']);
    assert.equal(payload.type, 'customer.created');
    assert.equal(payload.key, customer.id);
    assert.equal((payload.data.customer as { externalId: string }).externalId, 'C-1');
    assert.match(payload.eventId, /^evt_/);
    assert.throws(() => verifiesByLibrary(created.secret, { ...received, body: received.body + ' ' }, clock.now()));

    const detail = await delivery(server, queued.id);
    assert.equal(detail.status, 'delivered');
    assert.equal(detail.deliveredAt, clock.now().toISOString());
    assert.deepEqual(
      detail.attemptHistory.map((a) => [a.statusCode, a.error, a.responseBody]),
      [[200, null, 'ok']],
    );

    // The audit rows of the subscription never hold its secret.
    const audits = await server.database.db
      .selectFrom('audit_log')
      .select(['action', 'after'])
      .where('entity_id', '=', created.id)
      .execute();
    assert.deepEqual(
      audits.map((a) => a.action),
      ['webhook.subscription.created'],
    );
    assert.ok(!JSON.stringify(audits).includes(created.secret.slice(6)));

    // Rotation: the new secret is returned once; for a day both secrets sign, so either verifies.
    const rotated = await body<{ secret: string }>(
      await server.call(`/api/v1/webhooks/${created.id}`, { method: 'PATCH', json: { rotateSecret: true } }),
      200,
    );
    assert.notEqual(rotated.secret, created.secret);
    await server.call('/api/v1/customers/C-1', { method: 'PATCH', json: { segment: 'retail' } });
    await dispatcher.runDue();
    const next = hook.requests[1]!;
    assert.equal((JSON.parse(next.body) as Payload).type, 'customer.updated');
    assert.equal((next.headers['webhook-signature'] as string).split(' ').length, 2);
    assert.ok(verifiesBySpec(rotated.secret, next) && verifiesBySpec(created.secret, next));
    assert.ok(verifiesByLibrary(rotated.secret, next, clock.now()));
  });

  test('an event whose transaction rolls back queues no delivery', async () => {
    const { server, dispatcher } = await setup();
    const hook = await receiver();
    const sub = await subscribe(server, { url: hook.url(), eventTypes: ['*'] });
    await assert.rejects(
      server.database.transaction(async (tx) => {
        await server.engine.publishInTx(tx, { type: 'loan.approved', key: 'L-1', data: {}, actor: 'test' });
        const inside = await tx
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('subscription_id', '=', sub.id)
          .execute();
        assert.equal(inside.length, 1, 'the outbox row is written in the event transaction');
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.deepEqual(await deliveries(server, sub.id), []);
    assert.equal((await dispatcher.runDue()).attempted, 0);
    assert.equal(hook.requests.length, 0);
  });

  test('receiver down for an hour: failed attempts recorded, then delivered exactly once', async () => {
    const { server, clock, dispatcher } = await setup();
    const hook = await receiver();
    const sub = await subscribe(server, { url: hook.url(), eventTypes: ['receivable.overdue'] });
    const port = hook.port;
    await hook.close();
    const start = clock.now().getTime();
    await publish(server, 'receivable.overdue', { dpd: 1, amountDue: '125000' }, 'INV-1');
    const [queued] = await deliveries(server, sub.id);

    // An hour of fake time, a dispatcher round every minute.
    while (clock.now().getTime() - start < HOUR) {
      await dispatcher.runDue();
      clock.advance(MINUTE);
    }
    const down = await delivery(server, queued!.id);
    assert.equal(down.status, 'pending');
    assert.equal(down.attemptHistory.length, 4, 'attempts at 0 s, 1 min, 6 min and 36 min');
    assert.ok(down.attemptHistory.every((a) => a.statusCode === null && /ECONNREFUSED/.test(a.error ?? '')));
    assert.equal(down.nextAttemptAt, new Date(start + 36 * MINUTE + 2 * HOUR).toISOString());

    await hook.listen(port); // back up
    while (hook.requests.length === 0 && clock.now().getTime() - start < 4 * HOUR) {
      clock.advance(10 * MINUTE);
      await dispatcher.runDue();
    }
    for (let i = 0; i < 3; i++) {
      clock.advance(HOUR);
      await dispatcher.runDue();
    }
    assert.equal(hook.requests.length, 1, 'delivered exactly once');
    const done = await delivery(server, queued!.id);
    assert.equal(done.status, 'delivered');
    assert.equal(done.attempts, 5);
    assert.equal(done.deliveredAt, new Date(start + 2 * HOUR + 40 * MINUTE).toISOString());
    const received = hook.requests[0]!;
    assert.equal(received.headers['webhook-id'], queued!.id);
    const deliveredAt = new Date(done.deliveredAt);
    assert.equal(received.headers['webhook-timestamp'], String(deliveredAt.getTime() / 1000));
    assert.ok(verifiesBySpec(sub.secret, received));
    const payload = verifiesByLibrary(sub.secret, received, deliveredAt) as Payload;
    assert.deepEqual(payload.data, { dpd: 1, amountDue: '125000' });
    assert.equal(payload.timestamp, new Date(start).toISOString());
  });

  test('three days of failures make a delivery dead; replay delivers it with the same id and body', async () => {
    const { server, clock, dispatcher } = await setup();
    const hook = await receiver();
    hook.status = 503;
    hook.responseBody = 'x'.repeat(5000);
    const sub = await subscribe(server, { url: hook.url(), eventTypes: ['payment.*'] });
    const start = clock.now().getTime();
    await publish(server, 'payment.received', { amount: 100 });
    const [queued] = await deliveries(server, sub.id);

    // Jump from attempt to attempt along the schedule until it gives up.
    for (let round = 0; round < 30; round++) {
      await dispatcher.runDue();
      const state = await delivery(server, queued!.id);
      if (state.status !== 'pending') break;
      clock.set(state.nextAttemptAt!);
    }
    const dead = await delivery(server, queued!.id);
    assert.equal(dead.status, 'dead');
    assert.equal(dead.lastStatusCode, 503);
    assert.equal(dead.lastError, 'HTTP 503');
    // 0, 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h (17h35m5s … 67h35m5s), last one at exactly 72 h.
    assert.equal(dead.attempts, 13);
    assert.equal(hook.requests.length, 13);
    assert.equal(clock.now().getTime() - start, 72 * HOUR);
    assert.equal(dead.attemptHistory[0]!.responseBody, 'x'.repeat(1024));
    assert.equal(new Set(hook.requests.map((r) => r.headers['webhook-id'])).size, 1);
    assert.equal(new Set(hook.requests.map((r) => r.body)).size, 1, 'every retry sends the same bytes');

    hook.status = 200;
    hook.responseBody = 'thanks';
    const replay = `/api/v1/webhook-deliveries/${queued!.id}/replay`;
    const replayed = await body<{ status: string }>(await server.call(replay, { method: 'POST' }), 202);
    assert.equal(replayed.status, 'pending');
    const busy = await body<{ code: string }>(await server.call(replay, { method: 'POST' }), 409);
    assert.equal(busy.code, 'delivery_pending');
    assert.deepEqual(await dispatcher.runDue(), { attempted: 1, delivered: 1, retrying: 0, dead: 0 });
    const last = hook.requests.at(-1)!;
    assert.equal(last.headers['webhook-id'], queued!.id);
    assert.equal(last.body, hook.requests[0]!.body);
    assert.ok(verifiesByLibrary(sub.secret, last, clock.now()));

    // A delivered one can be replayed too.
    await body(await server.call(replay, { method: 'POST' }), 202);
    await dispatcher.runDue();
    assert.equal(hook.requests.length, 15);
    const final = await delivery(server, queued!.id);
    assert.equal(final.status, 'delivered');
    assert.equal(final.attemptHistory.length, 15);
    const audit = await server.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', queued!.id)
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['webhook.delivery.replayed', 'webhook.delivery.replayed'],
    );
  });

  test('event type filters, disabled and deleted subscriptions', async () => {
    const { server, dispatcher } = await setup();
    const hook = await receiver();
    const prefix = await subscribe(server, { url: hook.url('/prefix'), eventTypes: ['receivable.*'] });
    const all = await subscribe(server, { url: hook.url('/all'), eventTypes: ['*'] });
    const inactive = await subscribe(server, { url: hook.url('/inactive'), eventTypes: ['*'], active: false });
    const exact = await subscribe(server, { url: hook.url('/exact'), eventTypes: ['receivable.overdue'] });
    for (const type of ['receivable.overdue', 'receivable.dpd.changed', 'receivables.other', 'customer.created']) {
      await publish(server, type);
    }
    const types = async (id: string) => (await deliveries(server, id)).map((d) => d.eventType).sort();
    assert.deepEqual(await types(prefix.id), ['receivable.dpd.changed', 'receivable.overdue']);
    assert.equal((await types(all.id)).length, 4);
    assert.deepEqual(await types(inactive.id), []);
    assert.deepEqual(await types(exact.id), ['receivable.overdue']);

    // Disabled: no new deliveries, and the queued ones wait. Deleted: the queued ones are dropped.
    await body(await server.call(`/api/v1/webhooks/${all.id}`, { method: 'PATCH', json: { active: false } }), 200);
    assert.equal((await server.call(`/api/v1/webhooks/${prefix.id}`, { method: 'DELETE' })).status, 204);
    await publish(server, 'receivable.overdue');
    assert.equal((await types(all.id)).length, 4);
    await dispatcher.runDue();
    const paths = () => hook.requests.map((r) => r.path).sort();
    assert.deepEqual(paths(), ['/exact', '/exact']);

    await body(await server.call(`/api/v1/webhooks/${all.id}`, { method: 'PATCH', json: { active: true } }), 200);
    await dispatcher.runDue();
    assert.deepEqual(paths(), ['/all', '/all', '/all', '/all', '/exact', '/exact']);

    const gone = await deliveries(server, prefix.id, 'dead');
    assert.equal(gone.length, 2);
    assert.equal((await delivery(server, gone[0]!.id)).lastError, 'subscription deleted');
    assert.equal((await server.call(`/api/v1/webhooks/${prefix.id}`)).status, 404);
    const listed = await body<{ data: Array<{ id: string }> }>(await server.call('/api/v1/webhooks'), 200);
    assert.deepEqual(listed.data.map((s) => s.id).sort(), [all.id, inactive.id, exact.id].sort());
    const refused = await server.call(`/api/v1/webhook-deliveries/${gone[0]!.id}/replay`, { method: 'POST' });
    assert.equal((await body<{ code: string }>(refused, 409)).code, 'subscription_deleted');
  });

  test('bad input is refused naming the field', async () => {
    const { server } = await setup();
    const fields = async (response: Response, status = 400) =>
      (await body<{ errors: Array<{ field: string }> }>(response, status)).errors.map((e) => e.field).sort();
    const post = (json: unknown) => server.call('/api/v1/webhooks', { method: 'POST', json });
    assert.deepEqual(await fields(await post({ url: 'ftp://example.com/x', eventTypes: [] })), [
      'body.eventTypes',
      'body.url',
    ]);
    assert.deepEqual(await fields(await post({ url: 'https://example.com', eventTypes: ['ok.*', 'not a type!'] })), [
      'body.eventTypes.1',
    ]);
    assert.deepEqual(await fields(await post({ url: 'https://example.com', eventTypes: ['*'], secret: 'whsec_abc' })), [
      'body.secret',
    ]);
    assert.deepEqual(await fields(await post({ url: 'https://example.com', eventTypes: ['*'], colour: 'red' })), [
      'body',
    ]);
    const sub = await subscribe(server, { url: 'https://example.com/hook', eventTypes: ['*'] });
    assert.deepEqual(await fields(await server.call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: {} })), [
      'body',
    ]);
    assert.deepEqual(
      await fields(await server.call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { url: 'mailto:x@y' } })),
      ['body.url'],
    );
    assert.deepEqual(await fields(await server.call(`/api/v1/webhooks/${sub.id}/deliveries?status=lost`)), [
      'query.status',
    ]);
    assert.equal(
      (await server.call('/api/v1/webhooks/wh_nope', { method: 'PATCH', json: { active: false } })).status,
      404,
    );
    assert.equal((await server.call('/api/v1/webhook-deliveries/msg_nope')).status, 404);
  });

  test('subscriptions page oldest first: each live one exactly once, in order; a bad cursor is 400', async () => {
    const { server } = await setup();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      created.push((await subscribe(server, { url: `https://example.com/hook/${i}`, eventTypes: ['*'] })).id);
    }
    // A deleted subscription is not listed, and its place does not break the walk.
    await body(await server.call(`/api/v1/webhooks/${created[3]}`, { method: 'DELETE' }), 204);
    const live = created.filter((_, i) => i !== 3);
    assert.deepEqual([...live].sort(), live, 'ids sort by creation');
    const walked = await walkPages<{ id: string; url: string; secret?: string }>(server, '/webhooks', 2);
    assert.deepEqual(
      walked.rows.map((s) => s.id),
      live,
    );
    assert.equal(walked.pages, 4, 'three full pages, then the empty last one (a full page may have more after it)');
    assert.ok(walked.rows.every((s) => s.secret === undefined));
    await assertBadCursors(server, '/webhooks', ['wh_nope', 'msg_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z', '']);
  });

  test('viewers and operators read deliveries but cannot manage subscriptions or replay', async () => {
    const { server } = await setup();
    const sub = await subscribe(server, { url: 'https://example.com/hook', eventTypes: ['*'] });
    const keyFor = async (role: string) =>
      (
        await body<{ token: string }>(
          await server.call('/api/v1/api-keys', { method: 'POST', json: { name: role, role } }),
          201,
        )
      ).token;
    const viewer = await keyFor('viewer');
    const operator = await keyFor('operator');
    assert.equal((await server.call('/api/v1/webhooks', { token: viewer })).status, 200);
    assert.equal((await server.call(`/api/v1/webhooks/${sub.id}/deliveries`, { token: operator })).status, 200);
    const denied = await server.call('/api/v1/webhooks', {
      method: 'POST',
      token: viewer,
      json: { url: 'https://example.com', eventTypes: ['*'] },
    });
    assert.equal((await body<{ code: string }>(denied, 403)).code, 'forbidden');
    assert.equal((await server.call(`/api/v1/webhooks/${sub.id}/secret`, { token: operator })).status, 403);
    assert.equal(
      (await server.call(`/api/v1/webhook-deliveries/msg_x/replay`, { method: 'POST', token: operator })).status,
      403,
    );
  });

  test('two dispatchers on one database send each delivery once', async () => {
    const { server, clock } = await setup();
    const hook = await receiver();
    await subscribe(server, { url: hook.url(), eventTypes: ['*'] });
    await server.database.transaction((tx) =>
      server.engine.publishManyInTx(
        tx,
        Array.from({ length: 45 }, (_, i) => ({ type: 'invoice.issued', key: `INV-${i}`, data: { i }, actor: 'test' })),
      ),
    );
    // Two processes' worth of dispatchers (separate instances, small batches) racing for the same rows.
    const [a, b] = [1, 2].map(() =>
      createWebhookDispatcher({ database: server.database, clock }, { ...LOCAL, batchSize: 4 }),
    );
    const counts = await Promise.all([a!.runDue(), b!.runDue()]);
    assert.equal(counts[0].delivered + counts[1].delivered, 45);
    assert.equal(hook.requests.length, 45);
    assert.equal(new Set(hook.requests.map((r) => r.headers['webhook-id'])).size, 45);
  });

  test('finflow serve: the dispatcher service delivers on its own', async () => {
    // Real clock, worker on: the module's background service polls and is woken by new outbox rows.
    const server = await startTestServer();
    servers.push(server);
    const hook = await receiver();
    const sub = await subscribe(server, { url: hook.url(), eventTypes: ['*'] });
    await publish(server, 'loan.disbursed', { amount: '100000' });
    const deadline = Date.now() + 10 * SECOND;
    while (hook.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(hook.requests.length, 1);
    assert.ok(verifiesBySpec(sub.secret, hook.requests[0]!));
    assert.ok(verifiesByLibrary(sub.secret, hook.requests[0]!, new Date()));
  });
});
