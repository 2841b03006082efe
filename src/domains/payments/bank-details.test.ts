import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bankDetailsIssues,
  endToEndIdIssue,
  isCreditorReference,
  maskedAccount,
  normaliseBankDetails,
  paymentMethod,
} from './bank-details.js';

/** The checks every set of bank details and every payment reference passes, field by field. */

test('IBANs: check digits and country format by ibantools, spaces and case accepted, stored electronic', () => {
  assert.deepEqual(bankDetailsIssues({ iban: 'de89 3704 0044 0532 0130 00' }), []);
  assert.deepEqual(normaliseBankDetails({ iban: 'de89 3704 0044 0532 0130 00', bic: 'cobadeffxxx' }), {
    iban: 'DE89370400440532013000',
    accountNumber: null,
    bankCode: null,
    bic: 'COBADEFFXXX',
    country: 'DE',
  });
  const fields = (input: Parameters<typeof bankDetailsIssues>[0]) => bankDetailsIssues(input).map((i) => i.field);
  assert.deepEqual(fields({ iban: 'DE89370400440532013001' }), ['iban'], 'wrong check digits');
  assert.deepEqual(fields({ iban: 'DE8937040044053201300' }), ['iban'], 'wrong length');
  assert.deepEqual(fields({ iban: 'XX89370400440532013000' }), ['iban'], 'unknown country');
  assert.deepEqual(fields({ iban: '' }), ['iban']);
  assert.deepEqual(fields({ iban: 'DE89370400440532013000', country: 'FR' }), ['country']);
  assert.deepEqual(fields({ iban: 'DE89370400440532013000', accountNumber: '1' }), ['accountNumber']);
  assert.deepEqual(fields({}), ['iban']);
  assert.match(bankDetailsIssues({ iban: 'DE89370400440532013001' })[0]!.message, /check digits/);
});

test('local accounts, BICs and countries', () => {
  assert.deepEqual(bankDetailsIssues({ accountNumber: '12345678', bankCode: '021000021', country: 'US' }), []);
  const fields = (input: Parameters<typeof bankDetailsIssues>[0]) => bankDetailsIssues(input).map((i) => i.field);
  assert.deepEqual(fields({ accountNumber: '12345678', bankCode: '021000021' }), ['country']);
  assert.deepEqual(fields({ accountNumber: '1234 5678', bankCode: '0210', country: 'US' }), ['accountNumber']);
  assert.deepEqual(fields({ accountNumber: '12345678', country: 'US' }), ['bankCode']);
  assert.deepEqual(fields({ accountNumber: '1', bankCode: '2', country: 'ZZ' }), ['country']);
  assert.deepEqual(fields({ iban: 'DE89370400440532013000', bic: 'COBADEFF' }), []);
  assert.deepEqual(fields({ iban: 'DE89370400440532013000', bic: 'COBA' }), ['bic']);
  assert.deepEqual(fields({ iban: 'DE89370400440532013000', bic: 'COBAZZFFXXX' }), ['bic']);
  assert.equal(maskedAccount(normaliseBankDetails({ iban: 'DE89370400440532013000' })), 'DE89…3000');
});

test('SEPA or international, by currency and both countries', () => {
  assert.equal(paymentMethod('EUR', 'DE', 'FR'), 'sepa');
  assert.equal(paymentMethod('EUR', 'DE', 'CH'), 'sepa');
  assert.equal(paymentMethod('USD', 'DE', 'FR'), 'international');
  assert.equal(paymentMethod('EUR', 'DE', 'US'), 'international');
});

test('ISO 11649 creditor references and pain.001-safe end-to-end ids', () => {
  assert.equal(isCreditorReference('RF18539007547034'), true);
  assert.equal(isCreditorReference('rf18 5390 0754 7034'), true);
  assert.equal(isCreditorReference('RF19539007547034'), false, 'wrong check digits');
  assert.equal(isCreditorReference('RF18'), false);
  assert.equal(isCreditorReference('RF18' + '1'.repeat(22)), false, 'at most 25 characters');
  assert.equal(endToEndIdIssue('INV-2026/0042'), undefined);
  assert.match(endToEndIdIssue('a_b')!, /may hold only/);
  assert.match(endToEndIdIssue('/abc')!, /"\/"/);
  assert.match(endToEndIdIssue('a//b')!, /"\/\/"/);
  assert.match(endToEndIdIssue('x'.repeat(36))!, /1 to 35/);
  assert.match(endToEndIdIssue(' abc')!, /space/);
});
