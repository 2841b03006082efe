import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { AppError } from '../../core/errors.js';
import { readPain002 } from './pain002-reader.js';
import { validateAgainstXsd } from './xsd-validation.js';

/**
 * The pain.002 reader on the banks' sample status reports (all 2009-edition .03 files; one bank,
 * Cross River, writes the namespace as an attribute "Xmlns", so the document has none), on .10 and
 * .11 reports that are valid against the shipped schemas, and on broken input.
 */

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const V03 = 'urn:iso:std:iso:20022:tech:xsd:pain.002.001.03';
const CROSS_RIVER_WARNING = `Document has no namespace (it has an attribute "${V03}" that looks like one)`;

describe('pain.002 samples (.03)', () => {
  test('Nordea: the whole file rejected as a duplicate', () => {
    const report = readPain002(fixture('nordea--pain_002_v3_group_reject.xml'));
    assert.equal(report.namespace, V03);
    assert.equal(report.version, 'pain.002.001.03');
    assert.equal(report.messageId, 'XML990920150810101909283');
    assert.equal(report.createdAt, '2015-08-10T10:19:09');
    assert.deepEqual(report.original, {
      messageId: 'MSGID-PS-TEST-0708-01',
      messageNameId: 'pain.001.001.03',
      createdAt: '2015-08-10T10:48:47',
      numberOfTransactions: null,
      controlSum: null,
    });
    assert.equal(report.groupStatus, 'RJCT');
    assert.deepEqual(report.groupReasons, [
      { code: 'DU01', proprietary: null, additionalInfo: ['ISO Duplicate Message ID'], originator: null },
    ]);
    assert.deepEqual(report.paymentInformation, []);
    assert.deepEqual(report.warnings, []);
  });

  test('Nordea: one payment information block rejected', () => {
    const report = readPain002(fixture('nordea--pain_002_v3_payment_reject.xml'));
    assert.equal(report.original.messageId, 'MSGID-COM-SCE25-1707-01');
    assert.equal(report.groupStatus, null);
    assert.equal(report.paymentInformation.length, 1);
    const block = report.paymentInformation[0]!;
    assert.equal(block.originalPaymentInformationId, 'PMTINFID-COM-SCE25-1707-01');
    assert.equal(block.status, 'RJCT');
    assert.deepEqual(block.reasons, [
      {
        code: 'NARR',
        proprietary: null,
        additionalInfo: ['CAP Invalid code or combinations in CategoryPurpose or ServiceLevel'],
        originator: null,
      },
    ]);
    assert.deepEqual(block.transactions, []);
  });

  test('Nordea: single transfers rejected', () => {
    const report = readPain002(fixture('nordea--pain_002_v3_txn_reject.xml'));
    const block = report.paymentInformation[0]!;
    assert.equal(block.originalPaymentInformationId, 'PMTINFID-950-TEST2-2807-01');
    assert.equal(block.status, 'RJCT');
    assert.deepEqual(
      block.transactions.map((t) => [t.originalInstructionId, t.originalEndToEndId, t.status, t.reasons[0]?.code]),
      [
        ['INSTRID-950-TEST2-2807-02', 'ENDTOENDID-950-TEST2-2807-02', 'RJCT', 'NARR'],
        ['INSTRID-950-TEST2-2807-01', 'ENDTOENDID-950-TEST2-2807-01', 'RJCT', 'NARR'],
      ],
    );
    assert.deepEqual(block.transactions[0]!.reasons[0]!.additionalInfo, [
      'CAP Invalid code or combinations in CategoryPurpose or ServiceLevel',
    ]);
  });

  test('Goldman Sachs: a transfer accepted, with the amount repeated', () => {
    const report = readPain002(fixture('goldman_sachs--pain_002_v3_accepted.xml'));
    assert.equal(report.messageId, '1036XXX');
    assert.equal(report.original.messageId, '10280093XXXX');
    assert.equal(report.original.numberOfTransactions, 2);
    assert.equal(report.original.controlSum, '20.0000');
    assert.equal(report.groupStatus, null);
    const block = report.paymentInformation[0]!;
    assert.equal(block.originalPaymentInformationId, '3B-CCY');
    assert.equal(block.status, null);
    assert.deepEqual(block.transactions, [
      {
        statusId: null,
        originalInstructionId: null,
        originalEndToEndId: 'GSDGFKfLURaHb',
        originalUetr: null,
        status: 'ACCP',
        reasons: [{ code: 'NARR', proprietary: null, additionalInfo: [], originator: null }],
        acceptedAt: null,
        accountServicerReference: 'I200820000XXXXX',
        clearingSystemReference: null,
        originalAmount: { value: '10.00', currency: 'USD', minor: 1000n },
      },
    ]);
  });

  test('Goldman Sachs: the group accepted, two lines of additional information', () => {
    const report = readPain002(fixture('goldman_sachs--pain_002_v3_group_accepted.xml'));
    assert.equal(report.original.messageId, 'CLIENT NAME_2023-09-06:04');
    assert.equal(report.original.messageNameId, 'CHECK_DEPOSIT');
    assert.equal(report.original.controlSum, '27.0');
    assert.equal(report.groupStatus, 'ACTC');
    assert.deepEqual(report.groupReasons, [
      {
        code: null,
        proprietary: null,
        additionalInfo: ['File accepted post technical and profile validations', 'Original File Name: 26951.json'],
        originator: null,
      },
    ]);
  });

  test('Goldman Sachs: a block accepted; ids padded with spaces are read trimmed', () => {
    const report = readPain002(fixture('goldman_sachs--pain_002_v3_payment_accepted.xml'));
    assert.equal(report.original.messageId, 'XXX001_20220315_B_DZSOXXXX');
    assert.equal(report.original.messageNameId, 'NACHA');
    assert.equal(report.original.numberOfTransactions, 8);
    assert.equal(report.original.controlSum, '72.5400');
    assert.equal(report.paymentInformation[0]!.originalPaymentInformationId, 'xxx001220315B000XXXX');
    assert.equal(report.paymentInformation[0]!.status, 'ACCP');
    assert.deepEqual(report.paymentInformation[0]!.reasons[0]!.additionalInfo, [
      'Accepted post profile and tech validations',
    ]);
  });

  test('Cross River: accepted, no namespace (written "Xmlns"); the version is still recorded', () => {
    const report = readPain002(fixture('cross_river--pain_002_credit_accepted.xml'));
    assert.equal(report.namespace, null);
    assert.equal(report.version, 'pain.002.001.03');
    assert.deepEqual(report.warnings, [CROSS_RIVER_WARNING]);
    assert.equal(report.original.messageId, 'AMBCD10000000');
    assert.equal(report.original.numberOfTransactions, 3);
    assert.equal(report.original.controlSum, '5.0100');
    assert.equal(report.groupStatus, 'ACTC');
    const block = report.paymentInformation[0]!;
    assert.equal(block.originalPaymentInformationId, 'ABCD10000000');
    assert.equal(block.originalNumberOfTransactions, 3);
    assert.equal(block.status, 'ACTC');
    assert.equal(block.transactions.length, 1);
    assert.equal(block.transactions[0]!.originalInstructionId, '100ABCD012345');
    assert.equal(block.transactions[0]!.originalEndToEndId, '0000000000000108');
    assert.equal(block.transactions[0]!.clearingSystemReference, '46456456');
    assert.equal(block.transactions[0]!.status, 'ACSP');
  });

  test('Cross River: direct debits accepted, three transactions', () => {
    const report = readPain002(fixture('cross_river--pain_002_debit_accepted.xml'));
    assert.equal(report.original.messageNameId, 'pain.008.001.02');
    assert.equal(report.original.controlSum, '6.0000');
    assert.deepEqual(
      report.paymentInformation[0]!.transactions.map((t) => [t.originalEndToEndId, t.status]),
      [
        ['DD1-1', 'ACSP'],
        ['DD1-2', 'ACSP'],
        ['DD1-3', 'ACSP'],
      ],
    );
  });

  test('Cross River: the file rejected, reason in CDATA, no original message id', () => {
    const report = readPain002(fixture('cross_river--pain_002_batch_rejected.xml'));
    assert.equal(report.messageId, 'abcdefg012345689');
    assert.equal(report.original.messageId, null);
    assert.equal(report.original.numberOfTransactions, 0);
    assert.equal(report.groupStatus, 'RJCT');
    assert.equal(report.groupReasons[0]!.code, 'NARR');
    assert.deepEqual(report.groupReasons[0]!.additionalInfo, [
      "Error parsing file examplefile.xml: The 'MsgId' start tag on line 5 position 5 does not match the end tag of 'GrpHdr'. Line 19, position 5.",
    ]);
    assert.deepEqual(report.warnings, [
      CROSS_RIVER_WARNING,
      'Document/CstmrPmtStsRpt/OrgnlGrpInfAndSts/OrgnlMsgId is missing',
    ]);
  });

  test('Cross River: the group accepted, its block and every transfer rejected', () => {
    const report = readPain002(fixture('cross_river--pain_002_transaction_rejected.xml'));
    assert.equal(report.groupStatus, 'ACTC');
    const block = report.paymentInformation[0]!;
    assert.equal(block.originalPaymentInformationId, 'missing2');
    assert.equal(block.status, 'RJCT');
    assert.equal(block.originalControlSum, '5.0400');
    assert.deepEqual(
      block.transactions.map((t) => [
        t.originalEndToEndId,
        t.status,
        t.reasons[0]!.code,
        t.reasons[0]!.additionalInfo[0],
      ]),
      [
        ['sanity-10-1-12-1-21', 'RJCT', 'NARR', 'Instruction ID example01234567 already exist'],
        ['example01234567', 'RJCT', 'NARR', 'Instruction ID example01234567 already exist'],
        ['example012345678', 'RJCT', 'NARR', 'Instruction ID example012345678 already exist'],
      ],
    );
  });
});

