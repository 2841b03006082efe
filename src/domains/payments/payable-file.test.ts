/* eslint-disable @typescript-eslint/no-unsafe-return --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * A CSV file of supplier invoices through POST /payables/import on a real server: every line
 * becomes a payable pending approval (amounts in major units converted exactly, discounts computed
 * as POST /payables computes them), or — at any problem — nothing, with every problem named by line
 * and column.
 */

describe('payables from a CSV file', () => {
  let server: TestServer;
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  const tokens: Record<string, string> = {};
  const { call, expect } = apiClient(() => server);
  let account: Body;
  let usdAccount: Body;
  let acme: Body;
  let globex: Body;

  before(async () => {
    server = await startTestServer({ clock });
    for (const [name, role] of Object.entries({ tess: 'treasurer', anna: 'payment_approver', vera: 'viewer' })) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    const bankAccount = async (name: string, currency: string, iban: string, ledgerAccount: string) =>
      expect(
        await call('POST', '/bank-accounts', {
          token: tokens.tess!,
          json: { name, currency, iban, ownerName: 'Finflow Lending GmbH', ledgerAccount },
        }),
        201,
      );
    account = await bankAccount('Main EUR', 'EUR', 'DE89370400440532013000', 'cash:bank:main-eur');
    usdAccount = await bankAccount('Main USD', 'USD', 'DE02120300000000202051', 'cash:bank:main-usd');
    const beneficiary = async (name: string, iban: string) =>
      expect(
        await call('POST', '/beneficiaries', {
          token: tokens.tess!,
          json: { name, kind: 'supplier', bankDetails: { iban } },
        }),
        201,
      );
    acme = await beneficiary('Acme SARL', 'FR1420041010050500013M02606');
    globex = await beneficiary('Globex Ltd', 'GB82WEST12345698765432');
  });
  after(async () => server?.close());

  const upload = (csv: string, key: string | null = randomUUID(), token = tokens.tess!, type = 'text/csv') =>
    server.call('/api/v1/payables/import', {
      method: 'POST',
      token,
      headers: { 'content-type': type, ...(key === null ? {} : { 'idempotency-key': key }) },
      body: csv,
    });
  const answer = async (res: Response) => ({ status: res.status, body: (await res.json()) as Body });
  const PAYABLE_HEADER = [
    'beneficiaryId',
    'invoiceNumber',
    'amount',
    'currency',
    'dueDate',
    'bankAccountId',
    'discountDate',
    'discountPercent',
    'discountAmount',
  ];
  const payableCount = async () =>
    Number(
      (
        await server.database.db
          .selectFrom('payables')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  test('every line becomes a payable pending approval, in file order; the same key again answers the same', async () => {
    const csv = [
      'InvoiceNumber,beneficiaryId,amount,currency,dueDate,discountDate,discountPercent,discountAmount,bankAccountId',
      `INV-1,${acme.id},1000.00,EUR,2026-03-31,2026-03-10,2,,`,
      `"INV-2, March",${globex.id},250.5,,2026-04-15,,,,${account.id}`,
      `INV-3,${acme.id},99.99,USD,2026-03-20,2026-03-05,,5.00,`,
    ].join('\r\n');
    const key = randomUUID();
    const { status, body } = await answer(await upload(csv, key));
    assert.equal(status, 201, JSON.stringify(body));
    assert.equal(body.count, 3);
    const [one, two, three] = body.payables as Body[];
    assert.deepEqual(
      [one!.invoiceNumber, one!.amount, one!.currency, one!.bankAccountId, one!.dueDate, one!.status],
      ['INV-1', '100000', 'EUR', account.id, '2026-03-31', 'pending_approval'],
    );
    assert.deepEqual(one!.discount, { date: '2026-03-10', percent: '2', amount: '2000', payAmount: '98000' });
    assert.deepEqual([two!.invoiceNumber, two!.amount, two!.discount], ['INV-2, March', '25050', null]);
    // No bankAccountId: paid from the only active account in the line's currency.
    assert.deepEqual(
      [three!.currency, three!.bankAccountId, three!.amount, (three!.discount as Body).payAmount],
      ['USD', usdAccount.id, '9999', '9499'],
    );
    assert.equal(one!.createdBy, 'tess');

    const again = await answer(await upload(csv, key));
    assert.equal(again.status, 201);
    assert.deepEqual(
      (again.body.payables as Body[]).map((p) => p.id),
      [one!.id, two!.id, three!.id],
    );
    assert.equal(await payableCount(), 3);

    // Recorded as POST /payables records one: a second person approves, its maker may not.
    const self = await call('POST', `/payables/${one!.id}/approve`, { token: tokens.tess!, key: randomUUID() });
    assert.equal(self.status, 403, JSON.stringify(self.body)); // a treasurer holds no payments:approve
    expect(await call('POST', `/payables/${one!.id}/approve`, { token: tokens.anna!, key: randomUUID() }), 200);
    const audit = expect(await call('GET', `/audit?entityType=payable&entityId=${one!.id}&limit=10`), 200);
    assert.deepEqual(
      (audit.data as Body[]).map((r) => r.action),
      ['payable.created', 'payable.approved'],
    );
  });

  test('any problem refuses the whole file, each named by line and column; nothing is recorded', async () => {
    const before = await payableCount();
    const csv = [
      'beneficiaryId,invoiceNumber,amount,currency,dueDate,discountDate,discountPercent',
      `${acme.id},INV-10,10.00,EUR,2026-04-01,,`, // line 2: fine
      `ben_missing,INV-11,10.00,EUR,2026-04-01,,`, // line 3: unknown beneficiary
      `${acme.id},INV-1,10.00,EUR,2026-04-01,,`, // line 4: invoice already recorded
      `${globex.id},INV-12,10.001,EUR,2026-04-01,,`, // line 5: a third decimal
      `${globex.id},INV-13,10.00,EUR,2026-13-01,,`, // line 6: no such month (no Date at all)
      `${acme.id},INV-10,12.00,EUR,2026-04-02,,`, // line 7: repeats line 2
      `${globex.id},INV-14,10.00,CHF,2026-04-01,,`, // line 8: no CHF account
      `${globex.id},INV-15,10.00,EUR,2026-04-01,2026-04-05,2`, // line 9: discount after the due date
      `${globex.id},INV-16,10.00,EUR`, // line 10: too few values
    ].join('\n');
    const { status, body } = await answer(await upload(csv));
    assert.equal(status, 422, JSON.stringify(body));
    assert.equal(body.code, 'payable_file_invalid');
    const where = (body.issues as Body[]).map((i) => `${i.line}:${i.column}`);
    assert.deepEqual(where, [
      '3:beneficiaryId',
      '4:invoiceNumber',
      '5:amount',
      '6:dueDate',
      '7:invoiceNumber',
      '8:bankAccountId',
      '9:discountDate',
      '10:null',
    ]);
    const messages = (body.issues as Body[]).map((i) => String(i.message));
    assert.match(messages[1]!, /INV-1 of beneficiary .* is already recorded/);
    assert.match(messages[2]!, /3 decimal places; EUR has 2/);
    assert.match(messages[4]!, /repeats line 2/);
    assert.match(messages[5]!, /no active bank account in CHF/);
    assert.equal(await payableCount(), before);

    // A discount amount that is itself wrong is reported once, on its own column.
    const discount = await answer(
      await upload(
        'beneficiaryId,invoiceNumber,amount,currency,dueDate,discountDate,discountAmount\n' +
          `${acme.id},INV-20,10.00,EUR,2026-04-01,2026-03-20,1.001\n`,
      ),
    );
    assert.equal(discount.status, 422);
    assert.deepEqual(
      (discount.body.issues as Body[]).map((i) => `${i.line}:${i.column}`),
      ['2:discountAmount'],
    );
  });

  test('the header, the media type, the key and the role are checked before the lines', async () => {
    const header = await answer(await upload('beneficiaryId,invoice,amount\nx,y,1\n'));
    assert.equal(header.status, 422);
    assert.deepEqual(
      (header.body.issues as Body[]).map((i) => `${i.line}:${i.column}`),
      ['1:invoice', '1:invoiceNumber', '1:dueDate'],
    );
    assert.equal((await upload('beneficiaryId,invoiceNumber,amount,dueDate\n')).status, 422); // no lines
    assert.equal((await upload('', randomUUID())).status, 400);
    assert.equal((await upload('a', randomUUID(), tokens.tess, 'application/xml')).status, 415);
    assert.equal((await upload('beneficiaryId,invoiceNumber,amount,dueDate\nx,y,1,2026-01-01\n', null)).status, 400);
    assert.equal(
      (
        await upload(
          `beneficiaryId,invoiceNumber,amount,dueDate\n${acme.id},Z,1,2026-05-01\n`,
          randomUUID(),
          tokens.vera,
        )
      ).status,
      403,
    );
  });

  test('hostile files (300, seeded): never a 5xx, and a refused file records nothing', async () => {
    // The fuzz suite sends no CSV bodies, so the cells a person or a script can put in a file are
    // tried here: impossible dates, huge and odd amounts, quotes, control characters, other scripts.
    const cells = [
      '',
      '0',
      '-1',
      '1.001',
      '1e3',
      '99999999999999999999',
      '12,5',
      '2026-13-01',
      '2026-02-30',
      '0000-00-00',
      '9999-12-31',
      'EUR',
      'eur',
      'XXX',
      '"',
      '""',
      'a\u0000b',
      '\u202e',
      '😀',
      '  ',
      'RF18539007547034',
      String(acme.id),
      String(globex.id),
      String(account.id),
      'ben_nope',
      'x'.repeat(200),
      '2026-03-03',
      '100.00',
    ];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const statuses: Record<number, number> = {};
    for (let i = 0; i < 300; i++) {
      const before = await payableCount();
      const columns = [...PAYABLE_HEADER].sort(() => random(3) - 1).slice(0, 3 + random(7));
      const lines = Array.from({ length: 1 + random(4) }, () =>
        columns.map(() => quote(cells[random(cells.length)]!)).join(','),
      );
      const file = [columns.join(','), ...lines].join(random(2) ? '\n' : '\r\n');
      const res = await upload(file);
      const body = await res.text();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      assert.ok(res.status < 500, `file ${i} → ${res.status}: ${body}\n${JSON.stringify(file)}`);
      if (res.status !== 201) assert.equal(await payableCount(), before, `file ${i} refused but wrote`);
    }
    assert.ok((statuses[422] ?? 0) > 100, JSON.stringify(statuses)); // most reach the line checks
  });
});
