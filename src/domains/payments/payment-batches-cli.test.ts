/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return --
   response bodies and the CLI's JSON are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { validateAgainstXsd } from '../../adapters/iso20022/index.js';
import { loadConfig } from '../../config/config.js';
import { createLogger } from '../../observability/logger.js';
import { startServer, type RunningServer } from '../../server.js';
import { anomalyChecksOff } from '../../testing/anomaly-checks-off.js';
import type { Body } from '../../testing/api-client.js';
import { camt053 } from '../../testing/camt053-file.js';
import { pain002 } from '../../testing/pain002-file.js';
import { cliTestEnv, runFinflow } from '../../testing/run-cli.js';
import { testTmpDir } from '../../testing/test-database.js';

/**
 * `finflow payments batch` and `finflow payments release`: a server approves a payment (on a data
 * folder or PostgreSQL database of its own), stops, and the CLI batches it into an XSD-valid pain.001
 * file and releases it into `<data dir>/bank-outbox/` — once.
 */
describe('finflow payments batch / release', () => {
  const dir = testTmpDir();
  let env: Record<string, string>;
  let dataDir: string;
  let server: RunningServer | undefined;
  let accountId = '';
  let paymentId = '';
  /** The released batch, as the CLI printed it. */
  let releasedBatch: Body = {};

  before(async () => {
    env = await cliTestEnv(dir);
    // On PostgreSQL the data folder holds only the outbox.
    dataDir = env.FINFLOW_DATA_DIR ?? path.join(dir, 'data');
    env.FINFLOW_DATA_DIR = dataDir;
    const config = loadConfig({
      env: {},
      overrides: {
        port: 0,
        host: '127.0.0.1',
        dataDir,
        ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
        fourEyesChanges: false,
        shutdownTimeoutMs: 2000,
      },
    });
    server = await startServer(config, { logger: createLogger('silent') });
    const running = server;
    const call = async (method: string, route: string, token: string, json?: unknown): Promise<Body> => {
      const res = await fetch(`${running.url}/api/v1${route}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'idempotency-key': randomUUID(),
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
      const body = (await res.json()) as Body;
      assert.ok(res.status < 300, `${method} ${route} → ${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    const admin = running.bootstrapKey!.token;
    // The server runs on the wall clock: an unusual hour or a weekend would send the payment to review.
    await call('PUT', '/decisions/payments.anomaly-checks', admin, anomalyChecksOff());
    const tess = String((await call('POST', '/api-keys', admin, { name: 'tess', role: 'treasurer' })).token);
    const anna = String((await call('POST', '/api-keys', admin, { name: 'anna', role: 'payment_approver' })).token);
    const account = await call('POST', '/bank-accounts', tess, {
      name: 'Main EUR',
      currency: 'EUR',
      iban: 'DE89370400440532013000',
      bic: 'COBADEFFXXX',
      ownerName: 'Finflow Lending GmbH',
      ledgerAccount: 'cash:bank:main',
    });
    accountId = String(account.id);
    const supplier = await call('POST', '/beneficiaries', tess, {
      name: 'Acme SARL',
      kind: 'supplier',
      bankDetails: { iban: 'FR1420041010050500013M02606' },
    });
    await call('POST', `/beneficiaries/${supplier.id}/changes/${supplier.changes[0].id}/approve`, anna, {});
    // Small, to a verified beneficiary: approved automatically by the shipped matrix.
    const payment = await call('POST', '/payments', tess, {
      bankAccountId: accountId,
      beneficiaryId: supplier.id,
      amount: '12345',
      remittance: { unstructured: 'Invoice 7' },
    });
    paymentId = String(payment.id);
    const deadline = Date.now() + 30_000;
    while ((await call('GET', `/payments/${paymentId}`, admin)).status !== 'approved') {
      assert.ok(Date.now() < deadline, 'the payment is approved in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The CLI opens the database itself: on PGlite only one process may hold the data folder.
    await server.close();
    server = undefined;
  });
  after(async () => server?.close());

  test('batch refuses a bad option naming it; batches; release writes the file once', async () => {
    const bad = await runFinflow(['payments', 'batch', '--up-to', '2026-02-30'], env);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--up-to: must be a date YYYY-MM-DD/);
    const badMax = await runFinflow(['payments', 'batch', '--max-per-file', 'many'], env);
    assert.equal(badMax.code, 2, badMax.stderr);
    assert.match(badMax.stderr, /--max-per-file/);

    const run = await runFinflow(['payments', 'batch', '--account', accountId, '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const batches = JSON.parse(run.stdout) as Body[];
    assert.equal(batches.length, 1);
    const [batch] = batches;
    assert.deepEqual(
      (batch!.payments as Body[]).map((p) => [p.id, p.status]),
      [[paymentId, 'batched']],
    );
    assert.equal(batch!.createdBy, 'cli:tester');
    assert.equal(batch!.controlSum, '12345');

    const released = await runFinflow(['payments', 'release', String(batch!.id)], env);
    assert.equal(released.code, 0, released.stderr);
    const location = path.join(dataDir, 'bank-outbox', accountId, String(batch!.fileName));
    assert.match(released.stdout, new RegExp(`${String(batch!.id)} released by cli:tester`));
    assert.ok(released.stdout.includes(location), released.stdout);
    const xml = readFileSync(location, 'utf8');
    assert.deepEqual((await validateAgainstXsd(xml, 'pain.001.001.09')).errors, []);
    assert.ok(xml.includes('<InstdAmt Ccy="EUR">123.45</InstdAmt>'));

    const again = await runFinflow(['payments', 'release', String(batch!.id), '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    const shown = JSON.parse(again.stdout) as Body;
    releasedBatch = shown;
    assert.equal(shown.status, 'released');
    assert.equal(shown.deliveryLocation, location);
    assert.deepEqual(
      (shown.payments as Body[]).map((p) => p.status),
      ['sent'],
    );

    const none = await runFinflow(['payments', 'batch'], env);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /no approved payments to batch/);
    const unknown = await runFinflow(['payments', 'release', 'pbt_nope'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /payment batch pbt_nope not found/);
  });

  test("import status-report: the bank's pain.002 accepts the payment, once; a file that is not one applies nothing", async () => {
    const endToEndId = String((releasedBatch.payments as Body[])[0]!.endToEndId);
    const file = path.join(dir, 'pain002.xml');
    writeFileSync(
      file,
      pain002({
        messageId: 'STS-CLI-1',
        originalMessageId: String(releasedBatch.messageId),
        groupStatus: 'ACSP',
        blocks: [{ id: String(releasedBatch.paymentInformationId), transactions: [{ endToEndId, status: 'ACSP' }] }],
      }),
    );
    const first = await runFinflow(['import', 'status-report', file], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`pain.002 STS-CLI-1 for batch ${String(releasedBatch.id)} applied as psr_`));
    assert.match(first.stdout, /1 accepted, 0 rejected, 0 unchanged, 0 unmatched; batch released → accepted/);
    const again = await runFinflow(['import', 'status-report', file, '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    const shown = JSON.parse(again.stdout) as Body;
    assert.equal(shown.alreadyApplied, true);
    assert.deepEqual(
      (shown.batch.payments as Body[]).map((p) => [p.id, p.status]),
      [[paymentId, 'accepted']],
    );
    const notOne = path.join(dir, 'not-pain002.xml');
    writeFileSync(notOne, '<Document><Nothing/></Document>');
    const refused = await runFinflow(['import', 'status-report', notOne], env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(refused.stdout, '');
    const missing = await runFinflow(['import', 'status-report', path.join(dir, 'nope.xml')], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.xml/);
  });

  test('import statement: the bank statement is read from the file, once, and matched; an unknown account imports nothing', async () => {
    const file = path.join(dir, 'statement.xml');
    writeFileSync(
      file,
      camt053(
        {
          messageId: 'CLI-1',
          statementId: 'CLI-S1',
          iban: 'DE89370400440532013000',
          currency: 'EUR',
          opening: 0n,
          date: '2026-03-04',
        },
        [
          {
            amount: 12_345n,
            direction: 'DBIT',
            bookingDate: '2026-03-04',
            endToEndId: String((releasedBatch.payments as Body[])[0]!.endToEndId),
          },
          { amount: 500n, direction: 'CRDT', bookingDate: '2026-03-04', unstructured: 'Refund' },
        ],
      ),
    );
    const first = await runFinflow(['import', 'statement', file, '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as Body;
    assert.deepEqual([report.entries, report.newEntries], [2, 2]);
    // The debit settles the accepted payment by its end-to-end id; the refund names nothing.
    assert.deepEqual(report.reconciliation, { entries: 2, matched: 1, partlyMatched: 0, exceptions: 1, skipped: 0 });
    assert.equal(report.reconciliationError, null);
    assert.equal(report.statements[0].bankAccountId, accountId);
    const again = await runFinflow(['import', 'statement', file], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /2 entries, 0 new/);
    assert.match(again.stdout, /imported before as bst_/);

    const unknown = path.join(dir, 'unknown.xml');
    writeFileSync(
      unknown,
      camt053(
        {
          messageId: 'CLI-2',
          statementId: 'CLI-S2',
          iban: 'FR1420041010050500013M02606',
          currency: 'EUR',
          opening: 0n,
          date: '2026-03-04',
        },
        [{ amount: 1n, direction: 'CRDT', bookingDate: '2026-03-04' }],
      ),
    );
    const refused = await runFinflow(['import', 'statement', unknown], env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /no bank account with IBAN FR1420041010050500013M02606 in EUR; nothing imported/);
    const noMapping = await runFinflow(['import', 'customers', file], env);
    assert.equal(noMapping.code, 2, noMapping.stderr);
    assert.match(noMapping.stderr, /--mapping <file> is required/);
  });
});
