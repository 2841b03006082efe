import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal as BaseDecimal } from 'decimal.js';
import fc from 'fast-check';
import { minorUnitDigits } from '../../core/money.js';
import { elementsOf, makeCreditorReference, makeIban } from '../../testing/iso20022-samples.js';
import { PAIN001_VERSIONS, type Pain001Version } from './messages.js';
import type { CreditTransfer, Pain001Batch, PaymentInformation } from './pain001-types.js';
import { writePain001 } from './pain001-writer.js';
import { validateManyAgainstXsd } from './xsd-validation.js';

/**
 * Random batches (fixed seed, so every run and machine sees the same ones) of every version, SEPA
 * and not, with names full of characters to transliterate or escape, amounts from 1 cent to the
 * limits, several currencies: each is written, is valid against its schema, and its NbOfTxs and
 * CtrlSum (file and blocks) equal the count and the exact sum of the input amounts, recomputed here
 * with decimal.js from the input rather than with the writer's own arithmetic.
 */

const SEED = 20_250_301;
const RUNS = 150;
// Sums of 18-digit amounts need more than decimal.js's default 20 significant digits.
const Decimal = BaseDecimal.clone({ precision: 60 });

const BICS = ['COBADEFFXXX', 'DEUTDEFF', 'BNPAFRPP', 'BBVAESMMXXX', 'INGBNL2A', 'UNCRITMMXXX'];
const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
const alphanumeric = (min: number, max: number) =>
  fc
    .array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), { minLength: min, maxLength: max })
    .map((d) => d.join(''));

const iban = fc.oneof(
  digits(18, 18).map((bban) => makeIban('DE', bban)),
  digits(20, 20).map((bban) => makeIban('ES', bban)),
  fc.tuple(fc.constantFrom('INGB', 'ABNA', 'RABO'), digits(10, 10)).map(([bank, n]) => makeIban('NL', bank + n)),
  alphanumeric(23, 23).map((bban) => makeIban('FR', bban)),
);

// SEPA names: letters the transliteration maps (at most 2 characters each, so 30 stay within 70).
const sepaName = fc
  .array(fc.constantFrom(..."abcXYZ019 /-?:().,'+äöüÄÖÜßéèñçåøæœłÆ&’–"), { minLength: 0, maxLength: 30 })
  .map((chars) => `N${chars.join('')}`);
// Other names: anything XML carries, including what must be escaped and characters outside Latin.
const anyName = fc
  .array(fc.constantFrom(...'abcXYZ019 <>&"\'/;#@_%*[]{}=!?äß北京€😀'), { minLength: 0, maxLength: 60 })
  .map((chars) => `N${chars.join('')}`);
const sepaId = fc
  .array(fc.constantFrom(...'ABCxyz0123456789-.:+'), { minLength: 1, maxLength: 34 })
  .map((c) => `I${c.join('')}`);
const anyId = fc
  .array(fc.constantFrom(...'ABCxyz0123456789-_&<>"'), { minLength: 1, maxLength: 34 })
  .map((c) => `I${c.join('')}`);

function transfer(sepa: boolean): fc.Arbitrary<CreditTransfer> {
  return fc.record(
    {
      endToEndId: sepa ? sepaId : anyId,
      instructionId: sepa ? sepaId : anyId,
      currency: sepa ? fc.constant('EUR') : fc.constantFrom('EUR', 'USD', 'GBP', 'JPY', 'BHD', 'CHF'),
      amount: fc.oneof(
        fc.constant(1n),
        fc.bigInt(1n, 10_000n),
        fc.bigInt(1n, sepa ? 99_999_999_999n : 9_999_999_999_999n),
        fc.constant(sepa ? 99_999_999_999n : 9_999_999_999_999n),
      ),
      creditor: fc.record(
        {
          name: sepa ? sepaName : anyName,
          account: sepa
            ? iban.map((value) => ({ iban: value }))
            : fc.oneof(
                iban.map((value) => ({ iban: value })),
                digits(5, 20).map((other) => ({ other })),
              ),
          agent: sepa
            ? fc.constantFrom(...BICS).map((bic) => ({ bic }))
            : fc.record(
                {
                  bic: fc.constantFrom(...BICS),
                  bankCode: fc.record({ clearingSystem: fc.constantFrom('USABA', 'GBDSC'), memberId: digits(6, 9) }),
                },
                { requiredKeys: [] },
              ),
          country: fc.constantFrom('DE', 'ES', 'US', 'GB', 'FR'),
          addressLines: fc.array(sepa ? sepaName : anyName, { minLength: 1, maxLength: 2 }),
        },
        { requiredKeys: ['name', 'account'] },
      ),
      remittance: fc.oneof(
        (sepa ? sepaName : anyName).map((text) => ({ unstructured: text })),
        alphanumeric(1, 21).map((reference) => ({ creditorReference: makeCreditorReference(reference) })),
      ),
    },
    { requiredKeys: ['endToEndId', 'currency', 'amount', 'creditor'] },
  );
}

