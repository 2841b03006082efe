import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { testTmpDir } from '../../../testing/test-database.js';
import type { Encoding } from './mapping/mapping-types.js';
import { readCsv, SourceError, type TextRecord } from './read-csv.js';
import { readFixedWidth } from './read-fixed-width.js';

let dir: string;
before(() => {
  dir = testTmpDir();
});

function file(name: string, content: string | Buffer): string {
  const target = path.join(dir, name);
  writeFileSync(target, content);
  return target;
}

async function all(records: AsyncIterable<TextRecord>): Promise<TextRecord[]> {
  const out: TextRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

const csv = (target: string, options: { delimiter?: string; skipLines?: number; encoding?: Encoding } = {}) =>
  all(
    readCsv(target, {
      encoding: options.encoding ?? 'utf-8',
      delimiter: options.delimiter ?? ';',
      quote: '"',
      skipLines: options.skipLines ?? 0,
    }),
  );

describe('CSV', () => {
  test('quotes, semicolons inside quotes, doubled quotes, decimal commas; records keep their first line', async () => {
    const target = file(
      'quotes.csv',
      [
        'NO;NAME;AMOUNT',
        'C-1;"Müller; Söhne";1.234,56',
        'C-2;"Say ""hi""";0,5',
        '',
        'C-3;"two',
        'lines";12',
        ';;',
        'C-4;stray "quote" inside;7',
      ].join('\r\n'),
    );
    assert.deepEqual(await csv(target), [
      { line: 1, cells: ['NO', 'NAME', 'AMOUNT'] },
      { line: 2, cells: ['C-1', 'Müller; Söhne', '1.234,56'] },
      { line: 3, cells: ['C-2', 'Say "hi"', '0,5'] },
      { line: 5, cells: ['C-3', 'two\r\nlines', '12'] },
      { line: 8, cells: ['C-4', 'stray "quote" inside', '7'] },
    ]);
  });

  test('skipLines, a byte order mark, and a last line without a line break', async () => {
    const target = file('bom.csv', '\uFEFFexported 2024-03-31\nA,B\n1,2');
    assert.deepEqual(await csv(target, { delimiter: ',', skipLines: 1 }), [
      { line: 2, cells: ['A', 'B'] },
      { line: 3, cells: ['1', '2'] },
    ]);
  });

  test('latin1 and windows-1252 decode; latin1 read as UTF-8 shows replacement characters', async () => {
    const bytes = Buffer.concat([
      Buffer.from('NAME;CUR\n'),
      Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x3b, 0x80, 0x0a]),
    ]);
    const target = file('latin1.csv', bytes);
    assert.deepEqual((await csv(target, { encoding: 'latin1' }))[1]!.cells, ['Müller', '\u0080']);
    assert.deepEqual((await csv(target, { encoding: 'windows-1252' }))[1]!.cells, ['Müller', '€']);
    assert.deepEqual((await csv(target))[1]!.cells, ['M\uFFFDller', '\uFFFD']);
  });

  test('a UTF-8 character split across read chunks stays whole', async () => {
    const row = `${'x'.repeat(100)};${'é'.repeat(50)}\n`;
    const target = file('big.csv', row.repeat(6000)); // > 256 KiB: several chunks
    const records = await csv(target);
    assert.equal(records.length, 6000);
    assert.ok(records.every((r, i) => r.line === i + 1 && r.cells[1] === 'é'.repeat(50)));
  });

  test('an unclosed quote stops the file with its line', async () => {
    const target = file('unclosed.csv', 'A;B\n1;"open\n2;3\n');
    await assert.rejects(
      csv(target),
      (error: unknown) => error instanceof SourceError && /not closed/.test(error.message) && error.line !== null,
    );
  });

  test('a missing file is a SourceError', async () => {
    await assert.rejects(
      csv(path.join(dir, 'nope.csv')),
      (error: unknown) => error instanceof SourceError && /ENOENT/.test(error.message),
    );
  });
});

describe('fixed-width', () => {
  const columns = [
    { name: 'NO', start: 1, length: 6 },
    { name: 'NAME', start: 7, length: 10 },
    { name: 'AMOUNT', start: 17, length: 8 },
  ];

  test('lines are cut at the columns; short lines give empty cells; blank lines are skipped; CRLF', async () => {
    const target = file(
      'loans.txt',
      ['HEADER LINE', 'L-0001Müller    00012345', '', 'L-0002Short', '   ', 'L-0003Last      00000001'].join('\r\n') +
        '\r\n',
    );
    const records = await all(readFixedWidth(target, { encoding: 'utf-8', skipLines: 1, columns }));
    assert.deepEqual(records, [
      { line: 2, cells: ['L-0001', 'Müller    ', '00012345'] },
      { line: 4, cells: ['L-0002', 'Short', ''] },
      { line: 6, cells: ['L-0003', 'Last      ', '00000001'] },
    ]);
  });

  test('latin1 positions are bytes; lines split across chunks stay whole', async () => {
    const line = Buffer.concat([Buffer.from('L-0001M'), Buffer.from([0xfc]), Buffer.from('ller    00012345\n')]);
    const target = file('latin1.txt', Buffer.concat(Array.from({ length: 20_000 }, () => line)));
    const records = await all(readFixedWidth(target, { encoding: 'latin1', skipLines: 0, columns }));
    assert.equal(records.length, 20_000);
    assert.ok(records.every((r, i) => r.line === i + 1 && r.cells[1] === 'Müller    ' && r.cells[2] === '00012345'));
  });
});
