/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment --
   response bodies are read field by field and each read is asserted; typing every nested shape here would restate the OpenAPI schemas */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { validateAgainstXsd } from '../../adapters/iso20022/index.js';
import { ManualClock } from '../../core/clock.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { pain002, type Pain002Spec } from '../../testing/pain002-file.js';
import { testTmpDir } from '../../testing/test-database.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { switchOffAnomalyChecks } from '../../testing/anomaly-checks-off.js';

/**
 * pain.002 status reports through the HTTP API of a real server: payments created, approved
 * automatically (small amounts), batched and released into the outbox, then the bank's answer —
 * a group rejection, a payment information rejection, one transaction rejected (AC01) while the
 * others are accepted, acceptance — applied to the batch and its payments: statuses, the ledger holds
 * voided, history, audit and events; the same report twice changes nothing; refusals (unknown batch,
 * not released, malformed) change nothing; every bank sample is a clean 422.
 */

const QUEUE = 'payment-approvers';
const NUDGE_MS = 5_000;
const SAMPLES = path.resolve(import.meta.dirname, '../../adapters/iso20022/fixtures');

describe('payment status reports API', () => {
  let server: TestServer;
  // Monday 2 March 2026, 10:00 UTC.
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  const dataDir = testTmpDir();
  const tokens: Record<string, string> = {};
  const { call, expect, expectProblem } = apiClient(() => server);
  const as = (name: string) => ({ token: tokens[name]! });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let account: Body;
  let beneficiary: Body;
  let reportNo = 0;
  const nextMessageId = () => `STS-${++reportNo}`;

  before(async () => {
    server = await startTestServer({ clock, config: { dataDir } });
    await switchOffAnomalyChecks(server); // tested in payment-anomalies.test.ts
    const roles = { tess: 'treasurer', anna: 'payment_approver', vera: 'viewer', otto: 'operator' } as const;
    for (const [name, role] of Object.entries(roles)) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    const queue = await call('PUT', `/queues/${QUEUE}`, { json: { members: ['anna'] } });
    assert.ok([200, 201].includes(queue.status), JSON.stringify(queue.body));
    account = expect(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        json: {
          name: 'Caixa EUR (.09)',
          currency: 'EUR',
          iban: 'ES9121000418450200051332',
          bic: 'CAIXESBBXXX',
          ownerName: 'Finflow Lending S.L.',
          ledgerAccount: 'cash:bank:es',
          pain001Version: 'pain.001.001.09',
        },
      }),
      201,
    );
    beneficiary = expect(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: {
          name: 'Acme SARL',
          kind: 'supplier',
          bankDetails: { iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPPXXX' },
        },
      }),
      201,
    );
    expect(
      await call('POST', `/beneficiaries/${beneficiary.id}/changes/${beneficiary.changes[0].id}/approve`, as('anna')),
      200,
    );
  });
  after(async () => server?.close());

  async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await probe();
      if (done(value)) return value;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
      clock.advance(NUDGE_MS);
      await sleep(50);
    }
  }

  /** Approved payments (small: approved automatically), batched into one file; released unless told not to. */
  async function batchOf(amounts: string[], release = true): Promise<{ batch: Body; payments: Body[] }> {
    const ids: string[] = [];
    for (const amount of amounts) {
      const created = expect(
        await call('POST', '/payments', {
          ...as('tess'),
          key: `test-${randomUUID()}`,
          json: {
            bankAccountId: account.id,
            beneficiaryId: beneficiary.id,
            amount,
            requestedExecutionDate: '2026-03-04',
            remittance: { unstructured: `Invoice ${amount}` },
          },
        }),
        201,
      );
      ids.push(String(created.id));
    }
    for (const id of ids) {
      await waitFor(
        `payment ${id} approved`,
        async () => expect(await call('GET', `/payments/${id}`), 200),
        (p) => p.status === 'approved',
      );
    }
    const run = expect(
      await call('POST', '/payment-batches', {
        ...as('tess'),
        key: `test-${randomUUID()}`,
        json: { bankAccountId: account.id },
      }),
      201,
    );
    assert.equal(run.data.length, 1);
    let batch = run.data[0] as Body;
    assert.deepEqual((batch.payments as Body[]).map((p) => p.id).sort(), [...ids].sort());
    if (release) {
      batch = expect(await call('POST', `/payment-batches/${String(batch.id)}/release`, as('anna')), 200);
      assert.equal(batch.status, 'released');
    }
    const payments = (batch.payments as Body[]).map((p) => p); // file order
    return { batch, payments };
  }

  async function post(body: string | Uint8Array, who = 'tess', type = 'application/xml') {
    const res = await server.call('/api/v1/payment-status-reports', {
      method: 'POST',
      token: tokens[who]!,
      headers: { 'content-type': type },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Body, what: 'POST /payment-status-reports' };
  }
  const report = (spec: Omit<Pain002Spec, 'messageId'> & { messageId?: string }) =>
    pain002({ messageId: nextMessageId(), ...spec });

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
  const paymentOf = async (id: string) => expect(await call('GET', `/payments/${id}`), 200);
  const cashPending = async () =>
    String(expect(await call('GET', `/ledger/accounts/${String(account.ledgerAccountId)}`), 200).creditsPending);
  const reportCount = async () =>
    Number(
      (
        await server.database.db
          .selectFrom('payment_status_reports')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** A payment the bank rejected: status, rejection, history, the hold voided on the ledger, event and audit. */
  async function assertRejected(id: string, level: string, code: string | null, text: string) {
    const payment = await paymentOf(id);
    assert.equal(payment.status, 'rejected');
    assert.equal(payment.rejection.code, 'rejected_by_bank');
    assert.equal(payment.rejection.reason, text);
    assert.equal(payment.rejection.by, 'tess');
    assert.equal(payment.rejection.bank.level, level);
    assert.equal(payment.rejection.bank.reason?.code ?? null, code);
    assert.deepEqual(payment.hold, { transferId: `${id}.hold`, state: 'voided' });
    const last = (payment.history as Body[]).at(-1)!;
    assert.deepEqual([last.from, last.to, last.by, last.reason], ['sent', 'rejected', 'tess', text]);
    const voided = expect(await call('GET', `/ledger/transfers/${id}.hold.void`), 200);
    assert.equal(voided.kind, 'void_pending');
    assert.equal(voided.pendingId, `${id}.hold`);
    const event = (await eventsOf(id)).at(-1)!;
    assert.equal(event.type, 'payment.rejected');
    assert.equal(event.data.previousStatus, 'sent');
    assert.equal(event.data.level, level);
    assert.equal(event.data.reasonCode, code);
    assert.equal(event.data.reason, text);
    assert.equal(event.data.maker, 'tess');
    assert.equal(event.data.holdVoided, `${id}.hold`);
    assert.equal((await auditActions('payment_instruction', id)).at(-1), 'payment.rejected');
    return { payment, event };
  }

  // ================================================================================================

  test('the test writer’s reports are valid pain.002.001.10', async () => {
    const xml = report({
      originalMessageId: 'FFB01JD5Z4K3W6Y8T1Q2R3S4V5X6Z',
      groupStatus: 'PART',
      blocks: [
        {
          id: 'FFB01JD5Z4K3W6Y8T1Q2R3S4V5X6Z-1',
          status: 'PART',
          transactions: [
            { endToEndId: 'E1', status: 'RJCT', reasons: [{ code: 'AC01', info: ['Account number invalid'] }] },
            { instructionId: 'E2', status: 'ACSC' },
          ],
        },
      ],
    });
    assert.deepEqual((await validateAgainstXsd(xml, 'pain.002.001.10')).errors, []);
  });

  test('refusals: malformed (400 naming the element path), unknown batch (422), wrong media type, no permission; nothing stored', async () => {
    const good = report({ originalMessageId: 'NO-SUCH-MESSAGE', groupStatus: 'ACCP' });
    const broken = good.replace('</GrpHdr>', '</GrpHdrX>');
    const malformed = expectProblem(await post(broken), 400, 'body');
    assert.equal(malformed.code, 'invalid_pain002');
    assert.match(String(malformed.detail), /line 4, .*inside Document\/CstmrPmtStsRpt\/GrpHdr/);
    assert.equal(expectProblem(await post(''), 400, 'body').code, 'invalid_pain002');
    const notPain = expectProblem(await post('<Document><BkToCstmrStmt/></Document>'), 400, 'body');
    assert.match(String(notPain.detail), /Document\/CstmrPmtStsRpt/);
    const noId = expectProblem(await post(good.replace(/<MsgId>[^<]*<\/MsgId>/, '')), 400, 'body');
    assert.match(String(noId.detail), /GrpHdr\/MsgId is missing/);
    expectProblem(await post(new Uint8Array([0x3c, 0x44, 0xff, 0xfe, 0x3e])), 400, 'body');
    expectProblem(await post('<!DOCTYPE x [<!ENTITY a "b">]><Document/>'), 400, 'body');

    const unknown = expectProblem(await post(good), 422, 'body');
    assert.equal(unknown.code, 'payment_batch_unknown');
    assert.match(String(unknown.detail), /"NO-SUCH-MESSAGE"/);
    const noOriginal = expectProblem(await post(report({ originalMessageId: null, groupStatus: 'RJCT' })), 422, 'body');
    assert.equal(noOriginal.code, 'payment_batch_unknown');
    // The operator (a bank connector's API key) may post reports too.
    assert.equal(expect(await post(good, 'otto'), 422).code, 'payment_batch_unknown');

    assert.equal(expect(await post(good, 'tess', 'text/csv'), 415).code, 'unsupported_media_type');
    expect(await post(good, 'vera'), 403);
    expect(await post(good, 'anna'), 403);
    expectProblem(await call('GET', '/payment-status-reports?after=nope'), 400, 'query.after');
    expect(await call('GET', '/payment-status-reports/psr_nope'), 404);
    assert.equal(await reportCount(), 0);
  });

  test('every bank sample pain.002 is a clean 422 (it answers no batch of ours), never a 5xx', async () => {
    const samples = readdirSync(SAMPLES).filter((f) => f.includes('pain_002'));
    assert.ok(samples.length >= 10, `found ${samples.length} samples`);
    for (const name of samples) {
      const reply = await post(readFileSync(path.join(SAMPLES, name)));
      assert.equal(reply.status, 422, `${name}: ${JSON.stringify(reply.body)}`);
      assert.equal(reply.body.code, 'payment_batch_unknown', name);
    }
    assert.equal(await reportCount(), 0);
  });

  test('a report for a batch not yet released is refused (409) and changes nothing', async () => {
    const { batch, payments } = await batchOf(['1100', '1200'], false);
    const refused = expect(await post(report({ originalMessageId: batch.messageId, groupStatus: 'RJCT' })), 409);
    assert.equal(refused.code, 'batch_state');
    assert.match(String(refused.detail), /is created/);
    assert.equal(expect(await call('GET', `/payment-batches/${String(batch.id)}`), 200).status, 'created');
    for (const p of payments) assert.equal((await paymentOf(String(p.id))).status, 'batched');
    assert.equal(await reportCount(), 0);
    // Out of the way of the next tests' batching runs.
    expect(await call('POST', `/payment-batches/${String(batch.id)}/cancel`, as('tess')), 200);
    for (const p of payments) expect(await call('POST', `/payments/${String(p.id)}/cancel`, as('tess')), 200);
  });

  test('group RJCT rejects every payment: holds voided, events with the reason, batch rejected', async () => {
    const { batch, payments } = await batchOf(['2100', '2200']);
    const pendingBefore = BigInt(await cashPending());
    const applied = expect(
      await post(
        report({
          originalMessageId: batch.messageId,
          groupStatus: 'RJCT',
          groupReasons: [{ code: 'AM04', info: ['Insufficient funds on the debtor account'] }],
        }),
      ),
      201,
    );
    assert.equal(applied.alreadyApplied, false);
    assert.match(String(applied.report.id), /^psr_/);
    assert.deepEqual(applied.report.counts, { accepted: 0, rejected: 2, unchanged: 0, unmatched: 0 });
    assert.deepEqual([applied.report.batchStatusBefore, applied.report.batchStatusAfter], ['released', 'rejected']);
    assert.equal(applied.report.groupStatus, 'RJCT');
    assert.equal(applied.report.version, 'pain.002.001.10');
    assert.equal(applied.batch.status, 'rejected');
    assert.ok((applied.batch.payments as Body[]).every((p) => p.status === 'rejected'));
    const text = 'AM04 InsufficientFunds: Insufficient funds on the debtor account';
    for (const p of payments) await assertRejected(String(p.id), 'group', 'AM04', text);
    assert.equal(BigInt(await cashPending()), pendingBefore - 4300n, 'both holds released');

    const batchEvents = (await eventsOf(String(batch.id))).map((e) => e.type);
    assert.equal(batchEvents.at(-1), 'payment_batch.rejected');
    assert.equal((await auditActions('payment_batch', String(batch.id))).at(-1), 'payment_batch.rejected');
    assert.deepEqual(await auditActions('payment_status_report', String(applied.report.id)), [
      'payment_status_report.applied',
    ]);
  });

  test('payment information RJCT rejects its block’s payments; a block the batch does not have is unmatched', async () => {
    const { batch, payments } = await batchOf(['3100', '3200']);
    const applied = expect(
      await post(
        report({
          originalMessageId: batch.messageId,
          blocks: [
            { id: batch.paymentInformationId, status: 'RJCT', reasons: [{ code: 'DT01' }] },
            { id: 'SOMEONE-ELSES-BLOCK', status: 'ACCP' },
          ],
        }),
      ),
      201,
    );
    assert.deepEqual(applied.report.counts, { accepted: 0, rejected: 2, unchanged: 0, unmatched: 1 });
    assert.deepEqual(applied.report.unmatched, [
      { level: 'payment_information', id: 'SOMEONE-ELSES-BLOCK', status: 'ACCP' },
    ]);
    assert.ok((applied.report.warnings as string[]).some((w) => w.includes('SOMEONE-ELSES-BLOCK')));
    assert.equal(applied.batch.status, 'rejected');
    for (const p of payments) await assertRejected(String(p.id), 'payment_information', 'DT01', 'DT01 InvalidDate');
  });

  let partial: { batch: Body; payments: Body[]; xml: string; reportId: string };

  test('one transaction rejected (AC01), the others accepted: partially accepted; only its hold is voided', async () => {
    const { batch, payments } = await batchOf(['4100', '4200', '4300']);
    const [bad, good, byInstruction] = payments as [Body, Body, Body];
    const pendingBefore = BigInt(await cashPending());
    const xml = report({
      originalMessageId: batch.messageId,
      version: 'pain.002.001.03',
      groupStatus: 'PART',
      blocks: [
        {
          id: batch.paymentInformationId,
          status: 'PART',
          transactions: [
            {
              endToEndId: bad.endToEndId,
              status: 'RJCT',
              reasons: [{ code: 'AC01', info: ['Account number invalid'] }],
            },
            { endToEndId: good.endToEndId, status: 'ACSC' },
            // A bank that echoes the id as an instruction id, with no end-to-end id.
            { instructionId: byInstruction.endToEndId, status: 'ACCP' },
            { endToEndId: 'NOT-IN-THIS-BATCH', status: 'RJCT', reasons: [{ code: 'AC04' }] },
          ],
        },
      ],
    });
    const applied = expect(await post(xml), 201);
    assert.deepEqual(applied.report.counts, { accepted: 2, rejected: 1, unchanged: 0, unmatched: 1 });
    assert.equal(applied.report.batchStatusAfter, 'partially_accepted');
    assert.equal(applied.batch.status, 'partially_accepted');
    assert.deepEqual(
      (applied.report.changes as Body[]).map((c) => [c.paymentId, c.from, c.to, c.level, c.bankStatus]),
      [
        [bad.id, 'sent', 'rejected', 'transaction', 'RJCT'],
        [good.id, 'sent', 'accepted', 'transaction', 'ACSC'],
        [byInstruction.id, 'sent', 'accepted', 'transaction', 'ACCP'],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    assert.deepEqual((applied.report.changes as Body[]).find((c) => c.to === 'rejected')!.reason, {
      code: 'AC01',
      name: 'IncorrectAccountNumber',
      proprietary: null,
      additionalInfo: ['Account number invalid'],
    });
    assert.deepEqual(applied.report.unmatched, [{ level: 'transaction', id: 'NOT-IN-THIS-BATCH', status: 'RJCT' }]);
    assert.equal(applied.report.statuses.paymentInformation[0].transactions.length, 4);

    const { event } = await assertRejected(
      String(bad.id),
      'transaction',
      'AC01',
      'AC01 IncorrectAccountNumber: Account number invalid',
    );
    assert.equal(event.data.reasonName, 'IncorrectAccountNumber');
    assert.deepEqual(event.data.additionalInfo, ['Account number invalid']);
    assert.equal(event.data.reportId, applied.report.id);
    for (const p of [good, byInstruction]) {
      const payment = await paymentOf(String(p.id));
      assert.equal(payment.status, 'accepted');
      assert.equal(payment.hold.state, 'held', 'held until the statement says it left');
      const last = (payment.history as Body[]).at(-1)!;
      assert.deepEqual([last.from, last.to, last.by], ['sent', 'accepted', 'tess']);
      assert.equal(last.data.reportId, applied.report.id);
      assert.equal((await eventsOf(String(p.id))).at(-1)!.type, 'payment.accepted');
    }
    assert.equal(BigInt(await cashPending()), pendingBefore - 4100n, 'only the rejected payment’s hold is released');
    assert.equal((await eventsOf(String(batch.id))).at(-1)!.type, 'payment_batch.partially_accepted');
    partial = { batch, payments, xml, reportId: String(applied.report.id) };
  });

  test('the same report twice: 200, alreadyApplied, nothing changed; other content under its message id is 409', async () => {
    const { batch, payments, xml, reportId } = partial;
    const historyOf = async (id: string) => ((await paymentOf(id)).history as Body[]).length;
    const before = await Promise.all(payments.map((p) => historyOf(String(p.id))));
    const eventsBefore = await Promise.all(payments.map(async (p) => (await eventsOf(String(p.id))).length));
    const pending = await cashPending();
    const count = await reportCount();

    const again = expect(await post(xml), 200);
    assert.equal(again.alreadyApplied, true);
    assert.equal(again.report.id, reportId);
    assert.equal(again.batch.status, 'partially_accepted');
    assert.deepEqual(await Promise.all(payments.map((p) => historyOf(String(p.id)))), before);
    assert.deepEqual(await Promise.all(payments.map(async (p) => (await eventsOf(String(p.id))).length)), eventsBefore);
    assert.equal(await cashPending(), pending);
    assert.equal(await reportCount(), count);

    const messageId = /<MsgId>([^<]*)<\/MsgId>/.exec(xml)![1]!;
    const other = report({ messageId, originalMessageId: batch.messageId, groupStatus: 'RJCT' });
    const conflict = expect(await post(other), 409);
    assert.equal(conflict.code, 'status_report_conflict');
    assert.equal(await reportCount(), count);
  });

  test('nothing moves backwards: a later ACSC leaves the rejected one rejected; a settled payment stays settled', async () => {
    const { batch, payments } = partial;
    const [bad, good] = payments as [Body, Body, Body];
    const later = expect(await post(report({ originalMessageId: batch.messageId, groupStatus: 'ACSC' })), 201);
    assert.deepEqual(later.report.counts, { accepted: 0, rejected: 0, unchanged: 3, unmatched: 0 });
    assert.deepEqual(later.report.changes, []);
    assert.equal(later.batch.status, 'partially_accepted');
    assert.equal((await paymentOf(String(bad.id))).status, 'rejected');

    // As if the statement had settled it (settlement is another slice's).
    await server.database.db
      .updateTable('payment_instructions')
      .set({ status: 'settled' })
      .where('id', '=', String(good.id))
      .execute();
    const late = expect(
      await post(
        report({
          originalMessageId: batch.messageId,
          blocks: [{ id: batch.paymentInformationId, transactions: [{ endToEndId: good.endToEndId, status: 'RJCT' }] }],
        }),
      ),
      201,
    );
    assert.deepEqual(late.report.counts, { accepted: 0, rejected: 0, unchanged: 1, unmatched: 0 });
    assert.ok((late.report.warnings as string[]).some((w) => w.includes(`payment ${String(good.id)} is settled`)));
    const settled = await paymentOf(String(good.id));
    assert.equal(settled.status, 'settled');
    assert.equal(settled.hold.state, 'posted');
  });

  test('accepted, then the same report again; PDNG is recorded without a change; the batch shows its reports', async () => {
    const { batch, payments } = await batchOf(['5100', '5200']);
    const first = report({ originalMessageId: batch.messageId, groupStatus: 'ACTC' });
    const applied = expect(await post(first, 'otto'), 201);
    assert.deepEqual(applied.report.counts, { accepted: 2, rejected: 0, unchanged: 0, unmatched: 0 });
    assert.equal(applied.report.receivedBy, 'otto');
    assert.equal(applied.batch.status, 'accepted');
    for (const p of payments) {
      const payment = await paymentOf(String(p.id));
      assert.equal(payment.status, 'accepted');
      const event = (await eventsOf(String(p.id))).at(-1)!;
      assert.deepEqual([event.type, event.data.bankStatus, event.data.level], ['payment.accepted', 'ACTC', 'group']);
    }
    assert.equal((await eventsOf(String(batch.id))).at(-1)!.type, 'payment_batch.accepted');
    const again = expect(await post(first), 200);
    assert.equal(again.alreadyApplied, true);
    assert.equal(again.report.id, applied.report.id);

    const pending = expect(await post(report({ originalMessageId: batch.messageId, groupStatus: 'PDNG' })), 201);
    assert.deepEqual(pending.report.counts, { accepted: 0, rejected: 0, unchanged: 0, unmatched: 0 });
    assert.equal(pending.batch.status, 'accepted');
    const odd = expect(await post(report({ originalMessageId: batch.messageId, groupStatus: 'ZZZZ' })), 201);
    assert.ok((odd.report.warnings as string[]).some((w) => w.includes('"ZZZZ"')));

    const shown = expect(await call('GET', `/payment-batches/${String(batch.id)}`, as('vera')), 200);
    assert.deepEqual(
      (shown.statusReports as Body[]).map((r) => [r.id, r.groupStatus]),
      [
        [applied.report.id, 'ACTC'],
        [pending.report.id, 'PDNG'],
        [odd.report.id, 'ZZZZ'],
      ],
    );
    const page = expect(
      await call('GET', `/payment-status-reports?batchId=${String(batch.id)}&limit=2`, as('vera')),
      200,
    );
    assert.deepEqual(
      (page.data as Body[]).map((r) => r.id),
      [odd.report.id, pending.report.id],
    );
    const rest = expect(
      await call('GET', `/payment-status-reports?batchId=${String(batch.id)}&limit=2&after=${page.next}`),
      200,
    );
    assert.deepEqual(
      (rest.data as Body[]).map((r) => r.id),
      [applied.report.id],
    );
    const all = expect(await call('GET', '/payment-status-reports?limit=500'), 200);
    assert.equal((all.data as Body[]).length, await reportCount());
    const one = expect(await call('GET', `/payment-status-reports/${String(applied.report.id)}`, as('vera')), 200);
    assert.deepEqual(one, applied.report);
  });
});
