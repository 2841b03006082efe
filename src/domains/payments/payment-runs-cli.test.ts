import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../config/config.js';
import { createLogger } from '../../observability/logger.js';
import { startServer, type RunningServer } from '../../server.js';
import type { Body } from '../../testing/api-client.js';
import { cliTestEnv, runFinflow } from '../../testing/run-cli.js';
import { testTmpDir } from '../../testing/test-database.js';

/**
 * `finflow payments run FILE`: a server creates a bank account and a beneficiary, stops, and the CLI
 * submits a CSV payment run on the same database — all lines, or none with each problem printed by
 * line and column.
 */
describe('finflow payments run', () => {
  const dir = testTmpDir();
  let env: Record<string, string>;
  let server: RunningServer | undefined;
  let accountId = '';
  let beneficiaryId = '';

  before(async () => {
    env = await cliTestEnv(dir);
    const dataDir = env.FINFLOW_DATA_DIR ?? path.join(dir, 'data');
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
    const call = async (route: string, json: unknown): Promise<Body> => {
      const res = await fetch(`${running.url}/api/v1${route}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${running.bootstrapKey!.token}`,
          'idempotency-key': randomUUID(),
          'content-type': 'application/json',
        },
        body: JSON.stringify(json),
      });
      const body = (await res.json()) as Body;
      assert.ok(res.status < 300, `POST ${route} → ${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    accountId = String(
      (
        await call('/bank-accounts', {
          name: 'Payroll EUR',
          currency: 'EUR',
          iban: 'DE89370400440532013000',
          ownerName: 'Finflow Lending GmbH',
          ledgerAccount: 'cash:bank:payroll',
        })
      ).id,
    );
    beneficiaryId = String(
      (
        await call('/beneficiaries', {
          name: 'Jana Novak',
          kind: 'employee',
          bankDetails: { iban: 'GB82WEST12345698765432' },
        })
      ).id,
    );
    // The CLI opens the database itself: on PGlite only one process may hold the data folder.
    await server.close();
    server = undefined;
  });
  after(async () => server?.close());

  test('a refused file prints every problem by line and column; a good one becomes a run', async () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, `beneficiaryId,amount\n${beneficiaryId},10.00\n${beneficiaryId},1.001\nben_nope,5\n`);
    const refused = await runFinflow(['payments', 'run', bad, '--account', accountId], env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.ok(
      refused.stderr.includes(
        `${bad}: line 3, column amount: "1.001" has 3 decimal places; EUR has 2 (amounts are never rounded)\n` +
          `${bad}: line 4, column beneficiaryId: beneficiary ben_nope does not exist\n`,
      ),
      refused.stderr,
    );

    const good = path.join(dir, 'payroll.csv');
    writeFileSync(
      good,
      `beneficiaryId,amount,sourceRef\n${beneficiaryId},2500.00,PAY-03-1\n${beneficiaryId},125.5,PAY-03-2\n`,
    );
    const run = await runFinflow(['payments', 'run', good, '--account', accountId, '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const created = JSON.parse(run.stdout) as Body;
    assert.match(String(created.id), /^prr_/);
    assert.deepEqual(
      [created.paymentCount, created.totals, created.createdBy],
      [2, [{ currency: 'EUR', amount: '262550' }], 'cli:tester'],
    );
    // The same lines again: their sourceRefs were paid.
    const again = await runFinflow(['payments', 'run', good, '--account', accountId], env);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /line 2, column sourceRef: payment pmt_\w+ was already made for it/);
  });

  test('finflow payments import-payables: every problem by line and column, or every line a payable', async () => {
    const bad = path.join(dir, 'bad-payables.csv');
    writeFileSync(
      bad,
      `beneficiaryId,invoiceNumber,amount,currency,dueDate\n${beneficiaryId},INV-1,10.00,EUR,2026-13-01\n` +
        `${beneficiaryId},INV-1,5.00,EUR,2026-04-01\n`,
    );
    const refused = await runFinflow(['payments', 'import-payables', bad], env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.ok(
      refused.stderr.includes(
        `${bad}: line 2, column dueDate: must be a date YYYY-MM-DD\n` +
          `${bad}: line 3, column invoiceNumber: repeats line 2\n`,
      ),
      refused.stderr,
    );

    const good = path.join(dir, 'payables.csv');
    writeFileSync(
      good,
      `beneficiaryId,invoiceNumber,amount,currency,dueDate,discountDate,discountAmount\n` +
        `${beneficiaryId},INV-1,100.00,EUR,2026-04-30,2026-04-10,3.00\n${beneficiaryId},INV-2,20,EUR,2026-05-31,,\n`,
    );
    const imported = await runFinflow(['payments', 'import-payables', good, '--json'], env);
    assert.equal(imported.code, 0, imported.stderr);
    const result = JSON.parse(imported.stdout) as { count: number; payables: Body[] };
    assert.equal(result.count, 2);
    assert.deepEqual(
      result.payables.map((p): unknown[] => [p.invoiceNumber, p.amount, p.bankAccountId, p.status, p.createdBy]),
      [
        ['INV-1', '10000', accountId, 'pending_approval', 'cli:tester'],
        ['INV-2', '2000', accountId, 'pending_approval', 'cli:tester'],
      ],
    );
    // The same file again: its invoices are recorded.
    const again = await runFinflow(['payments', 'import-payables', good], env);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /line 2, column invoiceNumber: invoice INV-1 of beneficiary \w+ is already recorded/);
  });
});
