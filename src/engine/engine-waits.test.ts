import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY, engineHarness, type EngineHarness } from '../testing/engine-harness.js';
import { putCalendar } from './time/calendar-store.js';

/** Durable timers (durations, absolute times, business days) and event waits with timeouts. */
describe('engine: waits', () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness();
  });
  after(() => h.close());

  test('a P30D wait fires at its due time, not before, without sleeping', async () => {
    await h.deploy(`
key: month
name: Month
steps:
  - { id: pause, type: wait, duration: P30D }
  - { id: done, type: end, outcome: waited }
`);
    const id = await h.start('month');
    await h.drain();
    const waiting = await h.instance(id);
    assert.equal(waiting.at[0]?.step, 'pause');
    assert.equal(waiting.at[0]?.runAt, '2026-04-01T09:00:00.000Z');
    await h.advance(30 * DAY - 1);
    assert.equal((await h.instance(id)).status, 'running');
    await h.advance(1);
    assert.equal((await h.instance(id)).outcome, 'waited');
  });

  test('until: an absolute time from the context', async () => {
    await h.deploy(`
key: until
name: Until
steps:
  - { id: pause, type: wait, until: input.followUpAt }
`);
    h.clock.set('2026-03-02T09:00:00.000Z');
    const id = await h.start('until', { followUpAt: '2026-03-05T12:00:00Z' });
    await h.drain();
    assert.equal((await h.instance(id)).at[0]?.runAt, '2026-03-05T12:00:00.000Z');
  });

  test('business days skip weekends and the holidays of a named calendar', async () => {
    await putCalendar(
      h.database,
      { name: 'ES', timezone: 'Europe/Madrid', holidays: ['2026-03-19'], actor: 'test' },
      h.clock,
    );
    await h.deploy(`
key: bizdays
name: Business days
steps:
  - { id: pause, type: wait, businessDays: 4, calendar: ES }
`);
    h.clock.set('2026-03-17T09:00:00.000Z'); // Tuesday; Thu 19 is a holiday
    const id = await h.start('bizdays');
    await h.drain();
    // Wed 18, (Thu 19 holiday), Fri 20, (weekend), Mon 23, Tue 24
    assert.equal((await h.instance(id)).at[0]?.runAt, '2026-03-24T09:00:00.000Z');
  });

  test('waitFor resumes on the correlated event and hands its data to later steps', async () => {
    await h.deploy(`
key: await-payment
name: Await payment
steps:
  - id: paid
    type: waitFor
    event: payment.received
    correlation: input.invoiceId
    filter: "event.data.amount >= input.amount"
    timeout: P3D
    onTimeout: chase
  - { id: thanks, type: end, outcome: paid, output: { amount: "{{ steps.paid.event.data.amount }}" } }
  - { id: chase, type: end, outcome: unpaid }
`);
    const a = await h.start('await-payment', { invoiceId: 'inv-1', amount: 100 });
    const b = await h.start('await-payment', { invoiceId: 'inv-2', amount: 100 });
    await h.drain();
    const small = await h.engine.publish({
      type: 'payment.received',
      key: 'inv-1',
      data: { amount: 40 },
      actor: 'test',
    });
    assert.deepEqual(small.resumed, [], 'a partial payment does not pass the filter');
    const other = await h.engine.publish({
      type: 'payment.received',
      key: 'inv-9',
      data: { amount: 500 },
      actor: 'test',
    });
    assert.deepEqual(other.resumed, [], 'another key does not match');
    const full = await h.engine.publish({
      type: 'payment.received',
      key: 'inv-1',
      data: { amount: 100 },
      actor: 'test',
    });
    assert.deepEqual(full.resumed, [a]);
    await h.drain();
    const done = await h.instance(a);
    assert.equal(done.outcome, 'paid');
    assert.deepEqual(done.output, { amount: 100 });

    await h.advance(3 * DAY);
    assert.equal((await h.instance(b)).outcome, 'unpaid', 'the timeout routes to onTimeout');
    const again = await h.engine.publish({
      type: 'payment.received',
      key: 'inv-2',
      data: { amount: 100 },
      actor: 'test',
    });
    assert.deepEqual(again.resumed, [], 'a wait that timed out no longer matches');
  });

  test('waitFor until: a deadline from the context; null waits without one; a past one ends at once', async () => {
    await h.deploy(`
key: await-until
name: Await until
steps:
  - id: changed
    type: waitFor
    event: case.changed
    correlation: input.caseId
    until: input.nextStageAt
    onTimeout: stage
  - { id: woke, type: end, outcome: woke }
  - { id: stage, type: end, outcome: stage }
`);
    h.clock.set('2026-05-01T09:00:00.000Z');
    const timed = await h.start('await-until', { caseId: 'c-1', nextStageAt: '2026-05-04T00:00:00Z' });
    const open = await h.start('await-until', { caseId: 'c-2', nextStageAt: null });
    const past = await h.start('await-until', { caseId: 'c-3', nextStageAt: '2026-04-01T00:00:00Z' });
    await h.drain();
    assert.equal((await h.instance(timed)).at[0]?.runAt, '2026-05-04T00:00:00.000Z');
    assert.equal((await h.instance(past)).outcome, 'stage', 'a deadline already passed ends the wait at once');
    await h.advance(3 * DAY);
    assert.equal((await h.instance(timed)).outcome, 'stage');
    const waiting = await h.instance(open);
    assert.equal(waiting.status, 'running');
    assert.equal(waiting.at[0]?.runAt ?? null, null, 'null: no deadline');
    await h.engine.publish({ type: 'case.changed', key: 'c-2', data: {}, actor: 'test' });
    await h.drain();
    assert.equal((await h.instance(open)).outcome, 'woke');

    const bad = await h.engine
      .deploy({
        source: `
key: await-both
name: Both
steps:
  - { id: w, type: waitFor, event: e, timeout: P1D, until: input.at }
`,
        format: 'yaml',
        actor: 'test',
      })
      .catch((error: unknown) => error);
    assert.match(JSON.stringify(bad), /timeout or until, not both/);
  });

  test('an event published after the start but before the wait begins is not lost', async () => {
    await h.deploy(`
key: late-wait
name: Late wait
steps:
  - { id: pause, type: wait, duration: PT1H }
  - { id: signed, type: waitFor, event: contract.signed, correlation: input.contract }
  - { id: done, type: end, outcome: signed }
`);
    const id = await h.start('late-wait', { contract: 'c-7' });
    await h.drain();
    await h.engine.publish({ type: 'contract.signed', key: 'c-7', data: {}, actor: 'test' });
    await h.advance(60 * 60 * 1000);
    assert.equal((await h.instance(id)).outcome, 'signed');
  });
});
