/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readStatementsWhole } from '../../adapters/bank-statements/index.js';
import { isIban } from '../../adapters/iso20022/index.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { camt053, type CamtEntrySpec } from '../../testing/camt053-file.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * Statement import through the HTTP API: the raw file as the body, the format and the account found
 * from the content, idempotent by content (the same file twice, an overlapping file, two identical
 * entries on one day), all or nothing (an unknown account, a malformed file, another currency), and
 * every bank sample and own fixture of the repository imported.
 */

const ADAPTERS = path.resolve(import.meta.dirname, '../../adapters');
const SAMPLES = [
  ...readdirSync(path.join(ADAPTERS, 'iso20022/fixtures'))
    .filter((f) => f.endsWith('.xml'))
    .map((f) => path.join(ADAPTERS, 'iso20022/fixtures', f)),
  ...readdirSync(path.join(ADAPTERS, 'bank-statements/fixtures'))
    .filter((f) => /\.(xml|sta)$/.test(f))
    .map((f) => path.join(ADAPTERS, 'bank-statements/fixtures', f)),
];
const IBAN = 'DE89370400440532013000';

describe('statement import API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ worker: false });
  });
  after(async () => server?.close());
  const { call, expect } = apiClient(() => server);

  async function post(body: string | Uint8Array, type = 'application/xml'): Promise<{ status: number; body: Body }> {
    const res = await server.call('/api/v1/statements', {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    return { status: res.status, body: (await res.json()) as Body };
  }
  const imported = (r: { status: number; body: Body }) => {
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const countEntries = async (bankAccountId: string) =>
    (expect(await call('GET', `/bank-entries?bankAccountId=${bankAccountId}&limit=1000`), 200).data as Body[]).length;

  let account: Body;
  const day = (d: number) => `2026-03-0${d}`;
  const entry = (over: Partial<CamtEntrySpec>): CamtEntrySpec => ({
    amount: 10_000n,
    direction: 'CRDT',
    bookingDate: day(2),
    ...over,
  });
  const statement = (id: string, entries: CamtEntrySpec[], date = day(2)) =>
    camt053({ messageId: `MSG-${id}`, statementId: id, iban: IBAN, currency: 'EUR', opening: 0n, date }, entries);

  test('a camt.053 is imported from its content; the same file twice adds nothing', async () => {
    account = expect(
      await call('POST', '/bank-accounts', {
        json: {
          name: 'Main EUR',
          currency: 'EUR',
          iban: IBAN,
          bic: 'COBADEFFXXX',
          ownerName: 'Finflow GmbH',
          ledgerAccount: 'cash:bank:stmt',
        },
      }),
      201,
    );
    const file = statement('S1', [
      entry({ amount: 12_345n, endToEndId: 'E2E-1', counterpartyName: 'Kunde A', unstructured: 'Invoice 1' }),
      entry({ amount: 500n, direction: 'DBIT', accountServicerReference: 'ASR-1' }),
      entry({ amount: 999n, status: 'PDNG' }),
    ]);
    const first = imported(await post(file));
    assert.equal(first.statements.length, 1);
    const s = first.statements[0];
    assert.equal(s.bankAccountId, account.id);
    assert.equal(s.format, 'camt.053');
    assert.equal(s.version, 'camt.053.001.08');
    assert.deepEqual([s.entries, s.newEntries, s.unbookedEntries], [2, 2, 1]);
    assert.deepEqual([s.openingBalance, s.closingBalance], ['0', '11845']);
    assert.equal(first.newEntries, 2);

    const entries = expect(await call('GET', `/bank-entries?statementId=${s.id}`), 200).data as Body[];
    const credit = entries.find((e) => e.direction === 'credit')!;
    assert.deepEqual(
      [credit.amount, credit.currency, credit.endToEndId, credit.counterpartyName, credit.remittance, credit.status],
      // Matching runs after the import: nothing in finflow expects this payment, so it is an exception.
      ['12345', 'EUR', 'E2E-1', 'Kunde A', 'Invoice 1', 'exception'],
    );

    const again = imported(await post(file));
    assert.equal(again.newEntries, 0);
    assert.equal(again.statements[0].alreadyImportedAs, s.id);
    assert.equal(again.statements[0].id, s.id);
    const list = expect(await call('GET', `/statements?bankAccountId=${account.id}`), 200).data as Body[];
    assert.equal(list.length, 1, 'the statement is kept once');
    assert.equal(await countEntries(account.id), 2);
    const got = expect(await call('GET', `/statements/${s.id}`), 200);
    assert.match(got.fileSha256, /^[0-9a-f]{64}$/);
  });

  test('an overlapping statement adds only the new entries; two identical entries on a day are both kept', async () => {
    const a = entry({ amount: 1_000n, endToEndId: 'E2E-A', bookingDate: day(3) });
    const b = entry({ amount: 2_000n, endToEndId: 'E2E-B', bookingDate: day(3) });
    const c = entry({ amount: 3_000n, unstructured: 'Rent', counterpartyName: 'Mieter', bookingDate: day(4) });
    const before = await countEntries(account.id);
    const intraday = imported(await post(statement('S2', [a, b], day(3))));
    assert.equal(intraday.newEntries, 2);
    // The next file repeats b and carries c twice: the same tenant paid the same rent twice that day.
    const next = imported(await post(statement('S3', [b, c, c], day(4))));
    assert.equal(next.newEntries, 2, 'c and its twin; b was there');
    assert.equal(await countEntries(account.id), before + 4);
    // A later file with c only once adds nothing: that occurrence is known.
    const later = imported(await post(statement('S4', [c], day(4))));
    assert.equal(later.newEntries, 0);
    assert.equal(later.statements[0].alreadyImportedAs, null, 'another statement, nothing new in it');
    assert.equal(await countEntries(account.id), before + 4);
  });

  test('a file for an unknown account or malformed imports nothing; an entry in another currency is kept with a warning', async () => {
    const before = await countEntries(account.id);
    const statementsBefore = (expect(await call('GET', '/statements?limit=500'), 200).data as Body[]).length;
    const unknown = await post(
      camt053(
        {
          messageId: 'M-X',
          statementId: 'X',
          iban: 'FR1420041010050500013M02606',
          currency: 'EUR',
          opening: 0n,
          date: day(5),
        },
        [entry({})],
      ),
    );
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.code, 'unknown_bank_account');
    assert.match(unknown.body.detail, /FR1420041010050500013M02606/);

    // Two statements in one file, the second for an unknown account: the first is not imported either.
    const good = statement('S5', [entry({ amount: 77n, bookingDate: day(5) })], day(5));
    const second = unknownStatementXml();
    const both = good.replace('</BkToCstmrStmt>', `${second}</BkToCstmrStmt>`);
    const mixed = await post(both);
    assert.equal(mixed.status, 422, JSON.stringify(mixed.body));
    assert.match(mixed.body.detail, /Stmt\[2\]/);

    const usd = await post(
      statement('S6', [entry({ amount: 5n })]).replace('<Ntry><Amt Ccy="EUR">', '<Ntry><Amt Ccy="USD">'),
    );
    // Kept as the bank wrote it, and named in the statement's warnings.
    assert.equal(usd.status, 201, JSON.stringify(usd.body));
    assert.match(usd.body.statements[0].warnings.join(), /Ntry\[1\]: the entry is in USD, the account in EUR/);

    const broken = await post(
      statement('S7', [entry({ amount: 5n })]).replace('<Ntry><Amt Ccy="EUR">0.05', '<Ntry><Amt Ccy="EUR">zero'),
    );
    assert.equal(broken.status, 400, JSON.stringify(broken.body));
    assert.match(broken.body.detail, /Ntry\[1\]\/Amt/);

    const truncated = await post(statement('S8', [entry({ amount: 6n })]).slice(0, 400));
    assert.equal(truncated.status, 400, JSON.stringify(truncated.body));

    const wrongType = await post('<x/>', 'application/json');
    assert.ok([400, 415].includes(wrongType.status), JSON.stringify(wrongType.body));
    const csv = await post('a,b\n1,2\n', 'text/csv');
    assert.equal(csv.status, 415);
    const notStatement = await post(readFileSync(SAMPLES.find((f) => f.includes('pain_001'))!));
    assert.equal(notStatement.status, 400, JSON.stringify(notStatement.body));

    assert.equal(await countEntries(account.id), before + 1, 'no entry of a refused file (one of the USD entry)');
    assert.equal((expect(await call('GET', '/statements?limit=500'), 200).data as Body[]).length, statementsBefore + 1);
  });

  test('hostile files are refused as bad input, never a 5xx', async () => {
    const hostile: Array<[string, string | Uint8Array, string]> = [
      ['empty', '', 'application/xml'],
      ['binary', new Uint8Array([0, 159, 146, 150, 255, 0, 1, 2]), 'application/octet-stream'],
      [
        'entity expansion',
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
          '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>&b;</BkToCstmrStmt></Document>',
        'application/xml',
      ],
      [
        'external entity',
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>' +
          '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>&x;</MsgId></GrpHdr></BkToCstmrStmt></Document>',
        'application/xml',
      ],
      ['not MT940', ':20:X\n:25:\n:28C:\n:60F:nonsense\n-', 'text/plain'],
      [
        'deep nesting',
        `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">${'<a>'.repeat(5000)}`,
        'application/xml',
      ],
    ];
    for (const [what, body, type] of hostile) {
      const reply = await post(body, type);
      assert.ok(reply.status >= 400 && reply.status < 500, `${what}: ${reply.status} ${JSON.stringify(reply.body)}`);
      assert.ok(!JSON.stringify(reply.body).includes('root:'), `${what}: no file content leaks`);
    }
  });

  test('every bank sample and fixture statement imports, with the entries the reader finds', async () => {
    const files = SAMPLES.filter((f) => !/pain_00[12]/.test(f));
    assert.ok(files.length >= 12, `statement fixtures found: ${files.length}`);
    const known = new Set<string>();
    const invalid = new Set<string>();
    for (const file of files) {
      const content = readFileSync(file);
      const read = readStatementsWhole(content);
      for (const s of read) {
        const { iban, otherId, currency } = s.account;
        const ccy = currency ?? s.entries[0]?.amount.currency ?? 'EUR';
        const key = `${iban ?? otherId} ${ccy}`;
        if (known.has(key)) continue;
        known.add(key);
        // A local account: MT940's `BLZ/account` is a German bank code and account number.
        const local = otherId ?? '';
        const [code, number] = local.includes('/') ? local.split('/') : ['BANK', local];
        const details = iban
          ? { iban }
          : { accountNumber: number!, bankCode: code!, country: local.includes('/') ? 'DE' : 'US' };
        if (iban && !isIban(iban)) {
          // Bank samples are not always valid (Nordea's IBAN fails its check digits): such an
          // account cannot be added, so its statement is refused, naming it.
          invalid.add(file);
          continue;
        }
        const created = await call('POST', '/bank-accounts', {
          json: {
            name: key,
            currency: ccy,
            ownerName: 'Sample owner',
            ledgerAccount: `cash:bank:${known.size}`,
            ...details,
          },
        });
        // 409: the account is already there (the same account in another sample or test).
        assert.ok([201, 409].includes(created.status), `${path.basename(file)}: ${JSON.stringify(created.body)}`);
      }
      const type = file.endsWith('.sta') ? 'text/plain' : 'application/xml';
      const result = await post(content, type);
      if (invalid.has(file)) {
        assert.equal(result.status, 422, `${path.basename(file)}: ${JSON.stringify(result.body)}`);
        assert.equal(result.body.code, 'unknown_bank_account');
        continue;
      }
      assert.equal(result.status, 201, `${path.basename(file)}: ${JSON.stringify(result.body)}`);
      const booked = read.map((s) => s.entries.filter((e) => e.status === null || e.status === 'BOOK').length);
      assert.deepEqual(
        (result.body.statements as Body[]).map((s) => s.entries),
        booked,
        path.basename(file),
      );
      const again = await post(content, type);
      assert.equal(again.body.newEntries, 0, `${path.basename(file)} twice`);
    }
  });
});

function unknownStatementXml(): string {
  return (
    '<Stmt><Id>UNKNOWN</Id><CreDtTm>2026-03-05T18:00:00Z</CreDtTm>' +
    '<Acct><Id><IBAN>GB29NWBK60161331926819</IBAN></Id><Ccy>GBP</Ccy></Acct>' +
    '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="GBP">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-05</Dt></Dt></Bal>' +
    '</Stmt>'
  );
}
