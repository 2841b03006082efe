import { DateTime, Settings } from 'luxon';
import { isCurrency, minorUnitDigits } from '../../../core/money.js';
import type { FieldMapping, ImportMapping } from './mapping.js';

/**
 * Turns one source row (its cells, as text) into the sync row object the sync service takes, by the
 * mapping's `fields`. Every value is parsed from text without floats: amounts become strings of
 * minor units, decimals decimal strings, dates 'YYYY-MM-DD'. A cell that cannot be converted
 * becomes an issue naming the line, the column and the target field.
 */

/** One problem with the file, as printed: `line 42, column AMOUNT (amount): "12,3x" is not a number`. */
export interface ImportIssue {
  /** 1-based line in the file (for a multi-line CSV record, its first line); null: the whole file. */
  line: number | null;
  /** The source column: a header name, a 1-based column number, or a fixed-width column's name. */
  column: string | null;
  /** The target field of the sync row (`creditLimit`, `address.city`). */
  field: string | null;
  /** The cell's text, when the problem is about a cell. */
  value?: string;
  message: string;
}

export function formatIssue(issue: ImportIssue): string {
  const place = [
    issue.line === null ? undefined : `line ${issue.line}`,
    issue.column === null
      ? issue.field === null
        ? undefined
        : `field ${issue.field}`
      : `column ${issue.column}${issue.field === null ? '' : ` (${issue.field})`}`,
  ].filter((part) => part !== undefined);
  return place.length > 0 ? `${place.join(', ')}: ${issue.message}` : issue.message;
}

/** A cell that cannot be converted; the message starts with the quoted value. */
export class CellError extends Error {
  override readonly name = 'CellError';
}

const quoted = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);

// ---------------------------------------------------------------------------------------------
// Numbers: amounts, decimals and integers are read from their text, digit by digit.

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

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

const stripLeadingZeros = (digits: string): string => digits.replace(/^0+(?=\d)/, '');
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

// ---------------------------------------------------------------------------------------------
// Dates

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Splits a luxon format into tokens (runs of one letter) and literals (other characters, 'quoted text'). */
export function formatTokens(format: string): Array<{ token: string } | { literal: string }> {
  const parts: Array<{ token: string } | { literal: string }> = [];
  for (let i = 0; i < format.length;) {
    const c = format[i]!;
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      const text = end < 0 ? format.slice(i + 1) : format.slice(i + 1, end);
      parts.push({ literal: text === '' ? "'" : text });
      i = end < 0 ? format.length : end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (format[j] === c) j++;
      parts.push({ token: format.slice(i, j) });
      i = j;
    } else {
      parts.push({ literal: c });
      i++;
    }
  }
  return parts;
}

const FAST_TOKENS: Record<string, { unit: 'year' | 'month' | 'day'; pattern: string; twoDigitYear?: true }> = {
  yyyy: { unit: 'year', pattern: '(\\d{4})' },
  yy: { unit: 'year', pattern: '(\\d{2})', twoDigitYear: true },
  MM: { unit: 'month', pattern: '(\\d{2})' },
  M: { unit: 'month', pattern: '(\\d{1,2})' },
  dd: { unit: 'day', pattern: '(\\d{2})' },
  d: { unit: 'day', pattern: '(\\d{1,2})' },
};

/**
 * A parser for dates in a luxon format (dd.MM.yyyy, yyyyMMdd, d/M/yy, dd-MMM-yyyy, …), returning
 * 'YYYY-MM-DD'. Numeric formats are matched by one regular expression (luxon's parser costs ~10 µs
 * a call, which a 100 000-row file with three dates notices); anything else goes to luxon. Two-digit
 * years follow luxon's rule (Settings.twoDigitCutoffYear). Throws a plain Error for a format without
 * a year, a month and a day.
 */
