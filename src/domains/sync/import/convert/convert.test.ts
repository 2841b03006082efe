import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { formatIssue } from '../import-issue.js';
import type { FieldMapping, ImportKind } from '../mapping/mapping-types.js';
import { parseMapping } from '../mapping/parse-mapping.js';
import { CellError } from './cell-error.js';
import { parseAmount } from './parse-amount.js';
import { dateParser } from './parse-date.js';
import { parseDecimal, parseInteger } from './parse-decimal.js';
import { numberParser } from './parse-number.js';
import { compileConverter, type ColumnRef, type ConvertResult } from './row-converter.js';

const comma = numberParser({ decimalSeparator: ',', thousandsSeparator: '.' });
const dot = numberParser({ decimalSeparator: '.', thousandsSeparator: null });

const cellError = (pattern: RegExp) => (error: unknown) => error instanceof CellError && pattern.test(error.message);

describe('amounts', () => {
  test('major units become a string of minor units by the currency, never through a float', () => {
    assert.equal(parseAmount('1.234,56', comma, 'major', 'EUR'), '123456');
    assert.equal(parseAmount('1.234', comma, 'major', 'EUR'), '123400');
    assert.equal(parseAmount('0,5', comma, 'major', 'EUR'), '50');
    assert.equal(parseAmount(',05', comma, 'major', 'EUR'), '5');
    assert.equal(parseAmount('1234', dot, 'major', 'JPY'), '1234');
    assert.equal(parseAmount('1.234', dot, 'major', 'BHD'), '1234');
    // 0.1 + 0.2 territory: exact.
    assert.equal(parseAmount('0.30', dot, 'major', 'EUR'), '30');
    assert.equal(parseAmount('9999999999999999.99', dot, 'major', 'EUR'), '999999999999999999');
    assert.throws(() => parseAmount('10000000000000000.00', dot, 'major', 'EUR'), cellError(/too large/));
  });

  test('signs: leading, trailing (mainframe) and accounting parentheses; zero has none', () => {
    assert.equal(parseAmount('-12,50', comma, 'major', 'EUR'), '-1250');
    assert.equal(parseAmount('12,50-', comma, 'major', 'EUR'), '-1250');
    assert.equal(parseAmount('(12,50)', comma, 'major', 'EUR'), '-1250');
    assert.equal(parseAmount('+12,50', comma, 'major', 'EUR'), '1250');
    assert.equal(parseAmount('-0,00', comma, 'major', 'EUR'), '0');
    assert.throws(() => parseAmount('-12,50-', comma, 'major', 'EUR'), cellError(/is not a number/));
  });

  test('more decimals than the currency has are refused unless they are zeros', () => {
    assert.throws(
      () => parseAmount('12,345', comma, 'major', 'EUR'),
      cellError(/"12,345" has 3 decimal places; EUR has 2/),
    );
    assert.throws(() => parseAmount('1,5', comma, 'major', 'JPY'), cellError(/JPY has 0/));
    assert.equal(parseAmount('12,3400', comma, 'major', 'EUR'), '1234');
  });

  test('minor units are whole numbers; the digits are bounded by the database column', () => {
    assert.equal(parseAmount('000001250', dot, 'minor', 'EUR'), '1250');
    assert.equal(parseAmount('0000000000', dot, 'minor', 'EUR'), '0');
    assert.throws(() => parseAmount('12.5', dot, 'minor', 'EUR'), cellError(/not a whole number of minor units/));
    assert.throws(() => parseAmount('1'.repeat(19), dot, 'minor', 'EUR'), cellError(/too large/));
  });

  test('grouping by spaces accepts no-break spaces', () => {
    const spaced = numberParser({ decimalSeparator: ',', thousandsSeparator: ' ' });
    assert.equal(parseAmount('1 234 567,89', spaced, 'major', 'EUR'), '123456789');
    assert.equal(parseAmount('1\u00A0234,50', spaced, 'major', 'EUR'), '123450');
    assert.equal(parseAmount('1\u202F234', spaced, 'major', 'EUR'), '123400');
  });

  test('malformed numbers name the value, and hint at the separator', () => {
    assert.throws(() => parseAmount('12,3x', comma, 'major', 'EUR'), cellError(/^"12,3x" is not a number$/));
    const commaOnly = numberParser({ decimalSeparator: ',', thousandsSeparator: null });
    assert.throws(() => parseAmount('1234.56', commaOnly, 'major', 'EUR'), cellError(/the decimal separator is ","/));
    assert.throws(() => parseAmount('12.34,5', comma, 'major', 'EUR'), cellError(/is not a number/)); // bad grouping
    assert.throws(() => parseAmount('1,234.56', dot, 'major', 'EUR'), cellError(/is not a number/)); // no grouping set
    for (const bad of ['', '-', ',', '1e3', '0x10', '1 234', '€12']) {
      assert.throws(() => parseAmount(bad, comma, 'major', 'EUR'), CellError, bad);
    }
  });

  test('property: any minor amount written in major units with grouping reads back exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }),
        fc.constantFrom('EUR', 'JPY', 'BHD'),
        (n, ccy) => {
          const digits = { EUR: 2, JPY: 0, BHD: 3 }[ccy];
          const abs = (n < 0n ? -n : n).toString().padStart(digits + 1, '0');
          const whole = abs.slice(0, abs.length - digits).replace(/\B(?=(\d{3})+$)/g, '.');
          const text = `${n < 0n ? '-' : ''}${whole}${digits ? `,${abs.slice(abs.length - digits)}` : ''}`;
          assert.equal(parseAmount(text, comma, 'major', ccy), n.toString());
        },
      ),
    );
  });
});