function block(version: Pain001Version): fc.Arbitrary<PaymentInformation> {
  return (version === 'pain.001.001.03' ? fc.constant(true) : fc.boolean()).chain((sepa) =>
    fc.record(
      {
        debtor: fc.record(
          {
            name: sepa ? sepaName : anyName,
            account: iban.map((value) => ({ iban: value })),
            agent: fc.constantFrom(...BICS).map((bic) => ({ bic })),
          },
          { requiredKeys: ['name', 'account'] },
        ),
        requestedExecutionDate: fc
          .date({ min: new Date('2024-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10)),
        batchBooking: fc.boolean(),
        sepa: fc.constant(sepa),
        transactions: fc.array(transfer(sepa), { minLength: 1, maxLength: 8 }),
      },
      { requiredKeys: ['debtor', 'requestedExecutionDate', 'batchBooking', 'sepa', 'transactions'] },
    ),
  );
}

const batchAndVersion = fc.constantFrom(...PAIN001_VERSIONS).chain((version) =>
  fc
    .record({
      // A file with any SEPA block keeps SEPA identifiers in its header (the writer refuses others).
      messageId: sepaId,
      createdAt: fc.date({ min: new Date('2024-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }),
      initiatingPartyName: sepaName,
      paymentInformation: fc.array(block(version), { minLength: 1, maxLength: 4 }),
    })
    .map((batch): [Pain001Batch, Pain001Version] => [batch, version]),
);

/** An input amount as a decimal, from its minor units and its currency's digits. */
const decimalOf = (t: CreditTransfer) => new Decimal(t.amount.toString()).div(10 ** minorUnitDigits(t.currency));
const sumOf = (transfers: CreditTransfer[]) => transfers.reduce((sum, t) => sum.plus(decimalOf(t)), new Decimal(0));

test(`${RUNS} random batches (seed ${SEED}): schema-valid, counts and control sums exact`, async () => {
  const samples = fc.sample(batchAndVersion, { seed: SEED, numRuns: RUNS });
  const written = samples.map(([batch, version]) => ({ batch, version, xml: writePain001(batch, version) }));

  for (const version of PAIN001_VERSIONS) {
    const ofVersion = written.filter((w) => w.version === version);
    assert.ok(ofVersion.length > 10, `too few ${version} samples`);
    const results = await validateManyAgainstXsd(
      ofVersion.map((w) => w.xml),
      version,
    );
    results.forEach((result, i) => {
      assert.deepEqual(result.errors, [], `${version} sample ${i} is not valid:\n${ofVersion[i]!.xml}`);
    });
  }

  for (const { batch, xml } of written) {
    const all = batch.paymentInformation.flatMap((b) => b.transactions);
    const header = elementsOf(xml, 'GrpHdr')[0]!;
    const text = (element: (typeof header)['children'][number] | undefined) => element!.text;
    assert.equal(text(header.children.find((c) => c.name === 'NbOfTxs')), String(all.length));
    const fileSum = new Decimal(text(header.children.find((c) => c.name === 'CtrlSum')));
    assert.ok(fileSum.equals(sumOf(all)), `file CtrlSum ${fileSum.toString()} ≠ ${sumOf(all).toString()}`);

    // The file's control sum is also the sum of the amounts as written.
    const written = elementsOf(xml, 'InstdAmt').reduce((sum, e) => sum.plus(new Decimal(e.text)), new Decimal(0));
    assert.ok(fileSum.equals(written));

    elementsOf(xml, 'PmtInf').forEach((element, i) => {
      const transfers = batch.paymentInformation[i]!.transactions;
      const child = (name: string) => element.children.find((c) => c.name === name)!.text;
      assert.equal(child('NbOfTxs'), String(transfers.length));
      assert.ok(new Decimal(child('CtrlSum')).equals(sumOf(transfers)));
      assert.equal(child('ChrgBr'), batch.paymentInformation[i]!.sepa ? 'SLEV' : 'SHAR');
    });

    // Every amount written is exactly its input, in the currency's minor digits.
    elementsOf(xml, 'InstdAmt').forEach((element, i) => {
      const t = all[i]!;
      assert.equal(element.attributes.Ccy, t.currency);
      assert.ok(new Decimal(element.text).equals(decimalOf(t)));
      const decimals = element.text.split('.')[1]?.length ?? 0;
      assert.equal(decimals, minorUnitDigits(t.currency));
    });
  }
});
