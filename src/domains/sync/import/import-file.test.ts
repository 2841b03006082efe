import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ManualClock } from '../../../core/clock.js';
import type { DomainContext } from '../../contract.js';
import { Engine } from '../../../engine/index.js';
import type { Database } from '../../../storage/database.js';
import { openTestDatabase, testTmpDir } from '../../../testing/test-database.js';
import { syncRows } from '../sync-service.js';
import { checkFile, type ImportProgress } from './check-file.js';
import { importFile, type SyncRowsFunction } from './import-file.js';
import { formatIssue } from './import-issue.js';
import { parseMapping } from './mapping/parse-mapping.js';
import { syncIssues } from './sync-issues.js';

const MAPPING = parseMapping(
  `format: csv
delimiter: ";"
decimalSeparator: ","
fields:
  externalId: { column: NO }
  name: { column: NAME }
  email: { column: MAIL, optional: true }
  riskRating: { column: RATING, optional: true }
  creditLimit: { column: LIMIT, currency: EUR, optional: true }
  limitCurrency: { value: EUR }
`,
  'customers',
);

let dir: string;
function csvFile(name: string, rows: string[]): string {
  const target = path.join(dir, name);
  writeFileSync(target, ['NO;NAME;MAIL;RATING;LIMIT', ...rows].join('\n') + '\n');
  return target;
}
const good = (i: number, rating = 'B') => `C-${i};Customer ${i};c${i}@example.com;${rating};${i},50`;
const issues = (found: { issues: Parameters<typeof formatIssue>[0][] }) => found.issues.map(formatIssue);

before(() => {
  dir = testTmpDir();
});

describe('checkFile', () => {
  test('reads the whole file and reports every problem by line and column, without a database', async () => {
    const file = csvFile('check.csv', [
      good(1),
      'C-2;Customer 2;not-an-email;B;1,00',
      'C-3;Customer 3;;B;1,2,3',
      'C-4;Customer 4;;B;1;extra',
      'C-1;Again;;B;',
      'C-6;;;;',
    ]);
    const progress: ImportProgress[] = [];
    const found = await checkFile(file, MAPPING, { onProgress: (p) => progress.push(p) });
    assert.equal(found.rows, 6);
    assert.deepEqual(issues(found), [
      'line 3, column MAIL (email): "not-an-email": Invalid email address',
      'line 4, column LIMIT (creditLimit): "1,2,3" is not a number',
      'line 5: has 6 values, but the header has 5 columns (a delimiter inside an unquoted value?)',
      'line 6, column NO (externalId): "C-1" is also on line 2',
      'line 7, column NAME (name): is empty (the field is not optional)',
    ]);
    assert.equal(found.issueCount, 5);
    assert.deepEqual(progress.at(-1), { phase: 'check', done: found.bytes, total: found.bytes });

    const limited = await checkFile(file, MAPPING, { maxIssues: 2 });
    assert.equal(limited.issues.length, 2);
    assert.equal(limited.issueCount, 5);
  });

  test('a column the header lacks stops the file at the header line', async () => {
    const file = path.join(dir, 'header.csv');
    writeFileSync(file, 'exported today\nNO;NAME;LIMIT\nC-1;A;1\n');
    const mapping = parseMapping(
      'delimiter: ";"\nskipLines: 1\nfields:\n  externalId: { column: NO }\n  name: { column: NAMES }\n  email: { column: MAIL }\n',
      'customers',
    );
    const found = await checkFile(file, mapping);
    assert.deepEqual(issues(found), [
      'line 2, column NAMES (name): is not in the header; the header has "NO", "NAME", "LIMIT"',
      'line 2, column MAIL (email): is not in the header; the header has "NO", "NAME", "LIMIT"',
    ]);
    assert.equal(found.rows, 0);

    writeFileSync(file, '');
    assert.deepEqual(issues(await checkFile(file, mapping)), ['the file is empty: there is no header line']);
  });

  test('fixed-width and header-less CSV name their columns too; an unclosed quote is a problem of the file', async () => {
    const loans = path.join(dir, 'loans.txt');
    writeFileSync(loans, 'R-1  C-1  EUR20240131\nR-2  C-1  EUR20240231\n');
    const fixed = parseMapping(
      `format: fixed-width
columns:
  NO: { start: 1, length: 5 }
  CUST: { start: 6, length: 5 }
  CCY: { start: 11, length: 3 }
  DATE: { start: 14, length: 8 }
fields:
  externalId: { column: NO }
  customerExternalId: { column: CUST }
  kind: { value: invoice }
  currency: { column: CCY }
  issueDate: { column: DATE, format: yyyyMMdd }
  dueDate: { column: DATE, format: yyyyMMdd }
  amount: { value: "10.00" }
`,
      'receivables',
    );
    assert.deepEqual(issues(await checkFile(loans, fixed)), [
      'line 2, column DATE (issueDate): "20240231" is not a valid date (day 31 of month 2)',
      'line 2, column DATE (dueDate): "20240231" is not a valid date (day 31 of month 2)',
    ]);

    const bare = path.join(dir, 'bare.csv');
    writeFileSync(bare, 'C-1,Name,x\nC-2,"Open quote,y\n');
    const numbered = parseMapping(
      'header: false\nfields:\n  externalId: { column: 1 }\n  name: { column: 2 }\n',
      'customers',
    );
    const found = await checkFile(bare, numbered);
    assert.equal(found.issueCount, 1);
    assert.match(formatIssue(found.issues[0]!), /^line \d+: a quoted value is not closed before the end of the file$/);
  });
});