describe('decimals and integers', () => {
  test('decimal strings, scaled exactly: "12,5" percent is "0.125"', () => {
    assert.equal(parseDecimal('12,5', comma, 'percent'), '0.125');
    assert.equal(parseDecimal('12,50', comma, 'unit'), '12.5');
    assert.equal(parseDecimal('0,01', comma, 'percent'), '0.0001');
    assert.equal(parseDecimal('100', dot, 'percent'), '1');
    assert.equal(parseDecimal('1.000', comma, 'unit'), '1000');
    assert.equal(parseDecimal('-0,0', comma, 'unit'), '0');
    assert.equal(parseDecimal('25', dot, 'basisPoints'), '0.0025');
    assert.equal(parseDecimal('7,5', comma, 'permille'), '0.0075');
    assert.equal(parseDecimal('125000', dot, 'percent', 4), '0.125');
    assert.equal(parseDecimal('000850', dot, 'unit', 4), '0.085');
    assert.throws(() => parseDecimal('12,5%', comma, 'percent'), cellError(/is not a number/));
  });

  test('integers: whole numbers only', () => {
    assert.equal(parseInteger('012', dot), 12);
    assert.equal(parseInteger('12,00', comma), 12);
    assert.equal(parseInteger('1.200', comma), 1200);
    assert.equal(parseInteger('-3', dot), -3);
    assert.throws(() => parseInteger('12,5', comma), cellError(/"12,5" is not a whole number/));
    assert.throws(() => parseInteger('9'.repeat(16), dot), cellError(/too large/));
  });
});

