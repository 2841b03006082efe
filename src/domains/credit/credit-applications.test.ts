/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment --
   response bodies are read field by field and each read is asserted; typing every nested shape here would restate the OpenAPI schemas */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DateTime } from 'luxon';
import type { ParsedMail } from 'mailparser';
import { createApiKey } from '../../auth/api-keys.js';
import { ManualClock } from '../../core/clock.js';
import { signedInUser } from '../../testing/browser-session.js';
import { startFakeBureau, type BureauReport, type FakeBureau } from '../../testing/fake-bureau.js';
import { startSmtpTestServer, type SmtpTestServer } from '../../testing/smtp-test-server.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { GOOD_APPLICATION_TERMS } from '../../testing/credit-application-body.js';

/**
 * Credit decisioning end to end, through the HTTP API only: a real finflow server (its in-process
 * worker runs the shipped `credit-application` workflow), a real HTTP server playing the credit
 * bureau and a real SMTP server. It proves that an application is validated before anything is
 * written, is idempotent, and is decided by the shipped, versioned policy — approved and booked
 * (receivable, exposure, pending disbursement, email), declined with reasons, knocked out, or sent
 * to review — and that reviews honour authority levels, two approvals and four eyes, that counter-
 * offers are accepted, declined or expire, that a decision records the versions it used, and that
 * bureau outages are retried and a missing file goes to review.
 */

/** A borrower as the shipped policy sees them (see the contract's personas). */
interface Persona {
  label: string;
  name: string;
  dateOfBirth: string;
  language: string;
  application: Body;
  bureau: Omit<BureauReport, 'name' | 'dateOfBirth'>;
}

/** Age 40, employed 60 months, earns 4 000/month: grade A, approved without review. */
const GOOD: Persona = {
  label: 'good',
  name: 'Ana Gómez',
  dateOfBirth: '1985-06-15', // 40 on the test's start date
  language: 'es',
  application: GOOD_APPLICATION_TERMS,
  bureau: { score: 790, estimatedMonthlyIncome: 400000, monthlyDebtPayments: 20000, recentDefault: false },
};

/** Age 22, unemployed, a thin margin and a poor bureau score: declined. */
const BAD: Persona = {
  label: 'bad',
  name: 'Bruno Díaz',
  dateOfBirth: '2003-06-15', // 22
  language: 'en',
  application: {
    ...GOOD.application,
    amount: '300000',
    termMonths: 36,
    purpose: 'holiday',
    monthlyIncome: '120000',
    monthlyExpenses: '100000',
    employment: { status: 'unemployed', monthsInJob: 0 },
  },
  bureau: { score: 520, estimatedMonthlyIncome: 110000, monthlyDebtPayments: 30000, recentDefault: false },
};

/** GOOD, but declaring 9 000/month where the bureau estimates 4 000: review (AN_INCOME_GAP), level 1. */
const ANOMALY: Persona = {
  ...GOOD,
  label: 'gap',
  name: 'Carmen Ruiz',
  application: { ...GOOD.application, monthlyIncome: '900000' },
};

/** GOOD, borrowing 40 000 over 60 months: review at level 3, two approvals. */
const LARGE: Persona = {
  ...GOOD,
  label: 'large',
  name: 'Diego Martín',
  application: { ...GOOD.application, amount: '4000000', termMonths: 60 },
};

const SHIPPED_DECISIONS = [
  'credit.anomalies',
  'credit.knockouts',
  'credit.routing',
  'credit.scorecard',
  'credit.terms',
];
const QUEUES = {
  'credit-officers': ['olga', 'oscar'],
  'credit-managers': ['mark', 'maria'],
  'credit-committee': ['carla', 'mark', 'maria'],
} as const;
const UNDECIDED = ['submitted', 'assessing'];
/** Each poll moves the manual clock by this much, so a step retrying with backoff comes due. */
const NUDGE_MS = 5_000;
const DAY_MS = 24 * 3600_000;

