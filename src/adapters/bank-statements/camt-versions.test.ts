import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { validateAgainstXsd } from '../iso20022/xsd-validation.js';
import { readCamtWhole } from './camt-reader.js';
import type { BankStatement } from './statement-types.js';

/**
 * The camt reader on finflow's own statements (fixtures/), written for what the bank samples lack:
 * versions .04 and .08 beside .02, camt.052 and camt.054, batch bookings, charges in both shapes,
 * returns, reversals, foreign-currency amounts with exchange rates, RF and QR references, and
 * currencies with 0 and 3 minor digits. Each file is first proved valid against its ISO schema.
 */

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const FILES = [
  ['camt053-v02-features.xml', 'camt.053.001.02'],
  ['camt053-v04-features.xml', 'camt.053.001.04'],
  ['camt053-v08-features.xml', 'camt.053.001.08'],
  ['camt054-v08-notification.xml', 'camt.054.001.08'],
  ['camt052-v04-intraday.xml', 'camt.052.001.04'],
] as const;

const signed = (e: { amount: { amount: bigint }; creditDebit: string }): bigint =>
  e.creditDebit === 'CRDT' ? e.amount.amount : -e.amount.amount;
const closes = (s: BankStatement): boolean =>
  signed(s.balances.find((b) => b.type === 'OPBD')!) + s.entries.reduce((t, e) => t + signed(e), 0n) ===
  signed(s.balances.find((b) => b.type === 'CLBD')!);

