import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { Worker } from '../../../engine/index.js';
import { readAuditLog } from '../../../storage/audit/audit-log.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';
import './tables.js';

/**
 * Inbound webhooks over real HTTP against a finflow test server: source configuration, signature
 * schemes, de-duplication, and the published event starting and waking workflows.
 */

const PSP_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const BANK_SECRET = 'bank-shared-secret-7d1e';

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

describe('inbound webhooks', () => {
  let server: TestServer;
  let worker: Worker;

  before(async () => {
    server = await startTestServer({ worker: false, secrets: { PSP_SECRET, BANK_SECRET } });
    worker = server.engine.createWorker();
  });
  after(() => server.close());

  const putSource = (name: string, config: unknown, token?: string | null) =>
    server.call(`/api/v1/inbound-sources/${name}`, {
      method: 'PUT',
      json: config,
      ...(token === undefined ? {} : { token }),
    });

  /** Posts like a provider: raw bytes, no API key. */
  const post = (name: string, body: string, headers: Record<string, string>) =>
    server.call(`/api/v1/hooks/inbound/${name}`, {
      method: 'POST',
      token: null,
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  const standardHeaders = (id: string, body: string, secret = PSP_SECRET, at = new Date()) => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  });

  const eventsOfType = async (type: string) =>
    server.database.db
      .selectFrom('wf_events')
      .select(['id', 'key', 'data', 'published_by'])
      .where('type', '=', type)
      .execute();

  const messagesOf = async (source: string) =>
    server.database.db.selectFrom('inbound_messages').selectAll().where('source', '=', source).execute();

  async function problemOf(res: Response, status: number): Promise<Problem> {
    const text = await res.text();
    assert.equal(res.status, status, text);
    return JSON.parse(text) as Problem;
  }

  test('sources are configured by API, audited, and a bad config is refused naming the field', async () => {
    let res = await putSource('psp', {
      scheme: 'standard-webhooks',
      secret: 'PSP_SECRET',
      typeField: 'type',
      keyField: 'data.reference',
    });
    assert.equal(res.status, 201, await res.clone().text());
    const created = (await res.json()) as Record<string, unknown>;
    assert.equal(created.idHeader, 'webhook-id');
    assert.equal(created.eventPrefix, 'inbound.psp.');
    assert.equal(created.toleranceSeconds, 300);
    assert.equal(created.secretSet, true);
    assert.equal(created.receiveUrl, `${server.url}/api/v1/hooks/inbound/psp`);
    assert.ok(!JSON.stringify(created).includes(PSP_SECRET));

    res = await putSource('psp', {
      scheme: 'standard-webhooks',
      secret: 'PSP_SECRET',
      typeField: 'type',
      keyField: 'data.reference',
    });
    assert.equal(res.status, 200, 'an identical PUT is a no-op');
    const audit = await readAuditLog(server.database.db, { entityType: 'inbound_source', entityId: 'psp' });
    assert.deepEqual(
      audit.map((a) => a.action),
      ['inbound_source.created'],
    );

    const bad = async (config: unknown, field: string) => {
      const problem = await problemOf(await putSource('broken', config), 400);
      assert.ok(
        problem.errors?.some((e) => e.field === field),
        `${field} expected in ${JSON.stringify(problem.errors)}`,
      );
    };
    await bad({ scheme: 'hmac-sha256', secret: 'BANK_SECRET', eventType: 'x' }, 'body.idField');
    await bad({ scheme: 'standard-webhooks', secret: 'not a name', typeField: 'type' }, 'body.secret');
    await bad({ scheme: 'standard-webhooks', secret: 'S', typeField: 'type', eventType: 'x' }, 'body.eventType');
    await bad(
      { scheme: 'standard-webhooks', secret: 'S', typeField: 'type', signatureHeader: 'x-sig' },
      'body.signatureHeader',
    );
    await bad({ scheme: 'standard-webhooks', secret: 'S', typeField: 'a..b' }, 'body.typeField');
    await bad({ scheme: 'standard-webhooks', secret: 'S', typeField: 'type', secretValue: 'x' }, 'body');
    await bad({ scheme: 'md5', secret: 'S', typeField: 'type' }, 'body.scheme');
    assert.equal((await putSource('psp', { scheme: 'standard-webhooks', secret: 'PSP_SECRET' }, null)).status, 401);

    // Only the public receiving route skips the API key.
    assert.equal((await server.call('/api/v1/inbound-sources', { token: null })).status, 401);
    const list = (await (await server.call('/api/v1/inbound-sources')).json()) as { data: Array<{ name: string }> };
    assert.deepEqual(
      list.data.map((s) => s.name),
      ['psp'],
    );

    await putSource('old', { scheme: 'hmac-sha256', secret: 'NOPE', idField: 'id', eventType: 'x' });
    assert.equal((await server.call('/api/v1/inbound-sources/old')).status, 200);
    assert.equal((await server.call('/api/v1/inbound-sources/old', { method: 'DELETE' })).status, 204);
    assert.equal((await server.call('/api/v1/inbound-sources/old')).status, 404);
    const deleted = await readAuditLog(server.database.db, { entityType: 'inbound_source', entityId: 'old' });
    assert.deepEqual(
      deleted.map((a) => a.action),
      ['inbound_source.created', 'inbound_source.deleted'],
    );
  });

  test('a signed standard-webhooks message starts a workflow and wakes a waiting one; a redelivery publishes nothing', async () => {
    const deploy = async (yaml: string) => {
      const res = await server.call('/api/v1/workflows', {
        method: 'POST',
        headers: { 'content-type': 'application/yaml' },
        body: yaml,
      });
      assert.equal(res.status, 201, await res.clone().text());
    };
    await deploy(`
key: order-payment
name: Order payment
steps:
  - id: paid
    type: waitFor
    event: inbound.psp.payment.succeeded
    correlation: instance.correlationKey
    timeout: P3D
    onTimeout: unpaid
  - { id: done, type: end, outcome: paid, output: { amount: '{{ steps.paid.event.data.data.amount }}' } }
  - { id: unpaid, type: end, outcome: unpaid }
`);
    await deploy(`
key: psp-receipt
name: PSP receipt
triggers:
  - event: inbound.psp.payment.succeeded
    input: { reference: '{{ event.key }}', eventId: '{{ event.data.id }}' }
steps:
  - { id: done, type: end, outcome: logged }
`);
    const started = await server.call('/api/v1/workflows/order-payment/instances', {
      method: 'POST',
      json: { input: {}, correlationKey: 'ORD-1' },
    });
    const waiting = ((await started.json()) as { id: string }).id;
    await worker.runUntilIdle();

    const body = JSON.stringify({
      id: 'evt_psp_1',
      type: 'payment.succeeded',
      data: { reference: 'ORD-1', amount: 1000 },
    });
    const res = await post('psp', body, standardHeaders('msg_1', body));
    assert.equal(res.status, 200, await res.clone().text());
    const receipt = (await res.json()) as { eventId: string; duplicate: boolean };
    assert.equal(receipt.duplicate, false);
    assert.match(receipt.eventId, /^evt_/);

    await worker.runUntilIdle();
    const instance = (await (await server.call(`/api/v1/instances/${waiting}`)).json()) as Record<string, unknown>;
    assert.equal(instance.status, 'completed');
    assert.equal(instance.outcome, 'paid');
    assert.deepEqual(instance.output, { amount: 1000 });
    const triggered = (await (await server.call('/api/v1/instances?workflow=psp-receipt')).json()) as {
      data: Array<{ status: string; outcome: string }>;
    };
    assert.deepEqual(
      triggered.data.map((i) => `${i.status}:${i.outcome}`),
      ['completed:logged'],
    );

    // The provider did not see our answer and delivers again, freshly signed: nothing is published.
    const again = await post('psp', body, standardHeaders('msg_1', body));
    assert.deepEqual(await again.json(), { eventId: receipt.eventId, duplicate: true });
    const events = await eventsOfType('inbound.psp.payment.succeeded');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.key, 'ORD-1');
    assert.equal(events[0]!.published_by, 'inbound:psp');
    assert.deepEqual(events[0]!.data, JSON.parse(body));
    assert.equal((await messagesOf('psp')).length, 1);
  });

  test('a bad signature, a tampered body or a stale timestamp get 401 and store nothing', async () => {
    const body = JSON.stringify({ id: 'evt_psp_2', type: 'payment.failed', data: { reference: 'ORD-2' } });
    const wrongKey = `whsec_${randomBytes(32).toString('base64')}`;
    const attempts = [
      standardHeaders('msg_2', body, wrongKey),
      standardHeaders('msg_2', body.replace('ORD-2', 'ORD-3')),
      standardHeaders('msg_2', body, PSP_SECRET, new Date(Date.now() - 10 * 60 * 1000)),
      { 'webhook-id': 'msg_2', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) },
    ];
    for (const headers of attempts) {
      const problem = await problemOf(await post('psp', body, headers), 401);
      assert.equal(problem.code, 'invalid_signature');
      assert.equal(problem.detail, 'the signature could not be verified');
    }
    assert.equal((await eventsOfType('inbound.psp.payment.failed')).length, 0);
    assert.equal((await messagesOf('psp')).filter((m) => m.external_id === 'msg_2').length, 0);
  });

  test('hmac-sha256 sources: hex with sha256= prefix or base64, id from the body, timestamped variant', async () => {
    let res = await putSource('bank', {
      scheme: 'hmac-sha256',
      secret: 'BANK_SECRET',
      signatureHeader: 'X-Bank-Signature',
      idField: 'notification.id',
      eventType: 'credit.received',
      keyField: 'notification.endToEndId',
    });
    assert.equal(res.status, 201, await res.text());
    const sign = (text: string, encoding: 'hex' | 'base64') =>
      createHmac('sha256', BANK_SECRET).update(text).digest(encoding);

    const first = JSON.stringify({ notification: { id: 9001, endToEndId: 'E2E-1', amount: '150.00' } });
    res = await post('bank', first, { 'x-bank-signature': `sha256=${sign(first, 'hex')}` });
    const receipt = (await res.json()) as { eventId: string; duplicate: boolean };
    assert.equal(receipt.duplicate, false);
    const second = JSON.stringify({ notification: { id: 9002, endToEndId: 'E2E-2' } });
    res = await post('bank', second, { 'x-bank-signature': sign(second, 'base64') });
    assert.equal(res.status, 200);
    res = await post('bank', first, { 'x-bank-signature': sign(first, 'hex') });
    assert.deepEqual(await res.json(), { eventId: receipt.eventId, duplicate: true });
    await problemOf(await post('bank', first, { 'x-bank-signature': sign(`${first} `, 'hex') }), 401);

    const events = await eventsOfType('inbound.bank.credit.received');
    assert.deepEqual(events.map((e) => e.key).sort(), ['E2E-1', 'E2E-2']);
    assert.deepEqual((await messagesOf('bank')).map((m) => m.external_id).sort(), ['9001', '9002']);

    // With a timestamp header the HMAC covers `${timestamp}.${body}` (http.request's own format).
    await putSource('core', {
      scheme: 'hmac-sha256',
      secret: 'BANK_SECRET',
      timestampHeader: 'X-Timestamp',
      idHeader: 'X-Message-Id',
      typeField: 'event',
      toleranceSeconds: 60,
    });
    const body = JSON.stringify({ event: 'loan.disbursed', loan: 'L-1' });
    const now = String(Math.floor(Date.now() / 1000));
    const signed = { 'x-message-id': 'm-1', 'x-timestamp': now, 'x-signature': sign(`${now}.${body}`, 'hex') };
    assert.equal((await post('core', body, signed)).status, 200);
    const old = String(Math.floor(Date.now() / 1000) - 120);
    await problemOf(
      await post('core', body, {
        'x-message-id': 'm-2',
        'x-timestamp': old,
        'x-signature': sign(`${old}.${body}`, 'hex'),
      }),
      401,
    );
    assert.equal((await eventsOfType('inbound.core.loan.disbursed')).length, 1);
  });

  test('unknown source 401 like a bad signature, missing secret 503, body not JSON 400, missing id or type 400 naming it', async () => {
    const body = JSON.stringify({ id: 'x', type: 'y' });
    // Source names cannot be enumerated: an unknown one answers exactly as a bad signature does.
    const unknown = await problemOf(await post('nobody', body, {}), 401);
    assert.equal(unknown.code, 'invalid_signature');
    assert.equal(unknown.detail, 'the signature could not be verified');

    await putSource('unset', { scheme: 'hmac-sha256', secret: 'UNSET_SECRET', idField: 'id', typeField: 'type' });
    const unset = await problemOf(await post('unset', body, { 'x-signature': 'abc' }), 503);
    assert.equal(unset.code, 'source_misconfigured');
    assert.ok(!unset.detail.includes('UNSET_SECRET'), 'the secret name is for our log, not the caller');

    await putSource('plain', { scheme: 'hmac-sha256', secret: 'BANK_SECRET', idField: 'data.id', typeField: 'type' });
    const signed = (text: string) => ({ 'x-signature': createHmac('sha256', BANK_SECRET).update(text).digest('hex') });
    const notJson = 'id=1&type=paid';
    // Declared as JSON, it is refused by the input guard every request passes (docs/security.md).
    assert.equal((await problemOf(await post('plain', notJson, signed(notJson)), 400)).code, 'malformed_request');
    const noId = JSON.stringify({ type: 'paid', data: {} });
    const missingId = await problemOf(await post('plain', noId, signed(noId)), 400);
    assert.deepEqual(missingId.errors?.[0]?.field, 'body.data.id');
    const badType = JSON.stringify({ type: 'no spaces allowed', data: { id: 'p-1' } });
    const invalidType = await problemOf(await post('plain', badType, signed(badType)), 400);
    assert.deepEqual(invalidType.errors?.[0]?.field, 'body.type');
    assert.equal((await messagesOf('plain')).length, 0);
  });
});
