import { isCurrency, type Money } from '../../core/money.js';
import { parseDecimalToMinorUnits } from '../iso20022/amounts.js';
import { isIsoDate } from '../iso20022/identifiers.js';
import { child, textAt, type XmlElement } from '../iso20022/xml-tree.js';
import { currencyDigits } from './currency-digits.js';
import { StatementReadError } from './statement-error.js';
import type { CreditDebit } from './statement-types.js';

/**
 * The values of camt elements: amounts, directions, dates, counts. What money depends on (an amount,
 * its currency, its direction) is refused with the element's path when it is garbled or missing;
 * gaps that do not change money are the caller's warnings.
 */

/** Who reads: the format for errors and where warnings go. */
export interface CamtContext {
  format: string;
  warnings: string[];
}

export function fail(context: CamtContext, element: XmlElement | string, problem: string): never {
  const path = typeof element === 'string' ? element : element.path;
  const line = typeof element === 'string' ? null : element.line;
  return failAt(context, path, problem, line);
}

function failAt(context: CamtContext, path: string, problem: string, line: number | null): never {
  throw new StatementReadError(context.format, problem, { path, line });
}

/** An amount element (`<Amt Ccy="EUR">12.50</Amt>`) as minor units of its currency. */
export function amountOf(context: CamtContext, element: XmlElement): Money {
  const text = element.text.trim();
  const currency = element.attributes.Ccy?.trim() ?? '';
  // xs:decimal also allows "+12.00", "12." and ".5"; banks' files are read as the schema reads them.
  const match = /^\+?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[1] === '' && !match[2]))
    fail(context, element, text ? `"${text}" is not a decimal` : 'is empty');
  if (!currency) fail(context, element, 'has no Ccy (currency)');
  if (!isCurrency(currency)) fail(context, element, `Ccy "${currency}" is not an ISO 4217 currency`);
  const digits = currencyDigits(currency);
  const amount = parseDecimalToMinorUnits(`${match[1] || '0'}.${match[2] || '0'}`, digits);
  if (amount === null)
    fail(context, element, `${text} has more decimals than ${currency} has minor digits (${digits})`);
  return { amount, currency };
}

/** The amount at a required child (`Amt` of an entry or balance). */
export function requiredAmount(context: CamtContext, parent: XmlElement, name: string): Money {
  const element = child(parent, name);
  if (!element) fail(context, `${parent.path}/${name}`, 'is missing');
  return amountOf(context, element);
}

export function optionalAmount(context: CamtContext, parent: XmlElement | undefined, name: string): Money | null {
  const element = child(parent, name);
  return element ? amountOf(context, element) : null;
}

export function requiredCreditDebit(context: CamtContext, parent: XmlElement): CreditDebit {
  const code = optionalCreditDebit(context, parent);
  if (!code) fail(context, `${parent.path}/CdtDbtInd`, 'is missing');
  return code;
}

export function optionalCreditDebit(context: CamtContext, parent: XmlElement | undefined): CreditDebit | null {
  const element = child(parent, 'CdtDbtInd');
  if (!element) return null;
  const code = element.text.trim();
  if (code !== 'CRDT' && code !== 'DBIT') fail(context, element, `"${code}" is neither CRDT nor DBIT`);
  return code;
}

/** xs:boolean as camt writes it (RvslInd, LastPgInd, ChrgInclInd). */
export function booleanAt(context: CamtContext, parent: XmlElement | undefined, name: string): boolean | null {
  const element = child(parent, name);
  if (!element) return null;
  const text = element.text.trim();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return fail(context, element, `"${text}" is neither true nor false`);
}

const DATE = /^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A DateAndDateTimeChoice (`<BookgDt><Dt>…</Dt></BookgDt>` or `<DtTm>`): the date as written and, for a
 * date-time, the full value. The date part of a date-time is the bank's local date as it wrote it,
 * not converted to UTC, so a booking at 00:30+02:00 stays on its day.
 */
export function dateChoice(
  context: CamtContext,
  parent: XmlElement | undefined,
  name: string,
): { date: string | null; dateTime: string | null } {
  const choice = child(parent, name);
  if (!choice) return { date: null, dateTime: null };
  const date = child(choice, 'Dt');
  if (date) {
    const text = date.text.trim();
    const match = DATE.exec(text);
    if (!match || !isIsoDate(match[1]!)) fail(context, date, `"${text}" is not a date`);
    return { date: match[1]!, dateTime: null };
  }
  const dateTime = child(choice, 'DtTm');
  if (dateTime) {
    const text = dateTime.text.trim();
    const match = DATE_TIME.exec(text);
    if (!match || !isIsoDate(match[1]!)) fail(context, dateTime, `"${text}" is not a date and time`);
    return { date: match[1]!, dateTime: text };
  }
  context.warnings.push(`${choice.path} holds neither Dt nor DtTm`);
  return { date: null, dateTime: null };
}

/** A count (NbOfTxs, NbOfNtries, PgNb): a warning and null when it is not one, since no money depends on it. */
export function countAt(context: CamtContext, parent: XmlElement | undefined, ...names: string[]): number | null {
  const text = textAt(parent, ...names);
  if (text === null) return null;
  if (!/^\d{1,15}$/.test(text)) {
    context.warnings.push(`${parent!.path}/${names.join('/')} "${text}" is not a count`);
    return null;
  }
  return Number(text);
}

/** A decimal kept as written (TxsSummry sums, exchange rates): a warning and null when it is not one. */
export function decimalAt(context: CamtContext, parent: XmlElement | undefined, ...names: string[]): string | null {
  const text = textAt(parent, ...names);
  if (text === null) return null;
  if (!/^[+-]?\d+(\.\d+)?$/.test(text)) {
    context.warnings.push(`${parent!.path}/${names.join('/')} "${text}" is not a decimal`);
    return null;
  }
  return text;
}

/** Text of the first of several child paths present: a code-or-proprietary choice, `BIC` or `BICFI`. */
export function firstText(element: XmlElement | undefined, ...paths: string[][]): string | null {
  for (const path of paths) {
    const text = textAt(element, ...path);
    if (text !== null) return text;
  }
  return null;
}

/**
 * Free text (names, remittance lines, additional information) with the line breaks and indentation
 * of a pretty-printed file folded into single spaces: they are layout, not content. Identifiers are
 * never folded.
 */
export function folded(text: string | null): string | null {
  return text === null ? null : text.replace(/\s+/g, ' ').trim() || null;
}
