/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../../core/clock.js';
import { apiClient, type Body } from '../../../testing/api-client.js';
import { camt053, type CamtEntrySpec } from '../../../testing/camt053-file.js';
import { testTmpDir } from '../../../testing/test-database.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';
import { verifiedBeneficiary } from '../../../testing/verified-beneficiary.js';

/**
 * Batch bookings: a released pain.001 (batch booking on) comes back on the camt.053 as ONE debit of
 * the file's total, its payments listed as transactions. Matching settles each payment by its
 * transaction's end-to-end id and books the bank's charges, all or nothing: a booking with a
 * transaction that names no sent payment, or whose payments do not add up, goes to a person whole,
 * with the payments it found as suggestions, and settles none of them.
 */

const IBAN = 'DE89370400440532013000';
const DAY = '2026-03-02';

describe('reconciliation: batch bookings', () => {
  let server: TestServer;
  const clock = new ManualClock(`${DAY}T10:00:00Z`);
  const tokens: Record<string, string> = {};
  const client = apiClient(() => server);
  const { call, expect } = client;
  const as = (name: string) => ({ token: tokens[name]! });
  const tokensOf = (maker: string, checker: string) => ({ maker: tokens[maker]!, checker: tokens[checker]! });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let account: Body;
  let supplier: Body;
  let statements = 0;

  before(async () => {
    server = await startTestServer({ clock, config: { dataDir: testTmpDir() } });
    for (const [name, role] of Object.entries({ tess: 'treasurer', anna: 'payment_approver' })) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    account = expect(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        key: `test-${randomUUID()}`,
        json: {
          name: 'Main EUR',
          currency: 'EUR',
          iban: IBAN,
          bic: 'COBADEFFXXX',
          ownerName: 'Finflow GmbH',
          ledgerAccount: 'cash:bank:main',
        },
      }),
      201,
    );
    supplier = await verifiedBeneficiary(client, tokensOf('tess', 'anna'), {
      name: 'Acme SARL',
      bankDetails: { iban: 'FR1420041010050500013M02606' },
    });
  });
  after(async () => server?.close());

  /** Small payments to a verified supplier (approved automatically), batched into one file and released. */
  async function sentBatch(amounts: string[]): Promise<Body[]> {
    return (await sentFile(amounts)).payments;
  }

  async function sentFile(amounts: string[]): Promise<{ payments: Body[]; batch: Body }> {
    const ids: string[] = [];
    for (const amount of amounts) {
      const created = expect(
        await call('POST', '/payments', {
          ...as('tess'),
          key: `test-${randomUUID()}`,
          json: {
            bankAccountId: account.id,
            beneficiaryId: supplier.id,
            amount,
            requestedExecutionDate: DAY,
            remittance: { unstructured: `Invoice ${amount}` },
          },
        }),
        201,
      );
      ids.push(String(created.id));
    }
    for (const id of ids) {
      const deadline = Date.now() + 30_000;
      while (expect(await call('GET', `/payments/${id}`), 200).status !== 'approved') {
        if (Date.now() > deadline) assert.fail(`payment ${id} was not approved`);
        await sleep(50);
      }
    }
    const [batch] = expect(
      await call('POST', '/payment-batches', { ...as('tess'), key: `test-${randomUUID()}`, json: {} }),
      201,
    ).data as Body[];
    assert.equal(batch!.numberOfTransactions, amounts.length);
    expect(await call('POST', `/payment-batches/${batch!.id}/release`, as('anna')), 200);
    const payments = await Promise.all(ids.map(async (id) => expect(await call('GET', `/payments/${id}`), 200)));
    return { payments, batch: batch! };
  }

  /** Imports a camt.053 with `entries` and answers the first entry's reconciliation. */
  async function imported(entries: CamtEntrySpec[]): Promise<Body> {
    statements += 1;
    const file = camt053(
      {
        messageId: `MSG-B${statements}`,
        statementId: `B${statements}`,
        iban: IBAN,
        currency: 'EUR',
        opening: 0n,
        date: DAY,
      },
      entries,
    );
    const res = await server.call('/api/v1/statements', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: file,
    });
    const body = (await res.json()) as Body;
    assert.equal(res.status, 201, JSON.stringify(body));
    const [entry] = expect(await call('GET', `/bank-entries?statementId=${body.statements[0].id}`), 200).data as Body[];
    return expect(await call('GET', `/bank-entries/${entry!.id}/reconciliation`), 200);
  }
  const statusOf = async (id: string) => expect(await call('GET', `/payments/${id}`), 200).status;

  test('one debit for three payments and the bank’s charges: each payment settled, the charges booked', async () => {
    const payments = await sentBatch(['10000', '20000', '30000']);
    const entry = await imported([
      {
        amount: 60_250n,
        direction: 'DBIT',
        bookingDate: DAY,
        charges: 250n,
        accountServicerReference: 'BATCH-1',
        transactions: payments.map((p) => ({
          endToEndId: String(p.endToEndId),
          amount: BigInt(p.amount),
          counterpartyName: 'ACME SARL',
        })),
      },
    ]);
    assert.equal(entry.status, 'matched', JSON.stringify(entry));
    assert.deepEqual(
      entry.matches.map((m: Body) => [m.targetKind, m.targetId, m.amount, m.ruleCode, m.matchedBy]),
      [
        ...payments.map((p) => ['outgoing_payment', p.id, p.amount, 'OUT_E2E', 'auto']),
        ['charge', null, '250', 'OUT_E2E', 'auto'],
      ],
    );
    for (const p of payments) assert.equal(await statusOf(p.id), 'settled');
  });

  test('a transaction naming no sent payment: the whole booking to a person, nothing settled', async () => {
    const payments = await sentBatch(['11100', '22200']);
    const entry = await imported([
      {
        amount: 33_300n + 5_000n,
        direction: 'DBIT',
        bookingDate: DAY,
        accountServicerReference: 'BATCH-2',
        transactions: [
          { endToEndId: String(payments[0]!.endToEndId), amount: 11_100n },
          { endToEndId: 'NOT-OURS-1', amount: 5_000n },
          { endToEndId: String(payments[1]!.endToEndId), amount: 22_200n },
        ],
      },
    ]);
    assert.equal(entry.status, 'exception');
    assert.equal(
      entry.exceptionReason,
      'a batch booking of 3 transactions: transaction 2 (NOT-OURS-1) matches no sent payment confidently',
    );
    assert.deepEqual(entry.matches, []);
    assert.deepEqual(entry.suggestions.map((s: Body) => s.targetId).sort(), payments.map((p) => p.id).sort());
    for (const p of payments) assert.equal(await statusOf(p.id), 'sent');
  });

  test('payments that do not add up to the booking: to a person, nothing settled', async () => {
    const payments = await sentBatch(['12300', '45600']);
    const entry = await imported([
      {
        amount: 57_000n, // 579.00 would be the payments' total
        direction: 'DBIT',
        bookingDate: DAY,
        accountServicerReference: 'BATCH-3',
        transactions: payments.map((p) => ({ endToEndId: String(p.endToEndId), amount: BigInt(p.amount) })),
      },
    ]);
    assert.equal(entry.status, 'exception');
    assert.equal(
      entry.exceptionReason,
      'a batch booking of 2 transactions: its payments add up to 57900, the entry to 57000',
    );
    for (const p of payments) assert.equal(await statusOf(p.id), 'sent');
  });

  test('a booking naming our file without listing its payments: the file’s payments settled', async () => {
    const { payments, batch } = await sentFile(['13000', '14000']);
    const entry = await imported([
      {
        amount: 27_000n,
        direction: 'DBIT',
        bookingDate: DAY,
        accountServicerReference: 'BATCH-4',
        batch: {
          messageId: String(batch.messageId),
          paymentInformationId: String(batch.paymentInformationId),
          count: 2,
        },
      },
    ]);
    assert.equal(entry.status, 'matched', JSON.stringify(entry));
    assert.deepEqual(
      entry.matches.map((m: Body) => [m.targetKind, m.targetId, m.amount]).sort(),
      payments.map((p) => ['outgoing_payment', p.id, p.amount]).sort(),
    );
    for (const p of payments) assert.equal(await statusOf(p.id), 'settled');

    // A file id this account never sent: a person decides.
    const unknown = await imported([
      {
        amount: 1_000n,
        direction: 'DBIT',
        bookingDate: DAY,
        accountServicerReference: 'BATCH-5',
        batch: { paymentInformationId: 'SOMEONE-ELSES-FILE-1', count: 3 },
      },
    ]);
    assert.equal(unknown.status, 'exception');
    assert.equal(
      unknown.exceptionReason,
      'a batch booking of our file SOMEONE-ELSES-FILE-1: no payment file of this account has that id',
    );
  });
});
