import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import type { Worker } from '../../engine/index.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * `http.request` against a real HTTP server on 127.0.0.1, run by a finflow test server's engine with
 * a manual clock: auth schemes, retries with one idempotency key, timeouts, failures, mapping, and
 * secrets kept out of everything the instance shows.
 */

const BUREAU_TOKEN = 'tok-bureau-3f9c1a77e2';
const CORE_PASSWORD = 'pw-core-81b2c4d9';
const SIGNING_KEY = 'hmac-key-5e6f7a8b9c';

interface Seen {
  path: string;
  method: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** The far end: a bureau, a core banking system and a payment API with its own idempotency. */
class FarEnd {
  server!: Server;
  url = '';
  seen: Seen[] = [];
  /** Payments by idempotency key: the effect the server applies once. */
  payments = new Map<string, { id: string; amount: number }>();
  failNext = 0;
  slowNext = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.seen.push({ path: req.url ?? '', method: req.method ?? '', headers: req.headers, body });
        void this.answer(req, res, body);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async answer(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'far-1', 'x-internal': 'no' });
      res.end(JSON.stringify(value));
    };
    const path = (req.url ?? '').split('?')[0];
    if (path === '/score') {
      if (req.headers.authorization !== `Bearer ${BUREAU_TOKEN}`) return send(401, { error: 'bad token' });
      // A careless bureau echoes the credentials back: they must not reach the context.
      const { customerId } = JSON.parse(body) as { customerId: string };
      return send(200, { score: 712, customer: customerId, echo: req.headers.authorization });
    }
    if (path === '/accounts') {
      const expected = `Basic ${Buffer.from(`finflow:${CORE_PASSWORD}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return send(401, { error: 'bad credentials' });
      return send(200, { balance: 1200, query: req.url });
    }
    if (path === '/signed') {
      const timestamp = String(req.headers['x-timestamp']);
      const expected = createHmac('sha256', SIGNING_KEY).update(`${timestamp}.${body}`).digest('hex');
      const ok = req.headers['x-signature'] === expected;
      return send(ok ? 200 : 401, { verified: ok });
    }
    if (path === '/payments') {
      if (this.failNext > 0) {
        this.failNext--;
        return send(503, { error: `processor busy, auth was ${req.headers.authorization}` });
      }
      if (this.slowNext > 0) {
        this.slowNext--;
        await new Promise((r) => setTimeout(r, 1500));
      }
      const key = String(req.headers['idempotency-key']);
      const { amount } = JSON.parse(body) as { amount: number };
      if (!this.payments.has(key)) this.payments.set(key, { id: `pay_${this.payments.size + 1}`, amount });
      return send(201, this.payments.get(key));
    }
    if (path === '/big') {
      if (req.headers['x-api-key'] !== CORE_PASSWORD) return send(401, { error: 'bad key' });
      const size = Number(new URL(req.url ?? '', this.url).searchParams.get('kb')) * 1024;
      return send(200, { items: 'x'.repeat(size), total: 3 });
    }
    if (path === '/hostile') {
      // Answers no workflow context can hold: 5 000 levels deep, or a NUL inside a string.
      const kind = new URL(req.url ?? '', this.url).searchParams.get('kind');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(kind === 'deep' ? `${'['.repeat(5000)}${']'.repeat(5000)}` : '{"name":"a\\u0000b"}');
      return;
    }
    if (path === '/reject') return send(400, { error: 'invalid account', token: req.headers.authorization });
    if (path === '/missing') return send(404, { error: 'no record' });
    return send(404, { error: 'unknown path' });
  }

  requestsTo(path: string): Seen[] {
    return this.seen.filter((s) => s.path.split('?')[0] === path);
  }
}

interface InstanceView {
  id: string;
  status: string;
  outcome: string | null;
  output: unknown;
  error: { step: string; message: string; attempt: number } | null;
  context: { steps: Record<string, unknown> };
  timeline: Array<{ step: string | null; event: string; attempt: number | null; data: unknown }>;
}

