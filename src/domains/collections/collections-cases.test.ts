/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { addDays } from '../receivables/schedule/due-dates.js';
import { forgetBestSlots } from './dunning/best-slot.js';
import type { Body } from '../../testing/api-client.js';
import { collectionsScenario, type CollectionsScenario } from '../../testing/collections-scenario.js';

/**
 * Collections end to end through the HTTP API: a real server on the shipped collections-case
 * workflow and policy, a real SMTP server and a Twilio-shaped SMS provider on 127.0.0.1, and a
 * manual clock the test moves day by day, running close of business each day as a bank would.
 * It proves that an overdue loan opens one case in the segment policy gives it, that its strategy's
 * stages run in order on their days within the contact rules, that a call goes to the collector who
 * speaks the customer's language with the account's context, that a promise made on the call pauses
 * the strategy and, broken, resumes it and worsens the rating, that a cure stops everything at once
 * (cancelling an open call task), and that bad input is refused without writing anything.
 */

describe('collections cases', () => {
  let world: CollectionsScenario;
  const call: CollectionsScenario['call'] = (...args) => world.call(...args);
  const expect: CollectionsScenario['expect'] = (...args) => world.expect(...args);
  const expectProblem: CollectionsScenario['expectProblem'] = (...args) => world.expectProblem(...args);
  const drain = () => world.drain();
  const runUntil = (date: string) => world.runUntil(date);
  const loan = (customer: Body, principal?: string) => world.loan(customer, principal);
  const caseOf = (receivableId: string) => world.caseOf(receivableId);
  const mailsTo = (address: string) => world.mailsTo(address);
  const smsTo = (phone: string) => [...world.twilio.messages.values()].filter((m) => m.to === phone.replace(/ /g, ''));
  const openTask = async (instanceId: string) => (await world.openTasks(`instanceId=${instanceId}`))[0];
  const stagesOf = (detail: Body) => (detail.stages as Body[]).map((s) => s.stage);
  let tokens: Record<string, string>;

  before(async () => {
    world = await collectionsScenario({ people: { cleo: 'operator', colin: 'operator', vera: 'viewer' } });
    tokens = world.tokens;
    expect(
      await call('PUT', '/collections/settings', {
        json: {
          collectors: [
            { user: 'cleo', languages: ['es'] },
            { user: 'colin', languages: ['en'] },
          ],
          // One variant, so the stages this test expects are the champion's.
          variants: { 'consumer-low': [{ name: 'champion', share: 100 }] },
        },
      }),
      200,
    );
  });
  after(() => world?.close());

  test('a low-risk loan: stages in order on their days, a call with a promise, broken, then cured', async () => {
    const { customerId, receivableId, ext } = await loan({
      name: 'Laura Low',
      email: 'laura@example.com',
      phone: '+447700900001',
      language: 'en',
      riskRating: 'B',
    });
    // First installment due 2026-03-10; 1 day past due on the 11th.
    await runUntil('2026-03-11');
    let detail = await caseOf(receivableId);
    assert.equal(detail.status, 'open');
    assert.equal(detail.segment, 'consumer-low');
    assert.equal(detail.variant, 'champion');
    assert.equal(detail.queue, 'collectors');
    assert.equal(detail.openedDpd, 1);
    assert.deepEqual(
      detail.decisions.map((d: Body) => `${d.key}@${d.version}`),
      ['collections.segment@1', 'collections.strategy@1'],
    );
    assert.deepEqual(stagesOf(detail), [], 'the first stage is on day 3');

    await runUntil('2026-03-12');
    assert.equal(mailsTo('laura@example.com').length, 0, 'nothing before day 3');
    await runUntil('2026-03-13');
    assert.deepEqual(mailsTo('laura@example.com'), [`Overdue: €888.49 for ${ext}`]);
    await runUntil('2026-03-20');
    assert.equal(smsTo('+447700900001').length, 1, 'the SMS on day 10');
    assert.match(smsTo('+447700900001')[0]!.body, /10 days overdue/);
    await runUntil('2026-03-30');
    assert.equal(mailsTo('laura@example.com').length, 2);
    assert.match(mailsTo('laura@example.com')[1]!, /^Second reminder/);
    detail = await caseOf(receivableId);
    assert.deepEqual(stagesOf(detail), ['low_email_d3', 'low_sms_d10', 'low_email_d20']);

    // Day 30: a call for the English-speaking collector, with the account's context.
    await runUntil('2026-04-09');
    const task = await openTask(detail.instanceId);
    assert.ok(task, 'a call task on day 30');
    assert.equal(task.queue, 'collectors');
    assert.equal(task.assignee, 'colin');
    assert.match(task.title, /^Call Laura Low about LN-[\d-]+: 30 days past due/);
    assert.equal(task.data.customer.phone, '+447700900001');
    assert.equal(task.data.account.amount, '88849');
    assert.ok(task.data.schedule.length >= 1);
    assert.deepEqual(
      task.data.stages.map((s: Body) => s.stage),
      ['low_email_d3', 'low_sms_d10', 'low_email_d20'],
    );
    expect(
      await call('POST', `/tasks/${task.id}/complete`, {
        token: tokens.colin!,
        json: {
          outcome: 'promise',
          data: {
            rightParty: true,
            willingness: 'willing',
            delayReason: 'salary late',
            promiseAmount: '88849',
            promiseDate: '2026-04-15',
            newPhone: '+447700900099',
          },
        },
      }),
      200,
    );
    await drain();
    detail = await caseOf(receivableId);
    assert.equal(detail.state, 'promised');
    assert.equal(detail.collector, 'colin');
    assert.equal(detail.contacts.length, 1);
    assert.equal(detail.contacts[0].willingness, 'willing');
    assert.equal(detail.promises.length, 1);
    assert.equal(detail.promises[0].status, 'open');
    const customer = expect(await call('GET', `/customers/${customerId}`), 200);
    assert.equal(customer.phone, '+447700900099', 'new contact details update the customer');

    // No payment: broken on the 18th (the 15th plus two grace days), and the strategy resumes.
    await runUntil('2026-04-17');
    assert.equal((await caseOf(receivableId)).promises[0].status, 'open');
    await runUntil('2026-04-18');
    detail = await caseOf(receivableId);
    assert.equal(detail.promises[0].status, 'broken');
    assert.equal(detail.state, 'active');
    assert.deepEqual(stagesOf(detail), ['low_email_d3', 'low_sms_d10', 'low_email_d20', 'low_call_d30']);

    // Paying everything overdue cures the account: the case closes before the final notice.
    await runUntil('2026-04-20');
    const overdue = String(2 * 88849);
    await world.pay(receivableId, overdue);
    await drain();
    detail = await caseOf(receivableId);
    assert.equal(detail.status, 'closed', JSON.stringify(detail.account));
    assert.equal(detail.outcome, 'cured');
    assert.equal(detail.recovered, overdue);
    await runUntil('2026-05-01');
    detail = await caseOf(receivableId);
    assert.deepEqual(stagesOf(detail), ['low_email_d3', 'low_sms_d10', 'low_email_d20', 'low_call_d30']);
    assert.equal(mailsTo('laura@example.com').length, 2, 'no final notice after the cure');
    const instance = expect(await call('GET', `/instances/${detail.instanceId}`), 200);
    assert.equal(instance.status, 'completed');
    assert.ok(detail.timeline.length > 10);
  });

  test('a high-risk Spanish speaker: an early call for the Spanish-speaking collector, cancelled by a payoff', async () => {
    const { receivableId } = await loan({
      name: 'Héctor Alto',
      email: 'hector@example.com',
      phone: '+34600000002',
      language: 'es-ES',
      riskRating: 'D',
    });
    const due = addDays(world.today(), 8);
    // Rated D: a pre-due reminder three days before the installment falls due, in Spanish.
    await runUntil(addDays(due, -4));
    assert.deepEqual(mailsTo('hector@example.com'), []);
    await runUntil(addDays(due, -3));
    assert.equal(mailsTo('hector@example.com').length, 1);
    assert.match(mailsTo('hector@example.com')[0]!, /^Recordatorio: 888,49\s€ vence el \d+ de mayo/);
    await runUntil(addDays(due, 1));
    let detail = await caseOf(receivableId);
    assert.equal(detail.segment, 'consumer-high');
    await runUntil(addDays(due, 1));
    assert.equal(smsTo('+34600000002').length, 1, 'the SMS on day 1');
    assert.match(smsTo('+34600000002')[0]!.body, /dias vencido/);
    await runUntil(addDays(due, 3));
    const task = await openTask(detail.instanceId);
    assert.ok(task, 'a call task on day 3');
    assert.equal(task.assignee, 'cleo', 'es-ES goes to the collector who speaks es');
    const total = expect(await call('GET', `/receivables/${receivableId}`), 200).outstanding;
    await world.pay(receivableId, String(total));
    await drain();
    detail = await caseOf(receivableId);
    assert.equal(detail.status, 'closed');
    assert.equal(detail.outcome, 'paid');
    const cancelled = expect(await call('GET', `/tasks/${task.id}`), 200);
    assert.equal(cancelled.status, 'cancelled', 'the cure cancels the open call');
    assert.deepEqual(stagesOf(detail), ['high_sms_d1']);
  });

  test('promises by API: kept from payments; refused when invalid; one open at a time; permissions', async () => {
    const { receivableId, ext, customerExt } = await loan({
      name: 'Pia Promise',
      email: 'pia@example.com',
      language: 'en',
    });
    const due = addDays(world.today(), 8);
    await runUntil(addDays(due, 2));
    const detail = await caseOf(receivableId);
    const path = `/collections/cases/${detail.id}/promises`;
    const promise = (json: unknown, token?: string) =>
      call('POST', path, { json, key: randomUUID(), ...(token ? { token } : {}) });

    expectProblem(await promise({ amount: '12.5', date: addDays(world.today(), 3) }), 400, 'body.amount');
    expectProblem(await promise({ amount: '1000', date: 'soon' }), 400, 'body.date');
    expectProblem(await promise({ amount: '99999999', date: addDays(world.today(), 3) }), 422, 'body.amount');
    expectProblem(await promise({ amount: '1000', date: addDays(world.today(), -1) }), 422, 'body.date');
    expectProblem(await promise({ amount: '1000', date: addDays(world.today(), 91) }), 422, 'body.date');
    expect(await call('POST', path, { json: { amount: '1000', date: addDays(world.today(), 3) } }), 400);
    expect(await promise({ amount: '1000', date: addDays(world.today(), 3) }, tokens.vera), 403);
    expect(
      await call('POST', '/collections/cases/ccase_nope/promises', {
        json: { amount: '1', date: world.today() },
        key: randomUUID(),
      }),
      404,
    );
    assert.equal(expect(await call('GET', path), 200).data.length, 0, 'nothing written by the refusals');

    const made = expect(await promise({ amount: '50000', date: addDays(world.today(), 4) }), 201);
    assert.equal(made.status, 'open');
    expect(await promise({ amount: '1000', date: addDays(world.today(), 2) }), 409);
    await drain();
    assert.equal((await caseOf(receivableId)).state, 'promised');
    await world.pay(receivableId, '50000');
    await runUntil(addDays(world.today(), 7));
    const after = await caseOf(receivableId);
    assert.equal(after.promises[0].status, 'kept');
    assert.equal(after.promises[0].paidAmount, '50000');
    assert.equal(after.status, 'open', 'a partial payment does not cure');
    assert.equal(after.state, 'active', 'the strategy resumes after a kept promise that left arrears');

    const contact = await call('POST', `/collections/cases/${detail.id}/contacts`, {
      json: { channel: 'pigeon', reached: true },
    });
    expectProblem(contact, 400, 'body.channel');
    const inbound = expect(
      await call('POST', `/collections/cases/${detail.id}/contacts`, {
        json: { channel: 'call', direction: 'inbound', reached: true, willingness: 'unable', delayReason: 'job loss' },
      }),
      201,
    );
    assert.equal(inbound.rightParty, true);
    expect(await call('GET', `/collections/cases/${detail.id}`, { token: tokens.vera! }), 200);

    // Credit sees it: an application from a customer in collections goes to review, saying why.
    const application = expect(
      await call('POST', '/credit/applications', {
        key: randomUUID(),
        json: {
          applicant: {
            externalId: customerExt,
            name: 'Pia Promise',
            dateOfBirth: '1990-01-01',
            nationalId: `NID-${ext}`,
            email: 'pia@example.com',
            language: 'en',
            timeZone: 'Europe/Madrid',
          },
          product: 'personal-loan',
          amount: '100000',
          currency: 'EUR',
          termMonths: 12,
          purpose: 'other',
          monthlyIncome: '300000',
          monthlyExpenses: '100000',
          employment: { status: 'employed', monthsInJob: 24 },
          consent: { bureauCheck: true },
        },
      }),
      201,
    );
    await drain();
    const decided = expect(await call('GET', `/credit/applications/${application.id}`), 200);
    assert.equal(decided.customerId, detail.customerId);
    assert.ok(
      (decided.rules as Body[]).some((r) => r.code === 'AN_IN_COLLECTIONS'),
      JSON.stringify(decided.rules),
    );
    assert.equal(decided.assessment.history.openCollectionCases, 1);
    expect(await call('GET', '/collections/cases/ccase_nope'), 404);
  });
  test('risk feedback: a second broken promise in 180 days worsens the rating one grade, with the reason', async () => {
    const { customerId, receivableId } = await loan({
      name: 'Rob Risk',
      email: 'rob@example.com',
      language: 'en',
      riskRating: 'B',
    });
    const due = addDays(world.today(), 8);
    await runUntil(addDays(due, 1));
    const detail = await caseOf(receivableId);
    const promise = async () => {
      expect(
        await call('POST', `/collections/cases/${detail.id}/promises`, {
          key: randomUUID(),
          json: { amount: '10000', date: addDays(world.today(), 1) },
        }),
        201,
      );
      // The date, two grace days, then it is judged.
      await runUntil(addDays(world.today(), 4));
    };
    await promise();
    let customer = expect(await call('GET', `/customers/${customerId}`), 200);
    assert.equal(customer.riskRating, 'B', 'one broken promise is not enough');
    await promise();
    const promises = (await caseOf(receivableId)).promises as Body[];
    assert.deepEqual(
      promises.map((p) => p.status),
      ['broken', 'broken'],
    );
    customer = expect(await call('GET', `/customers/${customerId}`), 200);
    assert.equal(customer.riskRating, 'C');
    assert.match(String((customer.ratingHistory as Body[]).at(-1)?.reason), /2 broken promises to pay in 180 days/);
  });

  test('best time: with enough outcomes, a message stage goes out at the hour that did best, in the customer’s zone', async () => {
    // A first account: its day-3 email goes out at 10:00 UTC (noon in Madrid in summer) and is paid the next day.
    const first = await loan({ name: 'Bea Best', email: 'bea@example.com', language: 'en', riskRating: 'B' });
    const due = addDays(world.today(), 8);
    await runUntil(addDays(due, 3));
    assert.equal(mailsTo('bea@example.com').length, 1);
    await runUntil(addDays(due, 4));
    await world.pay(first.receivableId, '88849');
    await drain();
    const best = expect(await call('GET', '/collections/reports/best-time?channel=email&minSample=1'), 200);
    const slot = (best.best as Body[]).find((b) => b.segment === 'consumer-low');
    assert.equal(slot?.best?.hour, 12, JSON.stringify(best.best));

    expect(await call('PUT', '/collections/settings', { json: { bestTimeMinSample: 1 } }), 200);
    forgetBestSlots();
    try {
      const second = await loan({ name: 'Ben Best', email: 'ben@example.com', language: 'en', riskRating: 'B' });
      const due2 = addDays(world.today(), 8);
      await runUntil(addDays(due2, 1));
      const detail = await caseOf(second.receivableId);
      const waits = (detail.timeline as Body[]).filter((e) => e.step === 'wait_next' && e.event === 'waiting');
      // Noon in Madrid on day 3 (CEST, UTC+2) instead of 00:00 UTC.
      assert.equal(waits.at(-1)?.data?.timeoutAt, `${addDays(due2, 3)}T10:00:00.000Z`, JSON.stringify(waits.at(-1)));
    } finally {
      expect(await call('PUT', '/collections/settings', { json: { bestTimeMinSample: 50 } }), 200);
      forgetBestSlots();
    }
  });
});
