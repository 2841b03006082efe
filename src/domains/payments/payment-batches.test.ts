/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument --
   response bodies are read field by field and each read is asserted; typing every nested shape here would restate the OpenAPI schemas */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { validateAgainstXsd, type Pain001Version } from '../../adapters/iso20022/index.js';
import { ManualClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { onPostgres, testTmpDir } from '../../testing/test-database.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { releaseBatch } from './batch-release.js';
import { switchOffAnomalyChecks } from '../../testing/anomaly-checks-off.js';

/**
 * Batching approved payments into pain.001 files and releasing them, through the HTTP API of a real
 * server whose worker approves small payments automatically (the shipped matrix's MX_AUTO): files per
 * account × value date × method in each account's version (.03, .09, .10), each valid against its
 * XSD with exactly its payments' end-to-end ids and control sums; the Idempotency-Key; two runs at
 * once; release into the outbox folder once (and its recovery after a crash); cancel before release;
 * refusals naming the field or the payment.
 */

const QUEUE = 'payment-approvers';
const NUDGE_MS = 5_000;

describe('payment batches API', () => {
  let server: TestServer;
  // Monday 2 March 2026, 10:00 UTC.
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  const dataDir = testTmpDir();
  const outbox = path.join(dataDir, 'bank-outbox');
  const tokens: Record<string, string> = {};

  const { call, expect, expectProblem } = apiClient(() => server);
  const as = (name: string) => ({ token: tokens[name]! });
  const newKey = () => `test-${randomUUID()}`;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  // ---- fixtures ---------------------------------------------------------------------------------
  const accounts: Record<string, Body> = {};
  const beneficiaries: Record<string, Body> = {};

  before(async () => {
    server = await startTestServer({ clock, config: { dataDir } });
    await switchOffAnomalyChecks(server); // tested in payment-anomalies.test.ts
    const roles = { tess: 'treasurer', anna: 'payment_approver', bob: 'payment_approver', vera: 'viewer' } as const;
    for (const [name, role] of Object.entries(roles)) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    const queue = await call('PUT', `/queues/${QUEUE}`, { json: { members: ['anna', 'bob'] } });
    assert.ok([200, 201].includes(queue.status), JSON.stringify(queue.body));

    const account = async (key: string, body: Body) => {
      accounts[key] = expect(await call('POST', '/bank-accounts', { ...as('tess'), json: body }), 201);
    };
    await account('dk', {
      name: 'Deutsche EUR (DK .03)',
      currency: 'EUR',
      iban: 'DE89370400440532013000',
      bic: 'COBADEFFXXX',
      ownerName: 'Finflow Lending GmbH',
      ledgerAccount: 'cash:bank:de',
      pain001Version: 'pain.001.001.03',
    });
    await account('es', {
      name: 'Caixa EUR (.09)',
      currency: 'EUR',
      iban: 'ES9121000418450200051332',
      bic: 'CAIXESBBXXX',
      ownerName: 'Finflow Lending S.L.',
      ledgerAccount: 'cash:bank:es',
      pain001Version: 'pain.001.001.09',
    });
    await account('us', {
      name: 'US operating (.10)',
      currency: 'USD',
      accountNumber: '12345678',
      bankCode: '400000',
      country: 'US',
      ownerName: 'Finflow Lending Inc',
      ledgerAccount: 'cash:bank:us',
      pain001Version: 'pain.001.001.10',
    });

    const beneficiary = async (key: string, name: string, bankDetails: Body) => {
      const created = expect(
        await call('POST', '/beneficiaries', { ...as('tess'), json: { name, kind: 'supplier', bankDetails } }),
        201,
      );
      expect(
        await call('POST', `/beneficiaries/${created.id}/changes/${created.changes[0].id}/approve`, as('anna')),
        200,
      );
      beneficiaries[key] = created;
    };
    await beneficiary('fr', 'Acme SARL', { iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPPXXX' });
    await beneficiary('us', 'Lone Star Supplies Inc', {
      accountNumber: '987654321',
      bankCode: '021000021',
      country: 'US',
    });
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

  /** Approved payments (small amounts to verified beneficiaries: approved automatically), in creation order. */
  async function approvedPayments(
    specs: Array<{ account: string; beneficiary: string; amount: string; date: string }>,
  ) {
    const ids: string[] = [];
    for (const spec of specs) {
      const created = expect(
        await call('POST', '/payments', {
          ...as('tess'),
          key: newKey(),
          json: {
            bankAccountId: accounts[spec.account]!.id,
            beneficiaryId: beneficiaries[spec.beneficiary]!.id,
            amount: spec.amount,
            requestedExecutionDate: spec.date,
            remittance: { unstructured: `Invoice ${ids.length + 1}` },
          },
        }),
        201,
      );
      ids.push(String(created.id));
    }
    const payments: Body[] = [];
    for (const id of ids) {
      payments.push(
        await waitFor(
          `payment ${id} approved`,
          async () => expect(await call('GET', `/payments/${id}`), 200),
          (p) => p.status === 'approved',
        ),
      );
    }
    return payments;
  }

  const runBatch = (json: Body = {}, key = newKey(), who = 'tess') =>
    call('POST', '/payment-batches', { ...as(who), key, json });
  const fileOf = async (id: string) => {
    const res = await server.call(`/api/v1/payment-batches/${id}/file`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('content-type')), /^application\/xml/);
    assert.match(String(res.headers.get('content-disposition')), /^attachment; filename="pain\.001\.001\.\d\d-FFB/);
    return res.text();
  };
  const all = (xml: string, element: string) =>
    [...xml.matchAll(new RegExp(`<${element}>([^<]*)</${element}>`, 'g'))].map((m) => m[1]!);
  const cents = (minor: bigint) => `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;
  const eventTypes = async (key: string) =>
    (
      await server.database.db
        .selectFrom('wf_events')
        .select('type')
        .where('key', '=', key)
        .orderBy('published_at')
        .orderBy('id')
        .execute()
    ).map((e) => e.type);
  const auditActions = async (entityType: string, entityId: string) =>
    (
      expect(await call('GET', `/audit?entityType=${entityType}&entityId=${entityId}&limit=100`), 200).data as Body[]
    ).map((r) => r.action as string);
  const batchesMade = async () =>
    Number(
      (
        await server.database.db
          .selectFrom('payment_batches')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Checks a batch's file against its schema and against exactly these payments. */
  async function checkFile(batch: Body, payments: Body[]) {
    const xml = await fileOf(String(batch.id));
    const version = batch.pain001Version as Pain001Version;
    const validity = await validateAgainstXsd(xml, version);
    assert.deepEqual(validity.errors, [], `${batch.id} is valid against ${version}`);
    assert.ok(xml.includes(`xmlns="urn:iso:std:iso:20022:tech:xsd:${version}"`));
    const sum = payments.reduce((s, p) => s + BigInt(p.amount), 0n);
    assert.deepEqual(all(xml, 'MsgId'), [batch.messageId]);
    assert.deepEqual(all(xml, 'PmtInfId'), [batch.paymentInformationId]);
    assert.deepEqual(all(xml, 'NbOfTxs'), [String(payments.length), String(payments.length)], 'header and block');
    assert.deepEqual(all(xml, 'CtrlSum'), [cents(sum), cents(sum)], 'header and block');
    assert.deepEqual(all(xml, 'EndToEndId').sort(), payments.map((p) => String(p.endToEndId)).sort());
    assert.ok(xml.includes(batch.valueDate), 'the value date is written');
    assert.equal(batch.controlSum, sum.toString());
    assert.equal(batch.numberOfTransactions, payments.length);
    assert.deepEqual((batch.payments as Body[]).map((p) => p.id).sort(), payments.map((p) => p.id).sort());
    return xml;
  }

  // ================================================================================================

  test('bad input: 400 naming the field, 422 for an unknown account, 403 without the permission; nothing batched', async () => {
    const noKey = expect(await call('POST', '/payment-batches', { ...as('tess'), json: {} }), 400);
    assert.equal(noKey.code, 'idempotency_key_required');
    expectProblem(await runBatch({ bankAccountId: 'nope' }), 400, 'body.bankAccountId');
    expectProblem(await runBatch({ valueDateUpTo: '2026-02-30' }), 400, 'body.valueDateUpTo');
    expectProblem(await runBatch({ valueDateUpTo: 'tomorrow' }), 400, 'body.valueDateUpTo');
    expectProblem(await runBatch({ maxPerFile: 0 }), 400, 'body.maxPerFile');
    expectProblem(await runBatch({ maxPerFile: 1.5 }), 400, 'body.maxPerFile');
    expectProblem(await runBatch({ sepa: true }), 400, 'body');
    expectProblem(await runBatch({ bankAccountId: 'bac_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }), 422, 'body.bankAccountId');
    expect(await runBatch({}, newKey(), 'vera'), 403);
    expect(await runBatch({}, newKey(), 'anna'), 403);
    expectProblem(await call('GET', '/payment-batches?after=nope'), 400, 'query.after');
    expectProblem(await call('GET', '/payment-batches?status=sent'), 400, 'query.status');
    expectProblem(await call('GET', '/payment-batches?from=2026-03-05&to=2026-03-04'), 400, 'query.to');
    expect(await call('GET', '/payment-batches/pbt_nope'), 404);
    expect(await call('GET', '/payment-batches/pbt_nope/file'), 404);
    expect(await call('POST', '/payment-batches/pbt_nope/release', as('anna')), 404);
    expect(await call('POST', '/payment-batches/pbt_nope/cancel', as('tess')), 404);
    assert.equal(await batchesMade(), 0);
  });

  let firstRun: { key: string; body: Body };
  let eurPayments: Body[] = [];

  test('two accounts × two value dates: four files, each XSD-valid in its account’s version with exactly its payments', async () => {
    // Nothing approved yet: 200 and an empty list.
    const empty = expect(await runBatch(), 200);
    assert.deepEqual(empty.data, []);

    eurPayments = await approvedPayments([
      { account: 'dk', beneficiary: 'fr', amount: '10000', date: '2026-03-04' },
      { account: 'dk', beneficiary: 'fr', amount: '20050', date: '2026-03-04' },
      { account: 'dk', beneficiary: 'fr', amount: '30001', date: '2026-03-05' },
      { account: 'es', beneficiary: 'fr', amount: '40000', date: '2026-03-04' },
      { account: 'es', beneficiary: 'fr', amount: '50099', date: '2026-03-05' },
      { account: 'es', beneficiary: 'fr', amount: '60000', date: '2026-03-05' },
      { account: 'es', beneficiary: 'fr', amount: '70000', date: '2026-03-05' },
    ]);
    // Not yet due by the filter: stays approved.
    const [later] = await approvedPayments([{ account: 'es', beneficiary: 'fr', amount: '80000', date: '2026-03-06' }]);

    const key = newKey();
    const reply = await runBatch({ valueDateUpTo: '2026-03-05' }, key);
    const body = expect(reply, 201);
    firstRun = { key, body };
    const batches = body.data as Body[];
    assert.equal(batches.length, 4);
    assert.deepEqual(
      batches.map((b) => [b.bankAccountId, b.valueDate, b.method, b.pain001Version, b.status]),
      [
        [accounts.dk!.id, '2026-03-04', 'sepa', 'pain.001.001.03', 'created'],
        [accounts.dk!.id, '2026-03-05', 'sepa', 'pain.001.001.03', 'created'],
        [accounts.es!.id, '2026-03-04', 'sepa', 'pain.001.001.09', 'created'],
        [accounts.es!.id, '2026-03-05', 'sepa', 'pain.001.001.09', 'created'],
      ],
    );
    const expected = [eurPayments.slice(0, 2), eurPayments.slice(2, 3), eurPayments.slice(3, 4), eurPayments.slice(4)];
    for (const [i, batch] of batches.entries()) {
      assert.match(String(batch.id), /^pbt_/);
      assert.match(String(batch.messageId), /^FFB[0-9A-Z]{26}$/);
      assert.equal(batch.paymentInformationId, `${batch.messageId}-1`);
      assert.equal(batch.fileName, `${batch.pain001Version}-${batch.messageId}.xml`);
      assert.equal(batch.createdBy, 'tess');
      assert.equal(batch.currency, 'EUR');
      const xml = await checkFile(batch, expected[i]!);
      // .03 writes <ReqdExctnDt>date</ReqdExctnDt>; the 2019 editions wrap it in <Dt>.
      const date = batch.pain001Version === 'pain.001.001.03' ? 'ReqdExctnDt' : 'Dt';
      assert.deepEqual(all(xml, date), [batch.valueDate]);
    }

    // Each payment: batched, naming its batch and block, with history, audit and event.
    for (const [i, batch] of batches.entries()) {
      for (const expectedPayment of expected[i]!) {
        const payment = expect(await call('GET', `/payments/${String(expectedPayment.id)}`), 200);
        assert.equal(payment.status, 'batched');
        assert.equal(payment.batchId, batch.id);
        assert.equal(payment.paymentInformationId, batch.paymentInformationId);
        assert.deepEqual(payment.hold.state, 'held', 'the hold stays until settlement');
        const last = (payment.history as Body[]).at(-1)!;
        assert.deepEqual([last.from, last.to, last.by, last.data.batchId], ['approved', 'batched', 'tess', batch.id]);
        assert.equal((await eventTypes(String(payment.id))).at(-1), 'payment.batched');
        assert.equal((await auditActions('payment_instruction', String(payment.id))).at(-1), 'payment.batched');
      }
      assert.deepEqual(await auditActions('payment_batch', String(batch.id)), ['payment_batch.created']);
      assert.deepEqual(await eventTypes(String(batch.id)), ['payment_batch.created']);
    }
    assert.equal(expect(await call('GET', `/payments/${String(later!.id)}`), 200).status, 'approved');

    // Lists and one batch, for anyone holding payments:read.
    const page = expect(await call('GET', '/payment-batches?limit=3', as('vera')), 200);
    assert.deepEqual(
      (page.data as Body[]).map((b) => b.id),
      batches
        .map((b) => b.id)
        .reverse()
        .slice(0, 3),
      'newest first',
    );
    const rest = expect(await call('GET', `/payment-batches?limit=3&after=${page.next}`, as('vera')), 200);
    assert.deepEqual(
      (rest.data as Body[]).map((b) => b.id),
      [batches[0]!.id],
    );
    const dated = expect(await call('GET', `/payment-batches?account=${accounts.es!.id}&from=2026-03-05`), 200);
    assert.deepEqual(
      (dated.data as Body[]).map((b) => b.id),
      [batches[3]!.id],
    );
    const one = expect(await call('GET', `/payment-batches/${String(batches[0]!.id)}`, as('anna')), 200);
    assert.deepEqual(
      (one.payments as Body[]).map((p) => [p.position, p.endToEndId, p.status, p.inBatch, p.beneficiaryName]),
      [
        [0, eurPayments[0]!.endToEndId, 'batched', true, 'Acme SARL'],
        [1, eurPayments[1]!.endToEndId, 'batched', true, 'Acme SARL'],
      ],
    );
  });

  test('Idempotency-Key: a replay answers the first run; the key with another body is refused', async () => {
    const before = await batchesMade();
    const replay = await server.call('/api/v1/payment-batches', {
      method: 'POST',
      token: tokens.tess!,
      headers: { 'idempotency-key': firstRun.key },
      json: { valueDateUpTo: '2026-03-05' },
    });
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await replay.json(), firstRun.body);
    const reused = expect(await runBatch({ valueDateUpTo: '2026-03-06' }, firstRun.key), 422);
    assert.equal(reused.code, 'idempotency_key_reused');
    assert.equal(await batchesMade(), before, 'nothing batched again');
  });

  test('pain.001.001.10 for an international (non-SEPA) account; maxPerFile splits a group', async () => {
    const usd = await approvedPayments([
      { account: 'us', beneficiary: 'us', amount: '12345', date: '2026-03-06' },
      { account: 'us', beneficiary: 'us', amount: '99999', date: '2026-03-06' },
      { account: 'us', beneficiary: 'us', amount: '1', date: '2026-03-06' },
    ]);
    const run = expect(await runBatch({ bankAccountId: accounts.us!.id, maxPerFile: 2 }), 201);
    const batches = run.data as Body[];
    assert.deepEqual(
      batches.map((b) => [b.method, b.pain001Version, b.currency, b.numberOfTransactions]),
      [
        ['international', 'pain.001.001.10', 'USD', 2],
        ['international', 'pain.001.001.10', 'USD', 1],
      ],
    );
    const xml = await checkFile(batches[0]!, usd.slice(0, 2));
    await checkFile(batches[1]!, usd.slice(2));
    assert.ok(xml.includes('<Othr>') && xml.includes('<Id>987654321</Id>'), 'accounts without an IBAN');
    assert.ok(xml.includes('<MmbId>021000021</MmbId>'), "the creditor's bank by its routing number");
    assert.ok(xml.includes('<ChrgBr>SHAR</ChrgBr>'));
    assert.ok(!xml.includes('<Cd>SEPA</Cd>'));
  });

  test('two batch runs at once never put one payment in two files', async () => {
    const payments = await approvedPayments(
      ['2026-03-09', '2026-03-09', '2026-03-10', '2026-03-10', '2026-03-09', '2026-03-10'].map((date, i) => ({
        account: 'es',
        beneficiary: 'fr',
        amount: String(1000 + i),
        date,
      })),
    );
    const runs = await Promise.all([1, 2, 3].map(() => runBatch({ bankAccountId: accounts.es!.id })));
    const batched = runs.flatMap((r) => {
      assert.ok([200, 201].includes(r.status), JSON.stringify(r.body));
      return (r.body.data as Body[]).flatMap((b) => (b.payments as Body[]).map((p) => String(p.id)));
    });
    // The 2026-03-06 payment the first run's filter left is batched by one of these runs too.
    const expectedIds = payments.map((p) => String(p.id));
    assert.equal(new Set(batched).size, batched.length, 'no payment in two batches');
    for (const id of expectedIds) assert.ok(batched.includes(id), `${id} is batched`);
    for (const id of batched) {
      const history = await server.database.db
        .selectFrom('payment_history')
        .select('to_status')
        .where('payment_id', '=', id)
        .where('to_status', '=', 'batched')
        .execute();
      assert.equal(history.length, 1, `${id} batched once`);
    }
    const left = expect(await call('GET', `/payments?status=approved&account=${accounts.es!.id}`), 200);
    assert.deepEqual(left.data, []);
  });

  test('a run skips the payments another run holds instead of waiting for them (PostgreSQL: SKIP LOCKED)', async (t) => {
    // Embedded PGlite has one connection: a transaction held open here would stall the server's requests.
    if (!onPostgres()) return t.skip('needs concurrent connections (FINFLOW_TEST_PG=1)');
    const payments = await approvedPayments(
      [0, 1, 2, 3].map((i) => ({ account: 'es', beneficiary: 'fr', amount: String(2000 + i), date: '2026-03-11' })),
    );
    const heldIds = payments.slice(0, 2).map((p) => String(p.id));
    let locked!: () => void;
    let finish!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const done = new Promise<void>((resolve) => (finish = resolve));
    // Another run in progress: it holds two of the payments.
    const holder = server.database.transaction(async (tx) => {
      await tx.selectFrom('payment_instructions').select('id').where('id', 'in', heldIds).forUpdate().execute();
      locked();
      await done;
    });
    await isLocked;
    try {
      const first = expect(await runBatch({ bankAccountId: accounts.es!.id }), 201);
      assert.deepEqual(
        (first.data as Body[]).flatMap((b) => (b.payments as Body[]).map((p) => String(p.id))).sort(),
        payments
          .slice(2)
          .map((p) => String(p.id))
          .sort(),
        'only the payments nobody holds',
      );
    } finally {
      finish();
      await holder;
    }
    const second = expect(await runBatch({ bankAccountId: accounts.es!.id }), 201);
    assert.deepEqual(
      (second.data as Body[]).flatMap((b) => (b.payments as Body[]).map((p) => String(p.id))).sort(),
      [...heldIds].sort(),
    );
  });

  let released: Body;

  test('release: the file lands in the outbox once; a second release answers the first result; payments are sent', async () => {
    const batch = firstRun.body.data[0] as Body;
    const id = String(batch.id);
    expect(await call('POST', `/payment-batches/${id}/release`, as('vera')), 403);

    released = expect(await call('POST', `/payment-batches/${id}/release`, as('anna')), 200);
    assert.equal(released.status, 'released');
    assert.equal(released.releasedBy, 'anna');
    assert.equal(released.releaseStartedBy, 'anna');
    const location = path.join(outbox, String(batch.bankAccountId), String(batch.fileName));
    assert.equal(released.deliveryLocation, location);
    const onDisk = readFileSync(location);
    assert.equal(onDisk.toString('utf8'), await fileOf(id), 'the outbox holds the stored file, byte for byte');
    assert.deepEqual(readdirSync(path.dirname(location)), [batch.fileName], 'no temporary file left behind');
    const written = statSync(location);

    clock.advance(60_000);
    const again = expect(await call('POST', `/payment-batches/${id}/release`, as('tess')), 200);
    assert.deepEqual(again, released, 'the first result');
    const after = statSync(location);
    assert.equal(after.ino, written.ino, 'not rewritten');
    assert.equal(after.mtimeMs, written.mtimeMs, 'not rewritten');

    for (const p of released.payments as Body[]) {
      assert.equal(p.status, 'sent');
      const payment = expect(await call('GET', `/payments/${String(p.id)}`), 200);
      const last = (payment.history as Body[]).at(-1)!;
      assert.deepEqual([last.from, last.to, last.by, last.data.location], ['batched', 'sent', 'anna', location]);
      assert.deepEqual((await eventTypes(String(p.id))).slice(-2), ['payment.batched', 'payment.sent']);
      assert.deepEqual(
        (await auditActions('payment_instruction', String(p.id))).filter((a) => a === 'payment.sent'),
        ['payment.sent'],
      );
      // Sent is the bank's: the payment alone cannot be cancelled.
      assert.equal(
        expect(await call('POST', `/payments/${String(p.id)}/cancel`, as('tess')), 409).code,
        'payment_state',
      );
    }
    assert.deepEqual(await auditActions('payment_batch', id), [
      'payment_batch.created',
      'payment_batch.releasing',
      'payment_batch.released',
    ]);
    assert.deepEqual(await eventTypes(id), ['payment_batch.created', 'payment_batch.released']);
    const cancel = expect(await call('POST', `/payment-batches/${id}/cancel`, as('tess')), 409);
    assert.equal(cancel.code, 'batch_state');
  });

  test('release after a crash: a batch left releasing is completed, the file already delivered is not written again', async () => {
    const batch = firstRun.body.data[1] as Body;
    const id = String(batch.id);
    // As if a release marked it releasing, delivered the file and died before recording it.
    await server.database.db
      .updateTable('payment_batches')
      .set({ status: 'releasing', release_started_by: 'anna', release_started_at: clock.now() })
      .where('id', '=', id)
      .execute();
    const location = path.join(outbox, String(batch.bankAccountId), String(batch.fileName));
    writeFileSync(location, await fileOf(id));
    const before = statSync(location);
    // Releasing: neither the batch nor its payments may be cancelled any more.
    assert.equal(expect(await call('POST', `/payment-batches/${id}/cancel`, as('tess')), 409).code, 'batch_state');

    const done = expect(await call('POST', `/payment-batches/${id}/release`, as('bob')), 200);
    assert.equal(done.status, 'released');
    assert.equal(done.releasedBy, 'bob');
    assert.equal(statSync(location).ino, before.ino, 'the delivered file was left as it was');
    const event = await server.database.db
      .selectFrom('wf_events')
      .select('data')
      .where('key', '=', id)
      .where('type', '=', 'payment_batch.released')
      .executeTakeFirstOrThrow();
    assert.equal((event.data as Body).alreadyDelivered, true);
    assert.ok((done.payments as Body[]).every((p) => p.status === 'sent'));
  });

  test('release refuses a name taken by another file, and completes once it is moved aside', async () => {
    const batch = firstRun.body.data[2] as Body;
    const id = String(batch.id);
    const dir = path.join(outbox, String(batch.bankAccountId));
    mkdirSync(dir, { recursive: true });
    const location = path.join(dir, String(batch.fileName));
    writeFileSync(location, '<not-this-file/>');
    const refused = expect(await call('POST', `/payment-batches/${id}/release`, as('anna')), 409);
    assert.equal(refused.code, 'outbox_file_differs');
    const stuck = expect(await call('GET', `/payment-batches/${id}`), 200);
    assert.equal(stuck.status, 'releasing', 'the release started: release it again once the folder is fixed');
    assert.ok((stuck.payments as Body[]).every((p) => p.status === 'batched'));
    unlinkSync(location);
    const done = expect(await call('POST', `/payment-batches/${id}/release`, as('anna')), 200);
    assert.equal(done.status, 'released');
    assert.equal(readFileSync(location, 'utf8'), await fileOf(id));
  });

  test('without a bank delivery (no data folder) release is refused with 409 and nothing changes', async () => {
    const batch = firstRun.body.data[3] as Body;
    const context = { database: server.database, clock, engine: server.engine };
    await assert.rejects(
      releaseBatch(context, { actor: 'test', requestId: null, by: 'anna' }, String(batch.id), undefined),
      (error: unknown) =>
        error instanceof AppError && error.status === 409 && error.code === 'bank_delivery_unavailable',
    );
    assert.equal(expect(await call('GET', `/payment-batches/${String(batch.id)}`), 200).status, 'created');
  });

  test('cancel before release: the payments are approved again and batch anew; a batched payment alone is refused', async () => {
    const batch = firstRun.body.data[3] as Body;
    const id = String(batch.id);
    const paymentIds = (batch.payments as Body[]).map((p) => String(p.id));

    const single = expect(await call('POST', `/payments/${paymentIds[0]!}/cancel`, as('tess')), 409);
    assert.equal(single.code, 'payment_state');
    assert.match(String(single.detail), new RegExp(`payment batch ${id}`));
    expect(await call('POST', `/payment-batches/${id}/cancel`, { ...as('vera'), json: {} }), 403);
    expectProblem(
      await call('POST', `/payment-batches/${id}/cancel`, { ...as('tess'), json: { reason: '' } }),
      400,
      'body.reason',
    );

    const cancelled = expect(
      await call('POST', `/payment-batches/${id}/cancel`, { ...as('tess'), json: { reason: 'wrong value date' } }),
      200,
    );
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.cancelledBy, 'tess');
    assert.equal(cancelled.cancelReason, 'wrong value date');
    assert.ok((cancelled.payments as Body[]).every((p) => p.status === 'approved' && p.inBatch === false));
    for (const paymentId of paymentIds) {
      const payment = expect(await call('GET', `/payments/${paymentId}`), 200);
      assert.equal(payment.status, 'approved');
      assert.equal(payment.batchId, null);
      assert.equal(payment.paymentInformationId, null);
      const last = (payment.history as Body[]).at(-1)!;
      assert.deepEqual([last.from, last.to, last.reason], ['batched', 'approved', 'wrong value date']);
      assert.equal((await eventTypes(paymentId)).at(-1), 'payment.approved');
    }
    assert.equal(expect(await call('POST', `/payment-batches/${id}/cancel`, as('tess')), 409).code, 'batch_state');
    assert.equal(expect(await call('POST', `/payment-batches/${id}/release`, as('anna')), 409).code, 'batch_state');
    // The cancelled file stays readable; the payments go into a new batch.
    await fileOf(id);
    const again = expect(await runBatch({ bankAccountId: accounts.es!.id }), 201);
    assert.deepEqual(
      (again.data as Body[]).flatMap((b) => (b.payments as Body[]).map((p) => p.id)).sort(),
      [...paymentIds].sort(),
    );
    assert.notEqual((again.data as Body[])[0]!.id, id);
    // A payment cancelled once its batch is: approved again, so cancellable on its own.
    const cancelOne = expect(
      await call('POST', `/payment-batches/${String((again.data as Body[])[0]!.id)}/cancel`, as('tess')),
      200,
    );
    const freed = String((cancelOne.payments as Body[])[0]!.id);
    const withdrawn = expect(await call('POST', `/payments/${freed}/cancel`, as('tess')), 200);
    assert.equal(withdrawn.status, 'cancelled');
    assert.equal(withdrawn.hold.state, 'voided');
  });

  test('a file the pain.001 writer refuses is a 422 naming the payment and field; nothing is batched', async () => {
    const odd = expect(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: { name: 'Shop #12 GmbH', kind: 'supplier', bankDetails: { iban: 'DE75512108001245126199' } },
      }),
      201,
    );
    expect(await call('POST', `/beneficiaries/${odd.id}/changes/${odd.changes[0].id}/approve`, as('bob')), 200);
    beneficiaries.odd = odd;
    const [payment] = await approvedPayments([
      { account: 'dk', beneficiary: 'odd', amount: '5000', date: '2026-03-11' },
    ]);
    const before = await batchesMade();
    const refused = expectProblem(
      await runBatch({ bankAccountId: accounts.dk!.id }),
      422,
      `payments.${String(payment!.id)}.creditor.name`,
    );
    assert.equal(refused.code, 'payment_file_invalid');
    assert.match(String(refused.detail), /outside the SEPA character set/);
    assert.equal(await batchesMade(), before);
    assert.equal(expect(await call('GET', `/payments/${String(payment!.id)}`), 200).status, 'approved');
    expect(await call('POST', `/payments/${String(payment!.id)}/cancel`, as('tess')), 200);
    assert.ok(existsSync(outbox));
  });
});
