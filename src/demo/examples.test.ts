import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DAY, engineHarness, type EngineHarness } from '../testing/engine-harness.js';
import { listTasks } from '../engine/runtime/queries.js';
import '../engine/store/tables.js';
import { seedExamples } from './seed-examples.js';
import { registerDomainActions } from '../domain-list.js';
import { inDomainTransaction } from '../domains/unit-of-work.js';
import { upsertCustomer } from '../domains/customers/customer-service.js';
import { createBillingPlan } from '../domains/receivables/billing-plans.js';
import { recordPayment } from '../domains/receivables/payments.js';

/**
 * The deployable examples in examples/: each is deployed exactly as a user would deploy it and
 * driven to its outcomes with the manual clock, so a broken example fails the suite.
 */

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
const HOUR = 60 * 60 * 1000;

const read = (...parts: string[]): string => readFileSync(path.join(EXAMPLES, ...parts), 'utf8');
const filesIn = (dir: string, ext: string): string[] =>
  readdirSync(path.join(EXAMPLES, dir))
    .filter((f) => f.endsWith(ext))
    .sort();

/** The workflows the scenarios below drive; every examples/*.yaml must be one of them. */
const DRIVEN = [
  'daily-close.yaml',
  'invoice-follow-up.yaml',
  'invoice-reminder.yaml',
  'loan-approval.yaml',
  'payment-approval.yaml',
  'receivables-close-of-business.yaml',
];

/** Queues the examples assign to, with members, as an installation would set them up. */
const QUEUES = JSON.parse(read('queues.json')) as Record<string, string[]>;

/**
 * A harness with every example deployed the way examples/README.md says: decisions, calendars and
 * queues first, then the workflows. `at` sets the clock before deploying (schedules start from it).
 */
async function deployExamples(at?: string): Promise<EngineHarness> {
  const h = await engineHarness();
  // The domain actions (close of business, billing) as finflow serve registers them.
  registerDomainActions({ database: h.database, clock: h.clock, engine: h.engine });
  if (at) h.clock.set(at);
  const seeded = await seedExamples(h.engine, EXAMPLES, 'examples');
  assert.deepEqual(seeded.queues.sort(), Object.keys(QUEUES).sort());
  for (const file of filesIn('.', '.yaml')) {
    const deployed = await h.deploy(read(file));
    assert.equal(`${deployed.key}.yaml`, file, 'an example file is named after its workflow key');
  }
  return h;
}

/** Events of a type (and key) published so far, oldest first. */
async function eventsOf(h: EngineHarness, type: string, key?: string) {
  let query = h.database.db
    .selectFrom('wf_events')
    .selectAll()
    .where('type', '=', type)
    .orderBy('published_at')
    .orderBy('id');
  if (key !== undefined) query = query.where('key', '=', key);
  return (await query.execute()).map((e) => ({ key: e.key, data: e.data as Record<string, unknown> }));
}

const openTasks = async (h: EngineHarness, instanceId: string) =>
  listTasks(h.database.db, { instanceId, status: 'open' });

async function onlyOpenTask(h: EngineHarness, instanceId: string) {
  const tasks = await openTasks(h, instanceId);
  assert.equal(tasks.length, 1, `one open task for ${instanceId}: ${JSON.stringify(tasks)}`);
  return tasks[0]!;
}

/** Where an instance stands: its active steps, sorted. */
const stepsOf = async (h: EngineHarness, id: string) => (await h.instance(id)).at.map((t) => t.step).sort();