describe('dates', () => {
  test('numeric formats, with calendar checks', () => {
    assert.equal(dateParser('dd.MM.yyyy')('01.03.2024'), '2024-03-01');
    assert.equal(dateParser('yyyyMMdd')('20240229'), '2024-02-29');
    assert.equal(dateParser('d/M/yyyy')('1/3/2024'), '2024-03-01');
    assert.equal(dateParser("yyyy-MM-dd'T'")('2024-03-01T'), '2024-03-01');
    assert.throws(() => dateParser('yyyyMMdd')('20230229'), cellError(/not a valid date \(day 29 of month 2\)/));
    assert.throws(() => dateParser('dd.MM.yyyy')('31.04.2024'), cellError(/day 31 of month 4/));
    assert.throws(() => dateParser('dd.MM.yyyy')('01.13.2024'), cellError(/month 13/));
    assert.throws(
      () => dateParser('dd.MM.yyyy')('2024-03-01'),
      cellError(/"2024-03-01" is not a date in the format dd.MM.yyyy/),
    );
    assert.throws(() => dateParser('dd.MM.yyyy')('1.3.2024'), cellError(/is not a date in the format/));
  });

  test('other formats go through luxon (month names, times)', () => {
    assert.equal(dateParser('dd-MMM-yyyy')('05-Mar-2024'), '2024-03-05');
    assert.equal(dateParser('yyyy-MM-dd HH:mm:ss')('2024-03-05 23:59:59'), '2024-03-05');
    assert.throws(() => dateParser('dd-MMM-yyyy')('05-Mrz-2024'), cellError(/not a date in the format dd-MMM-yyyy/));
  });

  test('a format needs a year, a month and a day', () => {
    assert.throws(() => dateParser('MM/yyyy'), /needs a year \(yyyy\), a month \(MM\) and a day \(dd\)/);
  });

  test('property: the fast path reads what luxon reads, two-digit years included', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom('dd.MM.yyyy', 'yyyyMMdd', 'd/M/yy', 'M-d-yyyy', 'yyMMdd'),
        (date, format) => {
          const text = DateTime.fromJSDate(date, { zone: 'utc' }).toFormat(format);
          const luxon = DateTime.fromFormat(text, format, { zone: 'utc' }).toISODate();
          assert.equal(dateParser(format)(text), luxon);
        },
      ),
    );
  });
});

