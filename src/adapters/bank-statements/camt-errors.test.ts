import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { AppError } from '../../core/errors.js';
import { readCamt, readCamtWhole } from './camt-reader.js';
import { StatementReadError } from './statement-error.js';
import type { StatementEvent } from './statement-types.js';

/**
 * Broken camt files: each is refused with a StatementReadError (an AppError, 400) naming the element
 * path, and the line where the parser knows it; gaps that do not change money are warnings instead.
 */

const V02 = readFileSync(new URL('./fixtures/camt053-v02-features.xml', import.meta.url), 'utf8');

/** The fixture with one exact piece of text replaced (which must occur). */
function edited(from: string, to: string, xml = V02): string {
  assert.ok(xml.includes(from), `the fixture holds ${from}`);
  return xml.replace(from, to);
}

function refused(xml: string, path: string | null, problem: string | RegExp): StatementReadError {
  let caught: unknown;
  try {
    readCamtWhole(xml);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof StatementReadError, `expected a StatementReadError, got ${String(caught)}`);
  assert.equal(caught.path, path);
  if (typeof problem === 'string') assert.equal(caught.problem, problem);
  else assert.match(caught.problem, problem);
  return caught;
}

describe('malformed camt', () => {
  test('an amount that is not a decimal: the path, the line, a 400 AppError', () => {
    const error = refused(
      edited('<Amt Ccy="EUR">595.00</Amt>', '<Amt Ccy="EUR">595,00</Amt>'),
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[5]/Amt',
      '"595,00" is not a decimal',
    );
    assert.ok(error instanceof AppError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'invalid_statement');
    assert.equal(error.field, 'body');
    const line = V02.split('\n').findIndex((l) => l.includes('595.00')) + 1;
    assert.equal(error.line, line);
    assert.equal(
      error.message,
      `camt.053 is not readable: Document/BkToCstmrStmt/Stmt[1]/Ntry[5]/Amt: "595,00" is not a decimal (line ${line})`,
    );
    assert.deepEqual(error.details, {
      format: 'camt.053',
      path: 'Document/BkToCstmrStmt/Stmt[1]/Ntry[5]/Amt',
      line,
      column: null,
    });
  });

  test('amounts: more decimals than the currency has, an unknown currency, none, negative, empty', () => {
    refused(
      edited('<Amt Ccy="JPY">250000.00</Amt>', '<Amt Ccy="JPY">250000.5</Amt>'),
      'Document/BkToCstmrStmt/Stmt[2]/Ntry[1]/Amt',
      '250000.5 has more decimals than JPY has minor digits (0)',
    );
    refused(
      edited('<Amt Ccy="EUR">3450.00</Amt>', '<Amt Ccy="EUX">3450.00</Amt>'),
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt',
      'Ccy "EUX" is not an ISO 4217 currency',
    );
    refused(
      edited('<Amt Ccy="EUR">3450.00</Amt>', '<Amt>3450.00</Amt>'),
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt',
      'has no Ccy (currency)',
    );
    refused(
      edited('<Amt Ccy="EUR">10000.00</Amt>', '<Amt Ccy="EUR">-10000.00</Amt>'),
      'Document/BkToCstmrStmt/Stmt[1]/Bal[1]/Amt',
      '"-10000.00" is not a decimal',
    );
    refused(
      edited('<Amt Ccy="EUR">1500.00</Amt>', '<Amt Ccy="EUR"> </Amt>'),
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[2]/AmtDtls/TxAmt/Amt',
      'is empty',
    );
    refused(
      edited('<TtlAmt Ccy="EUR">3450.00</TtlAmt>', '<TtlAmt Ccy="EUR">3.450,00</TtlAmt>'),
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/Btch/TtlAmt',
      '"3.450,00" is not a decimal',
    );
    refused(
      edited('<Amt Ccy="EUR">0.50</Amt>', '<Amt Ccy="EUR">0.5x</Amt>'),
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Chrgs[2]/Amt',
      '"0.5x" is not a decimal',
    );
  });

  test('what money depends on is required: amount, direction, the account', () => {
    refused(edited('<Amt Ccy="EUR">923.16</Amt>', ''), 'Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt', 'is missing');
    refused(
      edited('<Amt Ccy="EUR">923.16</Amt>\n        <CdtDbtInd>DBIT</CdtDbtInd>', '<Amt Ccy="EUR">923.16</Amt>'),
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/CdtDbtInd',
      'is missing',
    );
    refused(
      edited('<CdtDbtInd>CRDT</CdtDbtInd>', '<CdtDbtInd>CRED</CdtDbtInd>'),
      'Document/BkToCstmrStmt/Stmt[1]/Bal[1]/CdtDbtInd',
      '"CRED" is neither CRDT nor DBIT',
    );
    refused(
      edited('<RvslInd>true</RvslInd>', '<RvslInd>yes</RvslInd>'),
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[4]/RvslInd',
      '"yes" is neither true nor false',
    );
    refused(
      edited('<IBAN>DE89370400440532013000</IBAN>', ''),
      'Document/BkToCstmrStmt/Stmt[1]/Acct/Id',
      'names neither an IBAN nor Othr/Id',
    );
    refused(edited('<MsgId>FF-053-02-20240304</MsgId>', ''), 'Document/BkToCstmrStmt/GrpHdr/MsgId', 'is missing');
    refused(
      edited('<Dt>2024-03-05</Dt>', '<Dt>2024-02-30</Dt>'),
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/ValDt/Dt',
      '"2024-02-30" is not a date',
    );
  });

  test('not well-formed: an unclosed or mismatched element, a cut-off file, a DOCTYPE', () => {
    const mismatched = refused(
      edited('<NtryRef>RET-0001</NtryRef>', '<NtryRef>RET-0001</NtryRf>'),
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/NtryRef',
      /^unexpected close tag|^the end tag does not match <NtryRef>$/,
    );
    assert.ok(mismatched.line !== null && mismatched.column !== null);
    refused(
      V02.slice(0, V02.indexOf('<NtryRef>REV-0001')),
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[4]',
      /unclosed tag: Ntry/,
    );
    refused(
      edited('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x "y">]>'),
      null,
      'a DOCTYPE is not allowed',
    );
    refused(
      edited('Storno einer', 'Storno &bogus; einer'),
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[4]/AddtlNtryInf',
      /undefined entity/,
    );
    refused('', null, /document must contain a root element/);
  });

  test('not a camt statement: another message, a namespace that disagrees, no statement in it', () => {
    refused(
      '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>',
      'Document/CstmrCdtTrfInitn',
      'Document holds CstmrCdtTrfInitn (the namespace names pain.001.001.03); a camt.052, camt.053 or camt.054 holds BkToCstmrAcctRpt, BkToCstmrStmt or BkToCstmrDbtCdtNtfctn',
    );
    refused(
      edited('xsd:camt.053.001.02', 'xsd:camt.052.001.02'),
      'Document/BkToCstmrStmt',
      'the namespace names camt.052.001.02, but the document holds camt.053',
    );
    refused('<Statement/>', 'Statement', 'the root element is Statement; a camt statement has Document');
    refused(
      '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>X</MsgId></GrpHdr></BkToCstmrStmt></Document>',
      'Document/BkToCstmrStmt',
      'holds no Stmt',
    );
    refused(
      edited(/<GrpHdr>[\s\S]*?<\/GrpHdr>/.exec(V02)![0], ''),
      'Document/BkToCstmrStmt/GrpHdr',
      'is missing (it must come before Stmt)',
    );
  });

  test('gaps that leave the money known are warnings, and the value is null', () => {
    const [statement] = readCamtWhole(
      edited('<Id>STMT-EUR-2024-064</Id>', '')
        .replace('<Sts>BOOK</Sts>', '')
        .replace('<NbOfTxs>3</NbOfTxs>', '<NbOfTxs>three</NbOfTxs>'),
    );
    assert.equal(statement!.statementId, null);
    assert.equal(statement!.entries[0]!.status, null);
    assert.equal(statement!.entries[0]!.batch!.transactionCount, null);
    assert.deepEqual(statement!.warnings, [
      'Document/BkToCstmrStmt/Stmt[1]/Id is missing',
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Sts is missing',
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/Btch/NbOfTxs "three" is not a count',
    ]);
    assert.deepEqual(statement!.entries[0]!.warnings, statement!.warnings.slice(1));
    // A batch whose listed transactions disagree with its count.
    const [short] = readCamtWhole(edited('<NbOfTxs>3</NbOfTxs>', '<NbOfTxs>4</NbOfTxs>'));
    assert.deepEqual(short!.entries[0]!.warnings, [
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[1]: the batch says 4 transactions, 3 are listed',
    ]);
  });

  test('streaming: the entries before the broken one arrive, then the error names Stmt[2]/Ntry[14]', async () => {
    const entry = (amount: string): string =>
      `<Ntry><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BkTxCd/></Ntry>`;
    const statement = (entries: string[]): string =>
      `<Stmt><Id>S</Id><CreDtTm>2024-03-04T00:00:00</CreDtTm><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>${entries.join('')}</Stmt>`;
    const xml =
      '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr>' +
      statement([entry('1.00')]) +
      statement([...Array.from({ length: 13 }, () => entry('2.00')), entry('1,00'), entry('3.00')]) +
      '</BkToCstmrStmt></Document>';
    const seen: StatementEvent[] = [];
    await assert.rejects(
      async () => {
        for await (const event of readCamt([xml.slice(0, 700), xml.slice(700)])) seen.push(event);
      },
      (error: unknown) => {
        assert.ok(error instanceof StatementReadError);
        assert.equal(
          error.message,
          'camt.053 is not readable: Document/BkToCstmrStmt/Stmt[2]/Ntry[14]/Amt: "1,00" is not a decimal (line 1)',
        );
        return true;
      },
    );
    assert.deepEqual(
      seen.map((e) => e.kind),
      ['statement', 'entry', 'statementEnd', 'statement', ...Array<string>(13).fill('entry')],
    );
  });

  test('bytes that are not valid in their encoding are refused, never replaced', async () => {
    const bytes = Buffer.concat([
      Buffer.from(V02.slice(0, 2000)),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(V02.slice(2000)),
    ]);
    await assert.rejects(
      async () => {
        for await (const _ of readCamt(bytes)) void _;
      },
      { name: 'StatementReadError', message: 'camt is not readable: the file is not valid utf-8 text' },
    );
  });
});
