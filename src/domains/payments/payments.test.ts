/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment --
   response bodies are read field by field and each read is asserted; typing every nested shape here would restate the OpenAPI schemas */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * Outgoing payments end to end, through the HTTP API only, on a real server whose in-process worker
 * runs the shipped payment-instruction-approval workflow and approval matrix: a bank account tied
 * to a ledger cash account; a beneficiary whose bank details a second person approves (the proposer
 * may not); a payment created idempotently, approved by two different people who are not its maker,
 * held on the ledger and cancelled before release (the hold voided); a small payment approved
 * automatically; a rejection; a cancellation that cancels the open task; a payment waiting for its
 * beneficiary's verification; an approval that expires; and the events and audit rows of it all.
 */

const DEBTOR_IBAN = 'DE89370400440532013000';
const SUPPLIER_IBAN = 'FR1420041010050500013M02606';
const QUEUE = 'payment-approvers';
/** Each poll moves the manual clock by this much, so waits and retries come due. */
const NUDGE_MS = 5_000;
const DAY_MS = 24 * 3600_000;

describe('payments API', () => {
  let server: TestServer;
  // Monday 2 March 2026, 10:00 UTC.
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  const tokens: Record<string, string> = {};

  before(async () => {
    server = await startTestServer({ clock });
    const roles = {
      tess: 'treasurer', // the maker
      tom: 'treasurer',
      anna: 'payment_approver',
      bob: 'payment_approver',
      carl: 'payment_approver',
      vera: 'viewer',
    } as const;
    for (const [name, role] of Object.entries(roles)) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    const queue = await call('PUT', `/queues/${QUEUE}`, { json: { members: ['anna', 'bob', 'carl'] } });
    assert.ok([200, 201].includes(queue.status), JSON.stringify(queue.body));
  });
  after(async () => server?.close());

  const { call, expect, expectProblem } = apiClient(() => server);
  const as = (name: string) => ({ token: tokens[name]! });
  const newKey = () => `test-${randomUUID()}`;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Polls `probe` every 50 ms (nudging the clock) until `done`, up to 20 s; returns the last value. */
  async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await probe();
      if (done(value)) return value;
      if (Date.now() > deadline)
        assert.fail(`timed out waiting for ${what}; last seen: ${JSON.stringify(value).slice(0, 3000)}`);
      clock.advance(NUDGE_MS);
      await sleep(50);
    }
  }

  const getPayment = async (id: string) => expect(await call('GET', `/payments/${id}`), 200);
  const waitForStatus = (id: string, status: string) =>
    waitFor(
      `payment ${id} ${status}`,
      () => getPayment(id),
      (p) => p.status === status,
    );
  const waitForOpenTask = async (id: string, step: string) => {
    const payment = await waitFor(
      `an open ${step} task of ${id}`,
      () => getPayment(id),
      (p) => (p.tasks as Body[]).some((t) => t.step === step && t.status === 'open'),
    );
    return (payment.tasks as Body[]).find((t) => t.step === step && t.status === 'open')!;
  };
  /** Until the payment's workflow waits for its beneficiary's verification. */
  const waitForVerificationWait = (id: string) =>
    waitFor(
      `payment ${id} waiting for verification`,
      async () => {
        const payment = await getPayment(id);
        const instance = payment.instanceId
          ? expect(await call('GET', `/instances/${String(payment.instanceId)}`), 200)
          : null;
        return { payment, instance };
      },
      ({ instance }) => (instance?.at as Body[] | undefined)?.some((t) => t.step === 'await_verification') === true,
    );
  const complete = (taskId: string, who: string, outcome: string, data: Body = {}) =>
    call('POST', `/tasks/${taskId}/complete`, { ...as(who), key: newKey(), json: { outcome, data } });

  const eventsOf = async (key: string) =>
    (
      await server.database.db
        .selectFrom('wf_events')
        .select(['type', 'data'])
        .where('key', '=', key)
        .orderBy('published_at')
        .orderBy('id')
        .execute()
    ).map((e) => ({ type: e.type, data: e.data as Body }));
  const auditActions = async (entityType: string, entityId: string) =>
    (
      expect(await call('GET', `/audit?entityType=${entityType}&entityId=${entityId}&limit=100`), 200).data as Body[]
    ).map((r) => r.action as string);

  // ---- fixtures built by the tests, in order ----------------------------------------------------
  let account: Body;
  let supplier: Body;

  const paymentBody = (overrides: Body = {}) => ({
    bankAccountId: account.id,
    beneficiaryId: supplier.id,
    amount: '2500000',
    remittance: { unstructured: 'Invoice 2026-0042' },
    purpose: 'SUPP',
    ...overrides,
  });
  const createPayment = async (overrides: Body = {}, who = 'tess') =>
    expect(await call('POST', '/payments', { ...as(who), key: newKey(), json: paymentBody(overrides) }), 201);

  // ================================================================================================

  test('bank accounts: the IBAN is validated naming the field; the ledger cash account is created', async () => {
    const good = {
      name: 'Main EUR',
      currency: 'EUR',
      iban: 'DE89 3704 0044 0532 0130 00',
      bic: 'COBADEFFXXX',
      ownerName: 'Finflow Lending GmbH',
      ledgerAccount: 'cash:bank:main-eur',
    };
    expectProblem(
      await call('POST', '/bank-accounts', { ...as('tess'), json: { ...good, iban: 'DE89370400440532013001' } }),
      400,
      'body.iban',
    );
    expectProblem(
      await call('POST', '/bank-accounts', { ...as('tess'), json: { ...good, bic: 'NOTABIC' } }),
      400,
      'body.bic',
    );
    expectProblem(
      await call('POST', '/bank-accounts', { ...as('tess'), json: { ...good, country: 'FR' } }),
      400,
      'body.country',
    );
    expectProblem(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        json: { ...good, iban: undefined, accountNumber: '12345678', bankCode: '400', country: 'XX' },
      }),
      400,
      'body.country',
    );
    expect(await call('POST', '/bank-accounts', { ...as('vera'), json: good }), 403);
    expect(await call('POST', '/bank-accounts', { ...as('anna'), json: good }), 403);

    account = expect(await call('POST', '/bank-accounts', { ...as('tess'), json: good }), 201);
    assert.match(String(account.id), /^bac_/);
    assert.equal(account.iban, DEBTOR_IBAN, 'stored in electronic format');
    assert.equal(account.country, 'DE');
    assert.equal(account.pain001Version, 'pain.001.001.09');
    const ledger = expect(await call('GET', `/ledger/accounts/${account.ledgerAccountId}`), 200);
    assert.equal(ledger.code, 'cash:bank:main-eur');
    assert.equal(ledger.normalSide, 'debit');

    const again = expect(await call('POST', '/bank-accounts', { ...as('tess'), json: good }), 409);
    assert.equal(again.code, 'bank_account_exists');
    const local = expect(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        json: {
          ...good,
          iban: undefined,
          accountNumber: '12345678',
          bankCode: '400000',
          country: 'US',
          currency: 'USD',
          ledgerAccount: 'cash:bank:us',
        },
      }),
      201,
    );
    assert.equal(local.iban, null);
    assert.equal(local.accountNumber, '12345678');

    const page = expect(await call('GET', '/bank-accounts?limit=1', as('vera')), 200);
    assert.equal(page.data.length, 1);
    assert.equal(page.next, account.id);
    expect(await call('GET', `/bank-accounts/${account.id}`, as('anna')), 200);
    expect(await call('GET', '/bank-accounts/bac_nope'), 404);
    assert.deepEqual(await auditActions('bank_account', String(account.id)), ['bank_account.created']);
  });

  test('beneficiaries: bank details need a second person; the proposer may not approve them', async () => {
    expectProblem(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: { name: 'Acme', kind: 'supplier', bankDetails: { iban: 'FR1420041010050500013M02607' } },
      }),
      400,
      'body.bankDetails.iban',
    );
    expectProblem(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: { name: 'Acme', kind: 'supplier', customerId: 'cus_nope', bankDetails: { iban: SUPPLIER_IBAN } },
      }),
      422,
      'body.customerId',
    );
    expect(
      await call('POST', '/beneficiaries', {
        ...as('vera'),
        json: { name: 'Acme', kind: 'supplier', bankDetails: { iban: SUPPLIER_IBAN } },
      }),
      403,
    );

    supplier = expect(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: { name: 'Acme SARL', kind: 'supplier', bankDetails: { iban: SUPPLIER_IBAN, bic: 'BNPAFRPPXXX' } },
      }),
      201,
    );
    assert.match(String(supplier.id), /^ben_/);
    assert.equal(supplier.status, 'unverified');
    assert.equal(supplier.bankDetails, null, 'no details until approved');
    const [change] = supplier.changes as Body[];
    assert.match(String(change!.id), /^bch_/);
    assert.equal(change!.status, 'proposed');
    assert.equal(change!.proposedBy, 'tess');

    const path = `/beneficiaries/${supplier.id}/changes/${change!.id}`;
    // A treasurer holds no payments:approve; a second proposal waits for the first.
    expect(await call('POST', `${path}/approve`, as('tom')), 403);
    const pending = expect(
      await call('POST', `/beneficiaries/${supplier.id}/bank-details`, {
        ...as('tess'),
        json: { iban: SUPPLIER_IBAN },
      }),
      409,
    );
    assert.equal(pending.code, 'change_pending');

    // The proposer, even holding the permission (admin's key proposes, admin approves): refused.
    const own = expect(
      await call('POST', '/beneficiaries', {
        json: { name: 'Self Approved Ltd', kind: 'other', bankDetails: { iban: SUPPLIER_IBAN } },
      }),
      201,
    );
    const selfApproval = expect(
      await call('POST', `/beneficiaries/${own.id}/changes/${own.changes[0].id}/approve`, { json: {} }),
      409,
    );
    assert.equal(selfApproval.code, 'separation_of_duties');

    const decided = expect(
      await call('POST', `${path}/approve`, { ...as('anna'), json: { reason: 'called Acme back' } }),
      200,
    );
    assert.equal(decided.change.status, 'approved');
    assert.equal(decided.change.decidedBy, 'anna');
    assert.equal(decided.beneficiary.status, 'verified');
    assert.equal(decided.beneficiary.detailsVersion, 1);
    assert.equal(decided.beneficiary.bankDetails.iban, SUPPLIER_IBAN);
    assert.equal(decided.beneficiary.bankDetails.bic, 'BNPAFRPPXXX');
    expect(await call('POST', `${path}/approve`, as('bob')), 409);
    supplier = expect(await call('GET', `/beneficiaries/${supplier.id}`, as('vera')), 200);
    assert.equal(supplier.status, 'verified');

    const verified = (await eventsOf(String(supplier.id))).filter((e) => e.type === 'beneficiary.verified');
    assert.equal(verified.length, 1);
    assert.equal(verified[0]!.data.detailsVersion, 1);
    assert.deepEqual(await auditActions('beneficiary', String(supplier.id)), [
      'beneficiary.created',
      'beneficiary.change_proposed',
      'beneficiary.change_approved',
      'beneficiary.verified',
    ]);

    // A rejected change leaves the current details; the proposer may withdraw their own.
    const next = expect(
      await call('POST', `/beneficiaries/${supplier.id}/bank-details`, {
        ...as('tess'),
        json: { iban: 'GB82 WEST 1234 5698 7654 32' },
      }),
      201,
    );
    expectProblem(
      await call('POST', `/beneficiaries/${supplier.id}/changes/${next.id}/reject`, { ...as('anna'), json: {} }),
      400,
      'body.reason',
    );
    const rejected = expect(
      await call('POST', `/beneficiaries/${supplier.id}/changes/${next.id}/reject`, {
        ...as('anna'),
        json: { reason: 'not confirmed by phone' },
      }),
      200,
    );
    assert.equal(rejected.change.status, 'rejected');
    assert.equal(rejected.beneficiary.bankDetails.iban, SUPPLIER_IBAN);
    const list = expect(await call('GET', '/beneficiaries?status=verified'), 200).data as Body[];
    assert.deepEqual(
      list.map((b) => b.id),
      [supplier.id],
    );
  });

  test('payment input: 400 naming the field, 422 for what does not exist, and nothing is stored', async () => {
    const before = (expect(await call('GET', '/payments?limit=500'), 200).data as Body[]).length;
    const noKey = expect(await call('POST', '/payments', { ...as('tess'), json: paymentBody() }), 400);
    assert.equal(noKey.code, 'idempotency_key_required');
    const post = (body: Body) => call('POST', '/payments', { ...as('tess'), key: newKey(), json: body });
    const cases: Array<[number, string, Body]> = [
      [400, 'body.amount', paymentBody({ amount: '12.50' })],
      [400, 'body.amount', paymentBody({ amount: '0' })],
      [400, 'body.amount', paymentBody({ amount: '1000000000000000000000' })],
      [400, 'body.currency', paymentBody({ currency: 'EURO' })],
      [400, 'body.requestedExecutionDate', paymentBody({ requestedExecutionDate: '2026-02-30' })],
      [400, 'body.endToEndId', paymentBody({ endToEndId: 'a_b' })],
      [400, 'body.endToEndId', paymentBody({ endToEndId: 'x'.repeat(36) })],
      [
        400,
        'body.remittance.creditorReference',
        paymentBody({ remittance: { creditorReference: 'RF19539007547034' } }),
      ],
      [400, 'body.remittance.unstructured', paymentBody({ remittance: { unstructured: 'x'.repeat(141) } })],
      [400, 'body.remittance.unstructured', paymentBody({ remittance: { unstructured: 'line\u0085break' } })],
      [400, 'body.remittance.unstructured', paymentBody({ remittance: { unstructured: 'tab\there' } })],
      [400, 'body.purpose', paymentBody({ purpose: 'supplier' })],
      [400, 'body.bankAccountId', paymentBody({ bankAccountId: undefined })],
      [422, 'body.bankAccountId', paymentBody({ bankAccountId: 'bac_nope' })],
      [422, 'body.beneficiaryId', paymentBody({ beneficiaryId: 'ben_nope' })],
      [422, 'body.currency', paymentBody({ currency: 'USD' })],
      [422, 'body.requestedExecutionDate', paymentBody({ requestedExecutionDate: '2026-03-01' })], // yesterday
      [422, 'body.requestedExecutionDate', paymentBody({ requestedExecutionDate: '2026-03-07' })], // a Saturday
    ];
    const wrong: string[] = [];
    for (const [status, field, body] of cases) {
      const reply = await post(body);
      const fields = ((reply.body.errors ?? []) as Array<{ field: string }>).map((e) => e.field);
      if (reply.status !== status || !fields.includes(field)) {
        wrong.push(`${field} → ${reply.status} ${JSON.stringify(reply.body)}`);
      }
    }
    assert.deepEqual(wrong, [], 'each bad field is refused, naming it');
    expect(await call('POST', '/payments', { ...as('vera'), key: newKey(), json: paymentBody() }), 403);
    expect(await call('POST', '/payments', { ...as('anna'), key: newKey(), json: paymentBody() }), 403);
    assert.equal((expect(await call('GET', '/payments?limit=500'), 200).data as Body[]).length, before);
  });

  let approvedId = '';

  test('two approvers by the matrix: not the maker, not the same person twice; approval holds the amount', async () => {
    const key = newKey();
    const body = paymentBody({ requestedExecutionDate: '2026-03-04', sourceRef: 'INV-2026-0042' });
    const created = expect(await call('POST', '/payments', { ...as('tess'), key, json: body }), 201);
    const id = String(created.id);
    approvedId = id;
    assert.match(id, /^pmt_/);
    assert.equal(created.status, 'pending_approval');
    assert.equal(created.currency, 'EUR', "the debtor account's currency");
    assert.equal(created.createdBy, 'tess');
    assert.match(String(created.endToEndId), /^FF[0-9A-Z]{26}$/);

    // Idempotent: the same key and body is the same payment; the key with another body is refused.
    const replay = expect(await call('POST', '/payments', { ...as('tess'), key, json: body }), 201);
    assert.equal(replay.id, id);
    expect(await call('POST', '/payments', { ...as('tess'), key, json: { ...body, amount: '2600000' } }), 422);
    // The same reference with another key: one payment per reference.
    const duplicate = expect(await call('POST', '/payments', { ...as('tess'), key: newKey(), json: body }), 409);
    assert.equal(duplicate.code, 'duplicate_source_ref');

    const first = await waitForOpenTask(id, 'first_approval');
    assert.equal(first.queue, QUEUE);
    const pending = await getPayment(id);
    assert.equal(pending.approval.required, 2, JSON.stringify(pending.approval));
    assert.equal(pending.approval.rule, 'MX_NEW_BENEFICIARY');
    assert.deepEqual(pending.approval.decision, { key: 'payments.approval-matrix', version: 1 });
    assert.equal(pending.beneficiarySnapshot.iban, SUPPLIER_IBAN);
    assert.equal(pending.beneficiarySnapshot.detailsVersion, 1);
    assert.match(String(pending.instanceId), /^wfi_/);

    // The approver finds it in their work list.
    const work = expect(await call('GET', '/me/tasks', as('anna')), 200).data as Body[];
    const listed = work.find((t) => t.id === first.id);
    assert.ok(listed, 'the task is in anna’s work list');
    assert.match(
      String(listed.title),
      /^Approve payment pmt_\w+ \(1 of 2\): 25000\.00 EUR to Acme SARL \(FR14…2606\)$/,
    );
    assert.deepEqual(listed.excludedUsers, ['tess']);

    // Maker ≠ checker.
    const makerTries = expect(await complete(String(first.id), 'tess', 'approve'), 409);
    assert.equal(makerTries.code, 'separation_of_duties');

    expect(await complete(String(first.id), 'anna', 'approve', { comment: 'invoice checked' }), 200);
    const second = await waitForOpenTask(id, 'second_approval');
    const again = expect(await complete(String(second.id), 'anna', 'approve'), 409);
    assert.equal(again.code, 'separation_of_duties', 'the first approver cannot be the second');
    assert.equal((await getPayment(id)).status, 'pending_approval', 'one approval is not enough');

    expect(await complete(String(second.id), 'bob', 'approve'), 200);
    const approved = await waitForStatus(id, 'approved');
    assert.deepEqual(
      (approved.approvals as Body[]).map((a) => [a.by, a.level, a.of, a.outcome, a.comment]),
      [
        ['anna', 1, 2, 'approve', 'invoice checked'],
        ['bob', 2, 2, 'approve', null],
      ],
    );
    assert.ok(approved.approvedAt);
    assert.deepEqual(approved.hold, { transferId: `${id}.hold`, state: 'held' });
    assert.deepEqual(
      (approved.history as Body[]).map((h) => [h.from, h.to, h.by]),
      [
        [null, 'pending_approval', 'tess'],
        ['pending_approval', 'approved', 'bob'],
      ],
    );

    // The ledger hold: a pending transfer from the account's cash to the outgoing clearing account.
    const hold = expect(await call('GET', `/ledger/transfers/${id}.hold`), 200);
    assert.equal(hold.kind, 'pending');
    assert.equal(hold.amount, '2500000');
    assert.equal(hold.creditAccountId, account.ledgerAccountId);
    const cash = expect(await call('GET', `/ledger/accounts/${account.ledgerAccountId}`), 200);
    assert.equal(cash.creditsPending, '2500000');

    // Events and audit rows of every step.
    const events = (await eventsOf(id)).map((e) => e.type);
    // 25 000.00 to a beneficiary entered today: the shipped anomaly checks flag it (docs: Anomaly checks).
    assert.deepEqual(events, ['payment.pending_approval', 'payment.anomaly_detected', 'payment.approved']);
    assert.deepEqual(
      (approved.anomalies as Body[]).map((a) => a.check),
      ['new_bank_details', 'round_amount'],
    );
    const approvedEvent = (await eventsOf(id)).find((e) => e.type === 'payment.approved')!;
    assert.deepEqual(approvedEvent.data.approvers, ['anna', 'bob']);
    assert.equal(approvedEvent.data.amount, '2500000');
    assert.deepEqual(await auditActions('payment_instruction', id), [
      'payment.created',
      'payment.anomaly_detected',
      'payment.approval_required',
      'payment.approval_recorded',
      'payment.approval_recorded',
      'payment.approved',
    ]);
  });

  test('cancel before release voids the hold; a cancelled payment cannot be cancelled again', async () => {
    expect(await call('POST', `/payments/${approvedId}/cancel`, { ...as('vera'), json: {} }), 403);
    const cancelled = expect(
      await call('POST', `/payments/${approvedId}/cancel`, { ...as('tom'), json: { reason: 'supplier paid by card' } }),
      200,
    );
    assert.equal(cancelled.status, 'cancelled');
    assert.deepEqual(cancelled.hold, { transferId: `${approvedId}.hold`, state: 'voided' });
    const voided = expect(await call('GET', `/ledger/transfers/${approvedId}.hold.void`), 200);
    assert.equal(voided.kind, 'void_pending');
    const cash = expect(await call('GET', `/ledger/accounts/${account.ledgerAccountId}`), 200);
    assert.equal(cash.creditsPending, '0');
    const again = expect(await call('POST', `/payments/${approvedId}/cancel`, as('tom')), 409);
    assert.equal(again.code, 'payment_state');
    expect(await call('POST', '/payments/pmt_nope/cancel', as('tom')), 404);
    assert.deepEqual((await eventsOf(approvedId)).map((e) => e.type).at(-1), 'payment.cancelled');
    const audit = await auditActions('payment_instruction', approvedId);
    assert.equal(audit.at(-1), 'payment.cancelled');
    const ledgerAudit = await auditActions('ledger_transfer', `${approvedId}.hold`);
    assert.ok(ledgerAudit.includes('ledger.pending.voided'), ledgerAudit.join());
  });

  test('a small payment to a verified beneficiary is approved automatically', async () => {
    const created = await createPayment({ amount: '50000', remittance: { creditorReference: 'RF18 5390 0754 7034' } });
    const approved = await waitForStatus(String(created.id), 'approved');
    assert.equal(approved.approval.required, 0);
    assert.equal(approved.approval.rule, 'MX_AUTO');
    assert.deepEqual(approved.approvals, []);
    assert.deepEqual(approved.tasks, []);
    assert.deepEqual(approved.remittance, { creditorReference: 'RF18539007547034' });
    assert.equal(approved.hold.state, 'held');
    expect(await call('GET', `/ledger/transfers/${String(created.id)}.hold`), 200);
    const [, last] = approved.history as Body[];
    assert.equal(last!.by, 'system:payments');
  });

  test('an approver rejects: the payment ends rejected with the reason, nothing is held', async () => {
    const created = await createPayment({ amount: '500000' });
    const id = String(created.id);
    const task = await waitForOpenTask(id, 'first_approval');
    expect(await complete(String(task.id), 'carl', 'reject', { comment: 'duplicate of invoice 41' }), 200);
    const rejected = await waitForStatus(id, 'rejected');
    assert.deepEqual(
      { ...rejected.rejection, at: undefined },
      { code: 'rejected_by_approver', reason: 'duplicate of invoice 41', by: 'carl', at: undefined },
    );
    assert.equal(rejected.hold, null);
    assert.equal((await eventsOf(id)).at(-1)!.type, 'payment.rejected');
    expect(await call('POST', `/payments/${id}/cancel`, as('tess')), 409);
  });

  test('cancelling a payment pending approval cancels its open task', async () => {
    const created = await createPayment({ amount: '750000' });
    const id = String(created.id);
    const task = await waitForOpenTask(id, 'first_approval');
    const cancelled = expect(await call('POST', `/payments/${id}/cancel`, as('tess')), 200);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.hold, null);
    assert.equal(expect(await call('GET', `/tasks/${String(task.id)}`), 200).status, 'cancelled');
    const instance = expect(await call('GET', `/instances/${String(cancelled.instanceId)}`), 200);
    assert.equal(instance.status, 'cancelled');
    expect(await complete(String(task.id), 'anna', 'approve'), 409);
  });

  test('a payment to an unverified beneficiary waits; its approval starts once the details are approved', async () => {
    const newcomer = expect(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: { name: 'Newco BV', kind: 'supplier', bankDetails: { iban: 'NL91ABNA0417164300' } },
      }),
      201,
    );
    const created = await createPayment({ beneficiaryId: newcomer.id, amount: '120000' });
    const id = String(created.id);
    const waiting = await waitForVerificationWait(id);
    assert.equal(waiting.payment.status, 'pending_approval');
    assert.deepEqual(waiting.payment.tasks, [], 'no approver is asked yet');

    expect(
      await call('POST', `/beneficiaries/${newcomer.id}/changes/${newcomer.changes[0].id}/approve`, as('bob')),
      200,
    );
    const task = await waitForOpenTask(id, 'first_approval');
    assert.equal((await getPayment(id)).approval.rule, 'MX_NEW_BENEFICIARY');
    expect(await call('POST', `/payments/${id}/cancel`, as('tess')), 200);
    assert.equal(expect(await call('GET', `/tasks/${String(task.id)}`), 200).status, 'cancelled');
  });

  test('lists: filters by status, beneficiary, account and value date, with a cursor', async () => {
    const all = expect(await call('GET', `/payments?beneficiary=${supplier.id}&limit=500`, as('vera')), 200)
      .data as Body[];
    assert.ok(all.length >= 4);
    const ids = all.map((p) => String(p.id));
    assert.deepEqual(ids, [...ids].sort().reverse(), 'newest first');
    const first = expect(await call('GET', `/payments?beneficiary=${supplier.id}&limit=2`), 200);
    assert.equal(first.data.length, 2);
    const second = expect(await call('GET', `/payments?beneficiary=${supplier.id}&limit=2&after=${first.next}`), 200);
    assert.deepEqual(
      [...first.data, ...second.data].map((p: Body) => p.id),
      ids.slice(0, 4),
    );
    const cancelled = expect(await call('GET', '/payments?status=cancelled&limit=500'), 200).data as Body[];
    assert.ok(cancelled.every((p) => p.status === 'cancelled') && cancelled.some((p) => p.id === approvedId));
    const dated = expect(await call('GET', `/payments?account=${account.id}&from=2026-03-04&to=2026-03-04`), 200)
      .data as Body[];
    assert.deepEqual(
      dated.map((p) => p.id),
      [approvedId],
    );
    expectProblem(await call('GET', '/payments?from=2026-03-05&to=2026-03-04'), 400, 'query.to');
    expectProblem(await call('GET', '/payments?after=nope'), 400, 'query.after');
    expectProblem(await call('GET', '/payments?status=paid'), 400, 'query.status');
    expect(await call('GET', '/payments/pmt_nope'), 404);
  });

  test('an approval not decided in time expires: the payment is rejected as approval_expired', async () => {
    const created = await createPayment({ amount: '300000' });
    const id = String(created.id);
    const task = await waitForOpenTask(id, 'first_approval');
    clock.advance(3 * DAY_MS);
    const rejected = await waitForStatus(id, 'rejected');
    assert.equal(rejected.rejection.code, 'approval_expired');
    assert.equal(expect(await call('GET', `/tasks/${String(task.id)}`), 200).status, 'cancelled');
    const instance = expect(await call('GET', `/instances/${String(rejected.instanceId)}`), 200);
    assert.equal(instance.outcome, 'expired');
  });
  test('a beneficiary never verified: its payment is rejected after the verification wait', async () => {
    const stranger = expect(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: { name: 'Stranger Ltd', kind: 'other', bankDetails: { iban: 'GB82WEST12345698765432' } },
      }),
      201,
    );
    const created = await createPayment({ beneficiaryId: stranger.id, amount: '90000' });
    const id = String(created.id);
    await waitForVerificationWait(id);
    clock.advance(8 * DAY_MS);
    const rejected = await waitForStatus(id, 'rejected');
    assert.equal(rejected.rejection.code, 'beneficiary_not_verified');
    assert.equal(rejected.approval, null, 'the matrix was never asked');
  });

  test('a month on, one approver suffices; bank details changed during an approval reject the payment', async () => {
    clock.advance(31 * DAY_MS);
    const one = await createPayment({ amount: '500000' });
    const task = await waitForOpenTask(String(one.id), 'single_approval');
    assert.equal((await getPayment(String(one.id))).approval.rule, 'MX_ONE');
    expect(await complete(String(task.id), 'anna', 'approve'), 200);
    const approved = await waitForStatus(String(one.id), 'approved');
    assert.deepEqual(
      (approved.approvals as Body[]).map((a) => [a.by, a.level, a.of]),
      [['anna', 1, 1]],
    );

    const changed = await createPayment({ amount: '400000' });
    const pending = await waitForOpenTask(String(changed.id), 'single_approval');
    const change = expect(
      await call('POST', `/beneficiaries/${supplier.id}/bank-details`, {
        ...as('tom'),
        json: { iban: 'ES9121000418450200051332' },
      }),
      201,
    );
    expect(await call('POST', `/beneficiaries/${supplier.id}/changes/${change.id}/approve`, as('carl')), 200);
    expect(await complete(String(pending.id), 'bob', 'approve'), 200);
    const rejected = await waitForStatus(String(changed.id), 'rejected');
    assert.equal(rejected.rejection.code, 'beneficiary_changed');
    assert.equal(rejected.hold, null);
    assert.equal(rejected.beneficiarySnapshot.iban, SUPPLIER_IBAN, 'what the approver saw');
  });
});
