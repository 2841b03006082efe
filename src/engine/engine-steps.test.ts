import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { z } from 'zod';
import { NonRetryableError, type ActionContext } from './actions.js';
import { appendAudit } from '../storage/audit/audit-append.js';
import { readAuditLog } from '../storage/audit/audit-log.js';
import { engineHarness, type EngineHarness } from '../testing/engine-harness.js';
import { singleNodeDecision } from '../testing/jdm.js';

/** Action, decide, switch and end steps; retries, dead letter and operator retry. */
describe('engine: straight-through steps', () => {
  let h: EngineHarness;
  let flakyFailures = 0;
  let brokenFixed = false;

  before(async () => {
    h = await engineHarness((actions) => {
      actions.register({
        name: 'test.record',
        input: z.object({ note: z.string() }),
        run: async (input, ctx) => {
          await sql`insert into test_effects (key, note) values (${ctx.idempotencyKey}, ${input.note})`.execute(ctx.tx);
          return { recorded: input.note, attempt: ctx.attempt };
        },
      });
      actions.register({
        name: 'test.flaky',
        input: z.object({ note: z.string() }),
        run: async (input, ctx) => {
          // Writes, audits and publishes, then fails: all three must go with the failed attempt.
          await sql`insert into test_effects (key, note) values (${`${ctx.idempotencyKey}#${ctx.attempt}`}, ${input.note})`.execute(
            ctx.tx,
          );
          await appendAudit(ctx.tx, {
            actor: 'test',
            action: 'test.flaky.wrote',
            entityType: 'test_effect',
            entityId: `${ctx.instanceId}#${ctx.attempt}`,
          });
          await ctx.publish({ type: 'test.flaky.attempted', key: `${ctx.instanceId}#${ctx.attempt}` });
          if (flakyFailures > 0) {
            flakyFailures -= 1;
            throw new Error(`bureau unavailable (attempt ${ctx.attempt})`);
          }
          return { ok: true, attempt: ctx.attempt };
        },
      });
      // The transaction each step runs in, to see where the engine draws transaction boundaries.
      const txid = async (ctx: Pick<ActionContext, 'tx'>) =>
        String((await sql<{ id: string }>`select txid_current()::text as id`.execute(ctx.tx)).rows[0]!.id);
      actions.register({ name: 'test.local', input: z.object({}), run: async (_i, ctx) => ({ tx: await txid(ctx) }) });
      actions.register({
        name: 'test.remote',
        input: z.object({}),
        callsOut: true,
        run: async (_i, ctx) => ({ tx: await txid(ctx) }),
      });
      // A domain's unit of work publishes in the step's transaction, not through ctx.publish.
      actions.register({
        name: 'test.settle',
        input: z.object({ key: z.string() }),
        run: async (input, ctx) => {
          await h.engine.publishManyInTx(ctx.tx, [{ type: 'test.settled', key: input.key, data: {}, actor: 'test' }]);
          return { published: true };
        },
      });
      actions.register({
        name: 'test.broken',
        input: z.object({}),
        run: () => (brokenFixed ? Promise.resolve({ fixed: true }) : Promise.reject(new Error('core banking said no'))),
      });
      actions.register({
        name: 'test.reject',
        input: z.object({}),
        run: () => Promise.reject(new NonRetryableError('customer is blocked')),
      });
    });
    await sql`create table test_effects (key text primary key, note text not null)`.execute(h.database.db);
  });
  after(() => h.close());

  test('actions chain in one transaction, templated from the context, and the instance completes', async () => {
    await h.deploy(`
key: chain
name: Chain
input: { type: object, required: [name], properties: { name: { type: string }, amount: { type: integer } } }
steps:
  - { id: first, type: action, action: test.record, with: { note: "hello {{ input.name }}" } }
  - { id: double, type: action, action: context.set, with: { twice: "{{ input.amount * 2 }}" } }
  - { id: second, type: action, action: test.record, with: { note: "{{ steps.first.recorded + ' / ' + string(steps.double.twice) }}" } }
  - { id: done, type: end, outcome: recorded, output: { total: "{{ steps.double.twice }}" } }
`);
    const id = await h.start('chain', { name: 'Ada', amount: 21 });
    assert.equal(await h.drain(), 1, 'the whole chain runs in one claim');
    const instance = await h.instance(id);
    assert.equal(instance.status, 'completed');
    assert.equal(instance.outcome, 'recorded');
    assert.deepEqual(instance.output, { total: 42 });
    const notes = await sql<{
      note: string;
    }>`select note from test_effects where key like ${id + '%'} order by note`.execute(h.database.db);
    assert.deepEqual(
      notes.rows.map((r) => r.note),
      ['hello Ada', 'hello Ada / 42'],
    );
    assert.deepEqual(
      instance.timeline.map((e) => `${e.step ?? '-'}:${e.event}`),
      [
        '-:instance.started',
        'first:completed',
        'double:completed',
        'second:completed',
        'done:completed',
        '-:instance.completed',
      ],
    );
    const audit = await readAuditLog(h.database.db, { entityType: 'workflow_instance', entityId: id });
    assert.deepEqual(
      audit.map((a) => a.action),
      ['workflow.instance.started', 'workflow.instance.advanced'],
    );
  });

  test('an action that calls out runs first in a fresh transaction, never after other steps in one', async () => {
    await h.deploy(`
key: calls-out
name: Calls out
steps:
  - { id: remote_first, type: action, action: test.remote }
  - { id: local, type: action, action: test.local }
  - { id: remote, type: action, action: test.remote }
  - { id: after_remote, type: action, action: test.local }
`);
    const id = await h.start('calls-out', {});
    assert.equal(await h.drain(), 1, 'the second call-out runs right after the claim commits, in the same round');
    const { status, context } = await h.instance(id);
    assert.equal(status, 'completed');
    const tx = (step: string) => (context as { steps: Record<string, { tx: string }> }).steps[step]!.tx;
    // A call-out at the start of a claim runs in it, and the chain goes on in the same transaction…
    assert.equal(tx('remote_first'), tx('local'));
    // …but after other steps it waits for a transaction of its own, whose locks it does not inherit.
    assert.notEqual(tx('remote'), tx('local'));
    assert.equal(tx('after_remote'), tx('remote'));
  });

  test('bad start input is rejected naming the field, and nothing is written', async () => {
    await assert.rejects(
      h.engine.start({ workflowKey: 'chain', input: { amount: 'x' }, actor: 'test' }),
      (error: Error & { issues?: Array<{ field: string }> }) => {
        const fields = (error.issues ?? []).map((i) => i.field).sort();
        assert.ok(fields.includes('input.name') && fields.includes('input.amount'), JSON.stringify(error.issues));
        return true;
      },
    );
  });

  test('a failing action is retried with exponential backoff; failed attempts leave no writes', async () => {
    await h.deploy(`
key: flaky
name: Flaky
steps:
  - { id: call, type: action, action: test.flaky, with: { note: flaky }, retry: { maxAttempts: 4, initialInterval: PT10S } }
`);
    flakyFailures = 2;
    const id = await h.start('flaky');
    await h.drain();
    let instance = await h.instance(id);
    assert.equal(instance.status, 'running');
    assert.equal(instance.at[0]?.attempt, 1);
    assert.equal(instance.at[0]?.runAt, new Date(h.clock.now().getTime() + 10_000).toISOString());
    await h.advance(9_999);
    assert.equal((await h.instance(id)).at[0]?.attempt, 1, 'not before the backoff');
    await h.advance(1);
    instance = await h.instance(id);
    assert.equal(instance.at[0]?.attempt, 2);
    assert.equal(instance.at[0]?.runAt, new Date(h.clock.now().getTime() + 20_000).toISOString(), 'backoff doubles');
    await h.advance(20_000);
    instance = await h.instance(id);
    assert.equal(instance.status, 'completed');
    assert.deepEqual(instance.context, { ...(instance.context as object), steps: { call: { ok: true, attempt: 3 } } });
    const writes = await sql<{ key: string }>`select key from test_effects where key like ${id + '%'}`.execute(
      h.database.db,
    );
    assert.equal(writes.rows.length, 1, 'only the successful attempt wrote');
    assert.match(writes.rows[0]!.key, /#3$/);
    const audited = (await readAuditLog(h.database.db, { entityType: 'test_effect' })).filter((a) =>
      a.entity_id.startsWith(id),
    );
    assert.deepEqual(
      audited.map((a) => a.entity_id),
      [`${id}#3`],
      'only the successful attempt left an audit row',
    );
    const events = await sql<{
      key: string;
    }>`select key from wf_events where type = 'test.flaky.attempted' and key like ${id + '%'}`.execute(h.database.db);
    assert.deepEqual(
      events.rows.map((e) => e.key),
      [`${id}#3`],
      'only the successful attempt published its event',
    );
    assert.deepEqual(
      instance.timeline.filter((e) => e.step === 'call').map((e) => `${e.event}#${e.attempt}`),
      ['retry_scheduled#1', 'retry_scheduled#2', 'completed#3'],
    );
  });

  test('after the last attempt the instance is failed (dead letter) and an operator retries it', async () => {
    await h.deploy(`
key: broken
name: Broken
steps:
  - { id: post, type: action, action: test.broken, retry: { maxAttempts: 2, initialInterval: PT1M } }
  - { id: done, type: end, outcome: posted }
`);
    brokenFixed = false;
    const id = await h.start('broken');
    await h.drain();
    await h.advance(60_000);
    let instance = await h.instance(id);
    assert.equal(instance.status, 'failed');
    assert.deepEqual(instance.error, { step: 'post', message: 'core banking said no', attempt: 2 });
    await h.advance(3_600_000);
    assert.equal((await h.instance(id)).status, 'failed', 'a dead letter stays put');

    brokenFixed = true;
    await h.engine.retry({ instanceId: id, actor: 'key_operator', reason: 'core banking fixed' });
    await h.drain();
    instance = await h.instance(id);
    assert.equal(instance.status, 'completed');
    assert.ok(instance.timeline.some((e) => e.event === 'instance.retried' && e.actor === 'key_operator'));
    const audit = await readAuditLog(h.database.db, { entityType: 'workflow_instance', entityId: id });
    assert.ok(audit.some((a) => a.action === 'workflow.instance.retried' && a.reason === 'core banking fixed'));
  });

  test('a non-retryable error and an action input that fails its schema fail at once with the reason', async () => {
    await h.deploy(`
key: rejects
name: Rejects
steps:
  - { id: check, type: action, action: test.reject }
`);
    const rejected = await h.instance(await h.start('rejects').then(async (id) => (await h.drain(), id)));
    assert.equal(rejected.status, 'failed');
    assert.equal((rejected.error as { message: string }).message, 'customer is blocked');

    await h.deploy(`
key: badinput
name: Bad input
steps:
  - { id: rec, type: action, action: test.record, with: { note: "{{ input.missing }}" } }
`);
    const id = await h.start('badinput');
    await h.drain();
    const instance = await h.instance(id);
    assert.equal(instance.status, 'failed');
    assert.match((instance.error as { message: string }).message, /with\.note/);
  });

  test('decide evaluates a versioned decision table; switch routes on its result', async () => {
    const table = (highAbove: number) =>
      singleNodeDecision({
        id: 'table',
        type: 'decisionTableNode',
        name: 'Segment',
        content: {
          hitPolicy: 'first',
          inputs: [{ id: 'amount', name: 'Amount', field: 'amount' }],
          outputs: [{ id: 'segment', name: 'Segment', field: 'segment' }],
          rules: [
            { _id: 'r1', amount: `> ${highAbove}`, segment: "'high'" },
            { _id: 'r2', amount: '', segment: "'low'" },
          ],
        },
      });
    await h.engine.putDecision({ key: 'segment', content: table(1000), actor: 'test' });
    await h.deploy(`
key: segmenting
name: Segmenting
steps:
  - { id: seg, type: decide, decision: segment, input: { amount: "{{ input.amount }}" } }
  - id: route
    type: switch
    cases:
      - { when: "steps.seg.segment == 'high'", next: high }
    default: low
  - { id: high, type: end, outcome: high }
  - { id: low, type: end, outcome: low }
`);
    const big = await h.start('segmenting', { amount: 5000 });
    const small = await h.start('segmenting', { amount: 50 });
    await h.drain();
    assert.equal((await h.instance(big)).outcome, 'high');
    assert.equal((await h.instance(small)).outcome, 'low');
    const decided = (await h.instance(big)).timeline.find((e) => e.step === 'seg');
    assert.deepEqual((decided?.data as { decision: unknown }).decision, { key: 'segment', version: 1 });

    await h.engine.putDecision({ key: 'segment', content: table(10_000), actor: 'test' });
    const again = await h.start('segmenting', { amount: 5000 });
    await h.drain();
    const instance = await h.instance(again);
    assert.equal(instance.outcome, 'low', 'the new decision version applies');
    assert.deepEqual((instance.timeline.find((e) => e.step === 'seg')?.data as { decision: unknown }).decision, {
      key: 'segment',
      version: 2,
    });
  });

  test('a decision that throws fails the step with the reason in the timeline', async () => {
    await h.engine.putDecision({
      key: 'throws',
      actor: 'test',
      content: singleNodeDecision({
        id: 'fn',
        type: 'functionNode',
        name: 'Boom',
        content: { source: "export const handler = async () => { throw new Error('scorecard missing'); };" },
      }),
    });
    await h.deploy(`
key: throwing
name: Throwing
steps:
  - { id: score, type: decide, decision: throws }
`);
    const id = await h.start('throwing');
    await h.drain();
    const instance = await h.instance(id);
    assert.equal(instance.status, 'failed');
    assert.match((instance.error as { message: string }).message, /scorecard missing/);
    assert.equal(instance.timeline.find((e) => e.step === 'score')?.event, 'failed');
  });
  test('an event a step publishes in its own transaction wakes a waiting branch of the same instance', async () => {
    await h.deploy(`
key: self-wake
name: Self wake
steps:
  - id: both
    type: parallel
    join: any
    branches:
      - id: settled
        steps:
          - { id: await_settled, type: waitFor, event: test.settled, correlation: input.key }
      - id: work
        steps:
          - { id: later, type: wait, duration: PT1H }
          - { id: settle, type: action, action: test.settle, with: { key: "{{ input.key }}" } }
          - { id: forever, type: waitFor, event: test.never }
  - { id: done, type: end, outcome: settled }
`);
    const id = await h.start('self-wake', { key: 'k-1' });
    await h.drain();
    // The settle step runs in a later transaction than the one that began the wait.
    await h.advance(60 * 60 * 1000);
    assert.equal((await h.instance(id)).outcome, 'settled');
  });
  test('an event a step publishes wakes a wait its own run began earlier, in the same transaction', async () => {
    await h.deploy(`
key: self-wake-same-run
name: Self wake in the same run
steps:
  - id: both
    type: parallel
    join: any
    branches:
      - id: settled
        steps:
          - { id: await_settled, type: waitFor, event: test.settled, correlation: input.key }
      - id: work
        steps:
          - { id: first, type: action, action: context.set, with: { n: 1 } }
          - { id: settle, type: action, action: test.settle, with: { key: "{{ input.key }}" } }
          - { id: forever, type: waitFor, event: test.never }
  - { id: done, type: end, outcome: settled }
`);
    // The wait begins in the first round of the run, the event is published in the second: both in
    // the run that starts the instance, before the wait is written.
    const id = await h.start('self-wake-same-run', { key: 'k-2' });
    await h.drain();
    const instance = await h.instance(id);
    assert.equal(instance.outcome, 'settled');
    assert.ok(instance.timeline.some((e) => e.step === 'await_settled' && e.event === 'completed'));
  });
  test('an instance woken by an earlier instance of the same worker batch is not lost', async () => {
    // The waiter sits on two branches: a wait for test.settled and a timer. The settler's timer is due
    // just before the waiter's, so one worker batch claims both, settler first: its step wakes the
    // waiter's wait while the waiter is claimed, then the waiter's own run writes the instance. The
    // wake must survive that write (the waiter is re-read before it runs, and made due again after).
    await h.deploy(`
key: batch-waiter
name: Batch waiter
steps:
  - id: both
    type: parallel
    join: any
    branches:
      - id: settled
        steps:
          - { id: await_settled, type: waitFor, event: test.settled, correlation: input.key }
      - id: timer
        steps:
          - { id: later, type: wait, duration: PT1H }
          - { id: forever, type: waitFor, event: test.never }
  - { id: done, type: end, outcome: settled }
`);
    await h.deploy(`
key: batch-settler
name: Batch settler
steps:
  - { id: later, type: wait, duration: PT1H }
  - { id: settle, type: action, action: test.settle, with: { key: "{{ input.key }}" } }
  - { id: done, type: end, outcome: sent }
`);
    const settler = await h.start('batch-settler', { key: 'k-batch' });
    await h.drain();
    await h.advance(1000);
    const waiter = await h.start('batch-waiter', { key: 'k-batch' });
    await h.drain();
    assert.equal((await h.instance(waiter)).status, 'running');

    const due = await h.database.db
      .selectFrom('wf_instances')
      .select(['id', 'next_run_at'])
      .where('id', 'in', [settler, waiter])
      .orderBy('next_run_at')
      .execute();
    assert.deepEqual(
      due.map((r) => r.id),
      [settler, waiter],
      'the settler is due first, so the batch runs it first',
    );
    await h.advance(60 * 60 * 1000);
    assert.equal((await h.instance(settler)).outcome, 'sent');
    const instance = await h.instance(waiter);
    assert.equal(instance.outcome, 'settled', JSON.stringify(instance.timeline.map((e) => [e.step, e.event])));
  });
  test('an event the run already took is not offered again to its later waits', async () => {
    await h.deploy(`
key: self-wake-once
name: An event taken once
steps:
  - { id: settle, type: action, action: test.settle, with: { key: "{{ input.key }}" } }
  - { id: first, type: waitFor, event: test.settled, correlation: input.key }
  - { id: second, type: waitFor, event: test.settled, correlation: input.key }
  - { id: done, type: end, outcome: twice }
`);
    const id = await h.start('self-wake-once', { key: 'k-3' });
    await h.drain();
    const instance = await h.instance(id);
    // The first wait took the event the step published; the second waits for another one.
    assert.equal(instance.status, 'running');
    assert.ok(instance.timeline.some((e) => e.step === 'first' && e.event === 'completed'));
    assert.ok(!instance.timeline.some((e) => e.step === 'second' && e.event === 'completed'));
  });
});
