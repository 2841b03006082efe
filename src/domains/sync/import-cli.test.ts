import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../storage/database.js';
import { cliTestEnv, runFinflow } from '../../testing/run-cli.js';
import { testTmpDir } from '../../testing/test-database.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../../examples/import');
const example = (name: string) => path.join(EXAMPLES, name);

interface JsonReport {
  committed: boolean;
  stage: string;
  rows: number;
  counts: { created: number; updated: number; unchanged: number; failed: number };
  issues: Array<{ line: number; column: string | null; field: string | null; message: string }>;
}

describe('finflow import', () => {
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    dir = testTmpDir();
    env = await cliTestEnv(dir);
  });
  const run = (...args: string[]) => runFinflow(args, env, dir);
  const importExample = (kind: string, data: string, mapping: string, ...more: string[]) =>
    run('import', kind, example(data), '--mapping', example(mapping), ...more);

  test('customers, loans (fixed-width) and payments from the examples; a bad row imports nothing; re-import changes nothing', async () => {
    // A bad cell in the middle of the file: found before the database is opened, so this runs alongside.
    const lines = readFileSync(example('customers.csv'), 'utf8').split('\n');
    lines[3] = lines[3]!.replace(';;;;', ';;12,3x;EUR;');
    writeFileSync(path.join(dir, 'bad-customers.csv'), lines.join('\n'));
    writeFileSync(
      path.join(dir, 'typo.yaml'),
      'fields:\n  externalId: { column: CUST_NO }\n  nmae: { column: NAME }\n',
    );
    const badCell = run('import', 'customers', 'bad-customers.csv', '--mapping', example('customers.yaml'));
    const badMapping = run('import', 'customers', 'bad-customers.csv', '--mapping', 'typo.yaml');

    const customers = await importExample('customers', 'customers.csv', 'customers.yaml');
    assert.equal(customers.code, 0, customers.stderr);
    assert.match(
      customers.stdout,
      /^imported customers from \S+customers\.csv: 5 created, 0 updated, 0 unchanged, 0 failed \(5 rows in [\d.]+ s, \d+ rows\/s\)$/m,
    );

    const refused = await badCell;
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.stdout, 'line 4, column CREDIT_LIMIT (creditLimit): "12,3x" is not a number\n');
    assert.match(refused.stderr, /^finflow: 1 error in bad-customers\.csv \(5 rows read\); nothing imported$/m);
    const typo = await badMapping;
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /^typo\.yaml:3 fields\.nmae: customers have no field nmae; /m);

    const loans = await importExample('receivables', 'loans.txt', 'loans.yaml');
    assert.equal(loans.code, 0, loans.stderr);
    assert.match(loans.stdout, /: 4 created, 0 updated, 0 unchanged, 0 failed /);

    // The sync service refuses a loan for an unknown customer in the middle: the loans before it are
    // rolled back with it.
    const loanLines = readFileSync(example('loans.txt'), 'utf8').split('\n');
    const newLoan = (no: string, customer: string) =>
      loanLines[1]!.replace('L-2024-0001', no).replace('C-1001    ', customer.padEnd(10));
    writeFileSync(
      path.join(dir, 'more-loans.txt'),
      [
        loanLines[0],
        newLoan('L-2024-0101', 'C-1002'),
        newLoan('L-2024-0102', 'C-9999'),
        newLoan('L-2024-0103', 'C-1003'),
      ].join('\n') + '\n',
    );
    const orphan = await run('import', 'receivables', 'more-loans.txt', '--mapping', example('loans.yaml'), '--json');
    assert.equal(orphan.code, 1, orphan.stderr);
    const orphanReport = JSON.parse(orphan.stdout) as JsonReport;
    assert.equal(orphanReport.committed, false);
    assert.equal(orphanReport.stage, 'sync');
    assert.deepEqual(
      orphanReport.issues.map((i) => [i.line, i.column, i.field]),
      [[3, 'CUST_NO', 'customerExternalId']],
    );

    const payments = await importExample('payments', 'payments.csv', 'payments.yaml', '--json');
    assert.equal(payments.code, 0, payments.stderr);
    assert.deepEqual((JSON.parse(payments.stdout) as JsonReport).counts, {
      created: 4,
      updated: 0,
      unchanged: 0,
      failed: 0,
    });

    const reimports = [];
    for (const [kind, data, mapping] of [
      ['receivables', 'loans.txt', 'loans.yaml'],
      ['payments', 'payments.csv', 'payments.yaml'],
      ['customers', 'customers.csv', 'customers.yaml'],
    ] as const) {
      const again = await importExample(kind, data, mapping, '--json');
      assert.equal(again.code, 0, again.stderr);
      reimports.push({ kind, report: JSON.parse(again.stdout) as JsonReport });
    }

    // What is in the database: the examples, and nothing of the refused files.
    const database = await openDatabase(
      env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.FINFLOW_DATA_DIR! },
    );
    try {
      const count = async (table: string) =>
        (await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(table)}`.execute(database.db)).rows[0]!.n;
      assert.deepEqual(
        [await count('customers'), await count('receivables'), await count('receivable_payments')],
        ['5', '4', '4'],
      );
      const limit = await sql<{ credit_limit: bigint; language: string }>`
        SELECT credit_limit, language FROM customers WHERE external_id = 'C-1001'`.execute(database.db);
      assert.deepEqual(limit.rows[0], { credit_limit: 2_500_000n, language: 'de' });
    } finally {
      await database.close();
    }
    // Re-importing the same files changes nothing.
    for (const { kind, report } of reimports) {
      assert.deepEqual(report.counts, { created: 0, updated: 0, unchanged: report.rows, failed: 0 }, kind);
    }
  });
});