/** A 2019-edition report: group partly accepted, one block with an accepted and a rejected transfer. */
function report2019(version: 'pain.002.001.10' | 'pain.002.001.11', prefix = ''): string {
  const p = prefix ? `${prefix}:` : '';
  const ns = prefix ? `xmlns:${prefix}` : 'xmlns';
  return `<?xml version="1.0" encoding="UTF-8"?>
<${p}Document ${ns}="urn:iso:std:iso:20022:tech:xsd:${version}">
  <${p}CstmrPmtStsRpt>
    <${p}GrpHdr>
      <${p}MsgId>STS-2025-0042</${p}MsgId>
      <${p}CreDtTm>2025-03-03T08:00:00+01:00</${p}CreDtTm>
      <${p}DbtrAgt><${p}FinInstnId><${p}BICFI>COBADEFFXXX</${p}BICFI></${p}FinInstnId></${p}DbtrAgt>
    </${p}GrpHdr>
    <${p}OrgnlGrpInfAndSts>
      <${p}OrgnlMsgId>MSG-2025-03-01-0001</${p}OrgnlMsgId>
      <${p}OrgnlMsgNmId>pain.001.001.09</${p}OrgnlMsgNmId>
      <${p}OrgnlCreDtTm>2025-03-01T10:15:30Z</${p}OrgnlCreDtTm>
      <${p}OrgnlNbOfTxs>2</${p}OrgnlNbOfTxs>
      <${p}OrgnlCtrlSum>223.45</${p}OrgnlCtrlSum>
      <${p}GrpSts>PART</${p}GrpSts>
    </${p}OrgnlGrpInfAndSts>
    <${p}OrgnlPmtInfAndSts>
      <${p}OrgnlPmtInfId>MSG-2025-03-01-0001-1</${p}OrgnlPmtInfId>
      <${p}OrgnlNbOfTxs>2</${p}OrgnlNbOfTxs>
      <${p}OrgnlCtrlSum>223.45</${p}OrgnlCtrlSum>
      <${p}PmtInfSts>PART</${p}PmtInfSts>
      <${p}TxInfAndSts>
        <${p}StsId>S-1</${p}StsId>
        <${p}OrgnlInstrId>I-1</${p}OrgnlInstrId>
        <${p}OrgnlEndToEndId>E2E-0001</${p}OrgnlEndToEndId>
        <${p}OrgnlUETR>3f2a1c7e-8b4d-4e9a-9c1b-2d3e4f5a6b7c</${p}OrgnlUETR>
        <${p}TxSts>ACSC</${p}TxSts>
        <${p}AccptncDtTm>2025-03-03T07:59:00Z</${p}AccptncDtTm>
        <${p}AcctSvcrRef>BANKREF-1</${p}AcctSvcrRef>
        <${p}OrgnlTxRef><${p}Amt><${p}InstdAmt Ccy="EUR">123.45</${p}InstdAmt></${p}Amt></${p}OrgnlTxRef>
      </${p}TxInfAndSts>
      <${p}TxInfAndSts>
        <${p}OrgnlEndToEndId>E2E-0002</${p}OrgnlEndToEndId>
        <${p}TxSts>RJCT</${p}TxSts>
        <${p}StsRsnInf>
          <${p}Orgtr><${p}Nm>Beneficiary Bank</${p}Nm></${p}Orgtr>
          <${p}Rsn><${p}Cd>AC04</${p}Cd></${p}Rsn>
          <${p}AddtlInf>Account closed</${p}AddtlInf>
          <${p}AddtlInf>since 2024-12-31 &amp; not reopened</${p}AddtlInf>
        </${p}StsRsnInf>
        <${p}StsRsnInf>
          <${p}Rsn><${p}Prtry>BANK-17</${p}Prtry></${p}Rsn>
        </${p}StsRsnInf>
      </${p}TxInfAndSts>
    </${p}OrgnlPmtInfAndSts>
  </${p}CstmrPmtStsRpt>
</${p}Document>
`;
}

