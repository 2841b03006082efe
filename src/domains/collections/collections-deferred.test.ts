/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { addDays } from '../receivables/schedule/due-dates.js';
import type { Body } from '../../testing/api-client.js';
import {
  collectionsScenario,
  shortStrategy,
  type Account,
  type CollectionsScenario,
} from '../../testing/collections-scenario.js';
import { preDueReminderWanted, stageMessageWanted, type StageMessageFacts } from './message-wanted.js';

/**
 * A message must not outlive its reason. Quiet hours, a no-contact day or a frequency cap can hold a
 * stage's email or a pre-due reminder back for hours or days; when it may finally go out, the case
 * (or the installment) is checked again in the send's transaction. A promise made meanwhile drops the
 * stage's message, and the stage is not recorded as run until it really runs after the promise
 * breaks; a reminder whose installment was paid, or whose due date passed, is dropped; and a
 * do-not-contact customer gets no call task, whether the flag was there from the start or set
 * mid-case. Real SMTP and Twilio-shaped SMS servers; the clock is moved into the evening to let
 * deferred sends come due.
 */

/** consumer-low, champion: email d1 · SMS d2 · call d3 · final notice d6. */
const SHORT_STRATEGY = shortStrategy('Deferred-send test strategy', [
  ['d_email_d1', 1, 'email', 'payment_overdue'],
  ['d_sms_d2', 2, 'sms', 'payment_overdue'],
  ['d_call_d3', 3, 'call', null],
  ['d_final_d6', 6, 'final_notice', 'collections_final_notice'],
]);

