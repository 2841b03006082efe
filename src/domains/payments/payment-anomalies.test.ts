/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { DecisionEvaluator } from '../../engine/index.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { anomalyFacts } from './anomaly-facts.js';
import { ANOMALY_CHECKS_KEY, anomalyChecksJdm } from './policy/anomaly-checks.js';

/**
 * Anomaly checks before release, on a real server and database: the facts computed in SQL and
 * judged by the shipped decision payments.anomaly-checks — each check on both sides of its
 * boundary — and, end to end through the approval workflow, a hit that sends a payment the matrix
 * would approve automatically to a person (reasons on the payment, the task, the audit log and the
 * event payment.anomaly_detected), and a new version of the decision that changes the outcome.
 */

const DEBTOR_IBAN = 'DE89370400440532013000';
const SUPPLIER_IBAN = 'FR1420041010050500013M02606';
const QUEUE = 'payment-approvers';
const DAY_MS = 86_400_000;
const NUDGE_MS = 5_000;

describe('payment anomaly checks', () => {
  let server: TestServer;
  // Tuesday 10 March 2026, 10:00 UTC.
  const clock = new ManualClock('2026-03-10T10:00:00Z');
  const NOW = new Date('2026-03-10T10:00:00Z');
  const tokens: Record<string, string> = {};
  const evaluator = new DecisionEvaluator();
  let account: Body;
  let berlinUser = '';

  const { call, expect } = apiClient(() => server);
  const as = (name: string) => ({ token: tokens[name]! });
  const newKey = () => `test-${randomUUID()}`;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  before(async () => {
    server = await startTestServer({ clock });
    for (const [name, role] of Object.entries({ tess: 'treasurer', anna: 'payment_approver' })) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    const queue = await call('PUT', `/queues/${QUEUE}`, { json: { members: ['anna'] } });
    assert.ok([200, 201].includes(queue.status), JSON.stringify(queue.body));
    account = expect(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        json: {
          name: 'Main EUR',
          currency: 'EUR',
          iban: DEBTOR_IBAN,
          bic: 'COBADEFFXXX',
          ownerName: 'Finflow Lending GmbH',
          ledgerAccount: 'cash:bank:main-eur',
        },
      }),
      201,
    );
    const user = expect(
      await call('POST', '/users', {
        json: { email: 'berta@example.com', name: 'Berta', roles: ['treasurer'], timeZone: 'Europe/Berlin' },
      }),
      201,
    );
    berlinUser = String((user.user as Body | undefined)?.id ?? user.id);
    assert.match(berlinUser, /^usr_/);
  });
  after(async () => server?.close());

  /**
   * A verified beneficiary (tess proposes, anna approves), then dated: entered `enteredAgo` and its
   * current details approved `approvedAgo` before NOW (ms; by default 400 days, both).
   */
  async function beneficiary(
    name: string,
    {
      enteredAgo = 400 * DAY_MS,
      approvedAgo = enteredAgo,
      detailsVersion = 1,
    }: { enteredAgo?: number; approvedAgo?: number; detailsVersion?: number } = {},
  ) {
    const created = expect(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: { name, kind: 'supplier', bankDetails: { iban: SUPPLIER_IBAN } },
      }),
      201,
    );
    const change = (created.changes as Body[])[0]!;
    expect(await call('POST', `/beneficiaries/${created.id}/changes/${change.id}/approve`, as('anna')), 200);
    await server.database.db
      .updateTable('beneficiaries')
      .set({
        created_at: new Date(NOW.getTime() - enteredAgo),
        verified_at: new Date(NOW.getTime() - approvedAgo),
        details_version: detailsVersion,
      })
      .where('id', '=', String(created.id))
      .execute();
    return String(created.id);
  }

  /** A payment row as it would stand (status, creation time, maker), written directly: the facts' inputs. */
  let seq = 0;
  async function payment(
    beneficiaryId: string,
    amount: number,
    options: { at?: Date; status?: string; remittance?: Body | null; createdBy?: string } = {},
  ) {
    seq += 1;
    const id = `pmt_TEST${String(seq).padStart(22, '0')}`;
    const at = options.at ?? NOW;
    await server.database.db
      .insertInto('payment_instructions')
      .values({
        id,
        bank_account_id: String(account.id),
        beneficiary_id: beneficiaryId,
        amount: BigInt(amount),
        currency: 'EUR',
        requested_execution_date: '2026-03-11',
        end_to_end_id: `E2E-TEST-${seq}`,
        remittance: options.remittance ? JSON.stringify(options.remittance) : null,
        purpose: null,
        source: 'api',
        source_ref: null,
        status: options.status ?? 'pending_approval',
        approval: null,
        beneficiary_snapshot: null,
        rejection: null,
        created_by: options.createdBy ?? 'tess',
        created_at: at,
        updated_at: at,
      })
      .execute();
    return id;
  }

  /** The shipped decision's hits for these payments, assessed at NOW. */
  async function hits(...ids: string[]) {
    const facts = await anomalyFacts(server.database.db, ids, NOW);
    const out: Body[][] = [];
    for (const id of ids) {
      out.push((await evaluator.evaluate(server.database.db, ANOMALY_CHECKS_KEY, facts.get(id))).result as Body[]);
    }
    return out;
  }
  const minutes = (n: number) => n * 60_000;

  // ---- each check at its boundary (facts in SQL, the shipped decision) ---------------------------

  test('duplicate amount: the same beneficiary, amount and currency less than 7 days apart', async () => {
    const ben = await beneficiary('Dup Ltd');
    const near = await payment(ben, 11_111, { at: new Date(NOW.getTime() - 7 * DAY_MS + 1000), status: 'approved' });
    const hit = await payment(ben, 11_111);
    await payment(ben, 22_222, { at: new Date(NOW.getTime() - 7 * DAY_MS), status: 'approved' });
    // A rejected or cancelled twin is no duplicate: it was entered again on purpose.
    await payment(ben, 22_222, { at: new Date(NOW.getTime() - minutes(60)), status: 'rejected' });
    await payment(ben, 22_222, { at: new Date(NOW.getTime() - minutes(30)), status: 'cancelled' });
    const miss = await payment(ben, 22_222);
    assert.deepEqual(await hits(hit, miss), [
      [
        {
          check: 'duplicate_amount',
          reason: `same beneficiary, amount and currency as ${near}, created less than 7 days apart`,
        },
      ],
      [],
    ]);
    const facts = (await anomalyFacts(server.database.db, [hit, miss], NOW)).get(miss)!;
    assert.equal(facts.duplicateDays, 7);
    assert.equal(facts.historyCount, 2, 'the approved payments before it');
  });

  test('duplicate reference: the same remittance reference to the same beneficiary, at any time', async () => {
    const ben = await beneficiary('Ref GmbH');
    const other = await beneficiary('Other Ref SA');
    const first = await payment(ben, 30_001, {
      at: new Date(NOW.getTime() - 300 * DAY_MS),
      status: 'settled',
      remittance: { unstructured: 'invoice a-17' },
    });
    await payment(other, 30_002, { status: 'approved', remittance: { unstructured: 'Invoice A-18' } });
    await payment(ben, 30_003, { status: 'cancelled', remittance: { unstructured: 'Invoice A-18' } });
    const rfPayment = await payment(ben, 30_004, {
      status: 'approved',
      remittance: { creditorReference: 'RF18539007547034' },
    });
    const same = await payment(ben, 30_005, { remittance: { unstructured: '  Invoice   A-17 ' } });
    const otherText = await payment(ben, 30_006, { remittance: { unstructured: 'Invoice A-18' } });
    const rf = await payment(ben, 30_007, { remittance: { creditorReference: 'RF18539007547034' } });
    const none = await payment(ben, 30_008);
    assert.deepEqual(await hits(same, otherText, rf, none), [
      [
        {
          check: 'duplicate_reference',
          reason: `same remittance reference (invoice a-17) to this beneficiary as ${first}`,
        },
      ],
      [],
      [
        {
          check: 'duplicate_reference',
          reason: `same remittance reference (RF18539007547034) to this beneficiary as ${rfPayment}`,
        },
      ],
      [],
    ]);
  });

  test('new or changed bank details (less than 30 days) with an amount of 5 000.00 or more', async () => {
    const fresh = await beneficiary('Fresh Ltd', { approvedAgo: 30 * DAY_MS - minutes(1) });
    const changed = await beneficiary('Changed Ltd', {
      approvedAgo: 30 * DAY_MS - minutes(1),
      detailsVersion: 2,
    });
    const settled = await beneficiary('Settled Ltd', { approvedAgo: 30 * DAY_MS, detailsVersion: 2 });
    const large = await payment(fresh, 500_000);
    const below = await payment(fresh, 499_999);
    const changedLarge = await payment(changed, 500_000);
    const old = await payment(settled, 500_000);
    assert.deepEqual(await hits(large, below, changedLarge, old), [
      [
        {
          check: 'new_bank_details',
          reason:
            'new beneficiary: bank details approved less than 30 days ago, and an amount of 5 000.00 or more (5000.00 EUR)',
        },
      ],
      [],
      [
        {
          check: 'new_bank_details',
          reason: 'bank details changed less than 30 days ago, and an amount of 5 000.00 or more (5000.00 EUR)',
        },
      ],
      [],
    ]);
  });

  test('above history: more than 3 times the largest previous payment, only with history', async () => {
    const ben = await beneficiary('History Ltd');
    await payment(ben, 10_000, { at: new Date(NOW.getTime() - 60 * DAY_MS), status: 'settled' });
    await payment(ben, 20_000, { at: new Date(NOW.getTime() - 30 * DAY_MS), status: 'sent' });
    // Not history: rejected, or still pending.
    await payment(ben, 90_000, { at: new Date(NOW.getTime() - 20 * DAY_MS), status: 'rejected' });
    await payment(ben, 95_000, { at: new Date(NOW.getTime() - 10 * DAY_MS), status: 'pending_approval' });
    const atLimit = await payment(ben, 60_000);
    const above = await payment(ben, 60_001);
    const noHistory = await payment(await beneficiary('Newcomer Ltd'), 60_001);
    assert.deepEqual(await hits(atLimit, above, noHistory), [
      [],
      [
        {
          check: 'above_history',
          reason: '600.01 EUR is more than 3 times the largest previous payment to this beneficiary (200.00 EUR)',
        },
      ],
      [],
    ]);
    const facts = await anomalyFacts(server.database.db, [above, noHistory], NOW);
    assert.deepEqual(
      [facts.get(above)!.historyCount, facts.get(above)!.historyMax, facts.get(above)!.historyAverage],
      [2, 20_000, 15_000],
    );
    assert.deepEqual([facts.get(noHistory)!.historyCount, facts.get(noHistory)!.historyMax], [0, null]);
  });

  test("unusual hour: outside 06:00–20:00 in the maker's time zone (UTC for an API key)", async () => {
    const ben = await beneficiary('Hours Ltd');
    const at = (iso: string) => new Date(iso);
    const ids = [
      await payment(ben, 40_001, { at: at('2026-03-10T05:59:59Z') }),
      await payment(ben, 40_002, { at: at('2026-03-10T06:00:00Z') }),
      await payment(ben, 40_003, { at: at('2026-03-10T19:59:59Z') }),
      await payment(ben, 40_004, { at: at('2026-03-10T20:00:00Z') }),
      // Berlin is UTC+1 in March: 04:59 UTC is 05:59 there, 05:00 UTC is 06:00.
      await payment(ben, 40_005, { at: at('2026-03-10T04:59:00Z'), createdBy: berlinUser }),
      await payment(ben, 40_006, { at: at('2026-03-10T05:00:00Z'), createdBy: berlinUser }),
    ];
    const hour = (time: string, zone = 'UTC') => [
      { check: 'unusual_hour', reason: `created at ${time} (${zone}), outside 06:00–20:00` },
    ];
    assert.deepEqual(await hits(...ids), [hour('05:59'), [], [], hour('20:00'), hour('05:59', 'Europe/Berlin'), []]);
  });

  test("non-business day: created on a Saturday or Sunday in the maker's time zone", async () => {
    const ben = await beneficiary('Weekend Ltd');
    const at = (iso: string) => new Date(iso);
    const ids = [
      await payment(ben, 50_001, { at: at('2026-03-06T12:00:00Z') }), // Friday
      await payment(ben, 50_002, { at: at('2026-03-07T12:00:00Z') }), // Saturday
      await payment(ben, 50_003, { at: at('2026-03-08T12:00:00Z') }), // Sunday
      await payment(ben, 50_004, { at: at('2026-03-09T12:00:00Z') }), // Monday
      // Sunday 23:30 UTC is Monday 00:30 in Berlin: an unusual hour, but a business day there.
      await payment(ben, 50_005, { at: at('2026-03-08T23:30:00Z') }),
      await payment(ben, 50_006, { at: at('2026-03-08T23:30:00Z'), createdBy: berlinUser }),
    ];
    assert.deepEqual(await hits(...ids), [
      [],
      [{ check: 'non_business_day', reason: 'created on a Saturday (UTC)' }],
      [{ check: 'non_business_day', reason: 'created on a Sunday (UTC)' }],
      [],
      [
        { check: 'unusual_hour', reason: 'created at 23:30 (UTC), outside 06:00–20:00' },
        { check: 'non_business_day', reason: 'created on a Sunday (UTC)' },
      ],
      [{ check: 'unusual_hour', reason: 'created at 00:30 (Europe/Berlin), outside 06:00–20:00' }],
    ]);
  });

  test('round amount (a multiple of 1 000.00) to a beneficiary entered less than 30 days ago', async () => {
    const recent = await beneficiary('Round Ltd', { enteredAgo: 30 * DAY_MS - minutes(1) });
    const old = await beneficiary('Old Round Ltd', { enteredAgo: 30 * DAY_MS });
    const ids = [
      await payment(recent, 100_000),
      await payment(recent, 100_001),
      await payment(recent, 250_000),
      await payment(recent, 300_000),
      await payment(old, 100_000),
    ];
    assert.deepEqual(await hits(...ids), [
      [{ check: 'round_amount', reason: 'round amount (1000.00 EUR) to a beneficiary entered less than 30 days ago' }],
      [],
      [],
      [{ check: 'round_amount', reason: 'round amount (3000.00 EUR) to a beneficiary entered less than 30 days ago' }],
      [],
    ]);
  });

  // ---- end to end: the approval workflow ----------------------------------------------------------

  async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await probe();
      if (done(value)) return value;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 2000)}`);
      clock.advance(NUDGE_MS);
      await sleep(50);
    }
  }
  const getPayment = async (id: string) => expect(await call('GET', `/payments/${id}`), 200);
  const settledIn = (id: string) =>
    waitFor(
      `payment ${id} assessed`,
      () => getPayment(id),
      (p) => p.status !== 'pending_approval' || (p.tasks as Body[]).some((t) => t.status === 'open'),
    );
  const createPayment = async (beneficiaryId: string, amount: string, remittance?: Body) =>
    String(
      expect(
        await call('POST', '/payments', {
          ...as('tess'),
          key: newKey(),
          json: {
            bankAccountId: account.id,
            beneficiaryId,
            amount,
            requestedExecutionDate: '2026-03-12',
            ...(remittance ? { remittance } : {}),
          },
        }),
        201,
      ).id,
    );

  test('a hit sends a payment the matrix would approve automatically to a person, with the reasons', async () => {
    const ben = await beneficiary('Twice Paid SARL');
    // 500.00: the matrix's MX_AUTO; the first goes through without anomalies.
    const first = await createPayment(ben, '50000', { unstructured: 'March rent' });
    const approved = await settledIn(first);
    assert.equal(approved.status, 'approved');
    assert.deepEqual(approved.anomalies, []);
    assert.equal(approved.approval.required, 0);
    assert.deepEqual(approved.approval.anomalyCheck.decision, { key: ANOMALY_CHECKS_KEY, version: 1 });

    const second = await createPayment(ben, '50000', { unstructured: 'April rent' });
    const held = await settledIn(second);
    const reason = `same beneficiary, amount and currency as ${first}, created less than 7 days apart`;
    assert.equal(held.status, 'pending_approval');
    assert.deepEqual(held.anomalies, [{ check: 'duplicate_amount', reason }]);
    assert.equal(held.approval.rule, 'MX_AUTO');
    assert.equal(held.approval.matrixApprovers, 0);
    assert.equal(held.approval.required, 1);
    assert.deepEqual(held.approval.queues, [QUEUE]);
    assert.equal(held.approval.input.anomalies, 1);
    assert.equal(held.approval.anomalyCheck.input.duplicateOf, first);
    const task = (held.tasks as Body[]).find((t) => t.status === 'open')!;
    assert.equal(task.step, 'single_approval');
    assert.equal(task.queue, QUEUE);

    // The approver sees the reasons in the task's data, beside the matrix's rule.
    const shown = expect(await call('GET', `/tasks/${task.id}`, as('anna')), 200);
    assert.deepEqual(
      [shown.data.paymentId, shown.data.amount, shown.data.rule, shown.data.reason, shown.data.anomalies],
      [
        second,
        '50000',
        'MX_AUTO',
        'up to 1 000.00 to a verified beneficiary: approved automatically',
        [{ check: 'duplicate_amount', reason }],
      ],
    );

    // Audited and published, so a workflow or webhook can alert.
    const events = await server.database.db
      .selectFrom('wf_events')
      .select(['type', 'data'])
      .where('key', '=', second)
      .orderBy('published_at')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      events.map((e) => e.type),
      ['payment.pending_approval', 'payment.anomaly_detected'],
    );
    const data = events[1]!.data as Body;
    assert.deepEqual(
      [data.paymentId, data.amount, data.beneficiaryId, data.createdBy, data.anomalies, data.decision],
      [second, '50000', ben, 'tess', [{ check: 'duplicate_amount', reason }], { key: ANOMALY_CHECKS_KEY, version: 1 }],
    );
    const audit = expect(await call('GET', `/audit?entityType=payment_instruction&entityId=${second}&limit=100`), 200)
      .data as Body[];
    assert.deepEqual(
      audit.map((r) => r.action),
      ['payment.created', 'payment.anomaly_detected', 'payment.approval_required'],
    );

    expect(
      await call('POST', `/tasks/${task.id}/complete`, {
        ...as('anna'),
        key: newKey(),
        json: { outcome: 'approve', data: { comment: 'two months at once' } },
      }),
      200,
    );
    const done = await waitFor(
      `payment ${second} approved`,
      () => getPayment(second),
      (p) => p.status === 'approved',
    );
    assert.deepEqual(
      (done.approvals as Body[]).map((a) => [a.by, a.outcome]),
      [['anna', 'approve']],
    );
    assert.deepEqual(done.anomalies, [{ check: 'duplicate_amount', reason }], 'the reasons stay on the payment');
    const listed = expect(await call('GET', `/payments?beneficiary=${ben}`), 200).data as Body[];
    assert.deepEqual(
      listed.map((p) => [p.id, p.anomalies]),
      [
        [second, [{ check: 'duplicate_amount', reason }]],
        [first, []],
      ],
    );
  });

  test('a new version of the decision changes the outcome', async () => {
    // Version 2: duplicates only within one day. The ids of the first version's hits are kept.
    const content = anomalyChecksJdm() as { nodes: Array<Body> };
    const table = content.nodes.find((n) => n.type === 'decisionTableNode')!;
    const rule = (table.content.rules as Body[]).find((r) => r._id === 'duplicate_amount')!;
    rule.duplicateDays = '< 1';
    const deployed = expect(await call('PUT', `/decisions/${ANOMALY_CHECKS_KEY}`, { json: content }), 201);
    assert.equal(deployed.version, 2);

    const ben = await beneficiary('Monthly SARL');
    const first = await createPayment(ben, '60000');
    assert.equal((await settledIn(first)).status, 'approved');
    clock.advance(2 * DAY_MS);
    const later = await createPayment(ben, '60000');
    const outcome = await settledIn(later);
    assert.equal(outcome.status, 'approved', 'two days apart is no duplicate under version 2');
    assert.deepEqual(outcome.anomalies, []);
    assert.deepEqual(outcome.approval.anomalyCheck.decision, { key: ANOMALY_CHECKS_KEY, version: 2 });
    assert.equal(outcome.approval.anomalyCheck.input.duplicateDays, 2);
    // Under version 1 the same facts were a hit.
    const v1 = await evaluator.evaluate(server.database.db, ANOMALY_CHECKS_KEY, outcome.approval.anomalyCheck.input, 1);
    assert.deepEqual(
      (v1.result as Body[]).map((h) => h.check),
      ['duplicate_amount'],
    );
  });
});