describe('pain.002 2019 editions (.10, .11)', () => {
  for (const version of ['pain.002.001.10', 'pain.002.001.11'] as const) {
    test(`${version}: valid against its schema and read`, async () => {
      const xml = report2019(version);
      assert.deepEqual((await validateAgainstXsd(xml, version)).errors, []);
      const report = readPain002(xml);
      assert.equal(report.version, version);
      assert.equal(report.namespace, `urn:iso:std:iso:20022:tech:xsd:${version}`);
      assert.equal(report.messageId, 'STS-2025-0042');
      assert.equal(report.createdAt, '2025-03-03T08:00:00+01:00');
      assert.deepEqual(report.original, {
        messageId: 'MSG-2025-03-01-0001',
        messageNameId: 'pain.001.001.09',
        createdAt: '2025-03-01T10:15:30Z',
        numberOfTransactions: 2,
        controlSum: '223.45',
      });
      assert.equal(report.groupStatus, 'PART');
      const block = report.paymentInformation[0]!;
      assert.equal(block.originalPaymentInformationId, 'MSG-2025-03-01-0001-1');
      assert.equal(block.status, 'PART');
      assert.deepEqual(block.transactions[0], {
        statusId: 'S-1',
        originalInstructionId: 'I-1',
        originalEndToEndId: 'E2E-0001',
        originalUetr: '3f2a1c7e-8b4d-4e9a-9c1b-2d3e4f5a6b7c',
        status: 'ACSC',
        reasons: [],
        acceptedAt: '2025-03-03T07:59:00Z',
        accountServicerReference: 'BANKREF-1',
        clearingSystemReference: null,
        originalAmount: { value: '123.45', currency: 'EUR', minor: 12345n },
      });
      assert.equal(block.transactions[1]!.status, 'RJCT');
      assert.deepEqual(block.transactions[1]!.reasons, [
        {
          code: 'AC04',
          proprietary: null,
          additionalInfo: ['Account closed', 'since 2024-12-31 & not reopened'],
          originator: 'Beneficiary Bank',
        },
        { code: null, proprietary: 'BANK-17', additionalInfo: [], originator: null },
      ]);
      assert.deepEqual(report.warnings, []);
    });
  }

  test('a namespace prefix reads the same as a default namespace', () => {
    assert.deepEqual(readPain002(report2019('pain.002.001.11', 'ps')), readPain002(report2019('pain.002.001.11')));
  });

  test('a bank namespace that embeds the version (Swiss SIX style)', () => {
    const xml = report2019('pain.002.001.10').replace(
      'urn:iso:std:iso:20022:tech:xsd:pain.002.001.10',
      'http://www.six-interbank-clearing.com/de/pain.002.001.10.ch.02.xsd',
    );
    const report = readPain002(xml);
    assert.equal(report.version, 'pain.002.001.10');
    assert.equal(report.paymentInformation[0]!.transactions.length, 2);
  });
});

