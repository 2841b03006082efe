import { minorUnitDigits } from '../../../../core/money.js';
import { CellError, quoted } from './cell-error.js';
import { stripLeadingZeros, type ParsedNumber } from './parse-number.js';

const MAX_MINOR_DIGITS = 18; // bigint columns hold up to 9.2e18

const digitCache = new Map<string, number>();
/** minorUnitDigits builds an Intl.NumberFormat per call; a file has few currencies. */
export function currencyDigits(currency: string): number {
  let digits = digitCache.get(currency);
  if (digits === undefined) {
    digits = minorUnitDigits(currency);
    digitCache.set(currency, digits);
  }
  return digits;
}

/**
 * An amount as a string of minor units. `major`: "1.234,56" EUR → "123456"; more decimals than the
 * currency has are refused unless they are zeros (finflow never rounds money). `minor`: the text is
 * already in minor units ("123456"), as fixed-width files with implied decimals write it.
 */
export function parseAmount(
  text: string,
  parse: (text: string) => ParsedNumber,
  units: 'major' | 'minor',
  currency: string,
): string {
  const { negative, int, frac } = parse(text);
  let digits: string;
  if (units === 'minor') {
    if (/[^0]/.test(frac)) throw new CellError(`${quoted(text)} is not a whole number of minor units`);
    digits = int;
  } else {
    const places = currencyDigits(currency);
    if (frac.length > places && /[^0]/.test(frac.slice(places))) {
      throw new CellError(
        `${quoted(text)} has ${frac.replace(/0+$/, '').length} decimal places; ${currency} has ${places}` +
          ' (amounts are never rounded)',
      );
    }
    digits = int + frac.slice(0, places).padEnd(places, '0');
  }
  digits = stripLeadingZeros(digits === '' ? '0' : digits);
  if (digits.length > MAX_MINOR_DIGITS) throw new CellError(`${quoted(text)} is too large`);
  return negative && digits !== '0' ? `-${digits}` : digits;
}