describe('syncIssues', () => {
  test("the sync service's { index, field } become the row's line and the field's column", () => {
    const labels = new Map<string, string | null>([
      ['externalId', 'NO'],
      ['address.city', 'CITY'],
      ['metadata', null],
      ['limitCurrency', null],
    ]);
    const row = {
      index: 1,
      status: 'error' as const,
      errors: [
        { field: 'address', message: 'bad address' },
        { field: 'limitCurrency', message: 'a credit limit needs its currency' },
        { field: 'name', message: 'required for a new customer' },
        { field: 'row', message: 'refused' },
      ],
    };
    assert.deepEqual(syncIssues(row, [10, 11], labels).map(formatIssue), [
      'line 11, column CITY (address): bad address',
      'line 11, field limitCurrency: a credit limit needs its currency',
      'line 11, field name: required for a new customer',
      'line 11: refused',
    ]);
  });
});

describe('importFile', () => {
  let database: Database;
  let context: DomainContext;
  before(async () => {
    database = await openTestDatabase();
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    const engine = new Engine({ database, clock });
    context = { database, clock, engine };
  });
  after(async () => {
    await database.close();
  });
  const customers = async () =>
    Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM customers`.execute(database.db)).rows[0]!.n);
  const run = (file: string, options: Partial<Parameters<typeof importFile>[3]> = {}) =>
    importFile(context, file, MAPPING, {
      mode: 'all_or_nothing',
      actor: 'test:import',
      batchSize: 3,
      sync: syncRows,
      ...options,
    });

  test('rows are synced in batches; importing the same file again changes nothing', async () => {
    const file = csvFile(
      'seven.csv',
      Array.from({ length: 7 }, (_, i) => good(i + 1)),
    );
    const progress: ImportProgress[] = [];
    const first = await run(file, { onProgress: (p) => progress.push(p) });
    assert.equal(first.stage, 'done');
    assert.equal(first.committed, true);
    assert.deepEqual(first.counts, { created: 7, updated: 0, unchanged: 0, failed: 0 });
    assert.deepEqual(
      progress.filter((p) => p.phase === 'import').map((p) => p.done),
      [3, 6, 7],
    );
    assert.equal(await customers(), 7);
    const again = await run(file);
    assert.deepEqual(again.counts, { created: 0, updated: 0, unchanged: 7, failed: 0 });
  });

  test('all or nothing: a row refused in the last batch undoes the earlier batches, and is named by line', async () => {
    const before = await customers();
    const rows = Array.from({ length: 8 }, (_, i) => good(100 + i, i === 6 ? 'Z' : 'B'));
    const file = csvFile('bad-rating.csv', rows);
    const report = await run(file);
    assert.equal(report.committed, false);
    assert.equal(report.stage, 'sync');
    assert.deepEqual(issues(report), ['line 8, column RATING (riskRating): "Z": must be one of A, B, C, D, E']);
    assert.equal(report.counts.failed, 1);
    assert.equal(await customers(), before);

    // per row: the others are imported.
    const perRow = await run(file, { mode: 'per_row' });
    assert.equal(perRow.committed, true);
    assert.deepEqual(perRow.counts, { created: 7, updated: 0, unchanged: 0, failed: 1 });
    assert.deepEqual(issues(perRow), issues(report));
    assert.equal(await customers(), before + 7);
  });

  test('conversion problems stop the import before anything is synced', async () => {
    let calls = 0;
    const counting: SyncRowsFunction = (...args) => {
      calls++;
      return syncRows(...args);
    };
    const file = csvFile('bad-amount.csv', [good(200), 'C-201;X;;B;12,3x', good(202)]);
    const report = await run(file, { sync: counting, mode: 'per_row' });
    assert.equal(report.stage, 'check');
    assert.equal(report.committed, false);
    assert.deepEqual(issues(report), ['line 3, column LIMIT (creditLimit): "12,3x" is not a number']);
    assert.equal(calls, 0);
  });

  test('a dry run reports what would happen and writes nothing', async () => {
    const before = await customers();
    const file = csvFile('dry.csv', [good(300), good(301), good(1)]);
    const report = await run(file, { dryRun: true });
    assert.equal(report.dryRun, true);
    assert.equal(report.committed, false);
    assert.deepEqual(report.counts, { created: 2, updated: 0, unchanged: 1, failed: 0 });
    assert.equal(await customers(), before);
  });
});