describe('credit applications API', () => {
  let server: TestServer;
  let bureau: FakeBureau;
  let smtp: SmtpTestServer;
  const clock = new ManualClock('2026-03-02T10:00:00Z'); // Monday 11:00 in Madrid: inside contact hours
  const tokens: Record<string, string> = {};

  before(async () => {
    bureau = await startFakeBureau();
    smtp = await startSmtpTestServer();
    server = await startTestServer({ clock, config: { smtpUrl: smtp.url } });

    const settings = expect(await call('PUT', '/credit/settings', { json: { bureau: { url: bureau.url } } }), 200);
    assert.equal(settings.bureau.url, bureau.url);
    for (const [name, members] of Object.entries(QUEUES)) {
      const queue = await call('PUT', `/queues/${name}`, { json: { members } });
      assert.ok([200, 201].includes(queue.status), `${queue.what}: ${JSON.stringify(queue.body)}`);
    }
    const people = [...new Set(Object.values(QUEUES).flat())];
    for (const name of people) {
      const created = expect(await call('POST', '/api-keys', { json: { name, role: 'operator' } }), 201);
      tokens[name] = String(created.token);
    }
    const viewer = expect(await call('POST', '/api-keys', { json: { name: 'vera', role: 'viewer' } }), 201);
    tokens.vera = String(viewer.token);
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
    await bureau?.close();
  });

  const { call, expect, expectProblem } = apiClient(() => server);

  const newKey = () => `test-${randomUUID()}`;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Polls `probe` every 50 ms (nudging the clock) until `done`, up to 20 s; returns the last value. */
  async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await probe();
      if (done(value)) return value;
      if (Date.now() > deadline) {
        assert.fail(`timed out waiting for ${what}; last seen: ${JSON.stringify(value).slice(0, 3000)}`);
      }
      clock.advance(NUDGE_MS);
      await sleep(50);
    }
  }

  // ---- applications -------------------------------------------------------------------------

  let seq = 0;

  /** The request body for a persona (a fresh customer each time), and the bureau's file for them. */
  function build(
    persona: Persona,
    overrides: { applicant?: Body; bureau?: Partial<BureauReport> | null } & Body = {},
  ): { body: Body; report: BureauReport | null } {
    seq += 1;
    const n = String(seq).padStart(3, '0');
    const { applicant = {}, bureau: bureauOverrides, ...fields } = overrides;
    const body: Body = {
      applicant: {
        externalId: `CR-${persona.label}-${n}`,
        name: persona.name,
        dateOfBirth: persona.dateOfBirth,
        nationalId: `ID-${persona.label}-${n}`,
        email: `${persona.label}.${n}@example.com`,
        phone: `+34600000${n}`,
        language: persona.language,
        timeZone: 'Europe/Madrid',
        ...applicant,
      },
      ...structuredClone(persona.application),
      ...fields,
    };
    const report =
      bureauOverrides === null
        ? null
        : {
            ...persona.bureau,
            ...bureauOverrides,
            name: String(body.applicant.name),
            dateOfBirth: String(body.applicant.dateOfBirth),
          };
    return { body, report };
  }

  const postApplication = (body: unknown, key?: string, token?: string) =>
    call('POST', '/credit/applications', {
      json: body,
      ...(key !== undefined ? { key } : {}),
      ...(token !== undefined ? { token } : {}),
    });

  /** Files the bureau report, submits with a fresh Idempotency-Key; the 201 answer and the request. */
  async function submit(
    persona: Persona,
    overrides: Parameters<typeof build>[1] = {},
    token?: string,
  ): Promise<{ app: Body; body: Body }> {
    const { body, report } = build(persona, overrides);
    bureau.setReport(String(body.applicant.nationalId), report);
    const app = expect(await postApplication(body, newKey(), token), 201);
    assert.match(String(app.id), /^capp_/);
    assert.equal(app.status, 'submitted');
    return { app, body };
  }

  const getApplication = async (id: string) => expect(await call('GET', `/credit/applications/${id}`), 200);

  const waitForStatus = (id: string, what: string, done: (app: Body) => boolean) =>
    waitFor(`application ${id}: ${what}`, () => getApplication(id), done);

  /** The workflow decides asynchronously: wait until it is past submitted/assessing. */
  const waitForDecision = (id: string) =>
    waitForStatus(id, 'a decision', (app) => !UNDECIDED.includes(String(app.status)));

  const listApplications = async (query = '') =>
    expect(await call('GET', `/credit/applications?limit=100${query}`), 200).data as Body[];

  // ---- review tasks -------------------------------------------------------------------------

  const openTasks = async (instanceId: string) =>
    expect(await call('GET', `/tasks?instanceId=${instanceId}&status=open`), 200).data as Body[];

  async function waitForTask(app: Body, queue: string): Promise<Body> {
    const tasks = await waitFor(
      `an open task in ${queue} for ${String(app.id)}`,
      () => openTasks(String(app.instanceId)),
      (list) => list.some((t) => t.queue === queue),
    );
    return tasks.find((t) => t.queue === queue)!;
  }

  /** Who works a task: its assignee, else the first queue member it does not exclude. */
  function workerFor(task: Body): string {
    const members = QUEUES[task.queue as keyof typeof QUEUES] as readonly string[] | undefined;
    assert.ok(members, `task ${String(task.id)} is in an unexpected queue ${String(task.queue)}`);
    const user = (task.assignee as string | null) ?? members.find((m) => !(task.excludedUsers as string[]).includes(m));
    assert.ok(user && tokens[user], `no one can work task ${JSON.stringify(task)}`);
    return user;
  }

  async function work(task: Body, user: string, outcome: string, data: Body): Promise<Body> {
    expect(await call('POST', `/tasks/${String(task.id)}/claim`, { token: tokens[user]! }), 200);
    return expect(
      await call('POST', `/tasks/${String(task.id)}/complete`, {
        token: tokens[user]!,
        key: newKey(),
        json: { outcome, data },
      }),
      200,
    );
  }

  // ---- mail and money -------------------------------------------------------------------------

  const recipients = (mail: ParsedMail) =>
    (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) => a.value.map((v) => v.address));
  const mailTo = (address: string) => smtp.messages.filter((m) => recipients(m).includes(address));
  const waitForMail = (address: string) =>
    waitFor(
      `an email to ${address}`,
      () => Promise.resolve(mailTo(address)),
      (list) => list.length > 0,
    );

  const codes = (list: unknown) => ((list ?? []) as Array<{ code: string }>).map((r) => r.code);

  // ================================================================================================

  test('settings: the bureau URL is validated; a viewer may not change it', async () => {
    expectProblem(
      await call('PUT', '/credit/settings', { json: { bureau: { url: 'not a url' } } }),
      400,
      'body.bureau.url',
    );
    expect(await call('PUT', '/credit/settings', { token: tokens.vera!, json: { bureau: { url: bureau.url } } }), 403);
    const settings = expect(await call('GET', '/credit/settings'), 200);
    assert.equal(settings.bureau.url, bureau.url, 'the refused changes left the bureau as configured');
  });

  test('validation: bad input gets 400 naming the field, an unknown product 422, and nothing is written', async () => {
    const applicationsBefore = (await listApplications()).length;
    const customersBefore = expect(await call('GET', '/customers?limit=1000'), 200).data.length;
    const bureauBefore = bureau.requests.length;

    const cases: Array<[string, (body: Body) => void]> = [
      ['body.amount', (b) => (b.amount = '12.5')],
      ['body.amount', (b) => delete b.amount],
      ['body.consent.bureauCheck', (b) => (b.consent = { bureauCheck: false })],
      ['body.applicant.dateOfBirth', (b) => (b.applicant.dateOfBirth = '1985-02-30')],
      ['body.applicant.email', (b) => (b.applicant.email = 'not-an-email')],
      ['body.employment.status', (b) => (b.employment.status = 'pirate')],
      ['body.termMonths', (b) => (b.termMonths = 'twelve')],
      ['body.monthlyIncome', (b) => (b.monthlyIncome = -5)],
      ['body.monthlyIncome', (b) => (b.monthlyIncome = '100000000000000000000')],
      ['body.amount', (b) => (b.amount = '100000000000000000000')],
      ['body.applicant.dateOfBirth', (b) => (b.applicant.dateOfBirth = '2999-01-01')],
    ];
    // Every case is tried before asserting, so one failure report lists them all.
    const wrong: string[] = [];
    for (const [field, spoil] of cases) {
      const { body } = build(GOOD);
      spoil(body);
      const reply = await postApplication(body, newKey());
      const fields = ((reply.body.errors ?? []) as Array<{ field: string }>).map((e) => e.field);
      if (reply.status !== 400 || reply.body.code !== 'validation_failed' || !fields.includes(field)) {
        wrong.push(`${field} (${spoil.toString()}) → ${reply.status} ${JSON.stringify(reply.body)}`);
      }
    }

    // One message per field, and it states the real rule (at most 18 digits).
    const huge = expect(await postApplication(build(GOOD, { amount: '100000000000000000000' }).body, newKey()), 400);
    assert.equal(huge.errors.length, 1, JSON.stringify(huge));
    assert.match(String(huge.errors[0].message), /at most 18 digits/);
    assert.equal(huge.detail, `body.amount: ${String(huge.errors[0].message)}`);

    const noKey = expect(await postApplication(build(GOOD).body), 400);
    assert.equal(noKey.code, 'idempotency_key_required');

    expectProblem(await postApplication(build(GOOD, { product: 'yacht-loan' }).body, newKey()), 422, 'body.product');
    // personal-loan lends 500.00 to 100 000.00 over 6 to 84 months
    expectProblem(await postApplication(build(GOOD, { amount: '20000000' }).body, newKey()), 422, 'body.amount');
    expectProblem(await postApplication(build(GOOD, { termMonths: 120 }).body, newKey()), 422, 'body.termMonths');

    assert.equal((await listApplications()).length, applicationsBefore, 'no application was stored');
    assert.equal(
      expect(await call('GET', '/customers?limit=1000'), 200).data.length,
      customersBefore,
      'no customer was created',
    );
    await sleep(300);
    assert.equal(bureau.requests.length, bureauBefore, 'the bureau was never asked');
    assert.deepEqual(wrong, [], 'each bad field gets 400 validation_failed naming it');
  });

  test('idempotency: the same key and body twice is one application; the key with another body is refused', async () => {
    const { body, report } = build(GOOD);
    bureau.setReport(String(body.applicant.nationalId), report);
    const key = newKey();
    const first = expect(await postApplication(body, key), 201);
    const again = expect(await postApplication(body, key), 201);
    assert.equal(again.id, first.id);
    assert.equal(again.customerId, first.customerId);

    expect(await postApplication({ ...body, amount: '600000' }, key), 422);

    const ofCustomer = await listApplications(`&customer=${String(first.customerId)}`);
    assert.deepEqual(
      ofCustomer.map((a) => a.id),
      [first.id],
    );
    const decided = await waitForDecision(String(first.id));
    assert.equal(decided.status, 'approved');
    assert.equal(
      bureau.requests.filter((r) => r.body?.nationalId === body.applicant.nationalId).length,
      1,
      'the bureau was asked once',
    );
  });

  test('GOOD persona: approved automatically, booked as a loan with a pending disbursement, emailed', async () => {
    const { app: submitted, body } = await submit(GOOD);
    assert.equal(submitted.amount, '500000');
    assert.equal(submitted.submittedBy, 'bootstrap admin');
    assert.equal(submitted.applicant.nationalId, body.applicant.nationalId);
    const id = String(submitted.id);

    const app = await waitForDecision(id);
    assert.equal(app.status, 'approved', JSON.stringify(app));
    assert.equal(app.outcome, 'approve');
    assert.match(String(app.customerId), /^cus_/);
    assert.match(String(app.instanceId), /^wfi_/);
    assert.ok(app.decidedAt, 'decidedAt is set');
    assert.deepEqual(app.approvals, []);

    // what the policy saw
    assert.equal(app.assessment.age, 40);
    assert.equal(app.assessment.bureau.found, true);
    assert.equal(app.assessment.bureau.score, 790);
    assert.equal(app.assessment.bureau.estimatedMonthlyIncome, '400000');
    assert.equal(app.assessment.bureau.monthlyDebtPayments, '20000');
    assert.equal(app.assessment.bureau.recentDefault, false);
    assert.equal(app.assessment.history.existingCustomer, false);
    assert.equal(app.assessment.history.exposure, '0');
    assert.ok(BigInt(app.assessment.affordability.installment) > 0n, JSON.stringify(app.assessment));
    assert.equal(app.assessment.affordability.existingDebtPayments, '20000');
    assert.ok(app.assessment.affordability.dti > 0 && app.assessment.affordability.dti < 0.4);

    // the score and every decision used, with its version
    assert.equal(app.score.grade, 'A');
    assert.ok(app.score.pd > 0 && app.score.pd < 0.05, `pd ${app.score.pd}`);
    assert.equal(typeof app.score.score, 'number');
    assert.deepEqual(app.score.decision, { key: 'credit.scorecard', version: 1 });
    for (const key of SHIPPED_DECISIONS) {
      const used = (app.decisions as Body[]).find((d) => d.key === key);
      assert.deepEqual(used, { key, version: 1 }, `decision ${key} in ${JSON.stringify(app.decisions)}`);
    }
    assert.ok(Array.isArray(app.timeline) && app.timeline.length > 0, 'the workflow history is shown');

    // the contract: a loan receivable
    const contract = app.contract;
    assert.equal(contract.kind, 'loan');
    assert.match(String(contract.receivableId), /^rcv_/);
    assert.equal(contract.externalId, `${id}.loan`);
    assert.equal(contract.principal, '500000');
    assert.equal(contract.termMonths, 24);
    assert.deepEqual(contract.disbursement, { transferId: `${id}.disbursement`, status: 'pending' });

    const receivable = expect(await call('GET', `/receivables/${String(contract.receivableId)}`), 200);
    assert.equal(receivable.kind, 'loan');
    assert.equal(receivable.customerId, app.customerId);
    assert.equal(receivable.externalId, `${id}.loan`);
    assert.equal(receivable.currency, 'EUR');
    assert.equal(receivable.principal, '500000');
    assert.equal(receivable.termMonths, 24);
    assert.equal(receivable.scheduleMethod, 'annuity');
    assert.equal(Number(receivable.annualRate), Number(contract.annualRate));
    const oneMonthAfter = DateTime.fromISO(String(app.decidedAt), { zone: 'utc' }).plus({ months: 1 }).toISODate();
    assert.equal(receivable.firstDueDate, oneMonthAfter, 'first due date one month after the decision');
    const schedule = expect(await call('GET', `/receivables/${String(contract.receivableId)}/schedule`), 200);
    assert.equal(schedule.installments.length, 24);
    assert.equal(
      (schedule.installments as Body[]).reduce((sum, i) => sum + BigInt(i.principalDue), 0n),
      500000n,
    );
    const firstInstallment = (schedule.installments as Body[])[0]!;
    assert.equal(
      BigInt(firstInstallment.principalDue) + BigInt(firstInstallment.interestDue),
      BigInt(contract.installment),
      'the contract installment is what the schedule asks each month',
    );

    // the customer, created from the applicant, now owes the loan
    const customer = expect(await call('GET', `/customers/${String(app.customerId)}`), 200);
    assert.equal(customer.externalId, body.applicant.externalId);
    assert.equal(customer.email, body.applicant.email);
    assert.ok(BigInt(customer.exposure) > 0n, `exposure ${customer.exposure}`);
    // …within a limit raised by exactly what the schedule has the customer owe
    assert.equal(customer.exposure, receivable.totalDue);
    assert.deepEqual([customer.creditLimit, customer.limitCurrency], [receivable.totalDue, 'EUR']);
    assert.equal(contract.creditLimit, receivable.totalDue);

    // the payout, held pending in the ledger
    const transfer = expect(await call('GET', `/ledger/transfers/${id}.disbursement`), 200);
    assert.equal(transfer.kind, 'pending');
    assert.equal(transfer.amount, '500000');
    assert.equal(transfer.currency, 'EUR');
    const debit = expect(await call('GET', `/ledger/accounts/${String(transfer.debitAccountId)}`), 200);
    const credit = expect(await call('GET', `/ledger/accounts/${String(transfer.creditAccountId)}`), 200);
    assert.deepEqual([debit.code, credit.code], ['loans:disbursements_payable', 'cash:disbursements']);

    // the bureau was asked about this applicant, with an Idempotency-Key
    const asked = bureau.requests.filter((r) => r.body?.nationalId === body.applicant.nationalId);
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0]!.body, {
      nationalId: body.applicant.nationalId,
      name: body.applicant.name,
      dateOfBirth: body.applicant.dateOfBirth,
    });
    assert.equal(asked[0]!.method, 'POST');
    assert.match(String(asked[0]!.headers['content-type']), /application\/json/);
    assert.ok(String(asked[0]!.headers['idempotency-key'] ?? '').length > 0, 'an Idempotency-Key header');

    // and the applicant was told
    const mails = await waitForMail(String(body.applicant.email));
    await sleep(300);
    assert.equal(mailTo(String(body.applicant.email)).length, 1, 'one email, not more');
    assert.ok(mails[0]!.subject, 'the email has a subject');

    // the list shows it, without the timeline
    const approved = await listApplications('&status=approved');
    const listed = approved.find((a) => a.id === id);
    assert.ok(listed, 'listed under status=approved');
    assert.ok(approved.every((a) => a.status === 'approved'));
    assert.equal(listed.timeline, undefined);
  });

  test('BAD persona: declined with adverse-action reasons, nothing booked, the email lists the reasons', async () => {
    const { app: submitted, body } = await submit(BAD);
    const app = await waitForDecision(String(submitted.id));
    assert.equal(app.status, 'declined', JSON.stringify(app));
    assert.equal(app.outcome, 'decline');
    assert.equal(app.assessment.age, 22);
    assert.ok(codes(app.reasons).includes('SC_BUREAU_SCORE'), JSON.stringify(app.reasons));
    for (const reason of app.reasons as Body[])
      assert.ok(String(reason.text ?? '').length > 0, 'each reason has a text');
    assert.equal(app.contract, null);
    assert.equal(app.offer, null);
    assert.ok(app.decidedAt);
    assert.ok(app.score.grade !== 'A' && app.score.grade !== 'B', `grade ${app.score.grade}`);

    const customer = expect(await call('GET', `/customers/${String(app.customerId)}`), 200);
    assert.equal(customer.exposure, '0');
    expect(await call('GET', `/ledger/transfers/${String(app.id)}.disbursement`), 404);

    const [mail] = await waitForMail(String(body.applicant.email));
    const text = `${mail!.subject ?? ''}\n${mail!.text ?? ''}\n${String(mail!.html ?? '')}`;
    for (const reason of app.reasons as Body[]) {
      assert.ok(
        text.includes(String(reason.text)) || text.includes(String(reason.code)),
        `the declined email names reason ${String(reason.code)} ("${String(reason.text)}"): ${mail!.text ?? ''}`,
      );
    }
  });

  test('knock-outs: a recent default (KO_DEFAULT) and a minor (KO_AGE) are declined by credit.knockouts', async () => {
    const { app: defaulted } = await submit(GOOD, { bureau: { recentDefault: true } });
    const minor = await submit(GOOD, { applicant: { dateOfBirth: '2008-09-01' } }); // 17

    const app = await waitForDecision(String(defaulted.id));
    assert.equal(app.status, 'declined', JSON.stringify(app));
    const ko = (app.rules as Body[]).find((r) => r.code === 'KO_DEFAULT');
    assert.ok(ko, `KO_DEFAULT among ${JSON.stringify(app.rules)}`);
    assert.equal(ko.kind, 'knockout');
    assert.equal(ko.decision, 'credit.knockouts');
    assert.equal(ko.version, 1);
    assert.ok(codes(app.reasons).includes('KO_DEFAULT'), JSON.stringify(app.reasons));
    assert.equal(app.contract, null);

    const young = await waitForDecision(String(minor.app.id));
    assert.equal(young.status, 'declined', JSON.stringify(young));
    assert.equal(young.assessment.age, 17);
    assert.ok(
      (young.rules as Body[]).some((r) => r.code === 'KO_AGE' && r.kind === 'knockout'),
      JSON.stringify(young.rules),
    );
  });

  test('anomaly: declared income far above the bureau estimate goes to a credit officer, who approves', async () => {
    const { app: submitted } = await submit(ANOMALY);
    const app = await waitForDecision(String(submitted.id));
    assert.equal(app.status, 'in_review', JSON.stringify(app));
    assert.equal(app.outcome, 'review');
    const gap = (app.rules as Body[]).find((r) => r.code === 'AN_INCOME_GAP');
    assert.ok(gap, JSON.stringify(app.rules));
    assert.equal(gap.kind, 'anomaly');
    assert.equal(gap.decision, 'credit.anomalies');
    assert.ok(codes(app.reasons).includes('AN_INCOME_GAP'), JSON.stringify(app.reasons));
    assert.deepEqual([app.authority?.level, app.authority?.approvalsRequired], [1, 1], JSON.stringify(app.authority));
    assert.equal(app.contract, null);

    const task = await waitForTask(app, 'credit-officers');
    const tasks = await openTasks(String(app.instanceId));
    assert.equal(tasks.length, 1, JSON.stringify(tasks));
    assert.ok((task.outcomes as string[]).includes('approve'));
    assert.ok((task.outcomes as string[]).includes('counter-offer'));

    const officer = workerFor(task);
    await work(task, officer, 'approve', { comment: 'payslips checked: bonus income' });
    const approved = await waitForStatus(String(app.id), 'approval', (a) => a.status !== 'in_review');
    assert.equal(approved.status, 'approved', JSON.stringify(approved));
    assert.equal(approved.approvals.length, 1);
    assert.deepEqual(
      [approved.approvals[0].by, approved.approvals[0].outcome, approved.approvals[0].comment],
      [officer, 'approve', 'payslips checked: bonus income'],
    );
    assert.equal(approved.approvals[0].level, 1);
    assert.equal(approved.contract.principal, '500000');
    assert.match(String(approved.contract.receivableId), /^rcv_/);
    assert.deepEqual(await openTasks(String(app.instanceId)), []);
    // last, so the flow above is checked even when this fails
    assert.deepEqual(app.authority.queues, ['credit-officers'], `authority.queues: ${JSON.stringify(app.authority)}`);
  });

  test('LARGE persona: a manager, then the committee without that manager; approvals in order', async () => {
    const { app: submitted } = await submit(LARGE);
    const app = await waitForDecision(String(submitted.id));
    assert.equal(app.status, 'in_review', JSON.stringify(app));
    assert.equal(app.authority.level, 3, JSON.stringify(app.authority));
    assert.equal(app.authority.approvalsRequired, 2);

    const first = await waitForTask(app, 'credit-managers');
    const manager = workerFor(first);
    await work(first, manager, 'approve', { comment: 'strong file' });

    const second = await waitForTask(app, 'credit-committee');
    assert.ok((second.excludedUsers as string[]).includes(manager), JSON.stringify(second));
    const midway = await getApplication(String(app.id));
    assert.equal(midway.status, 'in_review', 'one approval of two does not approve');
    assert.equal(midway.approvals.length, 1);

    const refused = expect(await call('POST', `/tasks/${String(second.id)}/claim`, { token: tokens[manager]! }), 409);
    assert.equal(refused.code, 'separation_of_duties');
    const refusedComplete = expect(
      await call('POST', `/tasks/${String(second.id)}/complete`, {
        token: tokens[manager]!,
        json: { outcome: 'approve', data: { comment: 'me again' } },
      }),
      409,
    );
    assert.equal(refusedComplete.code, 'separation_of_duties');

    const member = workerFor(second);
    assert.notEqual(member, manager);
    await work(second, member, 'approve', { comment: 'committee agrees' });
    const approved = await waitForStatus(String(app.id), 'approval', (a) => a.status !== 'in_review');
    assert.equal(approved.status, 'approved', JSON.stringify(approved));
    assert.deepEqual(
      (approved.approvals as Body[]).map((a) => [a.by, a.outcome, a.comment]),
      [
        [manager, 'approve', 'strong file'],
        [member, 'approve', 'committee agrees'],
      ],
    );
    assert.equal(approved.contract.principal, '4000000');
    assert.equal(approved.contract.termMonths, 60);
    // last, so the flow above is checked even when this fails
    assert.deepEqual(
      app.authority.queues,
      ['credit-managers', 'credit-committee'],
      `authority.queues: ${JSON.stringify(app.authority)}`,
    );
  });

  test('four eyes: the officer who submitted an application may not review it; another officer may', async () => {
    const { app: submitted } = await submit(ANOMALY, {}, tokens.olga);
    assert.equal(submitted.submittedBy, 'olga');
    const app = await waitForDecision(String(submitted.id));
    assert.equal(app.status, 'in_review', JSON.stringify(app));
    const task = await waitForTask(app, 'credit-officers');
    assert.ok((task.excludedUsers as string[]).includes('olga'), JSON.stringify(task));
    assert.notEqual(task.assignee, 'olga');

    const claim = expect(await call('POST', `/tasks/${String(task.id)}/claim`, { token: tokens.olga! }), 409);
    assert.equal(claim.code, 'separation_of_duties');
    const complete = expect(
      await call('POST', `/tasks/${String(task.id)}/complete`, {
        token: tokens.olga!,
        json: { outcome: 'approve', data: { comment: 'my own' } },
      }),
      409,
    );
    assert.equal(complete.code, 'separation_of_duties');

    const other = workerFor(task);
    assert.notEqual(other, 'olga');
    await work(task, other, 'approve', { comment: 'checked by a second officer' });
    const approved = await waitForStatus(String(app.id), 'approval', (a) => a.status !== 'in_review');
    assert.equal(approved.status, 'approved');
    assert.deepEqual(
      (approved.approvals as Body[]).map((a) => a.by),
      [other],
    );
  });

  test('four eyes across principals: an officer who submitted through her own API key may not review in her browser', async () => {
    const ulla = await signedInUser(
      server,
      { email: 'ulla@bank.test', name: 'Ulla Berg', roles: ['credit_officer'] },
      clock,
    );
    const key = await createApiKey(server.database, {
      name: 'ulla-intake-script',
      role: 'credit_officer',
      owner: ulla.id,
      actor: 'test',
    });
    const { app: submitted } = await submit(ANOMALY, {}, key.token);
    assert.equal(submitted.submittedBy, ulla.id, 'the key works as its owner');
    const app = await waitForDecision(String(submitted.id));
    assert.equal(app.status, 'in_review', JSON.stringify(app));
    const task = await waitForTask(app, 'credit-officers');
    assert.ok((task.excludedUsers as string[]).includes(ulla.id), JSON.stringify(task));

    const claim = await ulla.session.call('POST', `/tasks/${String(task.id)}/claim`);
    assert.equal(claim.status, 409, JSON.stringify(claim.body));
    assert.equal(claim.body.code, 'separation_of_duties');
    const complete = await ulla.session.call('POST', `/tasks/${String(task.id)}/complete`, {
      json: { outcome: 'approve', data: { comment: 'my own, from the console' } },
    });
    assert.equal(complete.status, 409, JSON.stringify(complete.body));
    assert.equal(complete.body.code, 'separation_of_duties');
    // The task is still open for a second person.
    assert.equal(expect(await call('GET', `/tasks/${String(task.id)}`), 200).status, 'open');

    // People work their own queues: Ulla is no credit-officers member until a manager adds her.
    const { app: other } = await submit(ANOMALY);
    const otherTask = await waitForTask(await waitForDecision(String(other.id)), 'credit-officers');
    const outsider = await ulla.session.call('POST', `/tasks/${String(otherTask.id)}/claim`);
    assert.equal(outsider.status, 403, JSON.stringify(outsider.body));
    assert.equal(outsider.body.code, 'not_queue_member');
    const members = [...QUEUES['credit-officers'], ulla.id];
    expect(await call('PUT', '/queues/credit-officers', { json: { members } }), 200);
    if (otherTask.assignee) {
      // Round-robin gave it to someone: only unassigned (or her own) tasks are hers to claim.
      assert.equal(
        (await ulla.session.call('POST', `/tasks/${String(otherTask.id)}/claim`)).body.code,
        'task_assigned',
      );
    } else {
      assert.equal((await ulla.session.call('POST', `/tasks/${String(otherTask.id)}/claim`)).status, 200);
    }
    expect(await call('PUT', '/queues/credit-officers', { json: { members: QUEUES['credit-officers'] } }), 200);
  });

  /** An application in review, countered by an officer with 3 000.00 over 24 months; the offer. */
  async function counterOffered(): Promise<{ app: Body; body: Body; officer: string }> {
    const { app: submitted, body } = await submit(ANOMALY);
    const app = await waitForDecision(String(submitted.id));
    assert.equal(app.status, 'in_review', JSON.stringify(app));
    const task = await waitForTask(app, 'credit-officers');
    const officer = workerFor(task);
    await work(task, officer, 'counter-offer', {
      comment: 'income not proven: a smaller loan',
      counterAmount: '300000',
      counterTermMonths: 24,
    });
    const offered = await waitForStatus(String(app.id), 'the counter-offer', (a) => a.status !== 'in_review');
    assert.equal(offered.status, 'offered', JSON.stringify(offered));
    return { app: offered, body, officer };
  }

  test('counter-offer: accepted, the loan is booked on the offered terms; declined → offer_declined', async () => {
    const { app, body, officer } = await counterOffered();
    assert.equal(app.offer.amount, '300000');
    assert.equal(app.offer.termMonths, 24);
    assert.equal(app.offer.by, officer);
    assert.match(String(app.offer.annualRate), /^0\.\d+$/);
    assert.equal(app.contract, null);
    await waitForMail(String(body.applicant.email)); // credit_counter_offer

    const id = String(app.id);
    expect(await call('POST', `/credit/applications/${id}/offer`, { json: { accept: true } }), 400); // no key
    expect(
      await call('POST', `/credit/applications/${id}/offer`, {
        token: tokens.vera!,
        key: newKey(),
        json: { accept: true },
      }),
      403,
    );
    const key = newKey();
    const answered = expect(
      await call('POST', `/credit/applications/${id}/offer`, { key, json: { accept: true } }),
      202,
    );
    assert.equal(answered.id, id);
    const replay = expect(await call('POST', `/credit/applications/${id}/offer`, { key, json: { accept: true } }), 202);
    assert.deepEqual(replay, answered);

    const approved = await waitForStatus(id, 'the booked offer', (a) => a.status !== 'offered');
    assert.equal(approved.status, 'approved', JSON.stringify(approved));
    assert.equal(approved.contract.principal, '300000');
    assert.equal(approved.contract.termMonths, 24);
    const receivable = expect(await call('GET', `/receivables/${String(approved.contract.receivableId)}`), 200);
    assert.deepEqual([receivable.principal, receivable.termMonths], ['300000', 24]);
    const transfer = expect(await call('GET', `/ledger/transfers/${id}.disbursement`), 200);
    assert.deepEqual([transfer.kind, transfer.amount], ['pending', '300000']);

    const late = expect(
      await call('POST', `/credit/applications/${id}/offer`, { key: newKey(), json: { accept: true } }),
      409,
    );
    assert.equal(late.code, 'not_offered');

    // a second applicant turns the offer down
    const other = await counterOffered();
    const otherId = String(other.app.id);
    expect(
      await call('POST', `/credit/applications/${otherId}/offer`, { key: newKey(), json: { accept: false } }),
      202,
    );
    const declined = await waitForStatus(otherId, 'the declined offer', (a) => a.status !== 'offered');
    assert.equal(declined.status, 'offer_declined', JSON.stringify(declined));
    assert.equal(declined.contract, null);
    expect(await call('GET', `/ledger/transfers/${otherId}.disbursement`), 404);
  });

  test('bureau: a 503 is retried and the application still decided; a 404 (no file) goes to review', async () => {
    const { body, report } = build(GOOD);
    bureau.setReport(String(body.applicant.nationalId), report);
    bureau.failNext(1);
    const app = expect(await postApplication(body, newKey()), 201);
    const decided = await waitForDecision(String(app.id));
    assert.equal(decided.status, 'approved', JSON.stringify(decided));
    assert.equal(decided.assessment.bureau.score, 790);
    const asked = bureau.requests.filter((r) => r.body?.nationalId === body.applicant.nationalId);
    assert.deepEqual(
      asked.map((r) => r.status),
      [503, 200],
    );
    assert.equal(
      asked[0]!.headers['idempotency-key'],
      asked[1]!.headers['idempotency-key'],
      'the retry sends the same Idempotency-Key',
    );

    const { app: unknown } = await submit(GOOD, { bureau: null });
    const review = await waitForDecision(String(unknown.id));
    assert.equal(review.status, 'in_review', JSON.stringify(review));
    assert.ok(
      (review.rules as Body[]).some((r) => r.code === 'AN_NO_BUREAU' && r.kind === 'anomaly'),
      JSON.stringify(review.rules),
    );
    assert.ok(codes(review.reasons).includes('AN_NO_BUREAU'), JSON.stringify(review.reasons));
    assert.ok(
      review.assessment.bureau === null || review.assessment.bureau.found === false,
      JSON.stringify(review.assessment.bureau),
    );
    await waitForTask(review, 'credit-officers');
  });

  test('permissions: a viewer reads but may not apply; an unknown application is 404', async () => {
    const { body } = build(GOOD);
    const denied = expect(await postApplication(body, newKey(), tokens.vera), 403);
    assert.equal(denied.code, 'forbidden');

    const list = expect(await call('GET', '/credit/applications', { token: tokens.vera! }), 200);
    assert.ok(Array.isArray(list.data) && list.data.length > 0);
    const one = expect(
      await call('GET', `/credit/applications/${String(list.data[0].id)}`, { token: tokens.vera! }),
      200,
    );
    assert.equal(one.id, list.data[0].id);

    const missing = expect(await call('GET', '/credit/applications/capp_01ARZ3NDEKTSV4RRFFQ69G5FAV'), 404);
    assert.equal(missing.code, 'not_found');
    expect(
      await call('POST', '/credit/applications/capp_01ARZ3NDEKTSV4RRFFQ69G5FAV/offer', {
        key: newKey(),
        json: { accept: true },
      }),
      404,
    );
    expect(await call('GET', '/credit/applications', { token: null }), 401);
  });

  test('versioning: a new scorecard version is used by new applications; earlier ones keep version 1', async () => {
    const { app: earlier } = await submit(GOOD);
    const v1App = await waitForDecision(String(earlier.id));
    assert.equal(v1App.status, 'approved', JSON.stringify(v1App));
    assert.deepEqual(v1App.score.decision, { key: 'credit.scorecard', version: 1 });

    const v1 = expect(await call('GET', '/decisions/credit.scorecard'), 200);
    assert.equal(v1.version, 1);
    // Add 7 points to every band of the first points table (a decision table writing `points.<attribute>`).
    const content = structuredClone(v1.content) as { nodes: Body[]; edges: Body[] };
    const table = content.nodes.find(
      (n) =>
        n.type === 'decisionTableNode' &&
        (n.content?.outputs as Body[] | undefined)?.some((o) => String(o.field).startsWith('points.')),
    );
    assert.ok(table, `a points table in credit.scorecard: ${JSON.stringify(content.nodes.map((n) => n.name))}`);
    const output = (table.content.outputs as Body[]).find((o) => String(o.field).startsWith('points.'))!;
    const attribute = String(output.field).slice('points.'.length);
    let changed = 0;
    for (const rule of table.content.rules as Body[]) {
      const points = Number(rule[output.id]);
      if (rule[output.id] !== '' && Number.isFinite(points)) {
        rule[output.id] = String(points + 7);
        changed += 1;
      }
    }
    assert.ok(changed > 0, `numeric points in ${JSON.stringify(table.content.rules)}`);
    const deployed = expect(await call('PUT', '/decisions/credit.scorecard', { json: content }), 201);
    assert.deepEqual([deployed.key, deployed.version], ['credit.scorecard', 2]);

    try {
      const { app: later } = await submit(GOOD);
      const v2App = await waitForDecision(String(later.id));
      assert.deepEqual(v2App.score.decision, { key: 'credit.scorecard', version: 2 });
      assert.deepEqual(
        (v2App.decisions as Body[]).find((d) => d.key === 'credit.scorecard'),
        { key: 'credit.scorecard', version: 2 },
      );
      assert.equal(v2App.score.points[attribute], v1App.score.points[attribute] + 7, `points.${attribute}`);
      assert.equal(v2App.score.score, v1App.score.score + 7);

      const still = await getApplication(String(earlier.id));
      assert.deepEqual(still.score.decision, { key: 'credit.scorecard', version: 1 });
      assert.deepEqual(
        (still.decisions as Body[]).find((d) => d.key === 'credit.scorecard'),
        { key: 'credit.scorecard', version: 1 },
      );
      assert.equal(still.score.score, v1App.score.score);
    } finally {
      // The shipped points again (as version 3), for whatever runs after.
      expect(await call('PUT', '/decisions/credit.scorecard', { json: v1.content }), 201);
    }
  });

  test('an offer nobody answers expires after 14 days', async () => {
    const { app } = await counterOffered();
    clock.advance(15 * DAY_MS);
    const expired = await waitForStatus(String(app.id), 'the offer to expire', (a) => a.status !== 'offered');
    assert.equal(expired.status, 'offer_expired', JSON.stringify(expired));
    assert.equal(expired.contract, null);
    const late = expect(
      await call('POST', `/credit/applications/${String(app.id)}/offer`, { key: newKey(), json: { accept: true } }),
      409,
    );
    assert.equal(late.code, 'not_offered');
  });

  test("credit line: approval raises the customer's limit; no receivable, no payout", async () => {
    const { app: submitted } = await submit(GOOD, { product: 'credit-line', amount: '400000', termMonths: 36 });
    const app = await waitForDecision(String(submitted.id));
    assert.equal(app.status, 'approved', JSON.stringify(app));
    assert.deepEqual(
      [app.contract.kind, app.contract.principal, app.contract.creditLimit, app.contract.receivableId],
      ['credit_line', '400000', '400000', undefined],
    );
    const customer = expect(await call('GET', `/customers/${String(app.customerId)}`), 200);
    assert.deepEqual([customer.creditLimit, customer.limitCurrency], ['400000', 'EUR']);
    const loans = expect(await call('GET', `/receivables?customerId=${String(app.customerId)}`), 200).data as Body[];
    assert.equal(loans.length, 0);
  });
});