describe('rows', () => {
  /** A converter for a CSV mapping whose columns are the header `columns`. */
  function converterFor(kind: ImportKind, yaml: string, columns: string[]) {
    const mapping = parseMapping(yaml, kind);
    const converter = compileConverter(mapping, (field: FieldMapping): ColumnRef => {
      const name = field.source.kind === 'column' ? String(field.source.column) : '';
      return { index: columns.indexOf(name), label: name };
    });
    return (cells: string[], line = 2): ConvertResult => converter.convert(cells, line);
  }

  const CUSTOMERS = `
format: csv
delimiter: ";"
decimalSeparator: ","
thousandsSeparator: "."
dateFormat: dd.MM.yyyy
fields:
  externalId: { column: NO }
  name: { column: NAME }
  language: { column: LANG, map: { E: en, S: es, C: zh-CN }, default: en }
  riskRating: { column: RATING, optional: true }
  creditLimit: { column: LIMIT, currencyField: limitCurrency, optional: true }
  limitCurrency: { column: CCY, optional: true, case: upper }
  address.city: { column: CITY, optional: true }
  address.country: { value: ES }
  metadata.since: { column: SINCE, type: date }
  metadata.vip: { column: VIP, type: boolean, trueValues: [J, Y], falseValues: [N] }
  metadata.score: { column: SCORE, type: integer, optional: true, emptyValues: ["-", "000"] }
`;
  const columns = ['NO', 'NAME', 'LANG', 'RATING', 'LIMIT', 'CCY', 'CITY', 'SINCE', 'VIP', 'SCORE'];
  const convert = converterFor('customers', CUSTOMERS, columns);

  test('a row becomes the sync row: types, value maps, nested targets, constants, optional cells left out', () => {
    const result = convert(['C-1', ' Müller GmbH ', 'C', '', '1.234,56', 'eur', 'Madrid', '01.03.2015', 'j', '-']);
    assert.deepEqual(result, {
      ok: true,
      row: {
        externalId: 'C-1',
        name: 'Müller GmbH',
        language: 'zh-CN',
        limitCurrency: 'EUR',
        address: { city: 'Madrid', country: 'ES' },
        metadata: { since: '2015-03-01', vip: true },
        creditLimit: '123456',
      },
    });
  });

  test('the default covers an empty cell and a value the map does not know', () => {
    for (const lang of ['', 'X']) {
      const result = convert(['C-1', 'A', lang, 'B', '', '', '', '01.01.2020', 'N', '7']);
      assert.ok(result.ok);
      assert.equal(result.row.language, 'en');
      assert.equal(result.row.riskRating, 'B');
      assert.deepEqual(result.row.metadata, { since: '2020-01-01', vip: false, score: 7 });
    }
  });

  test('every bad cell is an issue naming the line, the column, the target field and the value', () => {
    const result = convert(['C-1', '', 'E', '', '12,3x', 'EUR', '', '31.02.2020', 'maybe', '1,5'], 42);
    assert.equal(result.ok, false);
    const lines = result.ok ? [] : result.issues.map(formatIssue);
    assert.deepEqual(lines.sort(), [
      'line 42, column LIMIT (creditLimit): "12,3x" is not a number',
      'line 42, column NAME (name): is empty (the field is not optional)',
      'line 42, column SCORE (metadata.score): "1,5" is not a whole number',
      'line 42, column SINCE (metadata.since): "31.02.2020" is not a valid date (day 31 of month 2)',
      'line 42, column VIP (metadata.vip): "maybe" is not a yes/no value (true: j, y; false: n)',
    ]);
    assert.ok(!result.ok && result.issues.find((i) => i.field === 'creditLimit')?.value === '12,3x');
  });

  test('an amount in the row currency needs a valid currency; an unmapped value names the column', () => {
    const result = convert(['C-1', 'A', 'E', '', '100', 'EURO', '', '01.01.2020', 'Y', '']);
    assert.ok(!result.ok);
    assert.deepEqual(result.issues.map(formatIssue), [
      'line 2, column CCY (limitCurrency): "EURO" is not an ISO 4217 currency code',
      'line 2, column LIMIT (creditLimit): "100" has no currency: limitCurrency is missing or invalid',
    ]);

    const strict = converterFor(
      'receivables',
      `fields:
  externalId: { column: A }
  customerExternalId: { column: A }
  kind: { column: K, map: { I: invoice, L: loan } }
  currency: { value: EUR }
  issueDate: { column: D, format: yyyyMMdd }
  method: { column: M }
`,
      ['A', 'K', 'D', 'M'],
    );
    const bad = strict(['R-1', 'X', '20240101', 'linear'], 7);
    assert.ok(!bad.ok);
    assert.deepEqual(bad.issues.map(formatIssue), [
      'line 7, column K (kind): "X" is not in the field\'s map (I, L)',
      'line 7, column M (method): "linear" is not one of annuity, equal_principal',
    ]);
    assert.deepEqual(strict(['R-1', 'L', '20240101', 'annuity']), {
      ok: true,
      row: {
        externalId: 'R-1',
        customerExternalId: 'R-1',
        kind: 'loan',
        currency: 'EUR',
        issueDate: '2024-01-01',
        method: 'annuity',
      },
    });
  });

  test('text that is not valid UTF-8 says so', () => {
    const result = convert(['C-1', 'M\uFFFDller', 'E', '', '', '', '', '01.01.2020', 'Y', '']);
    assert.ok(!result.ok);
    assert.match(
      formatIssue(result.issues[0]!),
      /column NAME \(name\): "M.ller" is not valid UTF-8; set the mapping's encoding/,
    );
  });

  test('issues without a column or a line read naturally', () => {
    assert.equal(
      formatIssue({ line: 3, column: null, field: 'amount', message: 'required' }),
      'line 3, field amount: required',
    );
    assert.equal(formatIssue({ line: 3, column: null, field: null, message: 'has 2 values' }), 'line 3: has 2 values');
    assert.equal(formatIssue({ line: null, column: null, field: null, message: 'empty file' }), 'empty file');
  });
});
