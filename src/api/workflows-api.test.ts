import assert from 'node:assert/strict';
import { guardDecision, singleNodeDecision } from '../testing/jdm.js';
import { after, before, describe, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { z } from 'zod';
import { ActionRegistry, NonRetryableError } from '../engine/actions.js';
import { sql } from 'kysely';
import { assertBadCursors, walkPages } from '../testing/paging.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/**
 * The engine over HTTP, with the server's in-process worker running for real: tests wait for an
 * instance to reach a state by polling GET /instances/{id} against a deadline, never by sleeping.
 */

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: Array<{ field: string; message: string; line?: number }>;
  permission?: string;
}

interface Instance {
  id: string;
  workflow: string;
  version: number;
  status: string;
  outcome: string | null;
  output: unknown;
  at: Array<{ step: string; status: string; waitingFor: unknown }>;
  tasks: Array<{ id: string; status: string }>;
  timeline: Array<{ seq: number; step: string | null; event: string; actor: string | null }>;
}

interface Task {
  id: string;
  instanceId: string;
  queue: string;
  status: string;
  assignee: string | null;
  outcome: string | null;
  completedBy: string | null;
}

const GREET = `
key: greet
name: Greet
input:
  type: object
  required: [name]
  properties: { name: { type: string } }
steps:
  - id: hello
    type: action
    action: context.set
    with: { message: "Hello {{ input.name }}" }
  - { id: done, type: end, outcome: greeted, output: { message: "{{ steps.hello.message }}" } }
`;

const AWAIT_PAYMENT = `
key: await-payment
name: Await payment
steps:
  - { id: paid, type: waitFor, event: payment.received, correlation: input.invoiceId }
  - { id: thanks, type: end, outcome: paid, output: { amount: "{{ steps.paid.event.data.amount }}" } }
`;

const REVIEW = `
key: review
name: Review
steps:
  - id: review
    type: task
    queue: reviewers
    title: "Review {{ input.ref }}"
    outcomes: [approve, decline]
    routes: { decline: declined }
  - { id: approved, type: end, outcome: approved }
  - { id: declined, type: end, outcome: declined }
`;

const WORK = `
key: work-list
name: Work list
steps:
  - { id: work, type: task, queue: "{{ input.queue }}", title: "Work {{ input.n }}" }
  - { id: done, type: end, outcome: done }
`;

const FLAKY = `
key: flaky
name: Flaky
steps:
  - { id: call, type: action, action: test.flaky, retry: { maxAttempts: 1 } }
  - { id: done, type: end, outcome: recovered }
`;

// Line numbers matter: the test asserts them.
const BROKEN = [
  'key: broken', //  1
  'name: Broken', // 2
  'steps:', //       3
  '  - id: first', // 4
  '    type: action', // 5
  '    action: nope.missing', // 6
  '  - id: second', // 7
  '    type: wiat', // 8
].join('\n');

const LIMIT_TABLE = singleNodeDecision({
  id: 'limit',
  type: 'decisionTableNode',
  name: 'Limit',
  content: {
    hitPolicy: 'first',
    inputs: [{ id: 'score', field: 'score', name: 'Score' }],
    outputs: [{ id: 'limit', field: 'limit', name: 'Limit' }],
    rules: [
      { _id: 'r1', score: '>= 700', limit: '5000' },
      { _id: 'r2', score: '', limit: '0' },
    ],
  },
});
const THROWING = guardDecision;