describe('http.request action', () => {
  let far: FarEnd;
  let server: TestServer;
  let clock: ManualClock;
  let worker: Worker;

  before(async () => {
    far = new FarEnd();
    await far.start();
    clock = new ManualClock('2026-03-02T09:00:00.000Z');
    server = await startTestServer({
      clock,
      worker: false,
      secrets: { BUREAU_TOKEN, CORE_PASSWORD, SIGNING_KEY },
    });
    worker = server.engine.createWorker();
  });
  after(async () => {
    await server.close();
    await new Promise((resolve) => far.server.close(resolve));
  });

  async function deploy(yaml: string): Promise<void> {
    const res = await server.call('/api/v1/workflows', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: yaml,
    });
    assert.ok(res.status === 201 || res.status === 200, await res.text());
  }

  async function run(key: string, input: Record<string, unknown> = {}): Promise<string> {
    const res = await server.call(`/api/v1/workflows/${key}/instances`, {
      method: 'POST',
      json: { input: { baseUrl: far.url, ...input } },
    });
    const text = await res.text();
    assert.equal(res.status, 201, text);
    const { id } = JSON.parse(text) as { id: string };
    await worker.runUntilIdle();
    return id;
  }

  async function show(id: string): Promise<{ view: InstanceView; raw: string }> {
    const res = await server.call(`/api/v1/instances/${id}`);
    assert.equal(res.status, 200);
    const raw = await res.text();
    return { view: JSON.parse(raw) as InstanceView, raw };
  }

  const stepEvents = (view: InstanceView, step: string) =>
    view.timeline.filter((e) => e.step === step).map((e) => `${e.event}#${e.attempt}`);

  async function assertNoSecrets(id: string, raw: string): Promise<void> {
    const audit = await (await server.call(`/api/v1/audit?entityId=${id}&limit=1000`)).text();
    for (const secret of [BUREAU_TOKEN, CORE_PASSWORD, SIGNING_KEY]) {
      assert.ok(!raw.includes(secret), `secret ${secret} is in the instance: ${raw}`);
      assert.ok(!audit.includes(secret), `secret ${secret} is in the audit log`);
    }
  }

  test('bearer auth; the answer is mapped into the context and routes a later step; no secret is shown', async () => {
    await deploy(`
key: bureau-check
name: Bureau check
steps:
  - id: bureau
    type: action
    action: http.request
    with:
      method: POST
      url: '{{ input.baseUrl }}/score'
      json: { customerId: '{{ input.customerId }}' }
      auth: { type: bearer, secret: BUREAU_TOKEN }
      map:
        score: body.score
        band: "body.score >= 700 ? 'prime' : 'subprime'"
  - id: route
    type: switch
    cases:
      - { when: "steps.bureau.mapped.band == 'prime'", next: approve }
    default: refer
  - { id: approve, type: end, outcome: approved, output: { score: '{{ steps.bureau.mapped.score }}' } }
  - { id: refer, type: end, outcome: referred }
`);
    const id = await run('bureau-check', { customerId: 'C-42' });
    const { view, raw } = await show(id);
    assert.equal(view.status, 'completed', raw);
    assert.equal(view.outcome, 'approved');
    assert.deepEqual(view.output, { score: 712 });
    const bureau = view.context.steps.bureau as Record<string, unknown>;
    assert.equal(bureau.status, 200);
    assert.deepEqual(bureau.mapped, { score: 712, band: 'prime' });
    assert.deepEqual(bureau.headers, { 'content-type': 'application/json', 'x-request-id': 'far-1' });
    assert.deepEqual(bureau.body, { score: 712, customer: 'C-42', echo: 'Bearer [secret]' });
    const request = far.requestsTo('/score').at(-1)!;
    assert.equal(request.headers['content-type'], 'application/json');
    assert.match(String(request.headers['idempotency-key']), new RegExp(`^${id}:`));
    await assertNoSecrets(id, raw);
  });

  test('basic auth with query parameters; keepBody: false keeps only what map takes', async () => {
    await deploy(`
key: core-balance
name: Core balance
steps:
  - id: balance
    type: action
    action: http.request
    with:
      url: '{{ input.baseUrl }}/accounts'
      query: { account: ACC-1, active: true }
      auth: { type: basic, username: finflow, passwordSecret: CORE_PASSWORD }
      keepBody: false
      map: { balance: body.balance, query: body.query }
`);
    const id = await run('core-balance');
    const { view, raw } = await show(id);
    assert.equal(view.status, 'completed', raw);
    const balance = view.context.steps.balance as Record<string, unknown>;
    const mapped = balance.mapped as { balance: number; query: string };
    assert.equal(mapped.balance, 1200);
    const params = new URL(mapped.query, far.url).searchParams;
    assert.deepEqual([params.get('account'), params.get('active')], ['ACC-1', 'true']);
    assert.equal('body' in balance, false);
    await assertNoSecrets(id, raw);
  });

  test('HMAC: the far end verifies the signature over timestamp and body', async () => {
    await deploy(`
key: signed-call
name: Signed call
steps:
  - id: call
    type: action
    action: http.request
    with:
      method: PUT
      url: '{{ input.baseUrl }}/signed'
      json: { amount: 125000, currency: EUR }
      auth: { type: hmac, secret: SIGNING_KEY }
`);
    const id = await run('signed-call');
    const { view, raw } = await show(id);
    assert.equal(view.status, 'completed', raw);
    assert.deepEqual((view.context.steps.call as { body: unknown }).body, { verified: true });
    const request = far.requestsTo('/signed').at(-1)!;
    assert.equal(request.headers['x-timestamp'], String(Math.floor(clock.now().getTime() / 1000)));
    assert.equal(request.body, '{"amount":125000,"currency":"EUR"}');
    await assertNoSecrets(id, raw);
  });

  const paymentWorkflow = (key: string, timeoutMs = 10_000) => `
key: ${key}
name: Payment
steps:
  - id: pay
    type: action
    action: http.request
    retry: { maxAttempts: 3, initialInterval: PT1S }
    with:
      method: POST
      url: '{{ input.baseUrl }}/payments'
      json: { amount: '{{ input.amount }}' }
      auth: { type: bearer, secret: BUREAU_TOKEN }
      timeoutMs: ${timeoutMs}
`;

  test('a 503 is retried with the same Idempotency-Key, and the far end applies the payment once', async () => {
    await deploy(paymentWorkflow('pay-retry'));
    const before = far.requestsTo('/payments').length;
    far.failNext = 1;
    const id = await run('pay-retry', { amount: 5000 });
    let { view, raw } = await show(id);
    assert.equal(view.status, 'running');
    assert.deepEqual(stepEvents(view, 'pay'), ['retry_scheduled#1']);
    const retry = view.timeline.find((e) => e.event === 'retry_scheduled')!.data as { error: string };
    assert.match(retry.error, /^HTTP 503 from POST http:\/\/127\.0\.0\.1:\d+\/payments: .*processor busy/);
    assert.ok(retry.error.includes('Bearer [secret]'), retry.error);
    await assertNoSecrets(id, raw);

    clock.advance(1000);
    await worker.runUntilIdle();
    ({ view, raw } = await show(id));
    assert.equal(view.status, 'completed', raw);
    assert.deepEqual(stepEvents(view, 'pay'), ['retry_scheduled#1', 'completed#2']);
    const requests = far.requestsTo('/payments').slice(before);
    assert.equal(requests.length, 2);
    const keys = requests.map((r) => String(r.headers['idempotency-key']));
    assert.equal(keys[0], keys[1], 'the retry sends the same key');
    assert.equal(far.payments.get(keys[0]!)?.amount, 5000);
    assert.equal([...far.payments.keys()].filter((k) => k === keys[0]).length, 1);
    assert.equal((view.context.steps.pay as { status: number }).status, 201);
    await assertNoSecrets(id, raw);
  });

  test('a timeout is retried', async () => {
    await deploy(paymentWorkflow('pay-timeout', 200));
    const before = far.requestsTo('/payments').length;
    far.slowNext = 1;
    const id = await run('pay-timeout', { amount: 700 });
    let { view } = await show(id);
    assert.deepEqual(stepEvents(view, 'pay'), ['retry_scheduled#1']);
    const retry = view.timeline.find((e) => e.event === 'retry_scheduled')!.data as { error: string };
    assert.match(retry.error, /no answer within 200 ms/);

    clock.advance(1000);
    await worker.runUntilIdle();
    ({ view } = await show(id));
    assert.equal(view.status, 'completed');
    const keys = far
      .requestsTo('/payments')
      .slice(before)
      .map((r) => r.headers['idempotency-key']);
    assert.equal(keys.length, 2);
    assert.equal(keys[0], keys[1]);
  });

  test('a 400 fails the step at once, its message redacted; an accepted 404 is a success', async () => {
    await deploy(`
key: rejected-call
name: Rejected call
steps:
  - id: call
    type: action
    action: http.request
    retry: { maxAttempts: 5 }
    with:
      method: DELETE
      url: '{{ input.baseUrl }}/reject'
      auth: { type: bearer, secret: BUREAU_TOKEN }
`);
    const before = far.requestsTo('/reject').length;
    const id = await run('rejected-call');
    const { view, raw } = await show(id);
    assert.equal(view.status, 'failed');
    assert.deepEqual(stepEvents(view, 'call'), ['failed#1']);
    assert.equal(far.requestsTo('/reject').length - before, 1, 'not retried');
    assert.match(view.error!.message, /^HTTP 400 from DELETE .*\/reject: .*invalid account/);
    await assertNoSecrets(id, raw);

    await deploy(`
key: lookup
name: Lookup
steps:
  - id: find
    type: action
    action: http.request
    with: { url: '{{ input.baseUrl }}/missing', acceptStatus: [404], map: { found: 'status == 200' } }
`);
    const found = await show(await run('lookup'));
    assert.equal(found.view.status, 'completed');
    assert.deepEqual((found.view.context.steps.find as { mapped: unknown }).mapped, { found: false });
  });

  test('an API-key header; a body over 64 KB is left out but mapped; one over 1 MB fails the step', async () => {
    await deploy(`
key: big-answer
name: Big answer
steps:
  - id: fetch
    type: action
    action: http.request
    with:
      url: '{{ input.baseUrl }}/big'
      query: { kb: '{{ input.kb }}' }
      auth: { type: header, header: X-API-Key, secret: CORE_PASSWORD }
      map: { total: body.total }
`);
    const big = await show(await run('big-answer', { kb: 100 }));
    assert.equal(big.view.status, 'completed', big.raw.slice(0, 500));
    const fetched = big.view.context.steps.fetch as Record<string, unknown>;
    assert.equal(fetched.bodyTruncated, true);
    assert.equal('body' in fetched, false);
    assert.deepEqual(fetched.mapped, { total: 3 });

    const huge = await show(await run('big-answer', { kb: 1100 }));
    assert.equal(huge.view.status, 'failed');
    assert.match(huge.view.error!.message, /answered with a body over 1048576 bytes/);
    await assertNoSecrets(huge.view.id, huge.raw);
  });

  test('an answer past the input limits (deep nesting, NUL) fails the step for good, naming why', async () => {
    await deploy(`
key: hostile-answer
name: Hostile answer
steps:
  - id: fetch
    type: action
    action: http.request
    with:
      url: '{{ input.baseUrl }}/hostile'
      query: { kind: '{{ input.kind }}' }
`);
    for (const [kind, why] of [
      ['deep', /response\.body is nested deeper than 64 levels/],
      ['nul', /response\.body\.name must not contain a NUL/],
    ] as const) {
      const answer = await show(await run('hostile-answer', { kind }));
      assert.equal(answer.view.status, 'failed', answer.raw.slice(0, 500));
      assert.match(answer.view.error!.message, why);
      assert.equal(far.requestsTo('/hostile').filter((r) => r.path.includes(kind)).length, 1, 'not retried');
    }
    assert.equal((await server.call('/api/v1/health', { token: null })).status, 200);
  });

  test('a missing secret and a forbidden header fail at once, naming the field', async () => {
    await deploy(`
key: misconfigured
name: Misconfigured
steps:
  - id: call
    type: action
    action: http.request
    with: { url: '{{ input.baseUrl }}/score', auth: { type: bearer, secret: NO_SUCH_TOKEN } }
`);
    const missing = await show(await run('misconfigured'));
    assert.equal(missing.view.status, 'failed');
    assert.match(missing.view.error!.message, /with\.auth\.secret: secret NO_SUCH_TOKEN is not set/);

    await deploy(`
key: literal-token
name: Literal token
steps:
  - id: call
    type: action
    action: http.request
    with: { url: '{{ input.baseUrl }}/score', headers: { Authorization: 'Bearer abc' } }
`);
    const forbidden = await show(await run('literal-token'));
    assert.equal(forbidden.view.status, 'failed');
    assert.match(forbidden.view.error!.message, /with\.headers\.Authorization: is set by http\.request itself/);
  });
});
