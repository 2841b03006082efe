import { CellError, quoted } from './cell-error.js';

/**
 * Numbers — amounts, decimals and integers — are read from their text digit by digit, never
 * through a float: this parser splits the text into sign, integer digits and fraction digits.
 */

export interface NumberFormat {
  decimalSeparator: '.' | ',';
  /** null: no grouping allowed. */
  thousandsSeparator: string | null;
}

export interface ParsedNumber {
  negative: boolean;
  int: string;
  frac: string;
}

export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const stripLeadingZeros = (digits: string): string => digits.replace(/^0+(?=\d)/, '');

/**
 * A parser for numbers written with the given separators: an optional sign (leading `+`/`-`, a
 * trailing `-` as mainframe exports write it, or accounting parentheses), digits grouped by the
 * thousands separator in threes, and an optional fraction after the decimal separator.
 */
export function numberParser(format: NumberFormat): (text: string) => ParsedNumber {
  const ds = escapeRegExp(format.decimalSeparator);
  const group = format.thousandsSeparator ? `\\d{1,3}(?:${escapeRegExp(format.thousandsSeparator)}\\d{3})+|` : '';
  const pattern = new RegExp(`^([+-]?)(${group}\\d*)(?:${ds}(\\d*))?(-?)$`);
  const groupSeparator = format.thousandsSeparator;
  const other = format.decimalSeparator === '.' ? ',' : '.';
  // French and Swiss exports group digits with a (narrow) no-break space.
  const spaces = groupSeparator === ' ' ? /[\u00A0\u202F]/g : null;
  return (text) => {
    let body = spaces ? text.replace(spaces, ' ') : text;
    let parenthesised = false;
    if (body.startsWith('(') && body.endsWith(')')) {
      body = body.slice(1, -1).trim();
      parenthesised = true;
    }
    const match = pattern.exec(body);
    const sign = match?.[1] ?? '';
    const trailing = match?.[4] ?? '';
    let int = match?.[2] ?? '';
    const frac = match?.[3] ?? '';
    if (
      !match ||
      (int === '' && frac === '') ||
      (sign !== '' && trailing !== '') ||
      (parenthesised && sign + trailing)
    ) {
      const hint =
        body.includes(other) && groupSeparator !== other
          ? ` (the decimal separator is "${format.decimalSeparator}")`
          : '';
      throw new CellError(`${quoted(text)} is not a number${hint}`);
    }
    if (groupSeparator && int.includes(groupSeparator)) int = int.split(groupSeparator).join('');
    return { negative: parenthesised || sign === '-' || trailing === '-', int, frac };
  };
}
