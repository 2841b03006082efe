import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { AppError, type FieldIssue } from '../../../../core/errors.js';
import type { ImportKind } from './mapping-types.js';
import { parseMapping } from './parse-mapping.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../../../../examples/import');

/** The issues of an invalid mapping as `LINE field: message`. */
function problems(yaml: string, kind: ImportKind = 'customers'): string[] {
  try {
    parseMapping(yaml, kind);
  } catch (error) {
    assert.ok(error instanceof AppError && error.code === 'validation_failed', String(error));
    return error.issues.map((i: FieldIssue) => `${i.line ?? '-'} ${i.field}: ${i.message}`);
  }
  assert.fail('the mapping was accepted');
}

describe('mapping documents', () => {
  test('the examples compile, with types taken from the target fields', () => {
    const customers = parseMapping(readFileSync(path.join(EXAMPLES, 'customers.yaml'), 'utf8'), 'customers');
    assert.equal(customers.format, 'csv');
    assert.deepEqual(customers.csv, { delimiter: ';', quote: '"', header: true });
    const limit = customers.fields.find((f) => f.target === 'creditLimit')!;
    assert.equal(limit.type, 'amount');
    assert.equal(limit.currencyField, 'limitCurrency');
    assert.deepEqual(customers.fields.find((f) => f.target === 'address.city')!.path, ['address', 'city']);

    const loans = parseMapping(readFileSync(path.join(EXAMPLES, 'loans.yaml'), 'utf8'), 'receivables');
    assert.equal(loans.encoding, 'latin1');
    assert.deepEqual(loans.columns.at(-1), { name: 'FIRST_DUE', start: 57, length: 8 });
    assert.equal(loans.fields.find((f) => f.target === 'issueDate')!.type, 'date');
    assert.equal(loans.fields.find((f) => f.target === 'termMonths')!.type, 'integer');
    // An amount without a currency takes the row's `currency`.
    assert.equal(loans.fields.find((f) => f.target === 'principal')!.currencyField, 'currency');

    const payments = parseMapping(readFileSync(path.join(EXAMPLES, 'payments.yaml'), 'utf8'), 'payments');
    assert.equal(payments.csv.delimiter, ',');
  });

  test('every problem names the mapping field and its line, in document order', () => {
    const yaml = `format: csv
delimiter: ";"
decimalSeparator: ","
fields:
  externalId: { column: NO }
  nmae: { column: NAME }
  email: { colum: MAIL }
  creditLimit: { column: LIMIT, currency: EURO, format: dd.MM.yyyy }
  language: { column: L, value: en }
  segment: {}
  address: { column: A }
  address.town: { column: T }
  metadata: { column: M }
  riskRating: { column: R, type: integer }
`;
    assert.deepEqual(problems(yaml), [
      '6 fields.nmae: customers have no field nmae; their fields are externalId, name, email, phone, address, language, timeZone, segment, riskRating, creditLimit, limitCurrency, metadata',
      '7 fields.email.colum: is not a known field',
      '8 fields.creditLimit.format: is only for type date (this field is amount)',
      '8 fields.creditLimit.currency: "EURO" is not an ISO 4217 currency code',
      '9 fields.language: give either column or value (a constant), not both',
      '10 fields.segment: needs column (where the value is read) or value (a constant)',
      '11 fields.address: address is an object: map its fields (address.line1, address.line2, address.city, address.postalCode, address.region, address.country)',
      '12 fields.address.town: address has no field town; its fields are line1, line2, city, postalCode, region, country',
      '13 fields.metadata: metadata is an object: map its keys as metadata.<key>',
      '14 fields.riskRating.type: must be string: riskRating is text',
    ]);
  });

  test('document settings: unknown keys, bad values, options of the other format, the kind', () => {
    const yaml = `kind: payments
format: csv
delimiter: ";;"
encoding: ebcdic
decimalSeparator: ","
thousandsSeparator: ","
fields:
  externalId: { column: A }
`;
    const found = problems(yaml);
    assert.ok(found.some((p) => p.startsWith('3 delimiter: must be one character')));
    assert.ok(found.some((p) => p.startsWith('4 encoding: ')));

    assert.deepEqual(
      problems(`kind: payments
format: csv
decimalSeparator: ","
thousandsSeparator: ","
columns: { A: { start: 1, length: 2 } }
colour: blue
fields:
  externalId: { column: A }
`),
      [
        '1 kind: this mapping is for payments, not customers',
        '4 thousandsSeparator: must differ from decimalSeparator',
        '5 columns: is only for format fixed-width (CSV columns are named by the header or numbered)',
        '6 colour: is not a known field',
      ],
    );
  });

  test('fixed-width: columns are required, positioned by start and length or end, and referenced by name', () => {
    assert.deepEqual(
      problems(`format: fixed-width
delimiter: ","
header: true
columns:
  NO: { start: 1, length: 10 }
  NAME: { start: 11 }
  CITY: { start: 40, end: 30 }
  ZIP: { start: 0, length: 5 }
fields:
  externalId: { column: NO }
  name: { column: NAMES }
`),
      [
        '2 delimiter: is only for format csv',
        '3 header: is only for format csv',
        '6 columns.NAME: needs start and either length or end (inclusive)',
        '7 columns.CITY.end: must not be before start (40)',
        '8 columns.ZIP.start: Too small: expected number to be >=1',
        '11 fields.name.column: "NAMES" is not one of the columns (NO, NAME, CITY, ZIP)',
      ],
    );
    assert.deepEqual(
      problems(`format: fixed-width
columns:
  NO: { start: 1, length: 10 }
  NAME: { start: 11 }
  CITY: { start: 40, end: 30 }
fields:
  externalId: { column: NO }
`),
      [
        '4 columns.NAME: needs start and either length or end (inclusive)',
        '5 columns.CITY.end: must not be before start (40)',
      ],
    );
    assert.deepEqual(problems('format: fixed-width\nfields:\n  externalId: { column: NO }\n'), [
      '1 columns: is required for format fixed-width: name → { start, length } (1-based character positions)',
      '3 fields.externalId.column: "NO" is not one of the columns',
    ]);
  });

  test('without a header, columns are numbers', () => {
    const mapping = parseMapping(
      'header: false\nfields:\n  externalId: { column: 1 }\n  name: { column: "2" }\n',
      'customers',
    );
    assert.deepEqual(
      mapping.fields.map((f) => f.source),
      [
        { kind: 'column', column: 1 },
        { kind: 'column', column: 2 },
      ],
    );
    assert.deepEqual(problems('header: false\nfields:\n  externalId: { column: NO }\n'), [
      '3 fields.externalId.column: must be a column number (1 = the first), since header is false',
    ]);
  });

  test('constants, defaults and map values are converted when the mapping is read', () => {
    assert.deepEqual(
      problems(
        `fields:
  externalId: { column: A }
  customerExternalId: { column: B }
  kind: { column: K, map: { I: invoice, L: lone } }
  currency: { value: EURO }
  issueDate: { column: D, default: "31.02.2024", format: dd.MM.yyyy }
  termMonths: { value: twelve }
  amount: { column: X, currency: EUR, default: "1,5" }
`,
        'receivables',
      ),
      [
        '4 fields.kind.map.L: "lone" is not one of invoice, loan',
        '5 fields.currency.value: "EURO" is not an ISO 4217 currency code',
        '6 fields.issueDate.default: "31.02.2024" is not a valid date (day 31 of month 2)',
        '7 fields.termMonths.value: "twelve" is not a number',
        '8 fields.amount.default: "1,5" is not a number (the decimal separator is ".")',
      ],
    );
  });

  test('required targets, and amounts without a currency', () => {
    assert.deepEqual(problems('fields:\n  amount: { column: A }\n', 'payments'), [
      '1 fields: payments need externalId, receivableExternalId, currency, receivedOn: map each to a column or a value',
      "2 fields.amount: needs currency (an ISO code, e.g. EUR) or currencyField (the field holding the row's currency, e.g. currency)",
    ]);
    assert.deepEqual(problems('fields:\n  externalId: { column: A }\n  creditLimit: { column: L }\n'), [
      "3 fields.creditLimit: needs currency (an ISO code, e.g. EUR) or currencyField (the field holding the row's currency, e.g. limitCurrency)",
    ]);
    assert.deepEqual(
      problems('fields:\n  externalId: { column: A }\n  creditLimit: { column: L, currencyField: segmen }\n'),
      ['3 fields.creditLimit.currencyField: names segmen, which the mapping does not fill'],
    );
  });

  test('a document that is not a mapping, and YAML syntax errors, say where', () => {
    assert.deepEqual(problems('- a\n- b\n'), ['1 mapping: must be a mapping document with format and fields']);
    const syntax = problems('fields:\n  externalId: { column: A\n');
    assert.equal(syntax.length, 1);
    assert.match(syntax[0]!, /^\d+ source: /);
  });
});
