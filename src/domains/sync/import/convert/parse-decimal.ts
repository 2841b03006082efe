import { CellError, quoted } from './cell-error.js';
import { stripLeadingZeros, type ParsedNumber } from './parse-number.js';

export type DecimalScale = 'unit' | 'percent' | 'permille' | 'basisPoints';
const SCALE_SHIFT: Record<DecimalScale, number> = { unit: 0, percent: 2, permille: 3, basisPoints: 4 };

/**
 * A decimal string, e.g. "12,5" with scale percent → "0.125"; trailing zeros dropped, never a float.
 * `impliedDecimals` places a decimal point the file leaves out ("125000" with 4 → "12.5").
 */
export function parseDecimal(
  text: string,
  parse: (text: string) => ParsedNumber,
  scale: DecimalScale,
  impliedDecimals = 0,
): string {
  const { negative, int, frac } = parse(text);
  let digits = (int + frac).replace(/^0+/, '');
  let places = frac.length + SCALE_SHIFT[scale] + impliedDecimals;
  while (places > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    places--;
  }
  if (digits === '') return '0';
  if (digits.length > 38) throw new CellError(`${quoted(text)} has too many digits`);
  const sign = negative ? '-' : '';
  if (places === 0) return sign + digits;
  digits = digits.padStart(places + 1, '0');
  return `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/** A whole number (a term in months, a count); "12,00" is 12, "12,5" is refused. */
export function parseInteger(text: string, parse: (text: string) => ParsedNumber): number {
  const { negative, int, frac } = parse(text);
  if (/[^0]/.test(frac)) throw new CellError(`${quoted(text)} is not a whole number`);
  const digits = stripLeadingZeros(int === '' ? '0' : int);
  if (digits.length > 15) throw new CellError(`${quoted(text)} is too large`);
  const value = Number(digits);
  return negative && value !== 0 ? -value : value;
}