describe('collections: a deferred message re-checks its reason when it comes due', () => {
  let world: CollectionsScenario;
  const call: CollectionsScenario['call'] = (...args) => world.call(...args);
  const expect: CollectionsScenario['expect'] = (...args) => world.expect(...args);
  const stagesOf = (detail: Body) => (detail.stages as Body[]).map((s) => s.stage);
  const smsTo = (phone: string) => [...world.twilio.messages.values()].filter((m) => m.to === phone);
  let n = 0;
  /** A customer in Madrid with their own quiet hours (local time), and a loan first due in 8 days. */
  const account = (extra: Body = {}): Promise<Account & { email: string; phone: string }> => {
    n += 1;
    const email = `deferred${n}@example.com`;
    const phone = `+3461000${String(n).padStart(4, '0')}`;
    return world
      .loan({ name: `Deferred ${n}`, email, phone, language: 'en', riskRating: 'A', ...extra })
      .then((a) => ({ ...a, email, phone }));
  };
  const preferences = async (customerId: string, json: Body) =>
    expect(await call('PATCH', `/customers/${customerId}/contact-preferences`, { json }), 200);
  const messagesOf = async (customerId: string) =>
    expect(await call('GET', `/channels/messages?customer=${customerId}`), 200).data as Body[];
  /** The timeline entries of a step of the case's workflow. */
  const entries = (detail: Body, step: string, event?: string) =>
    (detail.timeline as Body[]).filter((e) => e.step === step && (event === undefined || e.event === event));
  /** Moves the clock to `at` (the same day, later) and runs what came due. */
  const runAt = async (at: string) => {
    world.clock.set(at);
    await world.drain();
  };

  before(async () => {
    world = await collectionsScenario({ people: { colin: 'operator' } });
    expect(await call('PUT', '/decisions/collections.strategy', { json: SHORT_STRATEGY }), 201);
    expect(
      await call('PUT', '/collections/settings', {
        json: {
          collectors: [{ user: 'colin', languages: ['en'] }],
          variants: { 'consumer-low': [{ name: 'champion', share: 100 }] },
        },
      }),
      200,
    );
  });
  after(() => world?.close());

  test('a promise made while a stage email waits out quiet hours drops it; the stage runs after the promise breaks', async () => {
    const promised = await account();
    const control = await account();
    // 09:00–20:00 in Madrid: the 10:00 UTC runs of the scenario fall inside, the evening does not.
    for (const a of [promised, control])
      await preferences(a.customerId, { quietHours: { start: '09:00', end: '20:00' } });
    const due = addDays(world.today(), 8);
    await world.runUntil(addDays(due, 1));

    let detail = await world.caseOf(promised.receivableId);
    const deferred = entries(detail, 'send_email', 'deferred');
    assert.equal(deferred.length, 1, JSON.stringify(detail.timeline.slice(-4)));
    assert.match(deferred[0]!.data.reason, /quiet hours/);
    const until = String(deferred[0]!.data.until);
    assert.equal(world.mailsTo(promised.email).length, 0, 'held back by quiet hours');

    // The customer promises to pay (by phone, say) while the email waits.
    expect(
      await call('POST', `/collections/cases/${detail.id}/promises`, {
        key: randomUUID(),
        json: { amount: '88849', date: addDays(world.today(), 2) },
      }),
      201,
    );
    await world.drain();
    await runAt(until);

    assert.equal(world.mailsTo(promised.email).length, 0, 'no email after the promise');
    assert.equal(world.mailsTo(control.email).length, 1, 'the same deferral without a promise sends');
    assert.deepEqual(stagesOf(await world.caseOf(control.receivableId)), ['d_email_d1']);
    detail = await world.caseOf(promised.receivableId);
    assert.deepEqual(stagesOf(detail), [], 'the stage is not recorded as run');
    assert.equal(detail.state, 'promised');
    const send = entries(detail, 'send_email', 'completed').at(-1);
    assert.equal(send?.data.output.status, 'dropped', JSON.stringify(send));
    assert.match(send.data.output.reason, /^promise to pay 88849 by \d{4}-\d{2}-\d{2}$/);
    const done = entries(detail, 'email_done', 'completed').at(-1);
    assert.equal(done?.data.output.ran, false);
    assert.match(done.data.output.dropped, /promise to pay/);
    const messages = await messagesOf(promised.customerId);
    assert.deepEqual(
      messages.map((m) => [m.channel, m.status]),
      [['email', 'dropped']],
    );
    assert.match(messages[0]!.error, /promise to pay/);

    // No payment: the promise breaks (its date plus two grace days) and the stage is planned again.
    await world.runUntil(addDays(world.today(), 5));
    detail = await world.caseOf(promised.receivableId);
    assert.equal(detail.promises[0].status, 'broken');
    assert.deepEqual(stagesOf(detail), [], 'deferred again by quiet hours');
    await runAt(String(entries(detail, 'send_email', 'deferred').at(-1)?.data.until));
    detail = await world.caseOf(promised.receivableId);
    assert.deepEqual(stagesOf(detail), ['d_email_d1']);
    assert.deepEqual(world.mailsTo(promised.email), [`Overdue: €888.49 for ${promised.ext}`]);
  });

  test('a pre-due reminder waiting out quiet hours is dropped when the installment is paid, or when its due date passes', async () => {
    // Rated D: reminded three days before the installment falls due.
    const paid = await account({ riskRating: 'D' });
    const control = await account({ riskRating: 'D' });
    const late = await account({ riskRating: 'D' });
    await preferences(paid.customerId, { quietHours: { start: '09:00', end: '20:00' } });
    await preferences(control.customerId, { quietHours: { start: '09:00', end: '20:00' } });
    // Quiet until 23:00 local: the evening run below does not free it, so it waits day after day.
    await preferences(late.customerId, { quietHours: { start: '08:00', end: '23:00' } });
    const due = addDays(world.today(), 8);
    await world.runUntil(addDays(due, -3));
    for (const a of [paid, control, late]) assert.equal(world.mailsTo(a.email).length, 0, 'held back by quiet hours');
    const [message] = await messagesOf(paid.customerId);
    assert.equal(message, undefined, 'nothing recorded yet: the reminder is deferred');

    // The first installment (888.49) is paid in full while the reminder waits.
    await world.pay(paid.receivableId, '88849');
    await world.drain();
    const evening = `${world.today()}T20:30:00.000Z`;
    await runAt(evening);

    assert.equal(world.mailsTo(paid.email).length, 0, 'no reminder for a paid installment');
    assert.equal(world.mailsTo(control.email).length, 1, 'the unpaid one is reminded');
    assert.match(world.mailsTo(control.email)[0]!, /^Reminder/);
    const dropped = await messagesOf(paid.customerId);
    assert.deepEqual(
      dropped.map((m) => [m.template, m.status]),
      [['payment_reminder', 'dropped']],
    );
    assert.equal(dropped[0]!.error, `the installment due ${due} is paid`);
    const instance = expect(await call('GET', `/instances/${dropped[0]!.instanceId}`), 200);
    assert.equal(instance.status, 'completed');
    assert.equal(instance.outcome, 'dropped');
    assert.equal(instance.output.reason, `the installment due ${due} is paid`);

    // The third stays quiet every time the scenario runs; the day after its due date it is dropped.
    await world.runUntil(due);
    assert.equal(world.mailsTo(late.email).length, 0);
    await world.runUntil(addDays(due, 1));
    assert.equal(world.mailsTo(late.email).length, 0, 'never a reminder after the due date it announces');
    const lateMessages = (await messagesOf(late.customerId)).filter((m) => m.template === 'payment_reminder');
    assert.deepEqual(
      lateMessages.map((m) => [m.status, m.error]),
      [['dropped', `the due date ${due} has passed`]],
    );
  });

  test('do-not-contact: no call task, from the start or set mid-case; the stage is recorded as skipped with the reason', async () => {
    const barred = await account();
    const midway = await account();
    const control = await account();
    await preferences(barred.customerId, { doNotContact: true, reason: 'legal hold' });
    const due = addDays(world.today(), 8);
    await world.runUntil(addDays(due, 1));
    assert.equal(world.mailsTo(midway.email).length, 1, 'the day-1 email before the flag');
    assert.equal(world.mailsTo(barred.email).length, 0);
    await preferences(midway.customerId, { doNotContact: true, reason: 'cease and desist letter' });

    await world.runUntil(addDays(due, 3));
    const controlCase = await world.caseOf(control.receivableId);
    const controlTasks = await world.openTasks(`instanceId=${controlCase.instanceId}`);
    assert.equal(controlTasks.filter((t) => t.step === 'call').length, 1, 'a call for a customer who may be called');
    assert.equal(smsTo(control.phone).length, 1);

    for (const [who, reason] of [
      [barred, 'do not contact: legal hold'],
      [midway, 'do not contact: cease and desist letter'],
    ] as const) {
      const detail = await world.caseOf(who.receivableId);
      const tasks = await world.openTasks(`instanceId=${detail.instanceId}`);
      assert.deepEqual(tasks, [], `no call task for ${who.email}`);
      assert.equal(entries(detail, 'call').length, 0, 'the call step never ran');
      const stage = (detail.stages as Body[]).find((s) => s.stage === 'd_call_d3');
      assert.ok(stage, JSON.stringify(detail.stages));
      assert.deepEqual(stage.result, { skipped: reason });
      assert.equal(smsTo(who.phone).length, 0);
    }
  });
});

