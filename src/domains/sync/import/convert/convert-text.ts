import { isCurrency } from '../../../../core/money.js';
import type { FieldMapping } from '../mapping/mapping-types.js';
import { CellError, quoted } from './cell-error.js';
import { parseAmount } from './parse-amount.js';
import { parseDecimal, parseInteger } from './parse-decimal.js';

export const DEFAULT_TRUE = ['true', 'yes', 'y', '1'];
export const DEFAULT_FALSE = ['false', 'no', 'n', '0'];

/** The row being built: values by target field, for amounts that take their currency from another field. */
export type RowValues = Map<string, unknown>;

/**
 * Converts one text value (already trimmed, cased and mapped) to the field's type. `values` holds
 * the row's other converted fields (an amount's `currencyField`).
 */
export function convertText(field: FieldMapping, text: string, values?: RowValues): unknown {
  switch (field.type) {
    case 'string':
      return checkString(field, text);
    case 'integer':
      return parseInteger(text, field.parseNumber);
    case 'decimal':
      return parseDecimal(text, field.parseNumber, field.scale, field.impliedDecimals);
    case 'date':
      return field.parseDate(text);
    case 'boolean':
      return parseBoolean(field, text);
    case 'amount':
      return parseAmount(text, field.parseNumber, field.units, amountCurrency(field, text, values));
  }
}

function checkString(field: FieldMapping, text: string): string {
  if (field.values && !field.values.includes(text)) {
    throw new CellError(`${quoted(text)} is not one of ${field.values.join(', ')}`);
  }
  if (field.currencyCode && !isCurrency(text)) {
    throw new CellError(`${quoted(text)} is not an ISO 4217 currency code`);
  }
  return text;
}

function parseBoolean(field: FieldMapping, text: string): boolean {
  const key = text.toLowerCase();
  if (field.trueValues.has(key)) return true;
  if (field.falseValues.has(key)) return false;
  throw new CellError(
    `${quoted(text)} is not a yes/no value (true: ${[...field.trueValues].join(', ')}; false: ${[...field.falseValues].join(', ')})`,
  );
}

/** An amount's currency: the mapping's fixed one, or the row's value of its currencyField. */
function amountCurrency(field: FieldMapping, text: string, values?: RowValues): string {
  let currency = field.currency;
  if (currency === undefined && field.currencyField !== undefined) {
    const value = values?.get(field.currencyField);
    if (typeof value !== 'string') {
      throw new CellError(`${quoted(text)} has no currency: ${field.currencyField} is missing or invalid`);
    }
    currency = value;
  }
  if (currency === undefined) throw new CellError(`${quoted(text)} has no currency`);
  return currency;
}
