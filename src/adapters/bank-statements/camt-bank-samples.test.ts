import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { readCamtWhole } from './camt-reader.js';
import { readStatements } from './read-statements.js';
import type { BankStatement, StatementEntry } from './statement-types.js';

/**
 * The camt reader on every bank sample in src/adapters/iso20022/fixtures (all camt.053.001.02, as
 * banks still send them): values read by eye from each file. The samples are not always consistent
 * (Goldman Sachs' summaries and entry currencies), and where they are not the reader's warnings say so.
 */

const FIXTURES = new URL('../iso20022/fixtures/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const V02 = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02';
const TESTED = new Set<string>();

function read(name: string): BankStatement[] {
  TESTED.add(name);
  const statements = readCamtWhole(fixture(name));
  for (const s of statements) {
    assert.equal(s.format, 'camt.053');
    assert.equal(s.namespace, V02);
    assert.equal(s.version, 'camt.053.001.02');
  }
  return statements;
}

/** Signed minor units, for sums and balance checks. */
const signed = (e: { amount: { amount: bigint }; creditDebit: string }): bigint =>
  e.creditDebit === 'CRDT' ? e.amount.amount : -e.amount.amount;
const sum = (entries: StatementEntry[]): bigint => entries.reduce((total, e) => total + signed(e), 0n);
const balance = (s: BankStatement, type: string): bigint => signed(s.balances.find((b) => b.type === type)!);

describe('camt.053 bank samples', () => {
  test('Nordea: six entries that take the opening balance to the closing one', () => {
    const [statement, ...more] = read('nordea--example_camt.xml');
    assert.equal(more.length, 0);
    assert.equal(statement!.messageId, 'XML12345678901234567890123456789012');
    assert.equal(statement!.messageCreatedAt, '2019-05-09T04:33:00.444Z');
    assert.equal(statement!.statementId, '2019-05-09-04.44.12-EUR0574');
    assert.equal(statement!.electronicSequenceNumber, '25');
    assert.equal(statement!.legalSequenceNumber, '20');
    assert.deepEqual(statement!.account, {
      iban: 'FI8529501800030574',
      otherId: null,
      otherScheme: null,
      currency: 'EUR',
      name: null,
      ownerName: 'TEST COMPANY',
      servicerBic: 'NDEAFIHH',
    });
    assert.deepEqual(
      statement!.balances.map((b) => [b.type, b.amount.amount, b.creditDebit, b.date]),
      [
        ['OPBD', 20050n, 'CRDT', '2019-05-08'],
        ['CLBD', 880050n, 'CRDT', '2019-05-08'],
      ],
    );
    const entries = statement!.entries;
    assert.equal(entries.length, 6);
    assert.equal(balance(statement!, 'OPBD') + sum(entries), balance(statement!, 'CLBD'));
    assert.deepEqual(
      entries.map((e) => [e.reference, e.amount.amount, e.creditDebit, e.accountServicerReference]),
      [
        ['1', 1000000n, 'CRDT', '1905082588CEAA0001'],
        ['2', 10050n, 'CRDT', '1905082588SM12345678'],
        ['3', 70050n, 'DBIT', '1905082588CEAG0003'],
        ['4', 30000n, 'DBIT', '1905092588CEAG0004'],
        ['5', 40000n, 'DBIT', '1905082588CVCC1111'],
        ['6', 10000n, 'DBIT', '1905082588AU123456'],
      ],
    );
    const first = entries[0]!;
    assert.equal(first.status, 'BOOK');
    assert.equal(first.bookingDate, '2019-05-08');
    assert.equal(first.valueDate, '2019-05-08');
    assert.deepEqual(first.bankTransactionCode, {
      domain: 'PMNT',
      family: 'RCDT',
      subFamily: 'ESCT',
      proprietary: null,
      proprietaryIssuer: null,
    });
    assert.equal(first.transactions[0]!.endToEndId, '20190501-E00005');
    // A 20-digit SCOR reference that is neither ISO 11649 nor a Swiss QR reference.
    assert.deepEqual(first.transactions[0]!.remittance!.creditorReferences, [
      { reference: '00000000000000001245', type: 'SCOR', issuer: null, scheme: 'other' },
    ]);
    // Unstructured remittance split over two lines by the bank: kept as two lines.
    assert.deepEqual(entries[1]!.transactions[0]!.remittance!.unstructured, [
      'Free text max 140 characters and ma',
      'x 35 characters in one line',
    ]);
    const outgoing = entries[2]!.transactions[0]!;
    assert.equal(outgoing.messageId, '0001');
    assert.equal(outgoing.paymentInformationId, 'PMNTINFID08052019');
    assert.equal(outgoing.instructionId, 'INSTRID20190508');
    assert.equal(outgoing.endToEndId, '20190508-E123456');
    assert.deepEqual(outgoing.amount, { amount: 70050n, currency: 'EUR' });
    assert.equal(outgoing.remittance!.creditorReferences[0]!.reference, 'RF332348236');
    assert.equal(outgoing.remittance!.creditorReferences[0]!.issuer, 'ISO');
    assert.equal(entries[5]!.bankTransactionCode!.domain, 'CAMT');
    assert.deepEqual(statement!.warnings, []);
  });

  test('ABN AMRO: thirteen entries of every kind — batches with and without details, direct debits, returns', () => {
    const [statement] = read('abn_amro--example_camt.xml');
    assert.equal(statement!.messageId, '0574908765.2013-04-02');
    assert.equal(statement!.electronicSequenceNumber, '0070');
    assert.deepEqual(statement!.page, { number: 1, last: true });
    assert.equal(statement!.account.iban, 'NL77ABNA0574908765');
    assert.equal(statement!.account.servicerBic, 'ABNANL2A');
    assert.deepEqual(
      statement!.balances.map((b) => [b.type, b.amount.amount, b.date]),
      [
        ['PRCD', 100001n, '2013-03-28'],
        ['CLBD', 10001n, '2013-04-02'],
        ['CLAV', 10001n, '2013-04-02'],
        ['FWAV', 10001n, '2012-04-03'],
        ['FWAV', 10001n, '2012-04-04'],
        ['FWAV', 10001n, '2012-04-05'],
        ['FWAV', 10001n, '2012-04-08'],
        ['FWAV', 10001n, '2012-04-09'],
      ],
    );
    const entries = statement!.entries;
    assert.equal(entries.length, 13);
    // Previous closing (PRCD) 1000.01 plus 28.00 in and 928.00 out makes the closing 100.01.
    assert.equal(sum(entries), -90000n);
    assert.equal(balance(statement!, 'PRCD') + sum(entries), balance(statement!, 'CLBD'));

    assert.equal(entries[0]!.transactions.length, 0);
    assert.equal(entries[0]!.additionalInfo, '11.11.111.111 Naam Adres 7 2960 Dorp');
    assert.deepEqual(entries[0]!.bankTransactionCode, {
      domain: 'PMNT',
      family: 'RCDT',
      subFamily: 'NTAV',
      proprietary: 'N196',
      proprietaryIssuer: 'ABNAMRO',
    });

    assert.deepEqual(entries[1]!.transactions[0]!.counterparty, {
      role: 'debtor',
      name: 'NAAM',
      iban: 'NL46ABNA0499998748',
      otherAccountId: null,
      otherAccountScheme: null,
      bic: 'ABNANL2A',
      bankCode: null,
      ultimateName: null,
    });
    assert.deepEqual(entries[1]!.transactions[0]!.remittance!.unstructured, ['OMSCHRIJVING']);

    // The compressed acceptgiro batch: ten transactions of 1.00 under one 10.00 entry.
    const batch = entries[3]!;
    assert.equal(batch.amount.amount, 1000n);
    assert.deepEqual(batch.batch, {
      messageId: '1202P5518750498B0AO',
      paymentInformationId: null,
      transactionCount: 10,
      total: { amount: 1000n, currency: 'EUR' },
      creditDebit: 'CRDT',
    });
    assert.equal(batch.transactions.length, 10);
    assert.equal(
      batch.transactions.reduce((total, tx) => total + tx.amount!.amount, 0n),
      batch.amount.amount,
    );
    assert.deepEqual(batch.transactions[9]!.remittance!.creditorReferences, [
      { reference: '1234567812345678', type: 'SCOR', issuer: 'CUR', scheme: 'other' },
    ]);
    assert.equal(batch.transactions[2]!.counterparty!.iban, 'NL46ABNA0401378749');

    assert.equal(entries[4]!.transactions[0]!.endToEndId, '01-04-2013 21:01 0050001248302363');
    // "01.00" is one euro.
    assert.deepEqual(entries[5]!.amount, { amount: 100n, currency: 'EUR' });
    assert.equal(entries[5]!.transactions[0]!.counterparty!.role, 'creditor');
    assert.equal(entries[5]!.transactions[0]!.counterparty!.iban, 'NL87SNSB0941352955');

    // The salary batch lists no transactions: the batch summary is all there is.
    assert.equal(entries[7]!.transactions.length, 0);
    assert.equal(entries[7]!.batch!.transactionCount, 2);
    assert.equal(entries[7]!.bankTransactionCode!.subFamily, 'SALA');

    const directDebit = entries[8]!.transactions[0]!;
    assert.equal(directDebit.mandateId, 'N000001861650');
    assert.equal(directDebit.endToEndId, '540193918971');
    assert.equal(directDebit.counterparty!.name, 'Naam/SA');
    assert.equal(directDebit.counterparty!.bic, 'BBRUBEBB');

    const collections = entries[9]!;
    assert.equal(collections.bookingDate, '2012-04-02');
    assert.deepEqual(
      collections.transactions.map((t) => t.endToEndId),
      [
        'SDD SIT 024-1',
        'SDD SIT 024-2',
        'SDD SIT 024-3',
        'SDD SIT 024-4',
        'SDD SIT 024-5',
        'SDD SIT 024-6',
        'SDD SIT 024-7',
      ],
    );
    assert.equal(collections.transactions[6]!.mandateId, 'mandateref24-7');
    assert.equal(collections.transactions[0]!.paymentInformationId, 'BATCHID');

    // The direct debit returns: reversals of the collections, with the reason MS03. ABN AMRO puts the
    // original debtor in Cdtr, so the counterparty is read from there.
    for (const [entry, amount, endToEndId] of [
      [entries[11]!, 100n, '1234567X908303803'],
      [entries[12]!, 92100n, '1234567X908303804'],
    ] as const) {
      assert.equal(entry.creditDebit, 'DBIT');
      assert.equal(entry.reversal, true);
      assert.equal(entry.amount.amount, amount);
      const tx = entry.transactions[0]!;
      assert.equal(tx.endToEndId, endToEndId);
      assert.equal(tx.returnInfo!.reasonCode, 'MS03');
      assert.equal(tx.counterparty!.role, 'creditor');
      assert.equal(tx.counterparty!.name, 'Debtor');
    }
    assert.deepEqual(statement!.warnings, []);
  });

  test('ING: nine entries matching the transaction summary, returns with reasons', () => {
    const [statement] = read('ing--example_camt.xml');
    assert.equal(statement!.messageId, '201401030009999_20140104015504378');
    assert.equal(statement!.from, '2014-01-03T00:00:00');
    assert.equal(statement!.to, '2014-01-03T23:59:59');
    assert.equal(statement!.account.iban, 'NL08INGB0000001234');
    assert.equal(statement!.account.ownerName, 'INGBankNV');
    assert.deepEqual(statement!.summary, {
      entryCount: 9,
      sum: '1375.00',
      netAmount: null,
      netCreditDebit: null,
      creditCount: 5,
      creditSum: '990.00',
      debitCount: 4,
      debitSum: '385.00',
    });
    const entries = statement!.entries;
    assert.equal(entries.length, 9);
    const credits = entries.filter((e) => e.creditDebit === 'CRDT');
    assert.equal(credits.length, 5);
    assert.equal(sum(credits), 99000n);
    assert.equal(sum(entries.filter((e) => e.creditDebit === 'DBIT')), -38500n);
    assert.equal(balance(statement!, 'OPBD') + sum(entries), balance(statement!, 'CLBD'));
    assert.equal(balance(statement!, 'CLBD'), 160500n);

    assert.equal(entries[0]!.reference, '011111333306999888000000008');
    assert.equal(entries[0]!.transactions[0]!.remittance!.creditorReferences[0]!.reference, '0010008346912014');
    assert.equal(entries[2]!.transactions[0]!.endToEndId, '20140103E2EIdA1INGBankNV');
    assert.deepEqual(entries[3]!.batch, {
      messageId: null,
      paymentInformationId: 'SCTBtchId20140103A2PSTN',
      transactionCount: 2,
      total: null,
      creditDebit: null,
    });
    assert.equal(entries[4]!.transactions[0]!.returnInfo!.reasonCode, 'AC04');
    assert.equal(entries[4]!.bankTransactionCode!.subFamily, 'RRTN');
    assert.deepEqual(entries[7]!.transactions[0]!.instructedAmount, {
      amount: { amount: 3000n, currency: 'EUR' },
      exchange: null,
    });
    assert.equal(entries[7]!.transactions[0]!.mandateId, 'BBDDMdtESNTR');
    const reversal = entries[8]!;
    assert.equal(reversal.reversal, true);
    assert.equal(reversal.valueDate, '2013-12-20');
    assert.equal(reversal.transactions[0]!.returnInfo!.reasonCode, 'MD06');
    assert.equal(reversal.transactions[0]!.counterparty!.name, 'INGTestrekening');
    assert.deepEqual(statement!.warnings, []);
  });

  test('Goldman Sachs UK (three identical files): two statements, one without entries, an FX payment', () => {
    for (const name of [
      'goldman_sachs--camt_053_uk_v2_1.xml',
      'goldman_sachs--camt_053_uk_v2_2.xml',
      'goldman_sachs--camt_053_uk_v2_virtual_accounts.xml',
    ]) {
      const statements = read(name);
      assert.equal(statements.length, 2);
      const [empty, statement] = statements as [BankStatement, BankStatement];
      assert.equal(empty.messageId, '9184021900');
      assert.equal(empty.statementId, '9740092600');
      assert.deepEqual(empty.account, {
        iban: null,
        otherId: '60000635',
        otherScheme: null,
        currency: 'GBP',
        name: 'GBP TEST ACCOUNT',
        ownerName: null,
        servicerBic: 'GSCRUS30',
      });
      assert.equal(empty.entries.length, 0);
      assert.equal(balance(empty, 'OPBD'), 6820651n);

      assert.equal(statement.index, 1);
      assert.equal(statement.path, 'Document/BkToCstmrStmt/Stmt[2]');
      assert.equal(statement.account.iban, 'GB36GSLD04296250000970');
      assert.equal(statement.account.servicerBic, 'GSLDGB20');
      // Balances dated by date-time: the date is the written date part.
      const opening = statement.balances[0]!;
      assert.deepEqual(
        [opening.type, opening.amount.amount, opening.date, opening.dateTime],
        ['OPBD', 33442521807n, '2023-10-08', '2023-10-08T23:59:00.000Z'],
      );
      assert.equal(balance(statement, 'CLBD'), 33442512642n);
      assert.equal(statement.summary!.entryCount, 6);
      assert.equal(statement.summary!.netCreditDebit, 'DBIT');
      assert.equal(statement.entries.length, 6);
      assert.equal(sum(statement.entries), -20000n);

      const returned = statement.entries[2]!;
      assert.equal(returned.creditDebit, 'CRDT');
      assert.equal(returned.reversal, true);
      assert.equal(returned.bookingDateTime, '2023-10-09T02:00:01.000Z');
      assert.equal(returned.valueDate, '2022-10-12');
      assert.deepEqual(returned.transactions[0]!.counterparty, {
        role: 'debtor',
        name: 'TEST NAME',
        iban: null,
        otherAccountId: '12345678',
        otherAccountScheme: null,
        bic: null,
        bankCode: '622294',
        ultimateName: null,
      });

      const fx = statement.entries[3]!.transactions[0]!;
      assert.equal(fx.endToEndId, 'CHCSVP1139982');
      assert.deepEqual(fx.instructedAmount, { amount: { amount: 30300n, currency: 'EUR' }, exchange: null });
      assert.deepEqual(fx.transactionAmount, {
        amount: { amount: 26255n, currency: 'GBP' },
        exchange: {
          sourceCurrency: 'GBP',
          targetCurrency: 'EUR',
          unitCurrency: null,
          rate: '0.8664',
          contractId: null,
          quotedAt: '2023-10-10T10:40:27.588Z',
        },
      });
      assert.equal(fx.counterparty!.name, 'FX Withdraw');
      assert.equal(fx.counterparty!.bic, 'TESTTESTXXX');
      assert.deepEqual(fx.remittance!.unstructured, ['Test3', 'FX USD - GBP']);
      assert.deepEqual(statement.entries[5]!.transactions[0]!.purpose, {
        code: null,
        proprietary: 'Reimbursement of Medical Expenses',
      });
      assert.deepEqual(statement.warnings, []);
    }
  });

  test("Goldman Sachs US: fifteen entries, and the file's own inconsistencies as warnings", () => {
    const [statement] = read('goldman_sachs--camt_053_us_v2_sample.xml');
    assert.equal(statement!.account.otherId, 'DD01100056869');
    assert.equal(statement!.account.currency, 'USD');
    // An overdrawn opening balance.
    assert.deepEqual(
      [statement!.balances[0]!.type, statement!.balances[0]!.creditDebit, balance(statement!, 'OPBD')],
      ['OPBD', 'DBIT', -84368620n],
    );
    assert.equal(statement!.entries.length, 15);
    assert.equal(statement!.entries.filter((e) => e.reversal).length, 3);
    const rejected = statement!.entries[0]!.transactions[0]!;
    assert.deepEqual(rejected.returnInfo, {
      originalBankTransactionCode: null,
      reasonCode: null,
      reasonProprietary: null,
      additionalInfo: ['Status changed to REJECTED : REJECT REVERSAL'],
      originatorName: null,
    });
    assert.equal(statement!.entries[12]!.transactions[0]!.returnInfo!.reasonProprietary, 'R02');
    // An id padded with a space in the file is read trimmed.
    assert.equal(statement!.entries[14]!.transactions[0]!.paymentInformationId, 'CLIENTID200928A0000001');
    const fx = statement!.entries[7]!.transactions[0]!;
    assert.deepEqual(fx.transactionAmount!.amount, { amount: 2906n, currency: 'EUR' });
    assert.equal(fx.transactionAmount!.exchange!.rate, '1.1622');
    assert.equal(fx.counterparty!.otherAccountId, 'GB14BARC20325340846481');
    // Pretty-printed free text is folded into one line.
    assert.match(fx.additionalInfo!, /^Desc: To: Test creditor name, Remittance Info: "FFC", Client Ref ID: 5741412,/);
    assert.deepEqual(statement!.warnings, [
      'Document/BkToCstmrStmt/Stmt[1]/Ntry[8]/Amt is in EUR, the account in USD',
      'Document/BkToCstmrStmt/Stmt[1]/TxsSummry/TtlNtries/NbOfNtries says 14, the statement has 15 entries',
      'Document/BkToCstmrStmt/Stmt[1]/TxsSummry/TtlCdtNtries/NbOfNtries says 9, the statement has 10 credit entries',
    ]);
  });

  test('every camt sample is covered above, and streaming reads each exactly as whole', async () => {
    const samples = readdirSync(FIXTURES).filter((name) => name.includes('camt'));
    assert.deepEqual(samples.sort(), [...TESTED].sort());
    for (const name of samples) {
      const whole = readCamtWhole(fixture(name));
      // Bytes in 97-byte pieces: elements, entities and multi-byte characters cut anywhere.
      const bytes = readFileSync(new URL(name, FIXTURES));
      const pieces = Array.from({ length: Math.ceil(bytes.length / 97) }, (_, i) =>
        bytes.subarray(i * 97, (i + 1) * 97),
      );
      const streamed = [];
      for await (const event of readStatements(pieces)) streamed.push(event);
      assert.equal(
        streamed.filter((e) => e.kind === 'entry').length,
        whole.reduce((n, s) => n + s.entries.length, 0),
      );
      assert.deepEqual(
        streamed.flatMap((e) => (e.kind === 'entry' ? [e.entry] : [])),
        whole.flatMap((s) => s.entries),
        name,
      );
    }
  });
});
