import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMinorUnits, parseDecimalToMinorUnits, sumAmounts } from './amounts.js';
import { compact, isBic, isCreditorReference, isIban, isIsoDate } from './identifiers.js';
import { checkIdentifier, checkText, toSepaCharacters } from './text-rules.js';

/** The small rules under the writer and reader: characters, identifiers, decimal amounts. */

test('SEPA transliteration: decomposed and precomposed letters, German umlauts, typographic marks', () => {
  assert.deepEqual(toSepaCharacters('Ça va, Zoë? Straße & Co – ’ok’'), { value: "Ca va, Zoe? Strasse + Co - 'ok'" });
  // "e" followed by a combining acute accent (two code points) becomes "e".
  assert.deepEqual(toSepaCharacters('Cafe\u0301'), { value: 'Cafe' });
  assert.match(toSepaCharacters('50% off').problem!, /"%" \(U\+0025\) is outside the SEPA character set/);
  assert.match(toSepaCharacters('😀').problem!, /U\+1F600/);
});

test('text: trimmed, not blank, length after transliteration, control characters and broken pairs refused', () => {
  assert.deepEqual(checkText('  Name  ', { max: 10, sepa: false }), { value: 'Name' });
  assert.match(checkText('   ', { max: 10, sepa: false }).problem!, /must not be blank/);
  // ß → ss makes 70 characters 71.
  assert.match(checkText(`${'a'.repeat(69)}ß`, { max: 70, sepa: true }).problem!, /71 characters long; at most 70/);
  assert.deepEqual(checkText(`${'a'.repeat(69)}ß`, { max: 70, sepa: false }), { value: `${'a'.repeat(69)}ß` });
  // Characters count as code points, as the schema counts them: an emoji is one.
  assert.deepEqual(checkText('😀'.repeat(140), { max: 140, sepa: false }).value?.length, 280);
  assert.match(checkText('broken \ud800 pair', { max: 140, sepa: false }).problem!, /U\+D800/);
  assert.match(checkText('line\nbreak', { max: 140, sepa: false }).problem!, /control character U\+000A/);
  assert.match(checkText('c1 \u0085', { max: 140, sepa: false }).problem!, /U\+0085/);
});

test('identifiers: never changed; SEPA set and slash rules only where SEPA applies', () => {
  assert.deepEqual(checkIdentifier('ÄBC', false), { value: 'ÄBC' });
  assert.match(checkIdentifier('ÄBC', true).problem!, /"Ä" \(U\+00C4\) is not allowed in a SEPA identifier/);
  for (const id of ['/abc', 'abc/', 'a//b']) assert.match(checkIdentifier(id, true).problem!, /"\/"/);
  assert.deepEqual(checkIdentifier('a/b', true), { value: 'a/b' });
  assert.match(checkIdentifier(' abc', false).problem!, /begin or end with a space/);
  assert.match(checkIdentifier('', false).problem!, /must not be empty/);
  assert.match(checkIdentifier('x'.repeat(36), false).problem!, /36 characters long/);
});

test('IBAN, creditor reference, BIC, date', () => {
  assert.equal(compact(' de89 3704 0044 0532 0130 00 '), 'DE89370400440532013000');
  assert.equal(isIban('DE89370400440532013000'), true);
  assert.equal(isIban('DE88370400440532013000'), false);
  assert.equal(isIban('GB29NWBK60161331926819'), true);
  assert.equal(isCreditorReference('RF18539007547034'), true);
  assert.equal(isCreditorReference('RF18539007547035'), false);
  assert.equal(isCreditorReference(`RF18${'1'.repeat(22)}`), false);
  assert.equal(isBic('DEUTDEFF', '2009'), true);
  assert.equal(isBic('DEUTDEFF500', '2014'), true);
  // The 2014 pattern allows digits in the bank code; the DK 2009 pattern does not.
  assert.equal(isBic('1234DEFF', '2014'), true);
  assert.equal(isBic('1234DEFF', '2009'), false);
  assert.equal(isIsoDate('2024-02-29'), true);
  assert.equal(isIsoDate('2025-02-29'), false);
  assert.equal(isIsoDate('2025-2-1'), false);
});

test('decimal amounts from and to minor units, exactly', () => {
  assert.equal(formatMinorUnits(1n, 2), '0.01');
  assert.equal(formatMinorUnits(9_999_999_999_999n, 2), '99999999999.99');
  assert.equal(formatMinorUnits(1500n, 0), '1500');
  assert.equal(formatMinorUnits(5n, 3), '0.005');
  assert.equal(formatMinorUnits(-1050n, 2), '-10.50');
  // 2^53 + 1 cents: a float would lose the last cent.
  assert.equal(formatMinorUnits(9_007_199_254_740_993n, 2), '90071992547409.93');
  assert.deepEqual(
    sumAmounts([
      { amount: 1n, digits: 2 },
      { amount: 7n, digits: 0 },
      { amount: 1n, digits: 3 },
    ]),
    { amount: 7011n, digits: 3 },
  );
  assert.deepEqual(sumAmounts([]), { amount: 0n, digits: 0 });
  assert.equal(parseDecimalToMinorUnits('10.00', 2), 1000n);
  assert.equal(parseDecimalToMinorUnits('0.0100', 2), 1n);
  assert.equal(parseDecimalToMinorUnits('27.0', 0), 27n);
  assert.equal(parseDecimalToMinorUnits('10.001', 2), null);
  assert.equal(parseDecimalToMinorUnits('1e3', 2), null);
  assert.equal(parseDecimalToMinorUnits('-1', 2), null);
});
