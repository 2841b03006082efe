/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { validateAgainstXsd } from '../../adapters/iso20022/index.js';
import { ManualClock } from '../../core/clock.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { camt053 } from '../../testing/camt053-file.js';
import { pain002 } from '../../testing/pain002-file.js';
import {
  generateSshKeyPair,
  sftpConnection,
  startSftpTestServer,
  type SftpTestServer,
} from '../../testing/sftp-server.js';
import { testTmpDir } from '../../testing/test-database.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * The bank link end to end over a real SFTP server (ssh2, key-only, host key pinned): a bank
 * account's connection names its key as a secret; two approved payments are batched and the pain.001
 * is released onto the bank's SFTP outbox, XSD-valid; the bank answers with a pain.002 rejecting one
 * payment and a camt.053 booking the other; one collection applies the report, imports the
 * statement, settles the executed payment, and archives both files.
 */
describe('bank link over SFTP', () => {
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  const clientKey = generateSshKeyPair();
  let sftp: SftpTestServer;
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const { call, expect, expectProblem } = apiClient(() => server);
  const as = (name: string) => ({ token: tokens[name]! });

  before(async () => {
    sftp = await startSftpTestServer({ authorizedKeys: [clientKey.publicKey] });
    for (const folder of ['/outbox', '/inbox', '/archive']) mkdirSync(sftp.localPath(folder), { recursive: true });
    server = await startTestServer({
      clock,
      config: { dataDir: testTmpDir() },
      secrets: { BANK_SFTP_KEY: clientKey.privateKey },
    });
    for (const [name, role] of Object.entries({ tess: 'treasurer', anna: 'payment_approver' })) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
  });
  after(async () => {
    await server?.close();
    await sftp?.close();
  });

  const connection = () => sftpConnection(sftp);

  test('release over SFTP, then a pain.002 and a camt.053 collected from it', async () => {
    const account = expect(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        json: {
          name: 'Main EUR',
          currency: 'EUR',
          iban: 'DE89370400440532013000',
          bic: 'COBADEFFXXX',
          ownerName: 'Finflow Lending GmbH',
          ledgerAccount: 'cash:bank:sftp',
        },
      }),
      201,
    );
    // The key itself is never accepted, and a named secret must exist.
    expectProblem(
      await call('PUT', `/bank-accounts/${account.id}/connection`, {
        ...as('tess'),
        json: { connection: { ...connection(), privateKey: clientKey.privateKey } },
      }),
      400,
      'body.connection.privateKey',
    );
    expectProblem(
      await call('PUT', `/bank-accounts/${account.id}/connection`, {
        ...as('tess'),
        json: { connection: { ...connection(), privateKey: { secret: 'NOT_SET' } } },
      }),
      422,
      'body.connection.privateKey.secret',
    );
    expectProblem(
      await call('PUT', `/bank-accounts/${account.id}/connection`, {
        ...as('tess'),
        json: { connection: { ...connection(), hostKeyFingerprint: 'nope' } },
      }),
      400,
      'body.connection.hostKeyFingerprint',
    );
    expect(
      await call('PUT', `/bank-accounts/${account.id}/connection`, {
        ...as('anna'),
        json: { connection: connection() },
      }),
      403,
    );
    const set = expect(
      await call('PUT', `/bank-accounts/${account.id}/connection`, {
        ...as('tess'),
        json: { connection: connection() },
      }),
      200,
    );
    assert.deepEqual(set.connection.privateKey, { secret: 'BANK_SFTP_KEY' });

    const supplier = expect(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: { name: 'Acme SARL', kind: 'supplier', bankDetails: { iban: 'FR1420041010050500013M02606' } },
      }),
      201,
    );
    expect(
      await call('POST', `/beneficiaries/${supplier.id}/changes/${supplier.changes[0].id}/approve`, {
        ...as('anna'),
        json: {},
      }),
      200,
    );
    const pay = async (amount: string, e2e: string) =>
      expect(
        await call('POST', '/payments', {
          ...as('tess'),
          key: randomUUID(),
          json: {
            bankAccountId: account.id,
            beneficiaryId: supplier.id,
            amount,
            endToEndId: e2e,
            remittance: { unstructured: e2e },
          },
        }),
        201,
      );
    const paid = await pay('12000', 'E2E-SFTP-PAID');
    const refused = await pay('34000', 'E2E-SFTP-REFUSED');
    for (const p of [paid, refused]) {
      const deadline = Date.now() + 20_000;
      while (expect(await call('GET', `/payments/${p.id}`), 200).status !== 'approved') {
        assert.ok(Date.now() < deadline, `payment ${p.id} approved in time`);
        clock.advance(5_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    const run = expect(await call('POST', '/payment-batches', { ...as('tess'), key: randomUUID(), json: {} }), 201);
    assert.equal(run.data.length, 1);
    const batch = run.data[0];
    const released = expect(
      await call('POST', `/payment-batches/${batch.id}/release`, { ...as('anna'), json: {} }),
      200,
    );
    assert.equal(released.status, 'released');
    assert.match(released.deliveryLocation, /^sftp:/);
    const delivered = sftp.localPath(`/outbox/${batch.fileName}`);
    assert.ok(
      existsSync(delivered),
      `the pain.001 is on the SFTP server: ${readdirSync(sftp.localPath('/outbox')).join(', ')}`,
    );
    const xml = readFileSync(delivered, 'utf8');
    assert.deepEqual((await validateAgainstXsd(xml, batch.pain001Version)).errors, []);
    assert.ok(xml.includes('E2E-SFTP-PAID') && xml.includes('E2E-SFTP-REFUSED'));

    // The bank answers: one transfer refused (AC01), and the statement books the other.
    writeFileSync(
      sftp.localPath('/inbox/01-status.xml'),
      pain002({
        messageId: 'STS-1',
        originalMessageId: batch.messageId,
        groupStatus: 'PART',
        blocks: [
          {
            id: String(expect(await call('GET', `/payments/${refused.id}`), 200).paymentInformationId),
            transactions: [
              { endToEndId: 'E2E-SFTP-REFUSED', status: 'RJCT', reasons: [{ code: 'AC01' }] },
              { endToEndId: 'E2E-SFTP-PAID', status: 'ACCP' },
            ],
          },
        ],
      }),
    );
    writeFileSync(
      sftp.localPath('/inbox/02-statement.xml'),
      camt053(
        {
          messageId: 'STMT-1',
          statementId: 'S-0303',
          iban: 'DE89370400440532013000',
          currency: 'EUR',
          opening: 1_000_000n,
          date: '2026-03-03',
        },
        [
          {
            amount: 12_000n,
            direction: 'DBIT',
            bookingDate: '2026-03-03',
            endToEndId: 'E2E-SFTP-PAID',
            counterpartyName: 'Acme SARL',
            accountServicerReference: 'BANK-REF-1',
          },
        ],
      ),
    );
    const collected = expect(
      await call('POST', `/bank-accounts/${account.id}/collect`, { ...as('tess'), json: {} }),
      200,
    );
    assert.deepEqual(collected.failed, []);
    assert.deepEqual(
      collected.files.map((f: Body) => [f.name, f.kind, f.newEntries]),
      [
        ['01-status.xml', 'status_report', null],
        ['02-statement.xml', 'statement', 1],
      ],
    );
    assert.equal(expect(await call('GET', `/payments/${refused.id}`), 200).status, 'rejected');
    assert.equal(expect(await call('GET', `/payments/${paid.id}`), 200).status, 'settled');
    assert.deepEqual(readdirSync(sftp.localPath('/inbox')), []);
    assert.deepEqual(readdirSync(sftp.localPath('/archive')).sort(), ['01-status.xml', '02-statement.xml']);

    // Nothing new the second time.
    const again = expect(await call('POST', `/bank-accounts/${account.id}/collect`, { ...as('tess'), json: {} }), 200);
    assert.deepEqual(again.files, []);
  });
});
