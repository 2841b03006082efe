/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { validateAgainstXsd } from '../../adapters/iso20022/index.js';
import { ManualClock } from '../../core/clock.js';
import type { Worker } from '../../engine/runtime/worker.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { camt053, type CamtEntrySpec } from '../../testing/camt053-file.js';
import { pain002 } from '../../testing/pain002-file.js';
import {
  generateSshKeyPair,
  sftpConnection,
  startSftpTestServer,
  type SftpTestServer,
} from '../../testing/sftp-server.js';
import { testTmpDir } from '../../testing/test-database.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { receivableCreditorReference } from '../treasury/reconciliation/creditor-reference.js';

/**
 * Issue 22's proof: the whole payments loop through the HTTP API on a real server, a real SFTP bank
 * and real ISO 20022 files, on a manual clock with the engine's worker driven by the test.
 *   Out: three supplier payables (one with an early-payment discount) approved by a second person,
 *   scheduled into payment instructions, each approved by two approvers (never the maker) with a
 *   ledger hold, batched into one XSD-valid pain.001 released onto the bank's SFTP outbox; the
 *   bank's pain.002 rejects one (hold voided); its camt.053 books the other two (one with bank
 *   charges, posted as a charge match) and returns one of them.
 *   In: the same camt.053 pays overdue invoices with open collection cases — by RF reference, by
 *   name + amount only, and one partially — closing the paid ones' cases and leaving the partial
 *   one's open; an unknown credit and an ambiguous one are the only exceptions.
 *   Finally the ledger is balanced with nothing left pending.
 */

const IBAN = 'DE89370400440532013000';
const VALUE_DATE = '2026-03-04'; // Wednesday
const DUE = '2026-02-20'; // the customer invoices' due date: 10 days past due on Monday 2 March

