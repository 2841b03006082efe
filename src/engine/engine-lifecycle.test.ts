import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY, engineHarness, type EngineHarness } from '../testing/engine-harness.js';
import { readAuditLog } from '../storage/audit/audit-log.js';
import { listInstances } from './runtime/queries.js';

/** Triggers (event, schedule), versioning and operator actions. */
describe('engine: triggers, versions and operations', () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness();
  });
  after(() => h.close());

  test('an event trigger starts one instance per correlation key, filtered', async () => {
    await h.deploy(`
key: dunning
name: Dunning
triggers:
  - event: receivable.overdue
    filter: "event.data.amount > 0"
    correlationKey: event.key
steps:
  - { id: wait_payment, type: waitFor, event: receivable.paid, correlation: instance.correlationKey }
  - { id: done, type: end, outcome: paid }
`);
    const first = await h.engine.publish({
      type: 'receivable.overdue',
      key: 'rcv-1',
      data: { amount: 10 },
      actor: 'test',
    });
    const dup = await h.engine.publish({
      type: 'receivable.overdue',
      key: 'rcv-1',
      data: { amount: 10 },
      actor: 'test',
    });
    const zero = await h.engine.publish({
      type: 'receivable.overdue',
      key: 'rcv-2',
      data: { amount: 0 },
      actor: 'test',
    });
    assert.equal(first.started.length, 1);
    assert.equal(first.started[0]!.created, true);
    assert.deepEqual(dup.started, [{ ...first.started[0]!, created: false }], 'one running instance per key');
    assert.deepEqual(zero.started, [], 'the filter keeps it out');
    await h.drain();
    const id = first.started[0]!.instanceId!;
    const instance = await h.instance(id);
    assert.deepEqual((instance.context as { input: unknown }).input, { amount: 10 });
    await h.engine.publish({ type: 'receivable.paid', key: 'rcv-1', data: {}, actor: 'test' });
    await h.drain();
    assert.equal((await h.instance(id)).outcome, 'paid');
    const again = await h.engine.publish({
      type: 'receivable.overdue',
      key: 'rcv-1',
      data: { amount: 5 },
      actor: 'test',
    });
    assert.equal(again.started[0]!.created, true, 'a finished instance frees its key');
    await assert.rejects(h.engine.start({ workflowKey: 'dunning', input: {}, actor: 'test' }), {
      status: 409,
      code: 'manual_start_not_allowed',
    });
  });

  test('an event a workflow refuses (bad input) is audited and blocks no other trigger, wait or worker', async () => {
    await h.deploy(`
key: strict-notes
name: Strict notes
triggers: [{ event: note.sent }]
input: { type: object, required: [text], properties: { text: { type: string } } }
steps:
  - { id: done, type: end, outcome: noted }
`);
    await h.deploy(`
key: loose-notes
name: Loose notes
triggers: [{ event: note.sent }]
steps:
  - { id: done, type: end, outcome: noted }
`);
    await h.deploy(`
key: note-sender
name: Note sender
steps:
  - { id: send, type: action, action: event.publish, with: { type: note.sent, data: { wrong: 1 } } }
  - { id: done, type: end, outcome: sent }
`);
    const sender = await h.start('note-sender');
    await h.drain();
    assert.equal((await h.instance(sender)).outcome, 'sent', 'the publishing step committed');
    const published = await h.engine.publish({ type: 'note.sent', data: { wrong: 2 }, actor: 'test' });
    const strict = published.started.find((s) => s.workflow === 'strict-notes');
    assert.equal(strict?.instanceId, null);
    assert.match(strict?.error ?? '', /input\.text/);
    const loose = published.started.find((s) => s.workflow === 'loose-notes');
    assert.equal(loose?.created, true);
    const refusals = await readAuditLog(h.database.db, { entityType: 'workflow', entityId: 'strict-notes' });
    assert.equal(refusals.filter((a) => a.action === 'workflow.trigger.refused').length, 2);
  });

  test('two branches waiting for the same event both wake; a buffered event whose data breaks a filter does not block', async () => {
    await h.deploy(`
key: two-signers
name: Two signers
steps:
  - id: both
    type: parallel
    branches:
      - { id: a, steps: [{ id: wa, type: waitFor, event: doc.signed, correlation: input.doc }] }
      - { id: b, steps: [{ id: wb, type: waitFor, event: doc.signed, correlation: input.doc }] }
  - { id: done, type: end, outcome: signed }
`);
    const id = await h.start('two-signers', { doc: 'D1' });
    await h.drain();
    const published = await h.engine.publish({ type: 'doc.signed', key: 'D1', data: {}, actor: 'test' });
    assert.deepEqual(published.resumed, [id, id]);
    await h.drain();
    assert.equal((await h.instance(id)).outcome, 'signed');

    await h.deploy(`
key: filtered-late
name: Filtered late
steps:
  - { id: pause, type: wait, duration: PT1H }
  - { id: paid, type: waitFor, event: pay.in, filter: "event.data.amount >= 100" }
  - { id: done, type: end, outcome: paid }
`);
    const late = await h.start('filtered-late');
    await h.drain();
    await h.engine.publish({ type: 'pay.in', data: { amount: 'abc' }, actor: 'test' });
    await h.advance(60 * 60 * 1000);
    assert.equal((await h.instance(late)).at[0]?.step, 'paid', 'the unusable event is skipped; the wait begins');
    await h.engine.publish({ type: 'pay.in', data: { amount: 150 }, actor: 'test' });
    await h.drain();
    assert.equal((await h.instance(late)).outcome, 'paid');
  });

  test('due timers are claimed before a backlog of fresh starts', async () => {
    await h.deploy(`
key: napper
name: Napper
steps:
  - { id: nap, type: wait, duration: PT1M }
  - { id: done, type: end, outcome: woke }
`);
    const napper = await h.start('napper');
    await h.drain();
    h.clock.advance(30_000);
    const fresh = []; // due 30 s before the timer: plain oldest-first order would take them first
    for (let i = 0; i < 5; i++) fresh.push(await h.start('napper'));
    h.clock.advance(30_000);
    const worker = h.engine.createWorker({ batchSize: 1 });
    await worker.tick();
    assert.equal((await h.instance(napper)).outcome, 'woke', 'the timer went first');
    assert.ok((await Promise.all(fresh.map((id) => h.instance(id)))).every((i) => i.at[0]?.status === 'ready'));
    await h.drain();
  });

  test('an instance that breaks outside any step is failed with the error; the rest of its batch runs', async () => {
    await h.deploy(`
key: sturdy
name: Sturdy
steps:
  - { id: pause, type: wait, duration: PT1M }
  - { id: done, type: end, outcome: ok }
`);
    const broken = await h.start('sturdy');
    const healthy = await h.start('sturdy');
    await h.drain();
    // A token on a step its definition does not have: the engine cannot run it.
    await h.database.db.updateTable('wf_tokens').set({ step_id: 'ghost' }).where('instance_id', '=', broken).execute();
    await h.advance(60_000);
    assert.equal((await h.instance(healthy)).outcome, 'ok');
    const failed = await h.instance(broken);
    assert.equal(failed.status, 'failed');
    assert.match((failed.error as { message: string }).message, /^engine error: step ghost is not in sturdy@1/);
    assert.equal(failed.timeline.at(-1)?.event, 'failed');
    const audit = await readAuditLog(h.database.db, { entityType: 'workflow_instance', entityId: broken });
    assert.equal(audit.at(-1)?.action, 'workflow.instance.failed');
  });

  test('a schedule trigger fires on its cron in its time zone, once per firing', async () => {
    h.clock.set('2026-03-02T06:00:00.000Z');
    await h.deploy(`
key: morning
name: Morning run
triggers:
  - { schedule: "0 8 * * 1-5", timezone: Europe/Madrid }
steps:
  - { id: done, type: end, outcome: ran }
`);
    const count = async () => (await listInstances(h.database.db, { workflow: 'morning' })).length;
    await h.drain();
    assert.equal(await count(), 0);
    await h.advance(59 * 60 * 1000); // 06:59 UTC = 07:59 in Madrid (UTC+1): not yet
    assert.equal(await count(), 0);
    await h.advance(60 * 1000); // 08:00 in Madrid
    assert.equal(await count(), 1);
    await h.advance(60 * 60 * 1000);
    assert.equal(await count(), 1, 'no second firing the same day');
    await h.advance(DAY);
    assert.equal(await count(), 2);
    const instances = await listInstances(h.database.db, { workflow: 'morning' });
    const input = (await h.instance(instances[0]!.id)).context as { input: { scheduledFor: string } };
    assert.equal(input.input.scheduledFor, '2026-03-02T07:00:00.000Z');
  });

  test('running instances finish on their version; new starts take the latest; migrate is explicit', async () => {
    const v1 = await h.deploy(`
key: versioned
name: Versioned
steps:
  - { id: pause, type: wait, duration: P1D }
  - { id: done, type: end, outcome: v1 }
`);
    const same = await h.deploy(`
key: versioned
name: Versioned
steps:
  - { id: pause, type: wait, duration: P1D }
  - { id: done, type: end, outcome: v1 }
`);
    assert.equal(same.version, v1.version, 're-deploying an identical document is a no-op');
    const old = await h.start('versioned');
    const toMigrate = await h.start('versioned');
    await h.drain();
    const v2 = await h.deploy(`
key: versioned
name: Versioned
steps:
  - { id: pause, type: wait, duration: P1D }
  - { id: done, type: end, outcome: v2 }
`);
    assert.equal(v2.version, v1.version + 1);
    const fresh = await h.start('versioned');
    await h.drain();
    const migrated = await h.engine.migrate({ instanceId: toMigrate, actor: 'ops' });
    assert.deepEqual(migrated, { from: 1, to: 2, migrated: true });
    await h.advance(DAY);
    assert.equal((await h.instance(old)).outcome, 'v1');
    assert.equal((await h.instance(toMigrate)).outcome, 'v2');
    assert.equal((await h.instance(fresh)).outcome, 'v2');

    await h.deploy(`
key: versioned
name: Versioned
steps:
  - { id: other, type: wait, duration: P1D }
`);
    const stuck = await h.start('versioned');
    await h.deploy(`
key: versioned
name: Versioned
steps:
  - { id: renamed, type: wait, duration: P1D }
`);
    await h.drain();
    await assert.rejects(h.engine.migrate({ instanceId: stuck, actor: 'ops' }), {
      status: 409,
      code: 'migration_impossible',
    });
  });

  test('suspend holds timers; resume fires what fell due; cancel ends it and its tasks', async () => {
    await h.deploy(`
key: ops
name: Ops
steps:
  - { id: pause, type: wait, duration: PT1H }
  - { id: ask, type: task, queue: q, title: Ask }
`);
    const id = await h.start('ops');
    await h.drain();
    await h.engine.suspend({ instanceId: id, actor: 'ops', reason: 'customer called' });
    await h.advance(2 * 60 * 60 * 1000);
    assert.equal((await h.instance(id)).at[0]?.step, 'pause', 'a suspended instance does not move');
    await assert.rejects(h.engine.suspend({ instanceId: id, actor: 'ops' }), { status: 409 });
    await h.engine.resume({ instanceId: id, actor: 'ops' });
    await h.drain();
    const asking = await h.instance(id);
    assert.equal(asking.at[0]?.step, 'ask');
    await h.engine.cancel({ instanceId: id, actor: 'ops', reason: 'duplicate' });
    const cancelled = await h.instance(id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.tasks[0]?.status, 'cancelled');
    await assert.rejects(h.engine.cancel({ instanceId: id, actor: 'ops' }), { status: 409, code: 'instance_finished' });
  });

  test('deploy rejects an invalid definition naming step, field and line, and stores nothing', async () => {
    await assert.rejects(
      h.deploy(`key: broken-def
name: Broken
steps:
  - { id: a, type: action, action: no.such.action, next: nowhere }
`),
      (error: Error & { status: number; issues: Array<{ field: string; line?: number }> }) => {
        assert.equal(error.status, 400);
        const fields = error.issues.map((i) => i.field).sort();
        assert.deepEqual(fields, ['steps.a.action', 'steps.a.next']);
        assert.ok(
          error.issues.every((i) => i.line === 4),
          JSON.stringify(error.issues),
        );
        return true;
      },
    );
    await assert.rejects(h.engine.start({ workflowKey: 'broken-def', input: {}, actor: 'test' }), { status: 404 });
  });
});