describe('whether a message is still wanted (pure decisions)', () => {
  const facts = (over: Partial<StageMessageFacts> = {}): StageMessageFacts => ({
    stage: 's1',
    caseOpen: true,
    receivableStatus: 'open',
    oldestUnpaid: '2026-03-10',
    today: '2026-03-13',
    stageDpd: 3,
    situation: {
      plan: false,
      writeOffPending: false,
      hardshipOpen: false,
      forbearUntil: null,
      placed: false,
      promiseOpen: false,
      disputeOpen: false,
      stageRun: false,
    },
    promise: null,
    overdue: 1000n,
    disputed: null,
    asked: 1000n,
    ...over,
  });
  const situation = (over: Partial<StageMessageFacts['situation']>) => ({ ...facts().situation, ...over });
  const sent = { send: true, data: { dpd: 3, deadline: '2026-03-23' } };
  const reason = (f: StageMessageFacts) => {
    const wanted = stageMessageWanted(f);
    return wanted.send ? null : wanted.reason;
  };

  test('a stage message: sent only while nothing the planner pauses for has happened', () => {
    assert.deepEqual(stageMessageWanted(facts()), sent);
    assert.equal(reason(facts({ caseOpen: false })), 'the case is closed');
    assert.equal(reason(facts({ receivableStatus: 'paid_off' })), 'the account is paid off');
    assert.equal(reason(facts({ oldestUnpaid: null })), 'the account is no longer overdue');
    assert.equal(reason(facts({ oldestUnpaid: '2026-03-13' })), 'the account is no longer overdue');
    assert.equal(reason(facts({ situation: situation({ stageRun: true }) })), 'stage s1 has already run');
    assert.equal(reason(facts({ situation: situation({ hardshipOpen: true }) })), 'hardship under review');
    assert.match(
      String(reason(facts({ situation: situation({ forbearUntil: new Date('2026-04-01T00:00:00Z') }) }))),
      /^forbearance until 2026-04-01/,
    );
    assert.match(String(reason(facts({ situation: situation({ plan: true }) }))), /payment plan/);
    assert.match(String(reason(facts({ situation: situation({ writeOffPending: true }) }))), /write-off/);
    assert.match(String(reason(facts({ situation: situation({ placed: true }) }))), /agency/);
    assert.equal(reason(facts({ promise: { amount: 500n, date: '2026-03-20' } })), 'promise to pay 500 by 2026-03-20');
    assert.equal(reason(facts({ disputed: 1000n })), 'a dispute covers what is overdue');
    assert.match(String(reason(facts({ disputed: 400n }))), /amount chased is now 600, not 1000/);
    assert.deepEqual(stageMessageWanted(facts({ disputed: 400n, asked: 600n })), sent);
    // A partial payment moved the oldest unpaid installment: the stage is not due yet.
    assert.match(String(reason(facts({ oldestUnpaid: '2026-03-11' }))), /due on 2026-03-14/);
    assert.match(String(reason(facts({ overdue: 700n }))), /amount chased is now 700, not 1000/);
    assert.deepEqual(stageMessageWanted(facts({ asked: null })), sent);
    // Deferred two days: the message says how late the account is now, and gives ten days from today.
    assert.deepEqual(stageMessageWanted(facts({ today: '2026-03-15' })), {
      send: true,
      data: { dpd: 5, deadline: '2026-03-25' },
    });
  });

  test('a pre-due reminder: while the installment is unpaid and its due date ahead; of what is left', () => {
    const base = { receivableStatus: 'open', dueDate: '2026-03-10', today: '2026-03-07', unpaid: 1000n, asked: 1000n };
    assert.deepEqual(preDueReminderWanted(base), { send: true });
    assert.deepEqual(preDueReminderWanted({ ...base, today: '2026-03-10' }), { send: true });
    assert.deepEqual(preDueReminderWanted({ ...base, today: '2026-03-11' }), {
      send: false,
      reason: 'the due date 2026-03-10 has passed',
    });
    assert.deepEqual(preDueReminderWanted({ ...base, unpaid: 0n }), {
      send: false,
      reason: 'the installment due 2026-03-10 is paid',
    });
    assert.deepEqual(preDueReminderWanted({ ...base, receivableStatus: 'paid_off' }), {
      send: false,
      reason: 'the account is paid off',
    });
    assert.deepEqual(preDueReminderWanted({ ...base, unpaid: 400n }), { send: true, data: { amount: '400' } });
  });
});