export function dateParser(format: string): (text: string) => string {
  const parts = formatTokens(format);
  const tokens = parts.flatMap((p) => ('token' in p ? [p.token] : []));
  const has = (letters: RegExp) => tokens.some((t) => letters.test(t));
  if (!has(/^y+$/) || !has(/^[ML]+$/) || !has(/^d+$/)) {
    throw new Error(`"${format}" needs a year (yyyy), a month (MM) and a day (dd)`);
  }
  const invalid = (text: string, reason?: string): CellError =>
    new CellError(
      reason
        ? `${quoted(text)} is not a valid date (${reason})`
        : `${quoted(text)} is not a date in the format ${format}`,
    );
  const toIso = (text: string, year: number, month: number, day: number): string => {
    if (year < 1 || year > 9999) throw invalid(text, `year ${year}`);
    if (month < 1 || month > 12) throw invalid(text, `month ${month}`);
    const last = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
    if (day < 1 || day > last) throw invalid(text, `day ${day} of month ${month}`);
    return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  };

  const fast = parts.every((p) => !('token' in p) || p.token in FAST_TOKENS);
  if (fast) {
    const units: Array<(typeof FAST_TOKENS)[string]> = [];
    const source = parts
      .map((p) => {
        if ('literal' in p) return escapeRegExp(p.literal);
        const spec = FAST_TOKENS[p.token]!;
        units.push(spec);
        return spec.pattern;
      })
      .join('');
    const pattern = new RegExp(`^${source}$`);
    return (text) => {
      const match = pattern.exec(text);
      if (!match) throw invalid(text);
      let year = 0;
      let month = 0;
      let day = 0;
      units.forEach((spec, i) => {
        const n = Number(match[i + 1]);
        if (spec.unit === 'year') year = spec.twoDigitYear ? untruncateYear(n) : n;
        else if (spec.unit === 'month') month = n;
        else day = n;
      });
      return toIso(text, year, month, day);
    };
  }
  const parser = DateTime.buildFormatParser(format, { locale: 'en-US' });
  return (text) => {
    const parsed = DateTime.fromFormatParser(text, parser, { zone: 'utc' });
    if (!parsed.isValid) {
      throw parsed.invalidReason === 'unit out of range' ? invalid(text, 'no such day') : invalid(text);
    }
    return toIso(text, parsed.year, parsed.month, parsed.day);
  };
}

function untruncateYear(year: number): number {
  return year > Settings.twoDigitCutoffYear % 100 ? 1900 + year : 2000 + year;
}

// ---------------------------------------------------------------------------------------------
// The row converter

export const DEFAULT_TRUE = ['true', 'yes', 'y', '1'];
export const DEFAULT_FALSE = ['false', 'no', 'n', '0'];

/** The source column a field reads: its index in the row's cells and how messages name it. */
export interface ColumnRef {
  index: number;
  label: string;
}

export type ConvertResult = { ok: true; row: Record<string, unknown> } | { ok: false; issues: ImportIssue[] };

export interface Converter {
  convert(cells: readonly string[], line: number): ConvertResult;
}

/** The row being built: values by target field, for amounts that take their currency from another field. */
type Values = Map<string, unknown>;

/**
 * Converts one text value (already trimmed, cased and mapped) to the field's type. `values` holds
 * the row's other converted fields (an amount's `currencyField`).
 */