describe('workflow engine over HTTP', () => {
  let server: TestServer;
  let flakyFails = true;

  before(async () => {
    const actions = new ActionRegistry().register({
      name: 'test.flaky',
      input: z.unknown(),
      run: () =>
        flakyFails ? Promise.reject(new NonRetryableError('downstream refused')) : Promise.resolve({ ok: true }),
    });
    server = await startTestServer({ actions });
  });
  after(async () => {
    await server.close();
  });

  const post = (path: string, json?: unknown, init: RequestInit & { token?: string } = {}) =>
    server.call(`/api/v1${path}`, { method: 'POST', ...(json === undefined ? {} : { json }), ...init });
  const get = async <T>(path: string, token?: string): Promise<T> => {
    const res = await server.call(`/api/v1${path}`, token ? { token } : {});
    assert.equal(res.status, 200, `GET ${path}: ${res.status} ${await res.clone().text()}`);
    return (await res.json()) as T;
  };
  const deployYaml = (source: string) =>
    server.call('/api/v1/workflows', { method: 'POST', body: source, headers: { 'content-type': 'application/yaml' } });
  const start = async (key: string, body: unknown = {}) => {
    const res = await post(`/workflows/${key}/instances`, body);
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  };
  const createKey = async (name: string, role: string) => {
    const res = await post('/api-keys', { name, role });
    assert.equal(res.status, 201);
    return ((await res.json()) as { token: string }).token;
  };

  /** Polls the instance until `ready` holds; fails with the last state seen after the deadline. */
  async function until(id: string, ready: (instance: Instance) => boolean, timeoutMs = 10_000): Promise<Instance> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const instance = await get<Instance>(`/instances/${id}`);
      if (ready(instance)) return instance;
      if (Date.now() > deadline) assert.fail(`instance ${id} never got there; last seen: ${JSON.stringify(instance)}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const untilStatus = (id: string, status: string) => until(id, (i) => i.status === status);
  const untilWaiting = (id: string) => until(id, (i) => i.at.some((t) => t.status === 'waiting'));

  test('deploy a raw YAML body, again unchanged, and as a JSON body; read versions back', async () => {
    const first = await deployYaml(GREET);
    assert.equal(first.status, 201, await first.clone().text());
    assert.deepEqual(await first.json(), { key: 'greet', version: 1, name: 'Greet', created: true });

    const again = await deployYaml(GREET);
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { key: 'greet', version: 1, name: 'Greet', created: false });

    const asJson = await post('/workflows', { source: GREET.replace('name: Greet', 'name: Greeting') });
    assert.equal(asJson.status, 201);
    assert.equal(((await asJson.json()) as { version: number }).version, 2);

    const jsonDocument = JSON.stringify({
      key: 'ping',
      name: 'Ping',
      steps: [{ id: 'done', type: 'end', outcome: 'pong' }],
    });
    const json = await post('/workflows', { source: jsonDocument, format: 'json' });
    assert.equal(json.status, 201, await json.clone().text());

    for (const source of [AWAIT_PAYMENT, REVIEW, FLAKY]) assert.equal((await deployYaml(source)).status, 201);

    const list = await get<{ data: Array<{ key: string; latestVersion: number; name: string }> }>('/workflows');
    assert.deepEqual(
      list.data.find((w) => w.key === 'greet'),
      { ...list.data.find((w) => w.key === 'greet'), latestVersion: 2, name: 'Greeting' },
    );
    const greet = await get<{ versions: Array<{ version: number }>; latest: { version: number; source: string } }>(
      '/workflows/greet',
    );
    assert.deepEqual(
      greet.versions.map((v) => v.version),
      [2, 1],
    );
    assert.equal(greet.latest.version, 2);
    const v1 = await get<{ name: string; format: string; source: string }>('/workflows/greet/versions/1');
    assert.equal(v1.name, 'Greet');
    assert.equal(v1.format, 'yaml');
    assert.equal(v1.source, GREET);
    assert.equal((await server.call('/api/v1/workflows/nope')).status, 404);
  });

  test('an invalid definition is 400 problem+json with field and line for every problem', async () => {
    const res = await deployYaml(BROKEN);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const problem = (await res.json()) as Problem;
    assert.equal(problem.code, 'validation_failed');
    const action = problem.errors!.find((e) => e.field === 'steps.first.action');
    assert.ok(action, JSON.stringify(problem.errors));
    assert.equal(action.line, 6);
    assert.match(action.message, /unknown action "nope\.missing"/);
    const type = problem.errors!.find((e) => e.field.startsWith('steps.second'));
    assert.ok(type, JSON.stringify(problem.errors));
    assert.equal(type.line, 8);

    const sameAsJson = (await (await post('/workflows', { source: BROKEN })).json()) as Problem;
    assert.deepEqual(sameAsJson.errors, problem.errors);

    const noSource = (await (await post('/workflows', { format: 'yaml' })).json()) as Problem;
    assert.equal(noSource.errors![0]!.field, 'body.source');
    const wrongType = await server.call('/api/v1/workflows', {
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(wrongType.status, 415);
  });

  test('start with an Idempotency-Key twice: one instance, the same response; it runs to the end', async () => {
    const send = () =>
      post('/workflows/greet/instances', { input: { name: 'Ada' } }, { headers: { 'idempotency-key': 'start-ada-1' } });
    const first = await send();
    assert.equal(first.status, 201, await first.clone().text());
    const body = await first.text();
    const replay = await send();
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(await replay.text(), body);
    const started = JSON.parse(body) as { id: string; workflowKey: string; version: number; created: boolean };
    assert.deepEqual({ ...started, id: 'x' }, { id: 'x', workflowKey: 'greet', version: 2, created: true });
    const all = await get<{ data: Array<{ id: string }> }>('/instances?workflow=greet');
    assert.equal(all.data.length, 1);

    const done = await untilStatus(started.id, 'completed');
    assert.equal(done.outcome, 'greeted');
    assert.deepEqual(done.output, { message: 'Hello Ada' });
    const events = done.timeline.map((e) => e.event);
    assert.equal(events[0], 'instance.started');
    assert.equal(done.timeline[0]!.actor, server.bootstrapKey!.id);
    assert.ok(
      done.timeline.some((e) => e.step === 'hello'),
      JSON.stringify(done.timeline),
    );
    assert.deepEqual(
      done.timeline.map((e) => e.seq),
      [...done.timeline.map((e) => e.seq)].sort((a, b) => a - b),
    );

    const bad = (await (await post('/workflows/greet/instances', { input: {} })).json()) as Problem;
    assert.equal(bad.code, 'validation_failed');
    assert.equal((await post('/workflows/greet/instances', { inptu: {} })).status, 400);
    assert.equal((await post('/workflows/nope/instances', {})).status, 404);
  });

  test('instances list filters and pages with a next cursor', async () => {
    const ids = [await start('ping'), await start('ping'), await start('ping')];
    const page1 = await get<{ data: Array<{ id: string }>; next: string | null }>('/instances?workflow=ping&limit=2');
    assert.deepEqual(
      page1.data.map((i) => i.id),
      ids.slice(0, 2),
    );
    assert.equal(page1.next, ids[1]);
    const page2 = await get<{ data: Array<{ id: string }>; next: string | null }>(
      `/instances?workflow=ping&limit=2&after=${page1.next}`,
    );
    assert.deepEqual(
      page2.data.map((i) => i.id),
      ids.slice(2),
    );
    assert.equal(page2.next, null);
    const bad = (await (await server.call('/api/v1/instances?status=sleeping')).json()) as Problem;
    assert.equal(bad.errors![0]!.field, 'query.status');
  });

  test('publishing an event resumes the waitFor it matches; a bad event shape is 400 naming the field', async () => {
    const id = await start('await-payment', { input: { invoiceId: 'inv-1' } });
    await untilWaiting(id);
    const other = await post('/events', { type: 'payment.received', key: 'inv-9', data: { amount: 1 } });
    assert.equal(other.status, 202);
    assert.deepEqual(((await other.json()) as { resumed: string[] }).resumed, []);

    const res = await post('/events', { type: 'payment.received', key: 'inv-1', data: { amount: 250 } });
    assert.equal(res.status, 202);
    const published = (await res.json()) as { id: string; started: unknown[]; resumed: string[] };
    assert.match(published.id, /^evt_/);
    assert.deepEqual(published.resumed, [id]);
    const done = await untilStatus(id, 'completed');
    assert.deepEqual(done.output, { amount: 250 });

    for (const body of [{ type: 'bad type!' }, { key: 'inv-1' }, { type: 42 }, { type: 'x'.repeat(201) }]) {
      const bad = await post('/events', body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(((await bad.json()) as Problem).errors![0]!.field, 'body.type', JSON.stringify(body));
    }
    const extra = (await (await post('/events', { type: 'a.b', payload: {} })).json()) as Problem;
    assert.equal(extra.code, 'validation_failed');
    assert.match(JSON.stringify(extra.errors), /payload/);
  });

  test('an event with an Idempotency-Key is published once', async () => {
    const send = () =>
      post('/events', { type: 'nobody.listens', key: 'k' }, { headers: { 'idempotency-key': 'evt-once' } });
    const first = (await (await send()).json()) as { id: string };
    const second = await send();
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(((await second.json()) as { id: string }).id, first.id);
  });

  test('tasks: list, claim, complete; a second completion is 409 and a foreign outcome 422', async () => {
    const queue = await server.call('/api/v1/queues/reviewers', { method: 'PUT', json: { members: ['ana'] } });
    assert.equal(queue.status, 201);
    const ana = await createKey('ana', 'operator');
    const id = await start('review', { input: { ref: 'R-1' } });
    await untilWaiting(id);

    const listed = await get<{ data: Task[] }>(`/tasks?queue=reviewers&status=open&instanceId=${id}`, ana);
    assert.equal(listed.data.length, 1);
    const task = listed.data[0]!;
    assert.equal(task.assignee, null);

    const claimed = await post(`/tasks/${task.id}/claim`, undefined, { token: ana });
    assert.equal(claimed.status, 200, await claimed.clone().text());
    assert.equal(((await claimed.json()) as Task).assignee, 'ana', "the user of a task is the API key's name");
    assert.equal((await get<{ data: Task[] }>('/tasks?assignee=ana', ana)).data.length, 1);

    const someoneElse = await post(`/tasks/${task.id}/claim`);
    assert.equal(someoneElse.status, 409);
    assert.equal(((await someoneElse.json()) as Problem).code, 'task_assigned');

    const foreign = await post(`/tasks/${task.id}/complete`, { outcome: 'maybe' }, { token: ana });
    assert.equal(foreign.status, 422);
    assert.equal(((await foreign.json()) as Problem).errors![0]!.field, 'body.outcome');

    const completed = await post(`/tasks/${task.id}/complete`, { outcome: 'decline', data: {} }, { token: ana });
    assert.equal(completed.status, 200, await completed.clone().text());
    const done = (await completed.json()) as Task;
    assert.deepEqual([done.status, done.outcome, done.completedBy], ['completed', 'decline', 'ana']);

    const twice = await post(`/tasks/${task.id}/complete`, { outcome: 'decline' }, { token: ana });
    assert.equal(twice.status, 409);
    const twiceProblem = (await twice.json()) as Problem & { state?: string };
    assert.equal(twiceProblem.code, 'task_not_open');
    // The task's own status is `state`: it never overwrites problem+json's `status`.
    assert.equal(twiceProblem.status, 409);
    assert.equal(twiceProblem.state, 'completed');

    assert.equal((await untilStatus(id, 'completed')).outcome, 'declined');
    assert.equal((await get<Task>(`/tasks/${task.id}`, ana)).status, 'completed');

    const viewer = await createKey('watcher', 'viewer');
    assert.equal((await server.call('/api/v1/tasks', { token: viewer })).status, 403);
  });

  test('my work pages due first, no due time last, by a keyset cursor over (due time, id); a bad cursor is 400', async () => {
    assert.equal((await deployYaml(WORK)).status, 201);
    for (const [queue, members] of [
      ['pagers', ['pia']],
      ['elsewhere', ['bob']],
    ] as const) {
      const res = await server.call(`/api/v1/queues/${queue}`, { method: 'PUT', json: { members } });
      assert.ok(res.status === 200 || res.status === 201, await res.text());
    }
    const pia = await createKey('pia', 'operator');
    const instances: string[] = [];
    for (let n = 0; n < 11; n++) {
      instances.push(await start('work-list', { input: { n, queue: n === 10 ? 'elsewhere' : 'pagers' } }));
    }
    for (const id of instances) await untilWaiting(id);
    const tasks = await Promise.all(
      instances.map(async (id) => {
        const row = await server.database.db
          .selectFrom('wf_tasks')
          .select('id')
          .where('instance_id', '=', id)
          .executeTakeFirstOrThrow();
        return row.id;
      }),
    );
    // Who holds each task, and when it is due: ties, two times within one millisecond, no due time.
    const plan: Array<[assignee: string | null, due: string | null]> = [
      ['pia', '2030-01-01T00:00:00.000500Z'],
      ['pia', '2030-01-01T00:00:00.000900Z'],
      ['pia', '2030-01-01T00:00:00.000500Z'],
      ['pia', null],
      ['bob', '2029-01-01T00:00:00Z'], // someone else's
      [null, '2029-06-01T00:00:00Z'],
      [null, null],
      [null, '2030-01-01T00:00:00.000500Z'],
      [null, '2031-01-01T00:00:00Z'],
      [null, null],
      [null, '2028-01-01T00:00:00Z'], // a queue pia is not in
    ];
    for (const [i, [assignee, due]] of plan.entries()) {
      await server.database.db
        .updateTable('wf_tasks')
        .set({ assignee, due_at: due === null ? null : sql<Date>`${due}::timestamptz` })
        .where('id', '=', tasks[i]!)
        .execute();
    }
    const mine = tasks.filter((_, i) => ![4, 10].includes(i));
    const expected = (
      await server.database.db
        .selectFrom('wf_tasks')
        .select('id')
        .where('id', 'in', mine)
        .orderBy(sql`due_at asc nulls last`)
        .orderBy('id')
        .execute()
    ).map((t) => t.id);
    assert.deepEqual(expected.slice(-3).sort(), [tasks[3], tasks[6], tasks[9]].sort(), 'no due time last');
    assert.equal(expected[0], tasks[5]);
    for (const limit of [1, 2, 3, 4, 20]) {
      const walked = await walkPages<{ id: string; dueAt: string | null }>(server, '/me/tasks', limit, pia);
      assert.deepEqual(
        walked.rows.map((t) => t.id),
        expected,
        `limit ${limit}: every task once, due first, no due time last`,
      );
    }
    const first = await get<{ data: Array<{ id: string }>; next: string | null }>('/me/tasks?limit=1', pia);
    assert.equal(first.next, `2029-06-01T00:00:00.000000Z~${tasks[5]}`);

    await assertBadCursors(server, '/me/tasks', [
      'nope',
      tasks[0]!,
      'none~tsk_nope',
      `2030-01-01T00:00:00Z~${tasks[0]}`,
      `2026-02-30T00:00:00.000000Z~${tasks[0]}`,
      `0000-01-01T00:00:00.000000Z~${tasks[0]}`,
      `2030-01-01T00:00:00.000000Z~${tasks[0]}x`,
    ]);
    for (const id of instances) await post(`/instances/${id}/cancel`, {});
  });

  test('cancel, then cancel again is 409; suspend and resume; bulk migrate moves waiting instances', async () => {
    const id = await start('await-payment', { input: { invoiceId: 'inv-c' } });
    await untilWaiting(id);
    const suspended = await post(`/instances/${id}/suspend`, { reason: 'customer called' });
    assert.equal(suspended.status, 200);
    assert.equal(((await suspended.json()) as Instance).status, 'suspended');
    assert.equal((await post(`/instances/${id}/suspend`)).status, 409);
    const resumed = (await (await post(`/instances/${id}/resume`)).json()) as Instance;
    assert.equal(resumed.status, 'running');

    const other = await start('await-payment', { input: { invoiceId: 'inv-m' } });
    await untilWaiting(other);
    const v2 = await deployYaml(AWAIT_PAYMENT.replace('outcome: paid', 'outcome: paid-v2'));
    assert.equal(((await v2.json()) as { version: number }).version, 2);
    const bulk = await post('/workflows/await-payment/migrate', { fromVersion: 1 });
    assert.equal(bulk.status, 200, await bulk.clone().text());
    const moved = (await bulk.json()) as { toVersion: number; migrated: string[]; failed: unknown[] };
    assert.equal(moved.toVersion, 2);
    assert.ok(moved.migrated.includes(id) && moved.migrated.includes(other), JSON.stringify(moved));
    assert.deepEqual(moved.failed, []);
    assert.equal((await get<Instance>(`/instances/${other}`)).version, 2);
    const single = (await (await post(`/instances/${other}/migrate`, {})).json()) as { migrated: boolean };
    assert.equal(single.migrated, false, 'already on the latest version');

    const cancelled = await post(`/instances/${id}/cancel`, { reason: 'duplicate' });
    assert.equal(cancelled.status, 200, await cancelled.clone().text());
    assert.equal(((await cancelled.json()) as Instance).status, 'cancelled');
    const again = await post(`/instances/${id}/cancel`);
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as Problem).code, 'instance_finished');
    const timeline = (await get<Instance>(`/instances/${id}`)).timeline;
    assert.ok(timeline.some((e) => e.event === 'instance.suspended' && e.actor === server.bootstrapKey!.id));

    assert.equal((await post('/instances/wfi_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z/cancel')).status, 404);
    assert.equal((await post('/instances/nope/cancel')).status, 400);
  });

  test('retry brings a failed instance back; retrying a running one is 409', async () => {
    flakyFails = true;
    const id = await start('flaky');
    const failed = await untilStatus(id, 'failed');
    assert.equal(failed.at[0]?.step, 'call');
    flakyFails = false;
    const retried = await post(`/instances/${id}/retry`, { reason: 'downstream fixed' });
    assert.equal(retried.status, 200, await retried.clone().text());
    const done = await untilStatus(id, 'completed');
    assert.equal(done.outcome, 'recovered');
    assert.ok(done.timeline.some((e) => e.event === 'instance.retried'));
    assert.equal((await post(`/instances/${id}/retry`)).status, 409);
    const badStep = await post(`/instances/${id}/retry`, { fromStep: 'nope', extra: 1 });
    assert.equal(badStep.status, 400);
  });

  test('decisions: put, read, evaluate; a failing decision is 422 with its message', async () => {
    const put = await server.call('/api/v1/decisions/credit-limit', { method: 'PUT', json: LIMIT_TABLE });
    assert.equal(put.status, 201, await put.clone().text());
    assert.deepEqual(await put.json(), { key: 'credit-limit', version: 1, created: true });
    const same = await server.call('/api/v1/decisions/credit-limit', { method: 'PUT', json: LIMIT_TABLE });
    assert.equal(same.status, 200);

    const listed = await get<{ data: Array<{ key: string; version: number }> }>('/decisions');
    // The shipped credit.*, collections.*, payments.* and treasury.* policies are deployed at start too; this test's own decision is the rest.
    assert.deepEqual(
      listed.data
        .filter((d) => !/^(credit|collections|payments|treasury)\./.test(d.key))
        .map((d) => [d.key, d.version]),
      [['credit-limit', 1]],
    );
    const read = await get<{ content: { nodes: unknown[] } }>('/decisions/credit-limit?version=1');
    assert.equal(read.content.nodes.length, 3);

    const evaluated = await post('/decisions/credit-limit/evaluate', { score: 720 });
    assert.equal(evaluated.status, 200, await evaluated.clone().text());
    assert.deepEqual(await evaluated.json(), { key: 'credit-limit', version: 1, result: { limit: 5000 } });

    assert.equal((await server.call('/api/v1/decisions/guard', { method: 'PUT', json: THROWING })).status, 201);
    const failing = await post('/decisions/guard/evaluate', { amount: -5 });
    assert.equal(failing.status, 422);
    const problem = (await failing.json()) as Problem;
    assert.equal(problem.code, 'decision_failed');
    assert.match(problem.detail, /negative amount/);

    const invalid = await server.call('/api/v1/decisions/broken', { method: 'PUT', json: { nodes: [] } });
    assert.equal(invalid.status, 400);
    assert.equal(((await invalid.json()) as Problem).errors![0]!.field, 'body.edges');
    assert.equal((await post('/decisions/missing/evaluate', {})).status, 404);
  });

  test('calendars and queues are put and listed; store-level errors name body fields', async () => {
    const put = await server.call('/api/v1/calendars/ES', {
      method: 'PUT',
      json: { timezone: 'Europe/Madrid', holidays: ['2026-12-25', '2026-01-01'] },
    });
    assert.equal(put.status, 201, await put.clone().text());
    const calendars = await get<{ data: Array<{ name: string; holidays: string[]; weekend: number[] }> }>('/calendars');
    assert.deepEqual(calendars.data[0], {
      ...calendars.data[0],
      name: 'ES',
      holidays: ['2026-01-01', '2026-12-25'],
      weekend: [6, 7],
    });
    const bad = await server.call('/api/v1/calendars/ES', {
      method: 'PUT',
      json: { timezone: 'Mars/Olympus', holidays: ['25/12'] },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      ((await bad.json()) as Problem).errors!.map((e) => e.field),
      ['body.timezone', 'body.holidays[0]'],
    );
    const queues = await get<{ data: Array<{ name: string; members: string[] }> }>('/queues');
    assert.ok(queues.data.some((q) => q.name === 'reviewers'));
  });

  test('permissions: a viewer reads but cannot deploy, start, publish or operate', async () => {
    const viewer = await createKey('reader', 'viewer');
    const deploy = await server.call('/api/v1/workflows', {
      method: 'POST',
      token: viewer,
      body: GREET,
      headers: { 'content-type': 'application/yaml' },
    });
    assert.equal(deploy.status, 403);
    const problem = (await deploy.json()) as Problem;
    assert.equal(problem.code, 'forbidden');
    assert.equal(problem.permission, 'workflows:deploy');
    assert.equal((await post('/workflows/greet/instances', {}, { token: viewer })).status, 403);
    assert.equal((await post('/events', { type: 'a' }, { token: viewer })).status, 403);
    assert.equal(
      (await server.call('/api/v1/decisions/x', { method: 'PUT', token: viewer, json: LIMIT_TABLE })).status,
      403,
    );
    assert.equal((await server.call('/api/v1/workflows', { token: viewer })).status, 200);
    assert.equal((await server.call('/api/v1/instances', { token: viewer })).status, 200);

    const operator = await createKey('ops', 'operator');
    assert.equal((await deployYaml(GREET).then(() => post('/events', { type: 'a' }, { token: operator }))).status, 202);
    const opDeploy = await server.call('/api/v1/workflows', {
      method: 'POST',
      token: operator,
      json: { source: GREET },
    });
    assert.equal(opDeploy.status, 403);
  });

  test('the OpenAPI document is valid and lists the engine routes', async () => {
    const doc = (await (await server.call('/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
    await SwaggerParser.validate(structuredClone(doc) as never);
    for (const path of [
      '/workflows',
      '/workflows/{key}',
      '/workflows/{key}/versions/{version}',
      '/workflows/{key}/instances',
      '/workflows/{key}/migrate',
      '/instances',
      '/instances/{id}',
      '/instances/{id}/cancel',
      '/instances/{id}/suspend',
      '/instances/{id}/resume',
      '/instances/{id}/retry',
      '/instances/{id}/migrate',
      '/events',
      '/tasks',
      '/tasks/{id}',
      '/tasks/{id}/claim',
      '/tasks/{id}/complete',
      '/decisions',
      '/decisions/{key}',
      '/decisions/{key}/evaluate',
      '/calendars',
      '/calendars/{name}',
      '/queues',
      '/queues/{name}',
    ]) {
      assert.ok(doc.paths[path], `missing ${path}`);
    }
  });
});
