import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { readMt940 } from './mt940-reader.js';
import { readStatementsWhole } from './read-statements.js';
import { StatementReadError } from './statement-error.js';
import type { BankStatement } from './statement-types.js';

/**
 * The MT940 reader on two statements of finflow's own: a SWIFT-blocked file with Dutch-style
 * `/EREF/…/REMI/…` details, two messages (pages) and a reversal; and a German file in ISO 8859-1
 * with the DK's ?20–?29 SEPA structure and a booking across the year end.
 */

const bytes = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

describe('MT940', () => {
  test('SWIFT blocks, /KEY/ details, two pages, a reversal, the original amount and charges', () => {
    const statements = readStatementsWhole(bytes('mt940-plain.sta').toString('utf8'));
    assert.equal(statements.length, 2);
    const [first, second] = statements as [BankStatement, BankStatement];
    assert.equal(first.format, 'mt940');
    assert.equal(first.messageId, 'P240304000000001');
    assert.equal(first.statementId, '00064/001');
    assert.equal(first.electronicSequenceNumber, '00064');
    assert.deepEqual(first.page, { number: 1, last: null });
    // ING writes the currency after the IBAN.
    assert.equal(first.account.iban, 'NL69INGB0123456789');
    assert.equal(first.account.currency, 'EUR');
    assert.equal(first.from, '2024-03-01');
    assert.equal(first.to, '2024-03-04');
    assert.deepEqual(
      first.balances.map((b) => [b.path, b.type, b.subType, b.creditDebit, b.amount.amount, b.date]),
      [
        ['statement[1]/:60F:', 'OPBD', null, 'CRDT', 1000000n, '2024-03-01'],
        ['statement[1]/:62F:', 'CLBD', null, 'CRDT', 822184n, '2024-03-04'],
        ['statement[1]/:64:', 'CLAV', null, 'CRDT', 822184n, '2024-03-04'],
        ['statement[1]/:65:', 'FWAV', null, 'CRDT', 822184n, '2024-03-05'],
      ],
    );
    assert.deepEqual(
      first.entries.map((e) => [e.reference, e.creditDebit, e.reversal, e.amount.amount, e.accountServicerReference]),
      [
        ['E2E-SUPPLIER-001', 'DBIT', false, 120000n, 'INGREF0001'],
        [null, 'CRDT', false, 59500n, 'INGREF0002'],
        [null, 'DBIT', true, 25000n, 'INGREF0003'],
        ['FX-0042', 'DBIT', false, 92316n, 'INGREF0004'],
      ],
    );
    const [supplier, incoming, reversal, fx] = first.entries;
    assert.deepEqual(supplier!.transactions[0]!.counterparty, {
      role: 'creditor',
      name: 'Lieferant Eins AG',
      iban: 'DE02120300000000202051',
      otherAccountId: null,
      otherAccountScheme: null,
      bic: 'BYLADEM1001',
      bankCode: null,
      ultimateName: null,
    });
    assert.equal(supplier!.transactions[0]!.endToEndId, 'E2E-SUPPLIER-001');
    assert.deepEqual(supplier!.transactions[0]!.remittance, {
      unstructured: ['Invoice 2024-0117'],
      creditorReferences: [],
    });
    assert.deepEqual(supplier!.bankTransactionCode, {
      domain: null,
      family: null,
      subFamily: null,
      proprietary: 'NTRF',
      proprietaryIssuer: null,
    });
    assert.deepEqual(incoming!.transactions[0]!.remittance!.creditorReferences, [
      { reference: 'RF18539007547034', type: 'SCOR', issuer: 'ISO', scheme: 'iso11649' },
    ]);
    assert.equal(incoming!.transactions[0]!.counterparty!.role, 'debtor');
    // RC: the reversal of a credit, booked as a debit; its party is the original payer.
    assert.equal(reversal!.transactions[0]!.returnInfo!.reasonCode, 'AC04');
    assert.equal(reversal!.transactions[0]!.counterparty!.role, 'debtor');
    assert.equal(reversal!.transactions[0]!.counterparty!.name, 'Kunde Fehlbuchung GmbH');
    assert.deepEqual(reversal!.transactions[0]!.remittance!.unstructured, ['Storno']);
    // Supplementary details: the original amount and the charges.
    assert.equal(fx!.bookingDate, '2024-03-05');
    assert.equal(fx!.valueDate, '2024-03-04');
    assert.deepEqual(fx!.transactions[0]!.instructedAmount, {
      amount: { amount: 100000n, currency: 'USD' },
      exchange: null,
    });
    assert.deepEqual(
      fx!.charges!.records.map((r) => r.amount),
      [{ amount: 150n, currency: 'EUR' }],
    );

    // The second page opens with an intermediate balance (60M) and has one unstructured entry.
    assert.deepEqual(second.page, { number: 2, last: null });
    assert.equal(second.balances[0]!.path, 'statement[2]/:60M:');
    assert.equal(second.balances[0]!.subType, 'INTM');
    const [plain] = second.entries;
    assert.equal(plain!.amount.amount, 10000n);
    assert.equal(plain!.bookingDate, '2024-03-04');
    assert.deepEqual(plain!.transactions[0]!.remittance, {
      unstructured: ['Zomaar een omschrijving', 'op twee regels RF18 5390 0754 7034'],
      // An RF reference written into free text, grouped in fours, is recognised.
      creditorReferences: [{ reference: 'RF18539007547034', type: null, issuer: null, scheme: 'iso11649' }],
    });
    assert.deepEqual([...first.warnings, ...second.warnings], []);
  });

  test('German: ISO 8859-1, GVC and ?20–?29 with EREF/KREF/MREF/SVWZ/ABWE, a booking in the new year', () => {
    const [statement, ...more] = readStatementsWhole(bytes('mt940-german-latin1.sta'));
    assert.equal(more.length, 0);
    assert.deepEqual(statement!.warnings, ['the file is not UTF-8; it was read as ISO 8859-1 (Windows-1252)']);
    assert.deepEqual(statement!.account, {
      iban: null,
      otherId: '37040044/0532013000',
      otherScheme: null,
      currency: 'EUR',
      name: null,
      ownerName: null,
      servicerBic: null,
    });
    assert.equal(statement!.additionalInfo, 'Kontoauszug 1/2023');
    const [credit, debit] = statement!.entries;
    assert.deepEqual(credit!.bankTransactionCode, {
      domain: null,
      family: null,
      subFamily: null,
      proprietary: 'NTRF+166+000',
      proprietaryIssuer: 'DK',
    });
    const paid = credit!.transactions[0]!;
    assert.equal(paid.endToEndId, 'E2E-2023-0001');
    assert.equal(paid.mandateId, 'M-77');
    assert.equal(paid.additionalInfo, 'SEPA-GUTSCHRIFT');
    // ?21 and ?22 continue one SVWZ value across the subfield boundary.
    assert.deepEqual(paid.remittance!.unstructured, ['Rechnung RE-2023-0815 vom 20.12.2023']);
    assert.deepEqual(paid.counterparty, {
      role: 'debtor',
      name: 'Müller & Söhne GmbH Büro',
      iban: 'DE89370400440532013000',
      otherAccountId: null,
      otherAccountScheme: null,
      bic: 'COBADEFFXXX',
      bankCode: null,
      ultimateName: null,
    });
    // "CR500,00": C and the funds code R (the third letter of EUR), not a reversal.
    assert.equal(credit!.reversal, false);
    assert.equal(credit!.amount.amount, 50000n);

    assert.equal(debit!.valueDate, '2023-12-29');
    assert.equal(debit!.bookingDate, '2024-01-02');
    const collected = debit!.transactions[0]!;
    assert.equal(collected.endToEndId, 'LS-2023-12-29-1');
    assert.equal(collected.paymentInformationId, 'SAMMLER-7');
    assert.equal(collected.mandateId, 'MANDAT-2021-44');
    assert.deepEqual(collected.remittance!.unstructured, ['Stromabschlag Dezember 2023 Vertrag 4711']);
    assert.equal(collected.counterparty!.role, 'creditor');
    assert.equal(collected.counterparty!.name, 'Stadtwerke Musterstadt GmbH');
    assert.equal(collected.counterparty!.ultimateName, 'Stadtwerke Musterstadt');
    assert.equal(debit!.bankTransactionCode!.proprietary, 'NMSC+105');
  });

  test('amounts are exact in every currency: three digits in KWD, none in JPY', () => {
    const [kwd] = readMt940(
      ':20:K\n:25:KW81CBKU0000000000001234560101\n:28C:1\n:60F:C240301KWD1,234\n:61:240301C0,001NTRFNONREF\n:62F:C240301KWD1,235\n',
    );
    assert.equal(kwd!.account.iban, 'KW81CBKU0000000000001234560101');
    assert.deepEqual(
      kwd!.balances.map((b) => b.amount),
      [
        { amount: 1234n, currency: 'KWD' },
        { amount: 1235n, currency: 'KWD' },
      ],
    );
    assert.deepEqual(kwd!.entries[0]!.amount, { amount: 1n, currency: 'KWD' });
    assert.deepEqual(kwd!.entries[0]!.transactions, []);
    const [jpy] = readMt940(
      ':20:J\n:25:123\n:28C:1\n:60F:C240301JPY1000,\n:61:240301D250,NTRFNONREF\n:62F:C240301JPY750,\n',
    );
    assert.deepEqual(jpy!.entries[0]!.amount, { amount: 250n, currency: 'JPY' });
    assert.throws(() => readMt940(':20:J\n:25:123\n:28C:1\n:60F:C240301JPY1000,5\n:62F:C240301JPY1000,5\n'), {
      message: 'mt940 is not readable: statement[1]/:60F:: "1000,5" is not an amount in JPY (digits, a decimal comma)',
    });
  });

  test('broken files: the statement named, the library’s reason kept', () => {
    const refused = (text: string, path: string | null, problem: RegExp): void => {
      let caught: unknown;
      try {
        readMt940(text);
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof StatementReadError, String(caught));
      assert.equal(caught.status, 400);
      assert.equal(caught.path, path);
      assert.match(caught.problem, problem);
    };
    // No :25: in the second statement.
    refused(
      ':20:A\n:25:1\n:28C:1\n:60F:C240301EUR0,\n:62F:C240301EUR0,\n:20:B\n:28C:2\n:60F:C240301EUR0,\n:62F:C240301EUR0,\n',
      'statement[2]',
      /Mandatory tag 25 is missing/,
    );
    // Entries that do not add up to the closing balance.
    refused(
      ':20:A\n:25:1\n:28C:1\n:60F:C240301EUR10,\n:61:240301C5,NTRFNONREF\n:62F:D240301EUR16,\n',
      'statement[1]',
      /^the opening balance 10.00 EUR and the entries make 15.00 EUR, but the closing balance is -16.00 EUR$/,
    );
    refused(
      ':20:A\n:25:1\n:28C:1\n:60F:C240332EUR10,\n:62F:C240301EUR10,\n',
      'statement[1]/:60F:',
      /240332 is not a date/,
    );
    refused(':20:A\n:25:1\n:28C:1\n:60F:C240301EUR10,\n:61:garbage\n:62F:C240301EUR10,\n', null, /Cannot parse tag 61/);
    refused('', null, /holds no statement/);
  });

  test('a bank header before the first tag is skipped with a warning; line ends of any kind', () => {
    const [statement] = readMt940(
      '0000 01INGBNL2AXXXX00001\r0000 940 00\r:20:A\r:25:NL69INGB0123456789\r:28C:1\r:60F:C240301EUR1,\r:61:240301C1,NTRFNONREF\r:86:hello\r:62F:C240301EUR2,\r',
    );
    assert.deepEqual(statement!.warnings, ['2 line(s) before the first tag were skipped']);
    assert.equal(statement!.entries[0]!.additionalInfo, 'hello');
  });
});