describe('pain.002: broken input is a clear 400, never a crash', () => {
  const refusal = (xml: unknown): AppError => {
    try {
      readPain002(xml as string);
    } catch (error) {
      assert.ok(error instanceof AppError, String(error));
      assert.equal(error.status, 400);
      assert.equal(error.code, 'invalid_pain002');
      return error;
    }
    assert.fail('read without an error');
  };
  const good = report2019('pain.002.001.10');

  test('a mismatched end tag names the line and the element path', () => {
    const error = refusal(
      good.replace('<OrgnlPmtInfId>MSG-2025-03-01-0001-1</OrgnlPmtInfId>', '<OrgnlPmtInfId>x</OrgnlPmtInfID>'),
    );
    const line = good.split('\n').findIndex((l) => l.includes('<OrgnlPmtInfId>')) + 1;
    assert.match(
      error.message,
      new RegExp(
        `^pain\\.002 is not readable: line ${line}, column \\d+ inside Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts/OrgnlPmtInfId: the end tag does not match <OrgnlPmtInfId>$`,
      ),
    );
    assert.equal(error.details?.path, 'Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts/OrgnlPmtInfId');
    assert.equal(error.details?.line, line);
  });

  test('a truncated file', () => {
    const error = refusal(good.slice(0, good.indexOf('<TxSts>ACSC')));
    assert.match(
      error.message,
      /inside Document\/CstmrPmtStsRpt\/OrgnlPmtInfAndSts\/TxInfAndSts: unclosed tag: TxInfAndSts/,
    );
  });

  test('an undefined entity, a DOCTYPE (no entity expansion at all), an unbound prefix', () => {
    assert.match(
      refusal(good.replace('Account closed', 'Account &closed;')).message,
      /inside Document\/CstmrPmtStsRpt\/OrgnlPmtInfAndSts\/TxInfAndSts\/StsRsnInf\/AddtlInf: undefined entity/,
    );
    const doctype = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Document/>';
    assert.match(refusal(doctype).message, /a DOCTYPE is not allowed/);
    assert.match(refusal('<ps:Document><ps:CstmrPmtStsRpt/></ps:Document>').message, /unbound namespace prefix/);
  });

  test('not a status report', () => {
    assert.match(refusal('').message, /must contain a root element/);
    assert.match(refusal('just text').message, /line 1/);
    assert.match(refusal(42).message, /must be a string/);
    assert.match(refusal('<Invoice/>').message, /the root element is Invoice; a pain\.002 has Document/);
    assert.match(
      refusal('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>')
        .message,
      /Document holds CstmrCdtTrfInitn; a pain\.002 has Document\/CstmrPmtStsRpt/,
    );
    assert.match(
      refusal('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrPmtStsRpt/></Document>').message,
      /names pain\.001\.001\.09, not a pain\.002/,
    );
    assert.match(
      refusal(good.replace('<MsgId>STS-2025-0042</MsgId>', '')).message,
      /Document\/CstmrPmtStsRpt\/GrpHdr\/MsgId is missing/,
    );
  });

  test('odd values are read as null with a warning', () => {
    const report = readPain002(
      good
        .replace('<OrgnlNbOfTxs>2</OrgnlNbOfTxs>', '<OrgnlNbOfTxs>two</OrgnlNbOfTxs>')
        .replace('<PmtInfSts>PART</PmtInfSts>', '<PmtInfSts>partly</PmtInfSts>')
        .replace('<InstdAmt Ccy="EUR">123.45</InstdAmt>', '<InstdAmt Ccy="EUR">12,5</InstdAmt>'),
    );
    assert.equal(report.original.numberOfTransactions, null);
    assert.equal(report.paymentInformation[0]!.status, 'partly');
    assert.equal(report.paymentInformation[0]!.transactions[0]!.originalAmount, null);
    assert.deepEqual(report.warnings, [
      'Document/CstmrPmtStsRpt/OrgnlGrpInfAndSts/OrgnlNbOfTxs "two" is not a count',
      'Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts/PmtInfSts "partly" is not a 4-letter status code',
      `Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts/TxInfAndSts/OrgnlTxRef/Amt/InstdAmt (line ${
        good.split('\n').findIndex((l) => l.includes('<InstdAmt')) + 1
      }) "12,5" EUR is not an amount`,
    ]);
  });
});
