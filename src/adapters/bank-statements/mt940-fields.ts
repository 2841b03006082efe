import { isCurrency, type Money } from '../../core/money.js';
import { parseDecimalToMinorUnits } from '../iso20022/amounts.js';
import { compact, isIban, isIsoDate } from '../iso20022/identifiers.js';
import { currencyDigits } from './currency-digits.js';
import { StatementReadError } from './statement-error.js';
import type { StatementAccount } from './statement-types.js';

/** The values of MT940 tags (amounts, dates, the account) and the text around them, read exactly. */

const FORMAT = 'mt940';

/** MT amounts: digits with a decimal comma ("1234,56", "500,"). */
export function amount(text: string, currency: string, path: string): Money {
  if (!isCurrency(currency))
    throw new StatementReadError(FORMAT, `"${currency}" is not an ISO 4217 currency`, { path });
  const match = /^(\d+),(\d*)$/.exec(text);
  const digits = currencyDigits(currency);
  const minor = match ? parseDecimalToMinorUnits(match[2] ? `${match[1]}.${match[2]}` : match[1]!, digits) : null;
  if (minor === null) {
    throw new StatementReadError(FORMAT, `"${text}" is not an amount in ${currency} (digits, a decimal comma)`, {
      path,
    });
  }
  return { amount: minor, currency };
}

/** YYMMDD; SWIFT years are 20YY, as in mt940js. */
export function date(year: string, month: string, day: string, path: string): string {
  const text = `20${year}-${month}-${day}`;
  if (!isIsoDate(text)) throw new StatementReadError(FORMAT, `${year}${month}${day} is not a date`, { path });
  return text;
}

/** The :61: entry date is MMDD; its year is the value date's, or the next or previous one across a year end. */
export function bookingDate(valueDate: string, month: string, day: string, path: string): string {
  const year = Number(valueDate.slice(0, 4));
  const valueMonth = Number(valueDate.slice(5, 7));
  const shift = Number(month) - valueMonth > 6 ? -1 : valueMonth - Number(month) > 6 ? 1 : 0;
  const text = `${year + shift}-${month}-${day}`;
  if (!isIsoDate(text)) throw new StatementReadError(FORMAT, `entry date ${month}${day} is not a date`, { path });
  return text;
}

/** :25: is an IBAN (possibly followed by the currency, as ING and Rabobank write it) or a local account. */
export function account(text: string, currency: string | null): StatementAccount {
  const compacted = compact(text);
  const withCurrency = /^(.+?)([A-Z]{3})$/.exec(compacted);
  const iban = isIban(compacted)
    ? compacted
    : withCurrency && isIban(withCurrency[1]!) && isCurrency(withCurrency[2]!)
      ? withCurrency[1]!
      : null;
  return {
    iban,
    otherId: iban ? null : text || null,
    otherScheme: null,
    currency,
    name: null,
    ownerName: null,
    servicerBic: null,
  };
}

/**
 * mt940js does not keep whether a balance was final (60F/62F) or intermediate (60M/62M, a page of a
 * multi-page statement). Every statement has one opening and one closing balance, so the n-th :60:
 * of the file belongs to the n-th statement: the letters are read from the text in order.
 */
export interface BalanceFinality {
  /** F or M for the next :60: or :62: in file order. */
  next(id: '60' | '62'): string;
}

export function balanceFinality(text: string): BalanceFinality {
  const letters = { '60': [] as string[], '62': [] as string[] };
  for (const match of text.matchAll(/^:(60|62)([FM]):/gm)) letters[match[1] as '60' | '62'].push(match[2]!);
  const taken = { '60': 0, '62': 0 };
  return {
    next(id) {
      return letters[id][taken[id]++] ?? 'F';
    },
  };
}

/**
 * Line ends made `\n` (mt940js splits on `\r?\n`; old Macs and some exports write `\r`), trailing
 * spaces dropped, and lines before the first tag or block (a bank's own file header such as ING's
 * `0000 01INGBNL2AXXXX00001`) skipped with a warning, since the library cannot place them.
 */
export function normalize(text: string): { normalized: string; warnings: string[] } {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((line) => line.trimEnd());
  const first = lines.findIndex((line) => line.startsWith(':') || line.startsWith('{'));
  const skipped = first < 0 ? 0 : lines.slice(0, first).filter((line) => line.length > 0).length;
  const warnings = skipped > 0 ? [`${skipped} line(s) before the first tag were skipped`] : [];
  return { normalized: lines.slice(Math.max(first, 0)).join('\n'), warnings };
}