describe('camt versions', () => {
  for (const [name, message] of FILES) {
    test(`${name} is valid against the ${message} schema and read as that version`, async () => {
      const result = await validateAgainstXsd(fixture(name), message);
      assert.deepEqual(result, { valid: true, errors: [] });
      const statements = readCamtWhole(fixture(name));
      for (const statement of statements) {
        assert.equal(statement.version, message);
        assert.equal(statement.namespace, `urn:iso:std:iso:20022:tech:xsd:${message}`);
        assert.equal(statement.format, message.slice(0, 8));
        assert.deepEqual(statement.warnings, []);
      }
    });
  }

  test('camt.053.001.02: batch, charges, FX, return, reversal, RF reference; a JPY statement', () => {
    const [eur, jpy] = readCamtWhole(fixture('camt053-v02-features.xml')) as [BankStatement, BankStatement];
    assert.equal(eur.messageId, 'FF-053-02-20240304');
    assert.deepEqual(eur.page, { number: 1, last: true });
    assert.equal(eur.from, '2024-03-04T00:00:00+01:00');
    assert.equal(eur.account.ownerName, 'Muster GmbH');
    assert.ok(closes(eur));
    assert.deepEqual(eur.summary, {
      entryCount: 5,
      sum: '6418.16',
      netAmount: '2828.16',
      netCreditDebit: 'DBIT',
      creditCount: 2,
      creditSum: '1795.00',
      debitCount: 3,
      debitSum: '4623.16',
    });
    assert.equal(eur.additionalInfo, 'End of day statement');
    const [batch, fx, returned, reversal, incoming] = eur.entries;

    // A batch booking: one entry, three payments.
    assert.equal(batch!.path, 'Document/BkToCstmrStmt/Stmt[1]/Ntry[1]');
    assert.deepEqual(batch!.batch, {
      messageId: 'PAY-2024-03-04-01',
      paymentInformationId: 'PMTINF-01',
      transactionCount: 3,
      total: { amount: 345000n, currency: 'EUR' },
      creditDebit: 'DBIT',
    });
    assert.deepEqual(
      batch!.transactions.map((t) => [t.instructionId, t.endToEndId, t.amount!.amount, t.counterparty!.name]),
      [
        ['INSTR-001', 'E2E-SUPPLIER-001', 120000n, 'Lieferant Eins AG'],
        ['INSTR-002', 'E2E-SUPPLIER-002', 150000n, 'Zulieferer & Söhne KG'],
        ['INSTR-003', 'E2E-SUPPLIER-003', 75000n, 'Fournisseur SARL'],
      ],
    );
    assert.equal(batch!.transactions[2]!.path, 'Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[3]');
    assert.deepEqual(batch!.transactions[2]!.remittance!.unstructured, ['Facture F-2024-88', 'acompte']);
    assert.deepEqual(batch!.bankTransactionCode, {
      domain: 'PMNT',
      family: 'ICDT',
      subFamily: 'ESCT',
      proprietary: 'NMSC+191',
      proprietaryIssuer: 'DK',
    });

    // Foreign currency: USD 1000.00 ordered, EUR 921.66 at 1.0850, plus two charges (the .02 shape).
    assert.equal(fx!.amount.amount, 92316n);
    assert.equal(fx!.valueDate, '2024-03-05');
    assert.deepEqual(fx!.charges, {
      total: null,
      records: [
        {
          amount: { amount: 100n, currency: 'EUR' },
          creditDebit: 'DBIT',
          included: null,
          type: 'COMM',
          bearer: 'DEBT',
        },
        { amount: { amount: 50n, currency: 'EUR' }, creditDebit: 'DBIT', included: null, type: 'BRKF', bearer: 'DEBT' },
      ],
    });
    const payment = fx!.transactions[0]!;
    assert.deepEqual(payment.instructedAmount, { amount: { amount: 100000n, currency: 'USD' }, exchange: null });
    assert.deepEqual(payment.transactionAmount, {
      amount: { amount: 92166n, currency: 'EUR' },
      exchange: {
        sourceCurrency: 'EUR',
        targetCurrency: 'USD',
        unitCurrency: 'EUR',
        rate: '1.0850',
        contractId: 'FX-CONTRACT-77',
        quotedAt: '2024-03-04T10:00:00Z',
      },
    });
    assert.deepEqual(payment.amount, { amount: 92166n, currency: 'EUR' });
    assert.deepEqual(payment.counterparty, {
      role: 'creditor',
      name: 'Acme Corp',
      iban: null,
      otherAccountId: '123456789',
      otherAccountScheme: 'BBAN',
      bic: 'CHASUS33',
      bankCode: '021000021',
      ultimateName: null,
    });
    assert.deepEqual(payment.purpose, { code: 'SUPP', proprietary: null });

    // A returned payment: money back in, with the reason and the original code.
    assert.equal(returned!.creditDebit, 'CRDT');
    assert.equal(returned!.reversal, false);
    assert.deepEqual(returned!.transactions[0]!.returnInfo, {
      originalBankTransactionCode: {
        domain: 'PMNT',
        family: 'ICDT',
        subFamily: 'ESCT',
        proprietary: null,
        proprietaryIssuer: null,
      },
      reasonCode: 'AC04',
      reasonProprietary: null,
      additionalInfo: ['Account closed'],
      originatorName: 'Bayerische Landesbank',
    });
    // The original payment's creditor: the party of the outgoing payment this return undoes.
    assert.equal(returned!.transactions[0]!.counterparty!.role, 'creditor');
    assert.equal(returned!.transactions[0]!.endToEndId, 'E2E-SUPPLIER-001');

    // A reversal of a credit booked in error: a debit whose counterparty is the original debtor.
    assert.equal(reversal!.creditDebit, 'DBIT');
    assert.equal(reversal!.reversal, true);
    assert.equal(reversal!.additionalInfo, 'Storno einer Fehlbuchung vom 01.03.2024');
    assert.equal(reversal!.transactions[0]!.counterparty!.role, 'debtor');
    assert.equal(reversal!.transactions[0]!.counterparty!.name, 'Kunde Fehlbuchung GmbH');

    // An incoming payment with a structured ISO 11649 reference.
    const paid = incoming!.transactions[0]!;
    assert.deepEqual(paid.remittance, {
      unstructured: [],
      creditorReferences: [{ reference: 'RF18539007547034', type: 'SCOR', issuer: 'ISO', scheme: 'iso11649' }],
    });
    assert.deepEqual(paid.counterparty, {
      role: 'debtor',
      name: 'Kunde Beispiel GmbH',
      iban: 'DE75512108001245126199',
      otherAccountId: null,
      otherAccountScheme: null,
      bic: 'SOGEDEFFXXX',
      bankCode: null,
      ultimateName: 'Beispiel Holding SE',
    });

    // JPY has no minor digits: 1 500 000 yen are 1500000 minor units, "250000.00" is 250000.
    assert.equal(jpy.index, 1);
    assert.deepEqual(jpy.account, {
      iban: null,
      otherId: '0123456789',
      otherScheme: 'BBAN',
      currency: 'JPY',
      name: 'JPY operating',
      ownerName: null,
      servicerBic: null,
    });
    assert.deepEqual(jpy.balances[0]!.amount, { amount: 1500000n, currency: 'JPY' });
    assert.deepEqual(jpy.entries[0]!.amount, { amount: 250000n, currency: 'JPY' });
    assert.ok(closes(jpy));
    assert.equal(jpy.entries[0]!.bookingDate, '2024-03-04');
    assert.equal(jpy.entries[0]!.bookingDateTime, '2024-03-04T09:30:00+09:00');
    assert.deepEqual(jpy.entries[0]!.transactions, []);
  });

  test('camt.053.001.04: BICFI, pagination, charges as total and records, QR references, counter-value', () => {
    const [statement] = readCamtWhole(fixture('camt053-v04-features.xml'));
    assert.deepEqual(statement!.page, { number: 2, last: false });
    assert.equal(statement!.account.servicerBic, 'UBSWCHZH80A');
    assert.equal(statement!.balances[0]!.subType, 'INTM');
    assert.ok(closes(statement!));
    const [qr, out, reversed] = statement!.entries;
    assert.deepEqual(
      qr!.transactions.map((t) => [t.amount!.amount, t.creditDebit, t.remittance!.creditorReferences[0]]),
      [
        [12000n, 'CRDT', { reference: '210000000003139471430009017', type: 'QRR', issuer: null, scheme: 'qrr' }],
        [18000n, 'CRDT', { reference: '000000000000000000000123457', type: 'QRR', issuer: null, scheme: 'qrr' }],
      ],
    );
    assert.deepEqual(out!.charges, {
      total: { amount: 120n, currency: 'CHF' },
      records: [
        {
          amount: { amount: 120n, currency: 'CHF' },
          creditDebit: 'DBIT',
          included: true,
          type: 'COMM',
          bearer: 'DEBT',
        },
      ],
    });
    const payment = out!.transactions[0]!;
    assert.deepEqual(payment.instructedAmount, {
      amount: { amount: 5200n, currency: 'EUR' },
      exchange: {
        sourceCurrency: 'EUR',
        targetCurrency: 'CHF',
        unitCurrency: null,
        rate: '0.961538',
        contractId: null,
        quotedAt: null,
      },
    });
    assert.deepEqual(payment.counterValueAmount, { amount: { amount: 5000n, currency: 'CHF' }, exchange: null });
    assert.equal(payment.counterparty!.bic, 'PSSTFRPPLIL');
    assert.equal(payment.remittance!.creditorReferences[0]!.scheme, 'iso11649');
    assert.equal(reversed!.reversal, true);
    assert.equal(reversed!.transactions[0]!.mandateId, 'MANDATE-77');
    assert.equal(reversed!.transactions[0]!.returnInfo!.reasonCode, 'MD06');
    assert.equal(reversed!.transactions[0]!.counterparty!.name, 'Hans Muster');
  });

  test('camt.053.001.08: status and parties as choices, UETR, a netted batch, a proprietary balance; BHD', () => {
    const [eur, bhd] = readCamtWhole(fixture('camt053-v08-features.xml')) as [BankStatement, BankStatement];
    assert.ok(closes(eur));
    assert.deepEqual(
      eur.balances.map((b) => [b.type, b.proprietaryType, b.creditDebit, b.amount.amount]),
      [
        ['OPBD', null, 'DBIT', 25000n],
        ['CLBD', null, 'CRDT', 65000n],
        [null, 'BANKSPECIFIC', 'CRDT', 65000n],
      ],
    );
    const [instant, netted] = eur.entries;
    assert.equal(instant!.status, 'BOOK');
    // A date-time keeps its written day, not the UTC day (00:30+01:00 is still the 4th).
    assert.equal(instant!.bookingDate, '2024-03-04');
    assert.equal(instant!.bookingDateTime, '2024-03-04T00:30:00+01:00');
    const tx = instant!.transactions[0]!;
    assert.equal(tx.uetr, '7a562c67-ca16-48ba-b074-65581be6f001');
    assert.equal(tx.instructionId, 'INSTR-INST-1');
    assert.deepEqual(tx.counterparty, {
      role: 'debtor',
      name: 'Klant Een Holding',
      iban: 'NL02RABO0300065264',
      otherAccountId: null,
      otherAccountScheme: null,
      bic: 'RABONL2U',
      bankCode: null,
      ultimateName: 'Klant Een Dochter',
    });
    assert.deepEqual(tx.purpose, { code: null, proprietary: 'INVOICE' });
    assert.equal(tx.remittance!.creditorReferences[0]!.reference, 'RF714711');
    // Each transaction of a netted batch has its own direction, and so its own counterparty side.
    assert.deepEqual(
      netted!.transactions.map((t) => [t.endToEndId, t.creditDebit, t.amount!.amount, t.counterparty!.role]),
      [
        ['NET-OUT', 'DBIT', 13000n, 'creditor'],
        ['NET-IN', 'CRDT', 3000n, 'debtor'],
      ],
    );
    // BHD has three minor digits.
    assert.deepEqual(bhd.balances[0]!.amount, { amount: 87655n, currency: 'BHD' });
    const fee = bhd.entries[0]!;
    assert.deepEqual(fee.amount, { amount: 12345n, currency: 'BHD' });
    assert.equal(fee.status, 'BOOKED');
    assert.deepEqual(fee.charges!.records[0]!.type, 'ACCOUNT-FEE');
    assert.deepEqual(fee.bankTransactionCode, {
      domain: null,
      family: null,
      subFamily: null,
      proprietary: 'FEE',
      proprietaryIssuer: 'BMAG',
    });
  });

  test('camt.054: a notification without balances', () => {
    const [notification] = readCamtWhole(fixture('camt054-v08-notification.xml'));
    assert.equal(notification!.format, 'camt.054');
    assert.equal(notification!.path, 'Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]');
    assert.equal(notification!.statementId, 'NTF-0001');
    assert.deepEqual(notification!.page, { number: 1, last: true });
    assert.deepEqual(notification!.balances, []);
    assert.equal(notification!.additionalInfo, 'Credit advice');
    const [entry] = notification!.entries;
    assert.deepEqual(entry!.amount, { amount: 48050n, currency: 'EUR' });
    assert.equal(entry!.transactions[0]!.endToEndId, 'INV-2024-0042');
    assert.equal(entry!.transactions[0]!.counterparty!.name, 'Kunde Drei KG');
    assert.deepEqual(entry!.transactions[0]!.remittance!.unstructured, ['Rechnung 2024-0042 Kundennr 55']);
  });

  test('camt.052: an intraday balance and a pending entry', () => {
    const [report] = readCamtWhole(fixture('camt052-v04-intraday.xml'));
    assert.equal(report!.format, 'camt.052');
    assert.equal(report!.statementId, 'RPT-1100');
    assert.deepEqual(
      report!.balances.map((b) => [b.type, b.amount.amount, b.date, b.dateTime]),
      [['ITBD', 1048050n, '2024-03-04', '2024-03-04T11:00:00+01:00']],
    );
    assert.deepEqual(
      report!.entries.map((e) => [e.status, e.creditDebit, e.amount.amount, e.bookingDate, e.valueDate]),
      [
        ['BOOK', 'CRDT', 48050n, '2024-03-04', '2024-03-04'],
        ['PDNG', 'DBIT', 9999n, null, '2024-03-05'],
      ],
    );
    assert.equal(report!.additionalInfo, 'Intraday 11:00');
  });

  test('amounts in every lexical form xs:decimal allows', () => {
    const v02 = fixture('camt053-v02-features.xml');
    const read = (amount: string): bigint =>
      readCamtWhole(v02.replace('<Amt Ccy="EUR">595.00</Amt>', `<Amt Ccy="EUR">${amount}</Amt>`))[0]!.entries[4]!.amount
        .amount;
    assert.equal(read('+595.00'), 59500n);
    assert.equal(read('595.'), 59500n);
    assert.equal(read('595'), 59500n);
    assert.equal(read('.5'), 50n);
    assert.equal(read('0595.50000'), 59550n);
  });

  test("a bank's own namespace and a version beyond the schemas shipped read alike, the version recorded", () => {
    const v02 = fixture('camt053-v02-features.xml');
    const swiss = readCamtWhole(
      v02.replace(
        'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02',
        'http://www.six-interbank-clearing.com/de/camt.053.001.04.ch.02.xsd',
      ),
    );
    assert.equal(swiss[0]!.namespace, 'http://www.six-interbank-clearing.com/de/camt.053.001.04.ch.02.xsd');
    assert.equal(swiss[0]!.version, 'camt.053.001.04');
    const v10 = readCamtWhole(v02.replace('xsd:camt.053.001.02', 'xsd:camt.053.001.10'));
    assert.equal(v10[0]!.version, 'camt.053.001.10');
    assert.deepEqual(v10[0]!.warnings, []);
    assert.deepEqual(
      v10.map((s) => s.entries.length),
      [5, 1],
    );
    // With a prefix instead of a default namespace.
    const prefixed = readCamtWhole(
      v02.replace('<Document xmlns="', '<c:Document xmlns:c="').replace(/<(\/?)(?!\?|!|c:)([A-Za-z])/g, '<$1c:$2'),
    );
    assert.deepEqual(prefixed[0]!.entries, readCamtWhole(v02)[0]!.entries);
    const v12 = readCamtWhole(v02.replace('xsd:camt.053.001.02', 'xsd:camt.053.001.12'));
    assert.equal(
      v12[0]!.warnings[0],
      'camt.053.001.12 is not a version from .02 to .10; it was read by element names anyway',
    );
  });
});
