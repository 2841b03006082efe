import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../core/errors.js';
import {
  batchOf,
  CREDITOR_IBAN,
  elementsOf,
  FRENCH_IBAN,
  makeCreditorReference,
  sepaBlock,
  textsOf,
} from '../../testing/iso20022-samples.js';
import { PAIN001_VERSIONS, type Pain001Version } from './messages.js';
import type { Pain001Batch, PaymentInformation } from './pain001-types.js';
import { writePain001 } from './pain001-writer.js';
import { validateAgainstXsd } from './xsd-validation.js';

/**
 * The pain.001 writer: every shape, in every version that allows it, is valid against the shipped
 * schema (the DK variant for .03), with the counts, sums, amounts and texts the input asks for; bad
 * input is refused with the field named.
 */

async function assertValid(xml: string, version: Pain001Version): Promise<void> {
  const result = await validateAgainstXsd(xml, version);
  assert.deepEqual(result.errors, [], `${version} output is not valid:\n${xml}`);
  assert.equal(result.valid, true);
}

/** The issues of the AppError `write` throws, as `field: message` lines. */
function refusal(write: () => unknown): { fields: string[]; messages: string[]; error: AppError } {
  try {
    write();
  } catch (error) {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'validation_failed');
    return { fields: error.issues.map((i) => i.field), messages: error.issues.map((i) => i.message), error };
  }
  assert.fail('the writer accepted the batch');
}

const nonSepaBlock = (overrides: Partial<PaymentInformation> = {}): PaymentInformation => ({
  debtor: {
    name: 'Finflow Demo Inc.',
    account: { other: '0123456789' },
    agent: { bic: 'CHASUS33', bankCode: { clearingSystem: 'USABA', memberId: '021000021' } },
  },
  requestedExecutionDate: '2025-03-04',
  batchBooking: false,
  sepa: false,
  serviceLevelCode: 'URGP',
  transactions: [
    {
      endToEndId: 'US-E2E_0001',
      instructionId: 'US-INSTR-0001',
      amount: 250_075n,
      currency: 'USD',
      creditor: {
        name: 'Acme Supplies LLC',
        account: { other: '987654321' },
        agent: { bic: 'BOFAUS3NXXX', bankCode: { clearingSystem: 'USABA', memberId: '026009593' } },
        country: 'US',
        addressLines: ['100 Main Street', 'Springfield IL 62701'],
      },
      remittance: { unstructured: 'PO 4711 / invoice 2025-17' },
    },
  ],
  ...overrides,
});

