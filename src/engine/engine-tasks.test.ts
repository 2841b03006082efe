import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY, engineHarness, type EngineHarness } from '../testing/engine-harness.js';
import { listTasks } from './runtime/queries.js';
import { putQueue } from './tasks/queue-store.js';

/** Human tasks: assignment, completion rules, outcome routing, SLA escalation; parallel; call. */
describe('engine: tasks, parallel branches and child workflows', () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness();
    await putQueue(h.database, { name: 'reviewers', members: ['ana', 'bo', 'cy'], actor: 'test' }, h.clock);
    await h.deploy(`
key: review
name: Review
steps:
  - id: review
    type: task
    queue: reviewers
    title: "Review {{ input.ref }}"
    form:
      - { name: comment, type: string, required: true }
      - { name: limit, type: integer }
    outcomes: [approve, decline]
    routes: { decline: declined }
    assign: { strategy: round-robin }
    due: P2D
    escalate: { queue: supervisors }
  - { id: approved, type: end, outcome: approved, output: { by: "{{ steps.review.completedBy }}", limit: "{{ steps.review.data.limit }}" } }
  - { id: declined, type: end, outcome: declined }
`);
  });
  after(() => h.close());

  const taskOf = async (instanceId: string) => (await listTasks(h.database.db, { instanceId }))[0]!;

  test('round-robin assignment, outcome routing, and the completer in the timeline', async () => {
    const ids = [
      await h.start('review', { ref: 'A' }),
      await h.start('review', { ref: 'B' }),
      await h.start('review', { ref: 'C' }),
      await h.start('review', { ref: 'D' }),
    ];
    await h.drain();
    const tasks = await Promise.all(ids.map(taskOf));
    assert.deepEqual(
      tasks.map((t) => t.assignee),
      ['ana', 'bo', 'cy', 'ana'],
    );
    assert.equal(tasks[0]!.title, 'Review A');

    await h.engine.completeTask({
      taskId: tasks[0]!.id,
      outcome: 'approve',
      data: { comment: 'fine', limit: 500 },
      actor: 'ana',
    });
    await h.engine.completeTask({ taskId: tasks[1]!.id, outcome: 'decline', data: { comment: 'no' }, actor: 'bo' });
    await h.drain();
    const approved = await h.instance(ids[0]!);
    assert.equal(approved.outcome, 'approved');
    assert.deepEqual(approved.output, { by: 'ana', limit: 500 });
    assert.equal(approved.timeline.find((e) => e.step === 'review' && e.event === 'completed')?.actor, 'ana');
    assert.equal((await h.instance(ids[1]!)).outcome, 'declined');
  });

  test('completing twice, with a foreign outcome, bad form data or as someone else is refused', async () => {
    const id = await h.start('review', { ref: 'E' });
    await h.drain();
    const task = await taskOf(id);
    const who = task.assignee!;
    await assert.rejects(
      h.engine.completeTask({ taskId: task.id, outcome: 'maybe', data: { comment: 'x' }, actor: who }),
      { status: 422, field: 'body.outcome' },
    );
    await assert.rejects(
      h.engine.completeTask({ taskId: task.id, outcome: 'approve', data: { limit: 'lots' }, actor: who }),
      (e: Error & { issues: Array<{ field: string }> }) => {
        assert.deepEqual(e.issues.map((i) => i.field).sort(), ['body.data.comment', 'body.data.limit']);
        return true;
      },
    );
    await assert.rejects(
      h.engine.completeTask({ taskId: task.id, outcome: 'approve', data: { comment: 'x' }, actor: 'mallory' }),
      { status: 409, code: 'task_assigned' },
    );
    await h.engine.completeTask({ taskId: task.id, outcome: 'approve', data: { comment: 'ok' }, actor: who });
    await assert.rejects(
      h.engine.completeTask({ taskId: task.id, outcome: 'approve', data: { comment: 'ok' }, actor: who }),
      { status: 409, code: 'task_not_open' },
    );
    await h.drain();
    assert.equal((await h.instance(id)).outcome, 'approved');
  });

  test('four eyes: excluded users are never assigned and may neither claim nor complete', async () => {
    await putQueue(h.database, { name: 'approvers', members: ['ana', 'bo', 'cy'], actor: 'test' }, h.clock);
    await h.deploy(`
key: two-approvals
name: Two approvals
steps:
  - id: first
    type: task
    queue: approvers
    title: First approval
    outcomes: [approve, decline]
    routes: { decline: declined }
    assign: { strategy: round-robin }
    excludeUsers: '{{ input.maker }}'
  - id: second
    type: task
    queue: approvers
    title: Second approval
    outcomes: [approve, decline]
    routes: { decline: declined }
    excludeUsers: ['{{ input.maker }}', '{{ steps.first.completedBy }}']
  - { id: approved, type: end, outcome: approved, output: ['{{ steps.first.completedBy }}', '{{ steps.second.completedBy }}'] }
  - { id: declined, type: end, outcome: declined }
`);
    const id = await h.start('two-approvals', { maker: 'ana' });
    await h.drain();
    const first = await taskOf(id);
    // ana's round-robin turn passes to bo: she made the request.
    assert.deepEqual([first.assignee, first.excludedUsers], ['bo', ['ana']]);
    await assert.rejects(h.engine.claimTask({ taskId: first.id, actor: 'ana' }), {
      status: 409,
      code: 'separation_of_duties',
    });
    await h.engine.completeTask({ taskId: first.id, outcome: 'approve', actor: 'bo' });
    await h.drain();

    const second = (await listTasks(h.database.db, { instanceId: id, status: 'open' }))[0]!;
    assert.deepEqual([second.assignee, second.excludedUsers], [null, ['ana', 'bo']]);
    for (const user of ['ana', 'bo']) {
      await assert.rejects(h.engine.completeTask({ taskId: second.id, outcome: 'approve', actor: user }), {
        status: 409,
        code: 'separation_of_duties',
      });
    }
    await h.engine.claimTask({ taskId: second.id, actor: 'cy' });
    await h.engine.completeTask({ taskId: second.id, outcome: 'approve', actor: 'cy' });
    await h.drain();
    const done = await h.instance(id);
    assert.deepEqual([done.outcome, done.output], ['approved', ['bo', 'cy']]);

    // The queue's turn moved past the skipped member: cy is next, but she is the maker now → ana.
    const next = await h.start('two-approvals', { maker: 'cy' });
    await h.drain();
    assert.equal((await taskOf(next)).assignee, 'ana');
  });

  test('a breached SLA escalates the task to another queue', async () => {
    const id = await h.start('review', { ref: 'F' });
    await h.drain();
    await h.advance(2 * DAY);
    const task = await taskOf(id);
    assert.equal(task.queue, 'supervisors');
    assert.equal(task.assignee, null);
    assert.ok(task.escalatedAt);
    assert.ok((await h.instance(id)).timeline.some((e) => e.event === 'escalated'));
    await h.engine.claimTask({ taskId: task.id, actor: 'sup' });
    await h.engine.completeTask({ taskId: task.id, outcome: 'approve', data: { comment: 'ok' }, actor: 'sup' });
    await h.drain();
    assert.equal((await h.instance(id)).outcome, 'approved');
  });

  test('least-loaded assignment picks the member with the fewest open tasks', async () => {
    await putQueue(h.database, { name: 'callers', members: ['x', 'y'], actor: 'test' }, h.clock);
    await h.deploy(`
key: call-task
name: Call
steps:
  - { id: call, type: task, queue: callers, title: Call, assign: { strategy: least-loaded } }
`);
    await h.deploy(`
key: direct
name: Direct
steps:
  - { id: call, type: task, queue: callers, title: Call, assign: { user: x } }
`);
    await h.start('direct');
    await h.start('direct');
    const id = await h.start('call-task');
    await h.drain();
    assert.equal((await taskOf(id)).assignee, 'y');
  });

  test('a templated assignee keeps a case with its collector', async () => {
    await h.deploy(`
key: keep-collector
name: Keep collector
steps:
  - { id: call, type: task, queue: callers, title: Call, assign: { user: "{{ input.collector }}" } }
`);
    const id = await h.start('keep-collector', { collector: 'zoe' });
    const none = await h.start('keep-collector', {});
    await h.drain();
    assert.equal((await taskOf(id)).assignee, 'zoe');
    assert.equal((await taskOf(none)).assignee, null, 'no collector yet: unassigned');
  });

  test('a templated queue puts the task in the queue the context names', async () => {
    await h.deploy(`
key: queue-by-segment
name: Queue by segment
steps:
  - { id: call, type: task, queue: "collectors-{{ input.segment }}", title: Call }
`);
    const id = await h.start('queue-by-segment', { segment: 'b2b' });
    const none = await h.start('queue-by-segment', {});
    await h.drain();
    assert.equal((await taskOf(id)).queue, 'collectors-b2b');
    // "collectors-null" is still a name; an all-placeholder queue that renders empty fails the step.
    assert.equal((await taskOf(none)).queue, 'collectors-null');
    await h.deploy(`
key: queue-from-step
name: Queue from step
steps:
  - { id: call, type: task, queue: "{{ input.queue }}", title: Call }
`);
    const failed = await h.start('queue-from-step', {});
    await h.drain();
    const instance = await h.instance(failed);
    assert.equal(instance.status, 'failed');
    assert.match(JSON.stringify(instance.error), /not a queue name/);
  });

  test('escalation to a step cancels the task and continues there', async () => {
    await h.deploy(`
key: escalate-step
name: Escalate to step
steps:
  - { id: approve, type: task, queue: reviewers, title: Approve, due: PT4H, escalate: { next: timeout } }
  - { id: ok, type: end, outcome: approved }
  - { id: timeout, type: end, outcome: escalated }
`);
    const id = await h.start('escalate-step');
    await h.drain();
    await h.advance(4 * 60 * 60 * 1000);
    assert.equal((await h.instance(id)).outcome, 'escalated');
    assert.equal((await taskOf(id)).status, 'cancelled');
  });

  test('parallel join all waits for every branch; join any cancels the rest', async () => {
    await h.deploy(`
key: par
name: Parallel
input: { type: object, properties: { join: { type: string } } }
steps:
  - id: both
    type: parallel
    join: all
    branches:
      - id: quick
        steps:
          - { id: q1, type: action, action: context.set, with: { v: 1 } }
      - id: slow
        steps:
          - { id: s1, type: wait, duration: P1D }
          - { id: s2, type: action, action: context.set, with: { v: 2 } }
  - { id: done, type: end, outcome: joined, output: { sum: "{{ steps.q1.v + steps.s2.v }}" } }
`);
    const id = await h.start('par');
    await h.drain();
    assert.equal((await h.instance(id)).status, 'running');
    await h.advance(DAY);
    const joined = await h.instance(id);
    assert.equal(joined.outcome, 'joined');
    assert.deepEqual(joined.output, { sum: 3 });

    await h.deploy(`
key: race
name: Race
steps:
  - id: first
    type: parallel
    join: any
    branches:
      - id: human
        steps:
          - { id: ask, type: task, queue: reviewers, title: Decide }
      - id: timer
        steps:
          - { id: t, type: wait, duration: PT1H }
  - { id: done, type: end, outcome: "raced" }
`);
    const raced = await h.start('race');
    await h.drain();
    await h.advance(60 * 60 * 1000);
    const instance = await h.instance(raced);
    assert.equal(instance.outcome, 'raced');
    assert.deepEqual((instance.context as { steps: { first: unknown } }).steps.first, {
      firstBranch: 'timer',
      completed: ['timer'],
    });
    assert.equal((await taskOf(raced)).status, 'cancelled', 'the losing branch’s task is cancelled');
  });

  test('call starts a child workflow and waits for its outcome and output', async () => {
    await h.deploy(`
key: child
name: Child
steps:
  - { id: pause, type: wait, duration: PT5M }
  - { id: done, type: end, outcome: scored, output: { score: "{{ input.base + 10 }}" } }
`);
    await h.deploy(`
key: parent
name: Parent
steps:
  - { id: score, type: call, workflow: child, input: { base: "{{ input.base }}" } }
  - { id: done, type: end, outcome: done, output: { score: "{{ steps.score.output.score }}", childOutcome: "{{ steps.score.outcome }}" } }
`);
    const id = await h.start('parent', { base: 5 });
    await h.drain();
    const waiting = await h.instance(id);
    assert.equal(waiting.at[0]?.step, 'score');
    await h.advance(5 * 60 * 1000);
    const done = await h.instance(id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.output, { score: 15, childOutcome: 'scored' });
  });
});