export function convertText(field: FieldMapping, text: string, values?: Values): unknown {
  switch (field.type) {
    case 'string':
      return checkString(field, text);
    case 'integer':
      return parseInteger(text, field.parseNumber);
    case 'decimal':
      return parseDecimal(text, field.parseNumber, field.scale, field.impliedDecimals);
    case 'date':
      return field.parseDate(text);
    case 'boolean': {
      const key = text.toLowerCase();
      if (field.trueValues.has(key)) return true;
      if (field.falseValues.has(key)) return false;
      throw new CellError(
        `${quoted(text)} is not a yes/no value (true: ${[...field.trueValues].join(', ')}; false: ${[...field.falseValues].join(', ')})`,
      );
    }
    case 'amount': {
      let currency = field.currency;
      if (currency === undefined && field.currencyField !== undefined) {
        const value = values?.get(field.currencyField);
        if (typeof value !== 'string') {
          throw new CellError(`${quoted(text)} has no currency: ${field.currencyField} is missing or invalid`);
        }
        currency = value;
      }
      if (currency === undefined) throw new CellError(`${quoted(text)} has no currency`);
      return parseAmount(text, field.parseNumber, field.units, currency);
    }
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

/** Where a converted value goes: `address.city` → row.address.city. */
function setPath(row: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = row;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    let next = node[key] as Record<string, unknown> | undefined;
    if (next === undefined) {
      next = {};
      node[key] = next;
    }
    node = next;
  }
  node[path[path.length - 1]!] = value;
}

const OMIT = Symbol('omit');

/**
 * The converter for a mapping whose columns `resolve` places in the row's cells (by header name,
 * column number or fixed-width column). Constants are converted once, here.
 */
export function compileConverter(mapping: ImportMapping, resolve: (field: FieldMapping) => ColumnRef): Converter {
  interface Step {
    field: FieldMapping;
    column: ColumnRef | null;
    constant: unknown;
  }
  const steps: Step[] = mapping.fields.map((field) => {
    if (field.source.kind === 'column') return { field, column: resolve(field), constant: OMIT };
    // An amount whose currency is another field of the row is converted per row.
    const perRow = field.type === 'amount' && field.currency === undefined;
    return { field, column: null, constant: perRow ? OMIT : convertText(field, field.source.text) };
  });
  // Amounts read their currency from the row, so they are converted after every other field.
  const ordered = [
    ...steps.filter((s) => s.field.type !== 'amount'),
    ...steps.filter((s) => s.field.type === 'amount'),
  ];

  return {
    convert(cells, line) {
      const row: Record<string, unknown> = {};
      const values: Values = new Map();
      let issues: ImportIssue[] | undefined;
      for (const { field, column, constant } of ordered) {
        let raw: string | undefined;
        try {
          let value: unknown;
          if (column === null) {
            value =
              constant === OMIT && field.source.kind === 'value'
                ? convertText(field, field.source.text, values)
                : constant;
          } else {
            raw = cells[column.index] ?? '';
            value = convertCell(field, raw, values);
          }
          if (value === OMIT) continue;
          values.set(field.target, value);
          setPath(row, field.path, value);
        } catch (error) {
          if (!(error instanceof CellError)) throw error;
          (issues ??= []).push({
            line,
            column: column?.label ?? null,
            field: field.target,
            ...(raw === undefined ? {} : { value: raw }),
            message: error.message,
          });
        }
      }
      return issues ? { ok: false, issues } : { ok: true, row };
    },
  };
}

/** Trims, cases and maps a cell, then converts it; an empty cell takes the default or is left out. */
function convertCell(field: FieldMapping, raw: string, values: Values): unknown {
  let text = field.trim ? raw.trim() : raw;
  if (text.includes('\uFFFD')) {
    throw new CellError(`${quoted(text)} is not valid UTF-8; set the mapping's encoding (latin1, windows-1252)`);
  }
  if (text.trim() === '' || field.emptyValues.has(text)) {
    if (field.defaultText !== undefined) return convertText(field, field.defaultText, values);
    if (field.optional) return OMIT;
    throw new CellError('is empty (the field is not optional)');
  }
  if (field.case === 'upper') text = text.toUpperCase();
  else if (field.case === 'lower') text = text.toLowerCase();
  if (field.map) {
    const mapped = field.map.get(text);
    if (mapped !== undefined) {
      text = mapped;
    } else if (field.defaultText !== undefined) {
      text = field.defaultText;
    } else {
      const known = [...field.map.keys()];
      throw new CellError(
        `${quoted(text)} is not in the field's map (${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''})`,
      );
    }
  }
  return convertText(field, text, values);
}