describe('the payments loop, end to end', () => {
  const clock = new ManualClock('2026-03-02T10:00:00Z'); // Monday
  const sshKey = generateSshKeyPair();
  let sftp: SftpTestServer;
  let server: TestServer;
  let worker: Worker;
  const tokens: Record<string, string> = {};
  const { call, expect } = apiClient(() => server);
  const as = (name: string) => ({ token: tokens[name]! });
  const key = () => `loop-${randomUUID()}`;
  const drain = () => worker.runUntilIdle();
  const get = async (path: string, who?: string) => expect(await call('GET', path, who ? as(who) : {}), 200);
  const post = async (path: string, who: string, json: unknown, status = 200) =>
    expect(await call('POST', path, { ...as(who), key: key(), json }), status);

  let account: Body;
  const suppliers: Record<string, Body> = {};
  const payables: Record<string, Body> = {};
  const pay: Record<string, Body> = {}; // the payment instructions, by supplier
  const cases: Record<string, string> = {}; // collection case ids, by invoice
  let batch: Body;
  const entries: Record<string, Body> = {};

  const payment = (name: string) => get(`/payments/${pay[name]!.id}`);
  const statuses = async () => Promise.all(['acme', 'globex', 'initech'].map(async (n) => (await payment(n)).status));
  const receivable = (ext: string) => get(`/receivables/${ext}`);
  const caseOf = async (ext: string) => {
    const r = await receivable(ext);
    const list = (await get('/collections/cases?limit=500')).data as Body[];
    return list.find((c) => c.receivableId === r.id);
  };
  const transferExists = async (id: string) => (await call('GET', `/ledger/transfers/${id}`)).status === 200;

  before(async () => {
    sftp = await startSftpTestServer({ authorizedKeys: [sshKey.publicKey] });
    for (const folder of ['/outbox', '/inbox', '/archive']) mkdirSync(sftp.localPath(folder), { recursive: true });
    server = await startTestServer({
      clock,
      worker: false,
      config: { dataDir: testTmpDir() },
      secrets: { BANK_SFTP_KEY: sshKey.privateKey },
    });
    worker = server.engine.createWorker();
  });
  after(async () => {
    await server?.close();
    await sftp?.close();
  });

  test('1. setup: people, an SFTP-connected account, verified suppliers, overdue invoices with open cases', async () => {
    const roles = { tess: 'treasurer', anna: 'payment_approver', bob: 'payment_approver', vera: 'viewer' };
    for (const [name, role] of Object.entries(roles)) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    const queue = await call('PUT', '/queues/payment-approvers', { json: { members: ['anna', 'bob'] } });
    assert.ok([200, 201].includes(queue.status), JSON.stringify(queue.body));

    account = await post(
      '/bank-accounts',
      'tess',
      {
        name: 'Commerzbank EUR',
        currency: 'EUR',
        iban: IBAN,
        bic: 'COBADEFFXXX',
        ownerName: 'Finflow Lending GmbH',
        ledgerAccount: 'cash:bank:loop',
        pain001Version: 'pain.001.001.09',
      },
      201,
    );
    const connection = sftpConnection(sftp);
    expect(await call('PUT', `/bank-accounts/${account.id}/connection`, { ...as('vera'), json: { connection } }), 403);
    expect(await call('PUT', `/bank-accounts/${account.id}/connection`, { ...as('tess'), json: { connection } }), 200);

    // Suppliers' bank details, each approved by a second person (the proposer may not).
    const details = {
      acme: ['Acme SARL', 'FR1420041010050500013M02606'],
      globex: ['Globex GmbH', 'DE75512108001245126199'],
      initech: ['Initech BV', 'NL91ABNA0417164300'],
    };
    for (const [name, [legal, iban]] of Object.entries(details)) {
      const b = await post('/beneficiaries', 'tess', { name: legal, kind: 'supplier', bankDetails: { iban } }, 201);
      assert.equal(b.status, 'unverified');
      const change = `/beneficiaries/${b.id}/changes/${b.changes[0].id}/approve`;
      expect(await call('POST', change, { ...as('tess'), json: {} }), 403);
      expect(await call('POST', change, { ...as('anna'), json: {} }), 200);
      suppliers[name] = await get(`/beneficiaries/${b.id}`);
      assert.equal(suppliers[name].status, 'verified');
    }

    // Customers and invoices: three overdue (RF-payable, name + amount, partial), two equal ones not yet due.
    const invoices = [
      ['C-ZEPHYR', 'Zephyr Logistics SL', 'INV7001', '84210', DUE],
      ['C-QUILLON', 'Quillon Textiles SA', 'QT-7002', '123457', DUE],
      ['C-HARBOR', 'Harbor Foods Ltd', 'INV7003', '200000', DUE],
      ['C-TWIN', 'Twin Traders', 'TWIN-A', '25000', '2026-03-20'],
      ['C-TWIN', 'Twin Traders', 'TWIN-B', '25000', '2026-03-20'],
    ] as const;
    for (const [customer, name, ext, amount, dueDate] of invoices) {
      if (ext !== 'TWIN-B') {
        const c = { externalId: customer, name, email: `${customer.toLowerCase()}@example.com`, language: 'en' };
        expect(await call('POST', '/customers', { json: c }), 201);
      }
      const r = { externalId: ext, customerExternalId: customer, kind: 'invoice', currency: 'EUR', amount, dueDate };
      expect(await call('POST', '/receivables', { json: { ...r, issueDate: '2026-01-20' } }), 201);
    }
    expect(await call('POST', '/receivables/close-of-business', { json: { asOf: '2026-03-02' } }), 200);
    await drain();
    for (const ext of ['INV7001', 'QT-7002', 'INV7003']) {
      assert.deepEqual([(await receivable(ext)).dpd, (await receivable(ext)).status], [10, 'open'], ext);
      const opened = await caseOf(ext);
      assert.equal(opened?.status, 'open', `the collection case of ${ext}`);
      cases[ext] = String(opened.id);
    }
    assert.equal(await caseOf('TWIN-A'), undefined, 'not yet due: no case');
  });

  test('2. payables: recorded, approved by a second person, scheduled into payment instructions', async () => {
    const record = (supplier: string, invoiceNumber: string, amount: string, dueDate: string, more = {}) =>
      post(
        '/payables',
        'tess',
        { beneficiaryId: suppliers[supplier]!.id, invoiceNumber, amount, currency: 'EUR', dueDate, ...more },
        201,
      );
    payables.acme = await record('acme', 'A-1001', '245000', '2026-03-20', {
      discount: { date: VALUE_DATE, percent: '2' },
    });
    payables.globex = await record('globex', 'G-2002', '187650', VALUE_DATE);
    payables.initech = await record('initech', 'I-3003', '312480', VALUE_DATE);
    assert.deepEqual(payables.acme.discount, { date: VALUE_DATE, percent: '2', amount: '4900', payAmount: '240100' });

    for (const [name, p] of Object.entries(payables)) {
      expect(await call('POST', `/payables/${p.id}/approve`, { ...as('tess'), json: {} }), 403); // the maker
      expect(await call('POST', `/payables/${p.id}/approve`, { ...as('vera'), json: {} }), 403);
      const approved = await post(`/payables/${p.id}/approve`, 'anna', {});
      assert.deepEqual([approved.status, approved.createdBy, approved.decidedBy], ['approved', 'tess', 'anna'], name);
    }
    const scheduled = await post('/payables/schedule', 'tess', { withinDays: 2 });
    assert.deepEqual([scheduled.asOf, scheduled.horizon], ['2026-03-02', VALUE_DATE]);
    const byPayable = new Map((scheduled.scheduled as Body[]).map((s) => [s.payableId, s]));
    const expected = { acme: ['240100', true], globex: ['187650', false], initech: ['312480', false] };
    for (const [name, [amount, discounted]] of Object.entries(expected)) {
      const s = byPayable.get(payables[name]!.id);
      assert.deepEqual([s?.amount, s?.requestedExecutionDate, s?.discounted], [amount, VALUE_DATE, discounted], name);
      pay[name] = await get(`/payments/${s!.paymentId}`);
      assert.deepEqual(
        [pay[name].status, pay[name].source, pay[name].createdBy, pay[name].amount, pay[name].purpose],
        ['pending_approval', 'payable', 'tess', amount, 'SUPP'],
      );
      const after = await get(`/payables/${payables[name]!.id}`, 'vera');
      assert.deepEqual([after.status, after.paymentId, after.paidAmount], ['scheduled', s!.paymentId, amount]);
    }
    assert.equal(byPayable.size, 3);
    assert.deepEqual((await post('/payables/schedule', 'tess', { withinDays: 2 })).scheduled, [], 'each once');
  });

  test('3. approvals: two people each by the matrix, never the maker, never one twice; ledger holds', async () => {
    await drain();
    const openTask = async (name: string, step: string) => {
      const p = await payment(name);
      const task = (p.tasks as Body[]).find((t) => t.step === step && t.status === 'open');
      assert.ok(task, `an open ${step} task for ${name}: ${JSON.stringify(p.tasks)}`);
      return String(task.id);
    };
    const complete = async (task: string, who: string, status: number) =>
      expect(
        await call('POST', `/tasks/${task}/complete`, {
          ...as(who),
          key: key(),
          json: { outcome: 'approve', data: { comment: `checked by ${who}` } },
        }),
        status,
      );
    for (const name of Object.keys(pay)) {
      const pending = await payment(name);
      // Suppliers verified today, above 1 000.00: the shipped matrix's new-beneficiary row, two approvers.
      assert.deepEqual(
        [pending.status, pending.approval.rule, pending.approval.required, pending.anomalies],
        ['pending_approval', 'MX_NEW_BENEFICIARY', 2, []],
        name,
      );
      const first = await openTask(name, 'first_approval');
      assert.equal((await complete(first, 'tess', 409)).code, 'separation_of_duties', 'the maker');
      await complete(first, 'anna', 200);
      await drain();
      const second = await openTask(name, 'second_approval');
      assert.equal((await complete(second, 'anna', 409)).code, 'separation_of_duties', 'anna twice');
      assert.equal((await payment(name)).status, 'pending_approval');
      await complete(second, 'bob', 200);
      await drain();
      const approved = await payment(name);
      assert.equal(approved.status, 'approved', name);
      const approvals = (approved.approvals as Body[]).map((x) => `${x.by} ${x.level}/${x.of} ${x.outcome}`);
      assert.deepEqual(approvals, ['anna 1/2 approve', 'bob 2/2 approve']);
      assert.deepEqual(approved.hold, { transferId: `${approved.id}.hold`, state: 'held' });
      const hold = await get(`/ledger/transfers/${approved.id}.hold`);
      assert.deepEqual([hold.kind, hold.amount], ['pending', approved.amount]);
      pay[name] = approved;
    }
    const cash = await get(`/ledger/accounts/${account.ledgerAccountId}`);
    assert.equal(cash.creditsPending, '740230'); // 2 401.00 + 1 876.50 + 3 124.80 promised
  });

  test('4. batch and release: one pain.001 on the SFTP outbox, XSD-valid', async () => {
    expect(await call('POST', '/payment-batches', { ...as('vera'), key: key(), json: {} }), 403);
    const run = await post('/payment-batches', 'tess', {}, 201);
    assert.equal(run.data.length, 1);
    batch = run.data[0];
    assert.deepEqual(
      [batch.numberOfTransactions, batch.controlSum, batch.valueDate, batch.method, batch.status],
      [3, '740230', VALUE_DATE, 'sepa', 'created'],
    );
    expect(await call('POST', `/payment-batches/${batch.id}/release`, { ...as('vera'), json: {} }), 403);
    const released = await post(`/payment-batches/${batch.id}/release`, 'bob', {});
    assert.equal(released.status, 'released');
    assert.match(released.deliveryLocation, /^sftp:/);
    assert.deepEqual(readdirSync(sftp.localPath('/outbox')), [batch.fileName]);
    const xml = readFileSync(sftp.localPath(`/outbox/${batch.fileName}`), 'utf8');
    assert.deepEqual((await validateAgainstXsd(xml, batch.pain001Version)).errors, []);
    assert.match(xml, /<NbOfTxs>3<\/NbOfTxs>\s*<CtrlSum>7402\.30<\/CtrlSum>/);
    for (const [name, remittance] of Object.entries({ acme: 'A-1001', globex: 'G-2002', initech: 'I-3003' })) {
      const p = await payment(name);
      assert.deepEqual([p.status, p.batchId], ['sent', batch.id]);
      assert.ok(xml.includes(`<EndToEndId>${p.endToEndId}</EndToEndId>`), name);
      assert.ok(xml.includes(`<Ustrd>${remittance}</Ustrd>`), name);
      pay[name] = p;
    }
    assert.ok(xml.includes('<InstdAmt Ccy="EUR">2401.00</InstdAmt>'), 'the discounted amount');
  });

  test('5. a pain.002 collected from the SFTP inbox rejects one transfer: its hold is voided', async () => {
    const report = pain002({
      messageId: 'LOOP-STS-1',
      originalMessageId: batch.messageId,
      groupStatus: 'PART',
      blocks: [
        {
          id: String(pay.globex!.paymentInformationId),
          transactions: [
            { endToEndId: pay.acme!.endToEndId, status: 'ACCP' },
            { endToEndId: pay.globex!.endToEndId, status: 'RJCT', reasons: [{ code: 'AC04' }] },
            { endToEndId: pay.initech!.endToEndId, status: 'ACCP' },
          ],
        },
      ],
    });
    assert.deepEqual((await validateAgainstXsd(report, 'pain.002.001.10')).errors, []);
    writeFileSync(sftp.localPath('/inbox/01-status.xml'), report);
    const collected = await post(`/bank-accounts/${account.id}/collect`, 'tess', {});
    assert.deepEqual(collected.failed, []);
    assert.deepEqual(
      (collected.files as Body[]).map((f) => [f.name, f.kind]),
      [['01-status.xml', 'status_report']],
    );
    assert.deepEqual(await statuses(), ['accepted', 'rejected', 'accepted']);
    const rejected = await payment('globex');
    assert.deepEqual(
      [rejected.rejection.code, rejected.rejection.bank.reason.code, rejected.hold.state],
      ['rejected_by_bank', 'AC04', 'voided'],
    );
    assert.ok(await transferExists(`${rejected.id}.hold.void`), 'the hold is voided on the ledger');
    assert.equal((await get(`/payment-batches/${batch.id}`)).status, 'partially_accepted');
    assert.equal((await get(`/ledger/accounts/${account.ledgerAccountId}`)).creditsPending, '552580');
  });

  test('6. a camt.053 collected: executed, charged, returned, customer payments and two odd entries', async () => {
    clock.set(`${VALUE_DATE}T10:00:00Z`); // the bank's day; what fell due meanwhile runs first
    await drain();
    const e = (name: string, amount: bigint, direction: 'CRDT' | 'DBIT', more: Partial<CamtEntrySpec>) => ({
      name,
      spec: { amount, direction, bookingDate: VALUE_DATE, accountServicerReference: `LOOP-${name}`, ...more },
    });
    const rf = (ext: string) => receivableCreditorReference(ext)!;
    const list = [
      // The Acme payment plus the 2.50 charges the bank reports on the entry (added below).
      e('acme', 240_350n, 'DBIT', { endToEndId: pay.acme!.endToEndId, counterpartyName: 'Acme SARL' }),
      e('initech', 312_480n, 'DBIT', { endToEndId: pay.initech!.endToEndId, counterpartyName: 'Initech BV' }),
      e('return', 312_480n, 'CRDT', { endToEndId: pay.initech!.endToEndId, returnReason: 'AC04' }),
      e('rf', 84_210n, 'CRDT', { creditorReference: rf('INV7001'), counterpartyName: 'ZEPHYR LOGISTICS' }),
      e('name', 123_457n, 'CRDT', { unstructured: 'february delivery', counterpartyName: 'Quillon Textiles S.A.' }),
      e('partial', 75_000n, 'CRDT', { creditorReference: rf('INV7003'), counterpartyName: 'Harbor Foods' }),
      e('unknown', 7_777n, 'CRDT', { unstructured: 'gift', counterpartyName: 'Nobody Ltd' }),
      e('ambiguous', 25_000n, 'CRDT', { counterpartyName: 'Twin Traders' }),
    ];
    const specs = list.map((x) => x.spec);
    const statement = { messageId: 'LOOP-STMT-1', statementId: 'S-0304', iban: IBAN, currency: 'EUR' };
    // The charges on the Acme entry (camt.053.001.08: Chrgs after BkTxCd, included in the amount).
    const charges =
      '<Chrgs><TtlChrgsAndTaxAmt Ccy="EUR">2.50</TtlChrgsAndTaxAmt><Rcrd><Amt Ccy="EUR">2.50</Amt>' +
      '<CdtDbtInd>DBIT</CdtDbtInd><ChrgInclInd>true</ChrgInclInd><Br>DEBT</Br></Rcrd></Chrgs>';
    const xml = camt053({ ...statement, opening: 5_000_000n, date: VALUE_DATE }, specs).replace(
      /(<AcctSvcrRef>LOOP-acme<\/AcctSvcrRef><BkTxCd>.*?<\/BkTxCd>)/,
      `$1${charges}`,
    );
    assert.ok(xml.includes(charges));
    assert.deepEqual((await validateAgainstXsd(xml, 'camt.053.001.08')).errors, [], 'the bank file is schema-valid');
    writeFileSync(sftp.localPath('/inbox/02-statement.xml'), xml);

    const collected = await post(`/bank-accounts/${account.id}/collect`, 'tess', {});
    assert.deepEqual(collected.failed, []);
    assert.deepEqual(
      (collected.files as Body[]).map((f) => [f.name, f.kind, f.newEntries, f.reconciliationError]),
      [['02-statement.xml', 'statement', 8, null]],
    );
    assert.deepEqual(readdirSync(sftp.localPath('/inbox')), []);
    assert.deepEqual(readdirSync(sftp.localPath('/archive')).sort(), ['01-status.xml', '02-statement.xml']);
    await drain();
    const stored = (await get(`/bank-entries?statementId=${collected.files[0].ids[0]}`)).data as Body[];
    assert.equal(stored.length, 8);
    for (const [i, x] of list.entries()) entries[x.name] = await get(`/bank-entries/${stored[i]!.id}/reconciliation`);
  });

  test('7. the outcome: settled, returned, charged, receivables paid, cases closed, only planted exceptions, ledger balanced', async () => {
    const matches = (name: string) =>
      (entries[name]!.matches as Body[]).map((m) => [m.targetKind, m.targetId ?? null, m.amount, m.ruleCode]);
    // Every entry matched but the two planted ones.
    const notMatched = Object.entries(entries).filter(([, x]) => x.status !== 'matched');
    assert.equal(Object.keys(entries).length, 8);
    const odd = notMatched.map(([n, x]) => `${n}: ${x.status}`);
    assert.deepEqual(odd, ['unknown: exception', 'ambiguous: exception']);

    // Outgoing: Acme settled with its charges as a charge match; Initech settled, then returned.
    assert.deepEqual(matches('acme'), [
      ['outgoing_payment', pay.acme!.id, '240100', 'OUT_E2E'],
      ['charge', null, '250', 'OUT_E2E'],
    ]);
    assert.deepEqual(matches('initech'), [['outgoing_payment', pay.initech!.id, '312480', 'OUT_E2E']]);
    assert.deepEqual(matches('return'), [['outgoing_payment', pay.initech!.id, '312480', 'OUT_RETURN']]);
    assert.deepEqual(await statuses(), ['settled', 'rejected', 'returned']);
    const [acme, globex, initech] = [await payment('acme'), await payment('globex'), await payment('initech')];
    assert.deepEqual(
      (initech.history as Body[]).map((h) => h.to),
      ['pending_approval', 'approved', 'batched', 'sent', 'accepted', 'settled', 'returned'],
    );
    assert.equal(initech.rejection.code, 'AC04');
    for (const p of [acme, initech]) {
      assert.ok(await transferExists(`${p.id}.hold.post`), `${p.id}: hold posted`);
      assert.equal(await transferExists(`${p.id}.hold.void`), false, `${p.id}: hold not voided`);
    }
    assert.ok(await transferExists(`${initech.id}.return`), 'the return is posted');
    // What the payments say of their holds agrees with the ledger: a returned payment's hold stays posted.
    assert.deepEqual([acme.hold.state, globex.hold.state, initech.hold.state], ['posted', 'voided', 'posted']);

    // Incoming: RF and name + amount pay in full; the partial payment stays partial.
    assert.deepEqual(matches('rf'), [['receivable', (await receivable('INV7001')).id, '84210', 'IN_RF']]);
    assert.deepEqual(matches('name'), [['receivable', (await receivable('QT-7002')).id, '123457', 'IN_NAME_AMOUNT']]);
    assert.deepEqual(matches('partial'), [['receivable', (await receivable('INV7003')).id, '75000', 'IN_RF']]);
    const outstanding = async (ext: string) => {
      const r = await receivable(ext);
      return [r.status, r.outstanding];
    };
    assert.deepEqual(await outstanding('INV7001'), ['paid', '0']);
    assert.deepEqual(await outstanding('QT-7002'), ['paid', '0']);
    assert.deepEqual(await outstanding('INV7003'), ['open', '125000']);
    assert.deepEqual(await outstanding('TWIN-A'), ['open', '25000']);
    assert.deepEqual(await outstanding('TWIN-B'), ['open', '25000']);
    for (const ext of ['INV7001', 'QT-7002']) {
      const closed = await get(`/collections/cases/${cases[ext]}`);
      assert.deepEqual([closed.status, closed.outcome], ['closed', 'paid'], ext);
    }
    const stillOpen = await get(`/collections/cases/${cases.INV7003}`);
    assert.deepEqual([stillOpen.status, stillOpen.outcome ?? null], ['open', null]);

    // Exceptions: only the planted entries, each a task in the treasury queue.
    assert.equal(entries.unknown!.exceptionReason, 'no candidate found');
    assert.match(entries.ambiguous!.exceptionReason, /ambiguous: 2 candidates by name_amount/);
    const suggested = (entries.ambiguous!.suggestions as Body[]).map((x) => `${x.label} ${x.confidence}`);
    assert.deepEqual(suggested, ['TWIN-A 85', 'TWIN-B 85']);
    const exceptions = (await get('/reconciliation/exceptions', 'vera')).data as Body[];
    assert.deepEqual(
      exceptions.map((x) => x.id),
      [entries.unknown!.id, entries.ambiguous!.id],
    );
    const tasks = (await get('/tasks?queue=treasury-reconciliation&status=open', 'tess')).data as Body[];
    assert.deepEqual(tasks.map((t) => t.data.entryId).sort(), [entries.unknown!.id, entries.ambiguous!.id].sort());
    assert.deepEqual(
      ((await get('/tasks?queue=payment-approvers&status=open', 'anna')).data as Body[]).length,
      0,
      'no approval left open',
    );

    // The ledger: the bank account's cash moved by exactly what the bank booked; nothing pending anywhere.
    const cash = await get(`/ledger/accounts/${account.ledgerAccountId}`);
    assert.deepEqual(
      [cash.debitsPosted, cash.creditsPosted, cash.debitsPending, cash.creditsPending],
      ['312480', '552830', '0', '0'], // returned in; 2 401.00 + 3 124.80 + 2.50 charges out
    );
    // Every posting once: invoices 4 576.67, customer receipts 2 826.67, the two executed payments
    // 5 525.80, the return 3 124.80 and the charges 2.50 — 16 056.44 on each side.
    const trial = (await get('/ledger/trial-balance')).data as Body[];
    assert.deepEqual(trial, [
      {
        currency: 'EUR',
        debits: '1605644',
        credits: '1605644',
        debitsPending: '0',
        creditsPending: '0',
        balanced: true,
      },
    ]);
  });
});