describe('pain.001 writer: valid against the schema of every version', () => {
  for (const version of PAIN001_VERSIONS) {
    test(`${version}: one SEPA block, one transfer`, async () => {
      const xml = writePain001(batchOf(sepaBlock()), version);
      await assertValid(xml, version);
      assert.match(xml, new RegExp(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:${version}">`));
      assert.deepEqual(textsOf(xml, 'NbOfTxs'), ['1', '1']);
      assert.deepEqual(textsOf(xml, 'CtrlSum'), ['123.45', '123.45']);
      assert.deepEqual(textsOf(xml, 'InstdAmt'), ['123.45']);
      assert.deepEqual(textsOf(xml, 'ChrgBr'), ['SLEV']);
      assert.deepEqual(textsOf(xml, 'Cd'), ['SEPA']);
      assert.deepEqual(textsOf(xml, 'CreDtTm'), ['2025-03-01T10:15:30Z']);
      assert.deepEqual(textsOf(xml, 'PmtInfId'), ['MSG-2025-03-01-0001-1']);
      assert.deepEqual(textsOf(xml, 'BtchBookg'), ['true']);
      assert.deepEqual(textsOf(xml, version === 'pain.001.001.03' ? 'BIC' : 'BICFI'), ['COBADEFFXXX', 'BBVAESMMXXX']);
      assert.equal(elementsOf(xml, 'InstdAmt')[0]!.attributes.Ccy, 'EUR');
      if (version === 'pain.001.001.03') assert.deepEqual(textsOf(xml, 'ReqdExctnDt'), ['2025-03-03']);
      else assert.deepEqual(textsOf(xml, 'Dt'), ['2025-03-03']);
    });

    test(`${version}: several SEPA blocks; counts and sums per block and per file`, async () => {
      const second = sepaBlock({
        id: 'BLOCK-B',
        debtor: { name: 'Finflow Demo GmbH', account: { iban: FRENCH_IBAN } }, // no BIC: NOTPROVIDED
        requestedExecutionDate: '2025-03-05',
        batchBooking: false,
        transactions: [1n, 99n, 100n, 999_999n].map((amount, i) => ({
          endToEndId: `B-${i + 1}`,
          amount,
          currency: 'EUR',
          creditor: { name: `Creditor ${i + 1}`, account: { iban: CREDITOR_IBAN } },
        })),
      });
      const xml = writePain001(batchOf(sepaBlock(), second), version);
      await assertValid(xml, version);
      // File, block 1, block 2.
      assert.deepEqual(textsOf(xml, 'NbOfTxs'), ['5', '1', '4']);
      assert.deepEqual(textsOf(xml, 'CtrlSum'), ['10125.44', '123.45', '10001.99']);
      assert.deepEqual(textsOf(xml, 'PmtInfId'), ['MSG-2025-03-01-0001-1', 'BLOCK-B']);
      assert.deepEqual(textsOf(xml, 'InstdAmt'), ['123.45', '0.01', '0.99', '1.00', '9999.99']);
      assert.ok(textsOf(xml, 'Id').includes('NOTPROVIDED'));
    });

    test(`${version}: structured ISO 11649 creditor reference`, async () => {
      const reference = makeCreditorReference('539007547034');
      assert.equal(reference, 'RF18539007547034');
      const block = sepaBlock();
      block.transactions[0]!.remittance = { creditorReference: 'rf18 5390 0754 7034' };
      const xml = writePain001(batchOf(block), version);
      await assertValid(xml, version);
      assert.deepEqual(textsOf(xml, 'Ref'), [reference]);
      assert.deepEqual(textsOf(xml, 'Cd'), ['SEPA', 'SCOR']);
      assert.deepEqual(textsOf(xml, 'Issr'), ['ISO']);
      assert.deepEqual(textsOf(xml, 'Ustrd'), []);
    });

    test(`${version}: 1 cent and the SEPA maximum 999 999 999.99`, async () => {
      const block = sepaBlock();
      block.transactions = [1n, 99_999_999_999n].map((amount, i) => ({
        endToEndId: `AMT-${i}`,
        amount,
        currency: 'EUR',
        creditor: { name: 'Edge', account: { iban: CREDITOR_IBAN } },
      }));
      const xml = writePain001(batchOf(block), version);
      await assertValid(xml, version);
      assert.deepEqual(textsOf(xml, 'InstdAmt'), ['0.01', '999999999.99']);
      assert.deepEqual(textsOf(xml, 'CtrlSum'), ['1000000000.00', '1000000000.00']);
    });

    test(`${version}: names are transliterated into the SEPA character set`, async () => {
      const block = sepaBlock();
      block.debtor.name = 'Müller & Söhne GmbH';
      block.transactions[0]!.creditor.name = 'Dáel Muñiz Łukasz Ærø';
      block.transactions[0]!.remittance = { unstructured: 'Rechnung Nr. 17 – Straße ’Süd’' };
      const xml = writePain001({ ...batchOf(block), initiatingPartyName: 'Müller & Söhne GmbH' }, version);
      await assertValid(xml, version);
      assert.deepEqual(textsOf(xml, 'Nm'), [
        'Mueller + Soehne GmbH',
        'Mueller + Soehne GmbH',
        'Dael Muniz Lukasz AEro',
      ]);
      assert.deepEqual(textsOf(xml, 'Ustrd'), ["Rechnung Nr. 17 - Strasse 'Sued'"]);
    });
  }

  for (const version of ['pain.001.001.09', 'pain.001.001.10'] as const) {
    test(`${version}: non-SEPA with BIC, bank code, other account id, address; charges SHAR`, async () => {
      const xml = writePain001(batchOf(nonSepaBlock()), version);
      await assertValid(xml, version);
      assert.deepEqual(textsOf(xml, 'ChrgBr'), ['SHAR']);
      assert.deepEqual(textsOf(xml, 'Cd'), ['URGP', 'USABA', 'USABA']);
      assert.deepEqual(textsOf(xml, 'MmbId'), ['021000021', '026009593']);
      assert.deepEqual(textsOf(xml, 'BICFI'), ['CHASUS33', 'BOFAUS3NXXX']);
      assert.deepEqual(textsOf(xml, 'InstdAmt'), ['2500.75']);
      assert.deepEqual(textsOf(xml, 'AdrLine'), ['100 Main Street', 'Springfield IL 62701']);
      assert.deepEqual(textsOf(xml, 'Ctry'), ['US']);
      // Identifiers other than IBANs go under Othr.
      assert.ok(textsOf(xml, 'Id').includes('0123456789'));
      assert.ok(textsOf(xml, 'Id').includes('987654321'));
      assert.deepEqual(textsOf(xml, 'EndToEndId'), ['US-E2E_0001']);
    });

    test(`${version}: characters XML must escape come back unchanged`, async () => {
      const name = `Smith & Sons <Ltd> "Quoted" 'Single' > ]]> 北京 Zoë`;
      const remittance = 'a<b && c>d "e" \'f\' ]]> <!-- not a comment --> <![CDATA[x]]>';
      const block = nonSepaBlock();
      block.transactions[0]!.creditor.name = name;
      block.transactions[0]!.remittance = { unstructured: remittance };
      block.transactions[0]!.endToEndId = 'E2E&<"1">';
      const xml = writePain001({ ...batchOf(block), messageId: `M&<'">` }, version);
      await assertValid(xml, version);
      assert.ok(xml.includes('Smith &amp; Sons &lt;Ltd&gt;'), xml);
      assert.ok(!xml.includes('<Ltd>'));
      assert.deepEqual(textsOf(xml, 'Nm').at(-1), name);
      assert.deepEqual(textsOf(xml, 'Ustrd'), [remittance]);
      assert.deepEqual(textsOf(xml, 'EndToEndId'), ['E2E&<"1">']);
      assert.deepEqual(textsOf(xml, 'MsgId'), [`M&<'">`]);
    });

    test(`${version}: large amounts and currencies with 0 and 3 minor digits; CtrlSum across currencies`, async () => {
      const block = nonSepaBlock();
      const creditor = block.transactions[0]!.creditor;
      block.transactions = [
        { endToEndId: 'BIG', amount: 9_999_999_999_999n, currency: 'USD', creditor },
        { endToEndId: 'CENT', amount: 1n, currency: 'USD', creditor },
        { endToEndId: 'YEN', amount: 1500n, currency: 'JPY', creditor },
        { endToEndId: 'DINAR', amount: 1234n, currency: 'BHD', creditor },
      ];
      const xml = writePain001(batchOf(block), version);
      await assertValid(xml, version);
      assert.deepEqual(textsOf(xml, 'InstdAmt'), ['99999999999.99', '0.01', '1500', '1.234']);
      // The control sum adds the amounts as numbers, irrespective of currency, exactly.
      assert.deepEqual(textsOf(xml, 'CtrlSum'), ['100000001501.234', '100000001501.234']);
    });

    test(`${version}: a SEPA and a non-SEPA block in one file`, async () => {
      const xml = writePain001(batchOf(sepaBlock(), nonSepaBlock({ id: 'NON-SEPA' })), version);
      await assertValid(xml, version);
      assert.deepEqual(textsOf(xml, 'ChrgBr'), ['SLEV', 'SHAR']);
      assert.deepEqual(textsOf(xml, 'CtrlSum'), ['2624.20', '123.45', '2500.75']);
    });
  }
});

describe('pain.001 writer: bad input is refused, naming the field', () => {
  test('a name longer than the version allows', () => {
    const long = 'N'.repeat(141);
    const block = nonSepaBlock();
    block.transactions[0]!.creditor.name = long;
    const iso = refusal(() => writePain001(batchOf(block), 'pain.001.001.09'));
    assert.deepEqual(iso.fields, ['paymentInformation[0].transactions[0].creditor.name']);
    assert.match(iso.messages[0]!, /141 characters long; at most 140/);
    assert.match(iso.error.message, /paymentInformation\[0\]\.transactions\[0\]\.creditor\.name/);
    // 140 is fine outside SEPA.
    block.transactions[0]!.creditor.name = long.slice(1);
    assert.doesNotThrow(() => writePain001(batchOf(block), 'pain.001.001.09'));

    // SEPA (and the DK schema) allow 70.
    const sepa = sepaBlock();
    sepa.debtor.name = 'D'.repeat(71);
    for (const version of PAIN001_VERSIONS) {
      const refused = refusal(() => writePain001(batchOf(sepa), version));
      assert.deepEqual(refused.fields, ['paymentInformation[0].debtor.name']);
      assert.match(refused.messages[0]!, /at most 70/);
    }
  });

  test('identifiers over 35 characters, remittance over 140', () => {
    const block = sepaBlock();
    block.transactions[0]!.endToEndId = 'E'.repeat(36);
    block.transactions[0]!.remittance = { unstructured: 'r'.repeat(141) };
    const refused = refusal(() => writePain001({ ...batchOf(block), messageId: 'M'.repeat(36) }, 'pain.001.001.10'));
    assert.deepEqual(refused.fields.sort(), [
      'messageId',
      'paymentInformation[0].transactions[0].endToEndId',
      'paymentInformation[0].transactions[0].remittance.unstructured',
    ]);
  });

  test('currencies: unknown codes, non-EUR in SEPA, amounts that are not bigint minor units', () => {
    const block = nonSepaBlock();
    block.transactions[0]!.currency = 'EURO';
    assert.deepEqual(refusal(() => writePain001(batchOf(block), 'pain.001.001.09')).fields, [
      'paymentInformation[0].transactions[0].currency',
    ]);
    block.transactions[0]!.currency = 'XYZ';
    assert.match(refusal(() => writePain001(batchOf(block), 'pain.001.001.09')).messages[0]!, /not an ISO 4217/);

    // BHD has 3 minor digits: SEPA (and the DK .03 schema, EUR only with 2 decimals) cannot carry it.
    const sepa = sepaBlock();
    sepa.transactions[0]!.currency = 'BHD';
    for (const version of PAIN001_VERSIONS) {
      const refused = refusal(() => writePain001(batchOf(sepa), version));
      assert.deepEqual(refused.fields, ['paymentInformation[0].transactions[0].currency']);
      assert.match(refused.messages[0]!, /EUR only/);
    }

    const fractional = nonSepaBlock();
    (fractional.transactions[0] as { amount: unknown }).amount = 10.5;
    assert.deepEqual(refusal(() => writePain001(batchOf(fractional), 'pain.001.001.10')).fields, [
      'paymentInformation[0].transactions[0].amount',
    ]);
    fractional.transactions[0]!.amount = 0n;
    assert.match(refusal(() => writePain001(batchOf(fractional), 'pain.001.001.10')).messages[0]!, /greater than zero/);
    fractional.transactions[0]!.amount = 10n ** 18n;
    assert.match(refusal(() => writePain001(batchOf(fractional), 'pain.001.001.10')).messages[0]!, /18 digits/);
  });

  test('amounts above the SEPA maximum', () => {
    const block = sepaBlock();
    block.transactions[0]!.amount = 100_000_000_000n;
    for (const version of PAIN001_VERSIONS) {
      const refused = refusal(() => writePain001(batchOf(block), version));
      assert.deepEqual(refused.fields, ['paymentInformation[0].transactions[0].amount']);
      assert.match(refused.messages[0]!, /1000000000\.00 EUR exceeds the SEPA maximum/);
    }
  });

  test('.03: characters outside the SEPA set with no transliteration; identifiers are never changed', () => {
    const block = sepaBlock();
    block.transactions[0]!.creditor.name = '北京 Trading';
    block.transactions[0]!.endToEndId = 'E2E_0001';
    block.transactions[0]!.remittance = { unstructured: 'Invoice #17 @ 5%' };
    const refused = refusal(() => writePain001(batchOf(block), 'pain.001.001.03'));
    assert.deepEqual(refused.fields, [
      'paymentInformation[0].transactions[0].endToEndId',
      'paymentInformation[0].transactions[0].creditor.name',
      'paymentInformation[0].transactions[0].remittance.unstructured',
    ]);
    assert.match(refused.messages[0]!, /"_" \(U\+005F\) is not allowed in a SEPA identifier/);
    assert.match(refused.messages[1]!, /"北" \(U\+5317\) is outside the SEPA character set/);
    assert.match(refused.messages[2]!, /"#" \(U\+0023\)/);
  });

  test('.03 (DK) carries SEPA only: no non-SEPA block, no other account ids, no bank codes', () => {
    const refused = refusal(() => writePain001(batchOf(nonSepaBlock()), 'pain.001.001.03'));
    assert.deepEqual(refused.fields, [
      'paymentInformation[0].sepa',
      'paymentInformation[0].debtor.account',
      'paymentInformation[0].debtor.agent.bankCode',
      'paymentInformation[0].serviceLevelCode',
      'paymentInformation[0].transactions[0].endToEndId',
      'paymentInformation[0].transactions[0].currency',
      'paymentInformation[0].transactions[0].creditor.account',
      'paymentInformation[0].transactions[0].creditor.agent.bankCode',
    ]);
    assert.match(refused.messages[0]!, /SEPA credit transfers only/);
  });

  test('bank details: IBAN check digits, BIC format, country, RF check digits, execution date', () => {
    const block = sepaBlock({ requestedExecutionDate: '2025-02-30' });
    block.debtor.account = { iban: 'DE89370400440532013001' };
    block.debtor.agent = { bic: 'COBA DE' };
    block.transactions[0]!.creditor.country = 'es';
    block.transactions[0]!.remittance = { creditorReference: 'RF19539007547034' };
    const refused = refusal(() => writePain001(batchOf(block), 'pain.001.001.09'));
    assert.deepEqual(refused.fields, [
      'paymentInformation[0].debtor.account.iban',
      'paymentInformation[0].debtor.agent.bic',
      'paymentInformation[0].requestedExecutionDate',
      'paymentInformation[0].transactions[0].creditor.country',
      'paymentInformation[0].transactions[0].remittance.creditorReference',
    ]);
  });

  test('structure: no blocks, no transfers, a repeated block id, an unknown version', () => {
    assert.deepEqual(refusal(() => writePain001(batchOf(), 'pain.001.001.09')).fields, ['paymentInformation']);
    assert.deepEqual(refusal(() => writePain001(batchOf(sepaBlock({ transactions: [] })), 'pain.001.001.09')).fields, [
      'paymentInformation[0].transactions',
    ]);
    const twice = batchOf(sepaBlock({ id: 'SAME' }), sepaBlock({ id: 'SAME' }));
    assert.deepEqual(refusal(() => writePain001(twice, 'pain.001.001.09')).fields, ['paymentInformation[1].id']);
    assert.deepEqual(refusal(() => writePain001(batchOf(sepaBlock()), 'pain.001.001.08' as Pain001Version)).fields, [
      'version',
    ]);
    const broken: Pain001Batch = { ...batchOf(sepaBlock()), createdAt: new Date('not a date') };
    assert.deepEqual(refusal(() => writePain001(broken, 'pain.001.001.09')).fields, ['createdAt']);
  });

  test('control characters are refused even where any character goes', () => {
    const block = nonSepaBlock();
    block.transactions[0]!.creditor.name = 'Tab\there';
    block.transactions[0]!.remittance = { unstructured: 'nul\u0000' };
    const refused = refusal(() => writePain001(batchOf(block), 'pain.001.001.10'));
    assert.deepEqual(refused.fields, [
      'paymentInformation[0].transactions[0].creditor.name',
      'paymentInformation[0].transactions[0].remittance.unstructured',
    ]);
    assert.match(refused.messages[0]!, /control character U\+0009/);
  });
});
