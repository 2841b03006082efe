import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { detectStatementFormat } from './detect-format.js';
import { readStatements, readStatementsWhole } from './read-statements.js';
import { StatementReadError } from './statement-error.js';
import type { StatementEvent } from './statement-types.js';

/** Recognising a file's format from its content, and the one entry point that reads any of them. */

const OWN = new URL('./fixtures/', import.meta.url);
const BANKS = new URL('../iso20022/fixtures/', import.meta.url);

describe('detecting the format', () => {
  test('every statement fixture is recognised with its version', () => {
    const expected: Record<string, [string, string | null]> = {
      'camt052-v04-intraday.xml': ['camt.052', 'camt.052.001.04'],
      'camt053-v02-features.xml': ['camt.053', 'camt.053.001.02'],
      'camt053-v04-features.xml': ['camt.053', 'camt.053.001.04'],
      'camt053-v08-features.xml': ['camt.053', 'camt.053.001.08'],
      'camt054-v08-notification.xml': ['camt.054', 'camt.054.001.08'],
      'mt940-german-latin1.sta': ['mt940', null],
      'mt940-plain.sta': ['mt940', null],
    };
    const own = readdirSync(OWN).filter((name) => !name.endsWith('.md'));
    assert.deepEqual(own.sort(), Object.keys(expected).sort());
    for (const name of own) {
      const { format, version } = detectStatementFormat(readFileSync(new URL(name, OWN), 'latin1'));
      assert.deepEqual([format, version], expected[name], name);
    }
    for (const name of readdirSync(BANKS).filter((n) => n.includes('camt'))) {
      assert.deepEqual(detectStatementFormat(readFileSync(new URL(name, BANKS), 'utf8')), {
        format: 'camt.053',
        version: 'camt.053.001.02',
        namespace: 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02',
      });
    }
  });

  test('the beginning of a file is enough; a byte order mark and leading blank lines do not matter', () => {
    const head = readFileSync(new URL('camt054-v08-notification.xml', OWN), 'utf8').slice(0, 400);
    assert.equal(detectStatementFormat(`\uFEFF\n\n${head}`).format, 'camt.054');
    assert.equal(detectStatementFormat(':20:STARTUMSE\r\n:25:37040044/0532013000\r\n').format, 'mt940');
    assert.equal(detectStatementFormat('{1:F01INGBNL2AXXXX0000000000}{2:O940').format, 'mt940');
  });

  test('anything else is refused, saying what it is', () => {
    const refused = (content: string, problem: string | RegExp): void => {
      assert.throws(
        () => detectStatementFormat(content),
        (error: unknown) => {
          assert.ok(error instanceof StatementReadError);
          assert.equal(error.status, 400);
          if (typeof problem === 'string') assert.equal(error.problem, problem);
          else assert.match(error.problem, problem);
          return true;
        },
      );
    };
    refused(
      readFileSync(new URL('example--sepa_pain_001_v3.xml', BANKS), 'utf8'),
      'an XML document with Document/CstmrCdtTrfInitn (pain.001.001.03) is not a bank statement; camt.052, camt.053 and camt.054 are read',
    );
    refused('<html><body>Not found</body></html>', /^an XML document with html\/body is not a bank statement/);
    refused('<Document', /^the XML is not well-formed/);
    refused(
      'date,amount\n2024-03-04,12.50\n',
      'the file is neither ISO 20022 camt XML nor MT940 (it starts with "date,amount\\n2024-03-04,12.50\\n")',
    );
    refused('', 'the file is neither ISO 20022 camt XML nor MT940 (it starts with "")');
    refused(
      ':20:X\n:25:1\n:28C:1\n:34F:EUR0,\n:13D:2403041200+0100\n',
      'an MT942 interim transaction report is not read; send MT940 or camt.052',
    );
  });
});

describe('reading any statement file', () => {
  const collect = async (source: Parameters<typeof readStatements>[0]): Promise<StatementEvent[]> => {
    const events: StatementEvent[] = [];
    for await (const event of readStatements(source)) events.push(event);
    return events;
  };

  test('camt and MT940, as text, bytes or pieces, give the same statements as reading them whole', async () => {
    for (const name of ['camt053-v02-features.xml', 'mt940-plain.sta', 'mt940-german-latin1.sta']) {
      const bytes = readFileSync(new URL(name, OWN));
      const whole = readStatementsWhole(bytes);
      const pieces = Array.from({ length: Math.ceil(bytes.length / 50) }, (_, i) =>
        bytes.subarray(i * 50, (i + 1) * 50),
      );
      const events = await collect(pieces);
      assert.deepEqual(
        events.filter((e) => e.kind === 'statement').map((e) => e.statement.statementId),
        whole.map((s) => s.statementId),
        name,
      );
      assert.deepEqual(
        events.flatMap((e) => (e.kind === 'entry' ? [e.entry] : [])),
        whole.flatMap((s) => s.entries),
        name,
      );
      assert.deepEqual(
        events.filter((e) => e.kind === 'statementEnd').map((e) => e.entryCount),
        whole.map((s) => s.entries.length),
      );
    }
    // The German file's encoding warning reaches the stream's statement header too.
    const german = await collect(readFileSync(new URL('mt940-german-latin1.sta', OWN)));
    const first = german[0];
    assert.ok(first?.kind === 'statement');
    assert.deepEqual(first.statement.warnings, ['the file is not UTF-8; it was read as ISO 8859-1 (Windows-1252)']);
  });

  test('an unrecognised file is refused before anything is yielded', async () => {
    await assert.rejects(collect(['PK\u0003\u0004', 'zip bytes']), {
      name: 'StatementReadError',
      message:
        'statement is not readable: the file is neither ISO 20022 camt XML nor MT940 (it starts with "PK\\u0003\\u0004zip bytes")',
    });
  });
});
