/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../../core/clock.js';
import { apiClient, type Body } from '../../../testing/api-client.js';
import { camt053, type CamtEntrySpec } from '../../../testing/camt053-file.js';
import { testTmpDir } from '../../../testing/test-database.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';
import { creditorReferenceFor, parseCreditorReference } from './creditor-reference.js';
import { nameSimilarity } from './names.js';
import { RECONCILIATION_RULES_KEY, reconciliationRulesJdm } from './rules.js';

/**
 * Reconciliation through the HTTP API: a camt.053 with incoming customer payments (a structured RF
 * reference, only the external id in the text, only name + amount, a partial one, an unknown one, an
 * ambiguous one), an outgoing payment settled by its end-to-end id and another one returned; then a
 * person matches an exception by hand, ignores another and reverses a match; the report.
 */

const IBAN = 'DE89370400440532013000';
const QUEUE = 'treasury-reconciliation';

describe('reconciliation', () => {
  let server: TestServer;
  // Monday 2 March 2026.
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  const dataDir = testTmpDir();
  const tokens: Record<string, string> = {};
  const { call, expect, expectProblem } = apiClient(() => server);
  const as = (name: string) => ({ token: tokens[name]! });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await probe();
      if (done(value)) return value;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
      await sleep(50);
    }
  }

  let account: Body;
  const payments: Body[] = [];
  const receivable = async (ref: string) => expect(await call('GET', `/receivables/${ref}`), 200);
  const entryOf = async (id: string) => expect(await call('GET', `/bank-entries/${id}/reconciliation`), 200);

  before(async () => {
    server = await startTestServer({ clock, config: { dataDir } });
    for (const [name, role] of Object.entries({ tess: 'treasurer', anna: 'payment_approver', vera: 'viewer' })) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    account = expect(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        json: {
          name: 'Main EUR',
          currency: 'EUR',
          iban: IBAN,
          bic: 'COBADEFFXXX',
          ownerName: 'Finflow GmbH',
          ledgerAccount: 'cash:bank:main',
          pain001Version: 'pain.001.001.09',
        },
      }),
      201,
    );
  });
  after(async () => server?.close());

  test('creditor references (ISO 11649) and name similarity', () => {
    assert.equal(creditorReferenceFor('539007547034'), 'RF18539007547034');
    assert.equal(creditorReferenceFor('inv1001'), creditorReferenceFor('INV1001'));
    assert.equal(creditorReferenceFor('INV-1'), null, 'only letters and digits');
    assert.equal(creditorReferenceFor('A'.repeat(22)), null, 'at most 21 characters');
    assert.deepEqual(parseCreditorReference('RF18 5390 0754 7034'), { kind: 'rf', body: '539007547034' });
    assert.equal(parseCreditorReference('RF19539007547034').kind, 'invalid_rf');
    assert.equal(parseCreditorReference('123456').kind, 'other');
    assert.equal(nameSimilarity('GARCIA ANA', 'Ana García'), 1);
    assert.equal(nameSimilarity('ACME SL', 'Acme S.L.'), 1);
    assert.ok(nameSimilarity('Bob Builder', 'Twin Traders') < 0.5);
  });

  test('setup: customers, receivables (one overdue), two payments sent to the bank', async () => {
    const customers = [
      ['C-ANA', 'Ana García'],
      ['C-ACME', 'Acme Industries SL'],
      ['C-BOB', 'Bob Builder'],
      ['C-CARLA', 'Carla Ruiz'],
      ['C-TWIN', 'Twin Traders'],
    ];
    for (const [externalId, name] of customers) {
      expect(
        await call('POST', '/customers', {
          json: { externalId, name, email: `${externalId!.toLowerCase()}@example.com`, language: 'en' },
        }),
        201,
      );
    }
    const invoices = [
      ['INV1001', 'C-ANA', '50000', '2026-02-15'],
      ['INV-2002', 'C-ACME', '30000', '2026-03-10'],
      ['INV3003', 'C-BOB', '12345', '2026-03-05'],
      ['INV4004', 'C-CARLA', '100000', '2026-03-01'],
      ['TWIN-A', 'C-TWIN', '25000', '2026-03-03'],
      ['TWIN-B', 'C-TWIN', '25000', '2026-03-04'],
      ['INV5005', 'C-CARLA', '30000', '2026-03-02'],
    ];
    for (const [externalId, customer, amount, dueDate] of invoices) {
      expect(
        await call('POST', '/receivables', {
          json: {
            externalId,
            customerExternalId: customer,
            kind: 'invoice',
            currency: 'EUR',
            issueDate: '2026-01-15',
            amount,
            dueDate,
          },
        }),
        201,
      );
    }
    expect(await call('POST', '/receivables/close-of-business', { json: { asOf: '2026-03-02' } }), 200);
    const overdue = await receivable('INV1001');
    assert.ok(overdue.dpd > 0, `INV1001 is overdue: ${overdue.dpd}`);

    // Outgoing: two small payments to a verified supplier (approved automatically), batched, released.
    const beneficiary = expect(
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
    for (const amount of ['10000', '20000']) {
      const created = expect(
        await call('POST', '/payments', {
          ...as('tess'),
          key: `test-${randomUUID()}`,
          json: {
            bankAccountId: account.id,
            beneficiaryId: beneficiary.id,
            amount,
            requestedExecutionDate: '2026-03-02',
            remittance: { unstructured: `Supplier invoice ${amount}` },
          },
        }),
        201,
      );
      payments.push(
        await waitFor(
          `payment ${created.id} approved`,
          async () => expect(await call('GET', `/payments/${created.id}`), 200),
          (p) => p.status === 'approved',
        ),
      );
    }
    const batches = expect(
      await call('POST', '/payment-batches', { ...as('tess'), key: `test-${randomUUID()}`, json: {} }),
      201,
    ).data as Body[];
    assert.equal(batches.length, 1);
    expect(await call('POST', `/payment-batches/${batches[0]!.id}/release`, as('anna')), 200);
    for (const p of payments) assert.equal(expect(await call('GET', `/payments/${p.id}`), 200).status, 'sent');
  });

  const entries: Record<string, Body> = {};

  test('a camt.053 is imported and matched: RF, text, name + amount, partial, settled, returned; exceptions get tasks', async () => {
    const rf = creditorReferenceFor('INV1001')!;
    const rf4 = creditorReferenceFor('INV4004')!;
    const day = '2026-03-02';
    const e = (over: Partial<CamtEntrySpec>): CamtEntrySpec => ({
      amount: 0n,
      direction: 'CRDT',
      bookingDate: day,
      ...over,
    });
    const specs: Record<string, CamtEntrySpec> = {
      rf: e({
        amount: 50_000n,
        creditorReference: rf,
        counterpartyName: 'Someone Else',
        accountServicerReference: 'A1',
      }),
      text: e({
        amount: 30_000n,
        unstructured: 'Payment for invoice INV-2002, thanks',
        accountServicerReference: 'A2',
      }),
      name: e({ amount: 12_345n, counterpartyName: 'BUILDER BOB', accountServicerReference: 'A3' }),
      partial: e({
        amount: 40_000n,
        creditorReference: rf4,
        counterpartyName: 'Carla Ruiz',
        accountServicerReference: 'A4',
      }),
      unknown: e({
        amount: 7_777n,
        counterpartyName: 'Nobody Ltd',
        unstructured: 'gift',
        accountServicerReference: 'A5',
      }),
      twin: e({ amount: 25_000n, counterpartyName: 'Twin Traders', accountServicerReference: 'A6' }),
      over: e({
        amount: 35_000n,
        creditorReference: creditorReferenceFor('INV5005')!,
        counterpartyName: 'Carla Ruiz',
        accountServicerReference: 'A10',
      }),
      settled: e({
        amount: 10_000n,
        direction: 'DBIT',
        endToEndId: String(payments[0]!.endToEndId),
        counterpartyName: 'Acme SARL',
        accountServicerReference: 'A7',
      }),
      settled2: e({
        amount: 20_000n,
        direction: 'DBIT',
        endToEndId: String(payments[1]!.endToEndId),
        counterpartyName: 'Acme SARL',
        accountServicerReference: 'A8',
      }),
      returned: e({
        amount: 20_000n,
        endToEndId: String(payments[1]!.endToEndId),
        returnReason: 'AC04',
        counterpartyName: 'Acme SARL',
        accountServicerReference: 'A9',
      }),
    };
    const names = Object.keys(specs);
    const file = camt053(
      { messageId: 'MSG-R1', statementId: 'R1', iban: IBAN, currency: 'EUR', opening: 0n, date: day },
      names.map((n) => specs[n]!),
    );
    const res = await server.call('/api/v1/statements', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: file,
    });
    const body = (await res.json()) as Body;
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.equal(body.reconciliationError, null);
    assert.deepEqual(body.reconciliation, { entries: 10, matched: 7, partlyMatched: 1, exceptions: 2, skipped: 0 });

    const list = expect(await call('GET', `/bank-entries?statementId=${body.statements[0].id}`), 200).data as Body[];
    for (const [i, n] of names.entries()) entries[n] = await entryOf(String(list[i]!.id));

    // RF reference: matched, receivable paid, its delinquency cured.
    assert.equal(entries.rf!.status, 'matched');
    assert.deepEqual(
      [entries.rf!.matches[0].targetKind, entries.rf!.matches[0].ruleCode, entries.rf!.matches[0].matchedBy],
      ['receivable', 'IN_RF', 'auto'],
    );
    const inv1 = await receivable('INV1001');
    assert.deepEqual([inv1.status, inv1.outstanding, inv1.dpd], ['paid', '0', 0]);
    const paid = expect(await call('GET', `/receivables/INV1001/payments`), 200);
    const paidList = (Array.isArray(paid) ? paid : paid.data) as Body[];
    assert.equal(paidList[0]!.externalId, entries.rf!.id, 'the payment is keyed by the bank entry');
    assert.equal(paidList[0]!.receivedOn, day);

    assert.deepEqual([entries.text!.status, entries.text!.matches[0].ruleCode], ['matched', 'IN_TEXT_EXACT']);
    assert.equal((await receivable('INV-2002')).status, 'paid');
    assert.deepEqual([entries.name!.status, entries.name!.matches[0].ruleCode], ['matched', 'IN_NAME_AMOUNT']);
    assert.equal((await receivable('INV3003')).status, 'paid');

    // Partial: posted as partial, the receivable stays open with the rest.
    assert.equal(entries.partial!.status, 'matched');
    const inv4 = await receivable('INV4004');
    assert.deepEqual([inv4.status, inv4.outstanding], ['open', '60000']);

    // More than the open amount: the open amount is posted, the rest is an exception.
    assert.equal(entries.over!.status, 'exception');
    assert.equal(entries.over!.remaining, '5000');
    assert.match(entries.over!.exceptionReason, /^5000 left over after paying INV5005/);
    assert.equal(entries.over!.matches[0].amount, '30000');
    assert.equal((await receivable('INV5005')).status, 'paid');

    // Outgoing: settled by end-to-end id, the ledger hold posted; the second settled, then returned.
    assert.deepEqual([entries.settled!.status, entries.settled!.matches[0].ruleCode], ['matched', 'OUT_E2E']);
    const p1 = expect(await call('GET', `/payments/${payments[0]!.id}`), 200);
    assert.equal(p1.status, 'settled');
    assert.equal(p1.hold.state, 'posted');
    const post = await server.database.db
      .selectFrom('ledger_transfers')
      .select(['id', 'kind', 'amount'])
      .where('id', '=', `${p1.hold.transferId}.post`)
      .executeTakeFirst();
    assert.ok(post, 'the pending hold was posted');
    assert.equal(String(post.amount), '10000');
    assert.equal(entries.settled2!.status, 'matched');
    assert.deepEqual([entries.returned!.status, entries.returned!.matches[0].ruleCode], ['matched', 'OUT_RETURN']);
    const p2 = expect(await call('GET', `/payments/${payments[1]!.id}`), 200);
    assert.equal(p2.status, 'returned');
    assert.equal(p2.rejection.code, 'AC04');
    assert.deepEqual(
      (p2.history as Body[]).slice(-2).map((h) => h.to),
      ['settled', 'returned'],
    );

    // Unknown: an exception without suggestions; ambiguous: two suggestions, both Twin Traders.
    assert.equal(entries.unknown!.status, 'exception');
    assert.equal(entries.unknown!.exceptionReason, 'no candidate found');
    assert.deepEqual(entries.unknown!.suggestions, []);
    assert.equal(entries.twin!.status, 'exception');
    assert.match(entries.twin!.exceptionReason, /ambiguous: 2 candidates by name_amount/);
    assert.deepEqual(
      (entries.twin!.suggestions as Body[]).map((s) => [s.rank, s.label, s.confidence]),
      [
        [1, 'TWIN-A', 85],
        [2, 'TWIN-B', 85],
      ],
    );

    // Each exception is a task in the treasury queue, with the suggestions in its data.
    const tasks = await waitFor(
      'three exception tasks',
      async () => expect(await call('GET', `/tasks?queue=${QUEUE}&status=open`, as('tess')), 200).data as Body[],
      (t) => t.length === 3,
    );
    const twinTask = tasks.find((t) => t.data.entryId === entries.twin!.id)!;
    assert.equal(twinTask.data.suggestions.length, 2);
    assert.equal(twinTask.data.reason, entries.twin!.exceptionReason);

    const page = expect(await call('GET', '/reconciliation/exceptions', as('vera')), 200);
    assert.deepEqual(
      (page.data as Body[]).map((x) => x.id),
      [entries.unknown!.id, entries.twin!.id, entries.over!.id],
    );

    // Importing the same file again matches nothing again.
    const again = await server.call('/api/v1/statements', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: file,
    });
    const againBody = (await again.json()) as Body;
    assert.equal(againBody.newEntries, 0);
    assert.equal(againBody.reconciliation, null);
  });

  test('a person matches the ambiguous entry, ignores the unknown one; their tasks close', async () => {
    const twin = entries.twin!.id;
    expect(
      await call('POST', `/bank-entries/${twin}/match`, {
        ...as('vera'),
        json: { targets: [{ kind: 'receivable', targetId: 'TWIN-A', amount: '25000' }] },
      }),
      403,
    );
    expectProblem(
      await call('POST', `/bank-entries/${twin}/match`, { ...as('tess'), json: { targets: [] } }),
      400,
      'body.targets',
    );
    expectProblem(
      await call('POST', `/bank-entries/${twin}/match`, {
        ...as('tess'),
        json: { targets: [{ kind: 'receivable', targetId: 'TWIN-A', amount: '-5' }] },
      }),
      400,
      'body.targets.0.amount',
    );
    expectProblem(
      await call('POST', `/bank-entries/${twin}/match`, {
        ...as('tess'),
        json: { targets: [{ kind: 'receivable', targetId: 'TWIN-A', amount: '25001' }] },
      }),
      422,
      'body.targets',
    );
    expectProblem(
      await call('POST', `/bank-entries/${twin}/match`, {
        ...as('tess'),
        json: { targets: [{ kind: 'receivable', targetId: 'NOPE', amount: '100' }] },
      }),
      422,
      'body.targets.0.targetId',
    );
    expect(
      await call('POST', '/bank-entries/bke_nope/match', {
        ...as('tess'),
        json: { targets: [{ kind: 'charge', amount: '1' }] },
      }),
      404,
    );

    // A split: 24 990 to TWIN-A, 10 as bank charges.
    const matched = expect(
      await call('POST', `/bank-entries/${twin}/match`, {
        ...as('tess'),
        json: {
          targets: [
            { kind: 'receivable', targetId: 'TWIN-A', amount: '24990' },
            { kind: 'charge', amount: '10' },
          ],
          note: 'customer confirmed by phone',
        },
      }),
      200,
    );
    assert.equal(matched.status, 'matched');
    assert.deepEqual(
      (matched.matches as Body[]).map((m) => [m.targetKind, m.amount, m.matchedBy, m.ruleCode]),
      [
        ['receivable', '24990', 'tess', 'manual'],
        ['charge', '10', 'tess', 'manual'],
      ],
    );
    assert.equal((await receivable('TWIN-A')).outstanding, '10');
    assert.equal((await receivable('TWIN-B')).outstanding, '25000');

    expectProblem(
      await call('POST', `/bank-entries/${entries.unknown!.id}/ignore`, { ...as('tess'), json: {} }),
      400,
      'body.reason',
    );
    const ignored = expect(
      await call('POST', `/bank-entries/${entries.unknown!.id}/ignore`, {
        ...as('tess'),
        json: { reason: 'a test credit from the bank' },
      }),
      200,
    );
    assert.deepEqual([ignored.status, ignored.ignoredReason], ['ignored', 'a test credit from the bank']);
    expect(
      await call('POST', `/bank-entries/${entries.unknown!.id}/ignore`, { ...as('tess'), json: { reason: 'again' } }),
      409,
    );

    await waitFor(
      'the tasks of the worked exceptions closed',
      async () => expect(await call('GET', `/tasks?queue=${QUEUE}&status=open`, as('tess')), 200).data as Body[],
      (t) => t.length === 1 && t[0]!.data.entryId === entries.over!.id,
    );
    const audit = expect(await call('GET', `/audit?entityType=bank_entry&entityId=${twin}&limit=100`), 200);
    assert.deepEqual(
      (audit.data as Body[]).map((r) => r.action).filter((a: string) => a.startsWith('bank_')),
      ['bank_match.created', 'bank_match.created'],
    );
  });

  test('reversing a match reverses the receivable payment; the entry is unmatched and only suggested after', async () => {
    const match = entries.name!.matches[0];
    expectProblem(
      await call('POST', `/bank-matches/${match.id}/reverse`, { ...as('tess'), json: {} }),
      400,
      'body.reason',
    );
    expect(await call('POST', '/bank-matches/bkm_nope/reverse', { ...as('tess'), json: { reason: 'x' } }), 404);
    const reversed = expect(
      await call('POST', `/bank-matches/${match.id}/reverse`, {
        ...as('tess'),
        json: { reason: 'Bob paid another bill' },
      }),
      200,
    );
    assert.equal(reversed.reversedBy, 'tess');
    const inv3 = await receivable('INV3003');
    assert.deepEqual([inv3.status, inv3.outstanding], ['open', '12345']);
    assert.equal((await entryOf(String(entries.name!.id))).status, 'unmatched');
    expect(await call('POST', `/bank-matches/${match.id}/reverse`, { ...as('tess'), json: { reason: 'twice' } }), 409);
    // A settlement is the bank's fact: not reversed here.
    expect(
      await call('POST', `/bank-matches/${entries.settled!.matches[0].id}/reverse`, {
        ...as('tess'),
        json: { reason: 'x' },
      }),
      409,
    );

    // Run again: the entry is not confirmed automatically again, it becomes an exception suggesting INV3003.
    const run = expect(await call('POST', '/reconciliation/run', { ...as('tess'), json: {} }), 200);
    // Both open entries are tried again: the reversed one and the over-payment's rest (never posted twice).
    assert.deepEqual([run.entries, run.exceptions], [2, 2]);
    assert.equal((await entryOf(String(entries.over!.id))).remaining, '5000');
    const after = await entryOf(String(entries.name!.id));
    assert.equal(after.status, 'exception');
    assert.equal(after.suggestions[0].label, 'INV3003');
    assert.equal((await receivable('INV3003')).outstanding, '12345');
  });

  test('the report: match rate, exceptions by age, unreconciled per account and day', async () => {
    expectProblem(await call('GET', '/reconciliation/report?from=2026-03-05&to=2026-03-01'), 400, 'query.to');
    expectProblem(await call('GET', '/reconciliation/report?from=nope'), 400, 'query.from');
    const report = expect(await call('GET', '/reconciliation/report?from=2026-03-01&to=2026-03-02', as('vera')), 200);
    assert.deepEqual(
      [report.entries, report.matched, report.autoMatched, report.manuallyMatched, report.exceptions, report.ignored],
      [10, 7, 6, 1, 2, 1],
    );
    assert.equal(report.matchRate, 0.7778);
    assert.deepEqual(report.exceptionsByAge[0], {
      age: '0-1',
      count: 2,
      amounts: [{ currency: 'EUR', amount: '17345' }],
    });
    assert.deepEqual(report.unreconciled, [
      {
        bankAccountId: account.id,
        currency: 'EUR',
        bookingDate: '2026-03-02',
        entries: 2,
        credit: '17345',
        debit: '0',
      },
    ]);
  });

  test('entries of one statement that pay one receivable in parts are matched one after the other', async () => {
    for (const [externalId, amount] of [
      ['INV6006', '40000'],
      ['INV7007', '15000'],
    ]) {
      expect(
        await call('POST', '/receivables', {
          json: {
            externalId,
            customerExternalId: 'C-ANA',
            kind: 'invoice',
            currency: 'EUR',
            issueDate: '2026-02-01',
            amount,
            dueDate: '2026-03-10',
          },
        }),
        201,
      );
    }
    const day = '2026-03-03';
    const e = (amount: bigint, text: string, ref: string): CamtEntrySpec => ({
      amount,
      direction: 'CRDT',
      bookingDate: day,
      unstructured: text,
      counterpartyName: 'Ana Garcia',
      accountServicerReference: ref,
    });
    const file = camt053(
      { messageId: 'MSG-R2', statementId: 'R2', iban: IBAN, currency: 'EUR', opening: 0n, date: day },
      [e(20_000n, 'INV6006 first half', 'B1'), e(20_000n, 'INV6006 second half', 'B2'), e(15_000n, 'INV7007', 'B3')],
    );
    const res = await server.call('/api/v1/statements', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: file,
    });
    const body = (await res.json()) as Body;
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.deepEqual(body.reconciliation, { entries: 3, matched: 3, partlyMatched: 0, exceptions: 0, skipped: 0 });
    const list = expect(await call('GET', `/bank-entries?statementId=${body.statements[0].id}`), 200).data as Body[];
    const [first, second, third] = await Promise.all(list.map((entry) => entryOf(String(entry.id))));
    // The second half is matched after the first is posted: it then pays exactly what is left.
    assert.deepEqual(
      [first!.matches[0].ruleCode, first!.matches[0].amount, second!.matches[0].ruleCode, second!.matches[0].amount],
      ['IN_TEXT', '20000', 'IN_TEXT_EXACT', '20000'],
    );
    assert.deepEqual(
      [third!.status, third!.matches[0].ruleCode, third!.matches[0].targetId],
      ['matched', 'IN_TEXT_EXACT', (await receivable('INV7007')).id],
    );
    assert.deepEqual([(await receivable('INV6006')).status, (await receivable('INV7007')).status], ['paid', 'paid']);
    const audit = expect(await call('GET', `/audit?entityType=bank_entry&entityId=${third!.id}&limit=10`), 200);
    const created = (audit.data as Body[]).filter((r) => r.action === 'bank_match.created');
    assert.equal(created.length, 1);
    assert.deepEqual([created[0]!.before.status, created[0]!.after.amount], ['unmatched', '15000']);
  });

  test('a rules decision that answers nonsense: the statement stays imported, its entry unmatched until a run', async () => {
    // Every row answers the confidence 'high': not a number 0-100.
    const nonsense = reconciliationRulesJdm();
    for (const node of nonsense.nodes) {
      if (node.type !== 'decisionTableNode') continue;
      for (const rule of (node.content as { rules: Array<Record<string, string>> }).rules) rule.confidence = "'high'";
    }
    expect(await call('PUT', `/decisions/${RECONCILIATION_RULES_KEY}`, { json: nonsense }), 201);
    const day = '2026-03-04';
    const file = camt053(
      { messageId: 'MSG-R3', statementId: 'R3', iban: IBAN, currency: 'EUR', opening: 0n, date: day },
      [
        {
          amount: 12_345n,
          direction: 'CRDT',
          bookingDate: day,
          counterpartyName: 'Bob Builder',
          accountServicerReference: 'C1',
        },
      ],
    );
    const res = await server.call('/api/v1/statements', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: file,
    });
    const body = (await res.json()) as Body;
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.equal(body.newEntries, 1);
    assert.equal(body.reconciliation, null);
    assert.match(
      String(body.reconciliationError),
      /^treasury\.reconciliation-rules@\d+ answered .*confidence and autoConfirmAt must be numbers 0-100$/,
    );
    const [entry] = expect(await call('GET', `/bank-entries?statementId=${body.statements[0].id}`), 200).data as Body[];
    assert.equal(entry!.status, 'unmatched');

    // The shipped rules again: a run matches the entry.
    expect(await call('PUT', `/decisions/${RECONCILIATION_RULES_KEY}`, { json: reconciliationRulesJdm() }), 201);
    const run = expect(
      await call('POST', '/reconciliation/run', { ...as('tess'), json: { includeExceptions: false } }),
      200,
    );
    assert.deepEqual([run.entries, run.matched], [1, 1]);
    assert.equal((await entryOf(String(entry!.id))).status, 'matched');
  });
});