describe('examples', () => {
  test('every example is deployable, driven below and listed in examples/README.md', async () => {
    assert.deepEqual(filesIn('.', '.yaml'), DRIVEN);
    const readme = read('README.md');
    const supporting = ['decisions', 'calendars'].flatMap((dir) => filesIn(dir, '.json').map((f) => `${dir}/${f}`));
    for (const file of [...DRIVEN, ...supporting]) {
      assert.ok(readme.includes(`examples/${file}`), `examples/README.md mentions examples/${file}`);
    }
    const h = await deployExamples();
    try {
      // Deploying again is a no-op: the same versions come back.
      for (const file of DRIVEN) assert.equal((await h.deploy(read(file))).version, 1);
    } finally {
      await h.close();
    }
  });

  describe('invoice-reminder', () => {
    let h: EngineHarness;
    before(async () => {
      h = await deployExamples();
    });
    after(() => h.close());

    const overdue = async (invoiceId: string, amountDue = 125_000) => {
      const published = await h.engine.publish({
        type: 'invoice.overdue',
        key: invoiceId,
        data: { customerId: 'CUS-42', amountDue, currency: 'EUR' },
        actor: 'ledger',
      });
      assert.equal(published.started.length, 1);
      await h.drain();
      return published.started[0]!.instanceId!;
    };
    const pay = (invoiceId: string, amount: number) =>
      h.engine.publish({ type: 'payment.received', key: invoiceId, data: { amount }, actor: 'bank' });
    /** From the start to the collector's call task: 7 + 5 days without payment. */
    const toCollector = async (id: string) => {
      await h.advance(7 * DAY);
      assert.deepEqual(await stepsOf(h, id), ['await_payment_after_firm']);
      await h.advance(5 * DAY);
      assert.deepEqual(await stepsOf(h, id), ['collector_call']);
      return onlyOpenTask(h, id);
    };

    test('one instance per invoice; a full payment after the first reminder ends it as paid', async () => {
      const id = await overdue('INV-1');
      const again = await h.engine.publish({
        type: 'invoice.overdue',
        key: 'INV-1',
        data: { customerId: 'CUS-42', amountDue: 125_000, currency: 'EUR' },
        actor: 'ledger',
      });
      assert.deepEqual(again.started, [{ workflow: 'invoice-reminder', instanceId: id, created: false }]);
      const zero = await h.engine.publish({
        type: 'invoice.overdue',
        key: 'INV-0',
        data: { amountDue: 0 },
        actor: 'ledger',
      });
      assert.deepEqual(zero.started, [], 'the trigger filter skips invoices with nothing due');

      assert.deepEqual(await stepsOf(h, id), ['await_payment']);
      assert.deepEqual(await eventsOf(h, 'reminder.requested', 'INV-1'), [
        {
          key: 'INV-1',
          data: { stage: 'friendly', invoiceId: 'INV-1', customerId: 'CUS-42', amountDue: 125_000, currency: 'EUR' },
        },
      ]);
      assert.deepEqual((await pay('INV-1', 50_000)).resumed, [], 'a partial payment does not match');
      assert.deepEqual((await pay('INV-1', 125_000)).resumed, [id]);
      await h.drain();
      const instance = await h.instance(id);
      assert.equal(instance.outcome, 'paid');
      assert.deepEqual(instance.output, { invoiceId: 'INV-1' });
    });

    test('firm reminder, collector call escalated after its SLA, promise kept', async () => {
      const id = await overdue('INV-2');
      const task = await toCollector(id);
      assert.deepEqual(
        (await eventsOf(h, 'reminder.requested', 'INV-2')).map((e) => e.data.stage),
        ['friendly', 'firm'],
      );
      assert.equal(task.title, 'Call CUS-42 about invoice INV-2 (1250 EUR)');
      assert.equal(task.queue, 'collectors');
      assert.equal(task.assignee, 'ana');
      assert.deepEqual(task.outcomes, ['promise_to_pay', 'dispute', 'no_contact']);

      await h.advance(DAY);
      const escalated = await onlyOpenTask(h, id);
      assert.equal(escalated.queue, 'collections-supervisors');
      assert.equal(escalated.assignee, null);
      await h.engine.claimTask({ taskId: task.id, actor: 'sam' });
      await h.engine.completeTask({
        taskId: task.id,
        outcome: 'promise_to_pay',
        data: { note: 'pays Friday', promisedDate: '2026-03-20' },
        actor: 'sam',
      });
      await h.drain();
      assert.deepEqual(await stepsOf(h, id), ['promise_deadline', 'promise_window', 'promised_payment']);

      await h.advance(2 * DAY);
      await pay('INV-2', 125_000);
      await h.drain();
      const instance = await h.instance(id);
      assert.equal(instance.outcome, 'paid');
      const steps = (instance.context as { steps: Record<string, unknown> }).steps;
      assert.deepEqual(steps.promise_window, { firstBranch: 'payment', completed: ['payment'] });
    });

    test('a broken promise leads to a final notice and then to the agency', async () => {
      const id = await overdue('INV-3');
      const task = await toCollector(id);
      const promised = new Date(h.clock.now().getTime() + 3 * DAY).toISOString().slice(0, 10);
      await h.engine.completeTask({
        taskId: task.id,
        outcome: 'promise_to_pay',
        data: { note: 'will pay', promisedDate: promised },
        actor: 'ana',
      });
      await h.drain();
      const deadline = (await h.instance(id)).at.find((t) => t.step === 'promise_deadline');
      assert.equal(deadline?.runAt, `${new Date(Date.parse(promised) + 2 * DAY).toISOString()}`);

      await h.advance(6 * DAY);
      assert.deepEqual(await stepsOf(h, id), ['await_payment_after_final']);
      assert.deepEqual(
        (await eventsOf(h, 'reminder.requested', 'INV-3')).map((e) => e.data.stage),
        ['friendly', 'firm', 'final'],
      );
      await h.advance(10 * DAY);
      const instance = await h.instance(id);
      assert.equal(instance.outcome, 'referred_to_agency');
      const [referral] = await eventsOf(h, 'collections.agency_referral', 'INV-3');
      assert.deepEqual(referral?.data, {
        invoiceId: 'INV-3',
        customerId: 'CUS-42',
        amountDue: 125_000,
        currency: 'EUR',
        lastContact: 'will pay',
      });
    });

    test('a dispute ends the sequence; no contact goes to the final notice, where a payment still counts', async () => {
      const disputed = await overdue('INV-4');
      const noContact = await overdue('INV-5');
      const disputeTask = await toCollector(disputed);
      const callTask = await onlyOpenTask(h, noContact);
      await h.engine.completeTask({
        taskId: disputeTask.id,
        outcome: 'dispute',
        data: { note: 'goods never arrived' },
        actor: disputeTask.assignee!,
      });
      await h.engine.completeTask({
        taskId: callTask.id,
        outcome: 'no_contact',
        data: { note: 'voicemail' },
        actor: callTask.assignee!,
      });
      await h.drain();
      const dispute = await h.instance(disputed);
      assert.equal(dispute.outcome, 'disputed');
      assert.deepEqual(dispute.output, { invoiceId: 'INV-4', note: 'goods never arrived' });
      assert.equal((await eventsOf(h, 'invoice.disputed', 'INV-4')).length, 1);

      assert.deepEqual(await stepsOf(h, noContact), ['await_payment_after_final']);
      await pay('INV-5', 130_000);
      await h.drain();
      assert.equal((await h.instance(noContact)).outcome, 'paid');
    });
  });

  describe('loan-approval', () => {
    let h: EngineHarness;
    before(async () => {
      h = await deployExamples();
    });
    after(() => h.close());

    let n = 0;
    const apply = async (score: number, amount: number) => {
      const applicationId = `APP-${++n}`;
      const input = { applicationId, customerId: 'CUS-7', amount, currency: 'EUR', termMonths: 36, score };
      const id = await h.start('loan-approval', input);
      await h.drain();
      return { id, applicationId };
    };

    test('grade A is approved and grade E declined without a person; the timeline names the decision version', async () => {
      const prime = await apply(780, 2_000_000);
      const instance = await h.instance(prime.id);
      assert.equal(instance.outcome, 'approved');
      assert.deepEqual(instance.output, { grade: 'A', rate: 6.9, amount: 2_000_000, approvedBy: 'auto' });
      const decided = instance.timeline.find((e) => e.step === 'grade' && e.event === 'completed');
      assert.deepEqual((decided?.data as { decision: unknown }).decision, { key: 'loan-grade', version: 1 });
      const [approvedEvent] = await eventsOf(h, 'loan.approved', prime.applicationId);
      assert.equal(approvedEvent?.data.approvedBy, 'auto');

      const poor = await apply(450, 100_000);
      const declined = await h.instance(poor.id);
      assert.equal(declined.outcome, 'declined');
      assert.deepEqual(declined.output, { grade: 'E', reason: 'score below 500' });
      assert.equal((await eventsOf(h, 'loan.declined', poor.applicationId)).length, 1);
      assert.deepEqual(await openTasks(h, poor.id), []);
    });

    test('an event starts it; grades B to D go to a credit officer, round-robin, who approves or declines', async () => {
      const submitted = await h.engine.publish({
        type: 'loan.application.submitted',
        key: 'APP-EV',
        data: { applicationId: 'APP-EV', customerId: 'CUS-8', amount: 1_500_000, termMonths: 24, score: 720 },
        actor: 'portal',
      });
      await h.drain();
      const good = { id: submitted.started[0]!.instanceId!, applicationId: 'APP-EV' };
      const fair = await apply(650, 3_000_000);
      const first = await onlyOpenTask(h, good.id);
      const second = await onlyOpenTask(h, fair.id);
      assert.deepEqual([first.assignee, second.assignee], ['olga', 'omar']);
      assert.equal(first.title, 'Loan APP-EV: 15000 over 24 months, grade B');
      assert.deepEqual((first.data as { grade: unknown }).grade, { grade: 'B', rate: 8.9, reason: 'score 700-749' });
      assert.deepEqual(first.outcomes, ['approve', 'decline', 'counter-offer']);

      await h.engine.completeTask({
        taskId: first.id,
        outcome: 'approve',
        data: { comment: 'stable income' },
        actor: 'olga',
      });
      await h.engine.completeTask({
        taskId: second.id,
        outcome: 'decline',
        data: { comment: 'debt ratio too high' },
        actor: 'omar',
      });
      await h.drain();
      const approved = await h.instance(good.id);
      assert.equal(approved.outcome, 'approved');
      assert.deepEqual(approved.output, { grade: 'B', rate: 8.9, amount: 1_500_000, approvedBy: 'olga' });
      const declined = await h.instance(fair.id);
      assert.equal(declined.outcome, 'declined');
      assert.deepEqual(declined.output, { grade: 'C', reason: 'debt ratio too high' });
    });

    test('a counter-offer waits for acceptance; an unanswered one expires after 14 days; the SLA escalates', async () => {
      const large = await apply(650, 6_000_000);
      const other = await apply(560, 500_000);
      const offerTask = await onlyOpenTask(h, large.id);
      const otherTask = await onlyOpenTask(h, other.id);

      await h.advance(8 * HOUR);
      const escalated = await onlyOpenTask(h, large.id);
      assert.equal(escalated.queue, 'credit-managers');
      assert.equal(escalated.assignee, null);

      await h.engine.completeTask({
        taskId: offerTask.id,
        outcome: 'counter-offer',
        data: { comment: 'lower amount', counterAmount: 4_000_000, counterRate: 12.5 },
        actor: 'mia',
      });
      await h.engine.completeTask({
        taskId: otherTask.id,
        outcome: 'counter-offer',
        data: { comment: 'same amount, shorter term discussed' },
        actor: 'mia',
      });
      await h.drain();
      assert.deepEqual(await stepsOf(h, large.id), ['await_acceptance']);
      const [offer] = await eventsOf(h, 'loan.counter_offered', large.applicationId);
      assert.deepEqual(offer?.data, {
        applicationId: large.applicationId,
        customerId: 'CUS-7',
        requestedAmount: 6_000_000,
        amount: 4_000_000,
        rate: 12.5,
        termMonths: 36,
        offeredBy: 'mia',
      });
      const [defaults] = await eventsOf(h, 'loan.counter_offered', other.applicationId);
      assert.deepEqual(
        [defaults?.data.amount, defaults?.data.rate],
        [500_000, 15.9],
        'without counter values the request and grade rate apply',
      );

      await h.advance(DAY);
      await h.engine.publish({ type: 'loan.offer.accepted', key: large.applicationId, actor: 'portal' });
      await h.drain();
      const accepted = await h.instance(large.id);
      assert.equal(accepted.outcome, 'counter_offer_accepted');
      assert.deepEqual(
        { ...(accepted.output as object), acceptedAt: undefined },
        { grade: 'D', amount: 4_000_000, rate: 12.5, acceptedAt: undefined },
      );

      await h.advance(13 * DAY);
      assert.equal((await h.instance(other.id)).outcome, 'counter_offer_expired');
    });
  });

  describe('payment-approval', () => {
    let h: EngineHarness;
    before(async () => {
      h = await deployExamples();
    });
    after(() => h.close());

    let n = 0;
    const request = async (amount: number) => {
      const paymentId = `PAY-${++n}`;
      const published = await h.engine.publish({
        type: 'payment.requested',
        key: paymentId,
        data: {
          amount,
          currency: 'EUR',
          beneficiary: { name: 'Acme GmbH', iban: 'DE89370400440532013000' },
          requestedBy: 'maria',
        },
        actor: 'erp',
      });
      assert.equal(published.started[0]?.created, true);
      await h.drain();
      return { id: published.started[0].instanceId!, paymentId };
    };
    const tasksByQueue = async (id: string) => Object.fromEntries((await openTasks(h, id)).map((t) => [t.queue, t]));

    test('up to 10,000.00 the first approver decides and the other task is cancelled', async () => {
      const small = await request(250_000);
      const tasks = await tasksByQueue(small.id);
      assert.deepEqual(Object.keys(tasks).sort(), ['controllers', 'treasury']);
      assert.equal(tasks.treasury!.title, `Approve ${small.paymentId}: 2500 EUR to Acme GmbH`);
      await h.engine.completeTask({ taskId: tasks.controllers!.id, outcome: 'approve', data: {}, actor: 'carl' });
      await h.drain();
      const instance = await h.instance(small.id);
      assert.equal(instance.outcome, 'approved');
      assert.deepEqual(instance.output, { approvers: ['carl'] });
      assert.deepEqual(instance.tasks.map((t) => [t.queue, t.status]).sort(), [
        ['controllers', 'completed'],
        ['treasury', 'cancelled'],
      ]);
      const [approved] = await eventsOf(h, 'payment.approved', small.paymentId);
      assert.deepEqual(approved?.data.approvers, ['carl']);
    });

    test('above 10,000.00 both must approve (four eyes)', async () => {
      const large = await request(2_500_000);
      const tasks = await tasksByQueue(large.id);
      await h.engine.completeTask({
        taskId: tasks.treasury!.id,
        outcome: 'approve',
        data: { comment: 'ok' },
        actor: 'tess',
      });
      await h.drain();
      assert.equal((await h.instance(large.id)).status, 'running', 'one approval is not enough');
      assert.deepEqual(await eventsOf(h, 'payment.approved', large.paymentId), []);
      await h.engine.completeTask({ taskId: tasks.controllers!.id, outcome: 'approve', data: {}, actor: 'carl' });
      await h.drain();
      const instance = await h.instance(large.id);
      assert.equal(instance.outcome, 'approved');
      assert.deepEqual(instance.output, { approvers: ['tess', 'carl'] });
      assert.equal((await eventsOf(h, 'payment.approved', large.paymentId)).length, 1);
    });

    test('one rejection ends it at once and cancels the other approval', async () => {
      const large = await request(5_000_000);
      const tasks = await tasksByQueue(large.id);
      await h.advance(8 * HOUR);
      const escalated = await tasksByQueue(large.id);
      assert.deepEqual(Object.keys(escalated).sort(), ['controlling-leads', 'treasury-leads']);
      await h.engine.completeTask({
        taskId: tasks.controllers!.id,
        outcome: 'reject',
        data: { comment: 'unknown beneficiary' },
        actor: 'lead',
      });
      await h.drain();
      const instance = await h.instance(large.id);
      assert.equal(instance.outcome, 'rejected');
      assert.deepEqual(instance.output, { by: 'lead', comment: 'unknown beneficiary' });
      assert.deepEqual(await openTasks(h, large.id), []);
      assert.deepEqual(await eventsOf(h, 'payment.approved', large.paymentId), []);
    });
  });

  describe('daily-close', () => {
    let h: EngineHarness;
    before(async () => {
      // Thursday before Easter: Good Friday (3 April) and Easter Monday (6 April) are TARGET2 holidays.
      h = await deployExamples('2026-04-02T09:00:00.000Z');
    });
    after(() => h.close());

    const closes = async () => {
      const rows = await h.database.db
        .selectFrom('wf_instances')
        .select(['id', 'context'])
        .where('workflow_key', '=', 'daily-close')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        closeDate: (r.context as { input: { closeDate: string } }).input.closeDate,
      }));
    };

    test('fires at 18:30 Madrid time; a difference is investigated; reconciliation starts the next TARGET2 business day', async () => {
      await h.advance(7.5 * HOUR - 1000);
      assert.deepEqual(await closes(), [], 'not before 18:30 in Madrid');
      // The worker looks at schedules once per poll interval (200 ms) of clock time.
      await h.advance(1000); // 16:30 UTC = 18:30 CEST
      const [close] = await closes();
      assert.equal(close?.closeDate, '2026-04-02');
      const task = await onlyOpenTask(h, close.id);
      assert.equal(task.title, 'Daily close 2026-04-02: confirm bank and ledger balances');
      assert.equal(task.assignee, 'fran');

      await h.engine.completeTask({
        taskId: task.id,
        outcome: 'difference',
        data: { bankBalance: 10_000_000, ledgerBalance: 9_998_500 },
        actor: 'fran',
      });
      await h.drain();
      const investigation = await onlyOpenTask(h, close.id);
      assert.equal(investigation.queue, 'finance-leads');
      assert.equal(investigation.title, 'Daily close 2026-04-02: explain a difference of 15');
      await h.engine.claimTask({ taskId: investigation.id, actor: 'lena' });
      await h.engine.completeTask({
        taskId: investigation.id,
        outcome: 'explained',
        data: { explanation: 'card fees booked tomorrow' },
        actor: 'lena',
      });
      await h.drain();
      const balances = {
        bankBalance: 10_000_000,
        ledgerBalance: 9_998_500,
        difference: 1_500,
        explanation: 'card fees booked tomorrow',
      };
      const [closed] = await eventsOf(h, 'ledger.day.closed', '2026-04-02');
      assert.deepEqual(closed?.data, { closeDate: '2026-04-02', balances, confirmedBy: 'fran' });

      const waiting = await h.instance(close.id);
      assert.deepEqual(
        waiting.at.map((t) => [t.step, t.runAt]),
        [['next_business_day', '2026-04-07T16:30:00.000Z']],
      );
      // Day by day to Tuesday 18:29:59.999: the cron is a plain weekday schedule, so it also fires on
      // Good Friday and Easter Monday; their tasks, left open past the 3-hour SLA, move to the leads.
      for (let day = 0; day < 4; day++) await h.advance(DAY);
      await h.advance(DAY - 1);
      assert.deepEqual(
        (await closes()).map((c) => c.closeDate),
        ['2026-04-02', '2026-04-03', '2026-04-06'],
      );
      assert.equal((await onlyOpenTask(h, (await closes())[1]!.id)).queue, 'finance-leads');
      assert.deepEqual(await eventsOf(h, 'settlement.reconciliation.due', '2026-04-02'), []);
      await h.advance(1);
      const done = await h.instance(close.id);
      assert.equal(done.outcome, 'closed');
      assert.deepEqual(done.output, balances);
      assert.equal((await eventsOf(h, 'settlement.reconciliation.due', '2026-04-02')).length, 1);
    });

    test('a manual start closes a given day', async () => {
      const id = await h.start('daily-close', { closeDate: '2026-03-31' });
      await h.drain();
      const task = await onlyOpenTask(h, id);
      await h.engine.completeTask({
        taskId: task.id,
        outcome: 'balanced',
        data: { bankBalance: 500, ledgerBalance: 500 },
        actor: task.assignee!,
      });
      await h.drain();
      const instance = await h.instance(id);
      assert.deepEqual(
        instance.at.map((t) => t.step),
        ['next_business_day'],
      );
      await h.advance(DAY);
      assert.equal((await h.instance(id)).outcome, 'closed');
    });
  });
  describe('receivables-close-of-business and invoice-follow-up', () => {
    let h: EngineHarness;
    before(async () => {
      h = await deployExamples('2026-03-02T09:00:00Z');
      const context = { database: h.database, clock: h.clock, engine: h.engine };
      await inDomainTransaction(context, { actor: 'test' }, async (unit) => {
        await upsertCustomer(unit, { externalId: 'SUB-1', name: 'Subscriber' });
        await createBillingPlan(unit, {
          externalId: 'PLAN-1',
          customerExternalId: 'SUB-1',
          currency: 'EUR',
          lines: [{ description: 'Monthly service', quantity: '1', unitPrice: '9900' }],
          intervalMonths: 1,
          paymentTermsDays: 10,
          startDate: '2026-03-02',
        });
      });
    });
    after(() => h.close());

    const instancesOf = (key: string) =>
      h.database.db
        .selectFrom('wf_instances')
        .select(['id', 'status', 'outcome', 'output'])
        .where('workflow_key', '=', key)
        .orderBy('id')
        .execute();

    test('the nightly run bills the plan; the invoice is followed until paid, the next one until overdue', async () => {
      // 23:30 UTC: close of business for 2026-03-02 issues the first invoice of the plan.
      await h.advance(14.5 * HOUR + 1000);
      const [night] = await instancesOf('receivables-close-of-business');
      assert.equal(night!.outcome, 'closed');
      const issued = await eventsOf(h, 'invoice.issued');
      assert.equal(issued.length, 1);
      assert.equal(issued[0]!.data.dueDate, '2026-03-12');
      assert.equal((await eventsOf(h, 'invoice.delivery.requested', issued[0]!.key!)).length, 1);

      const context = { database: h.database, clock: h.clock, engine: h.engine };
      await inDomainTransaction(context, { actor: 'test' }, (unit) =>
        recordPayment(unit, issued[0]!.key!, {
          externalId: 'PAY-1',
          amount: '9900',
          currency: 'EUR',
          receivedOn: '2026-03-05',
        }),
      );
      await h.drain();
      const [first] = await instancesOf('invoice-follow-up');
      assert.equal(first!.outcome, 'paid');

      // A month of nightly runs: the April invoice is issued on 2026-04-02, due 2026-04-12, unpaid;
      // the run of 2026-04-13 finds it one day past due.
      for (let day = 0; day < 42; day += 1) await h.advance(DAY);
      const followUps = await instancesOf('invoice-follow-up');
      assert.deepEqual(
        followUps.map((i) => i.outcome),
        ['paid', 'overdue'],
      );
      const overdue = await eventsOf(h, 'receivable.overdue');
      assert.equal(overdue.length, 1);
      assert.equal(overdue[0]!.data.dpd, 1);
      assert.equal(overdue[0]!.data.asOf, '2026-04-13');
    });
  });
});
