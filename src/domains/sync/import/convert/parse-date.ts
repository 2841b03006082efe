import { DateTime, Settings } from 'luxon';
import { CellError, quoted } from './cell-error.js';
import { escapeRegExp } from './parse-number.js';

type FormatPart = { token: string } | { literal: string };
/** The CellError for a text that is not a date: in the wrong format, or (with a reason) no such day. */
type Invalid = (text: string, reason?: string) => CellError;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Splits a luxon format into tokens (runs of one letter) and literals (other characters, 'quoted text'). */
export function formatTokens(format: string): FormatPart[] {
  const parts: FormatPart[] = [];
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
  const invalid: Invalid = (text, reason) =>
    new CellError(
      reason
        ? `${quoted(text)} is not a valid date (${reason})`
        : `${quoted(text)} is not a date in the format ${format}`,
    );
  const fast = parts.every((p) => !('token' in p) || p.token in FAST_TOKENS);
  return fast ? numericDateParser(parts, invalid) : luxonDateParser(format, invalid);
}

/** A format of only numeric tokens (yyyy, yy, MM, M, dd, d) and literals, as one regular expression. */
function numericDateParser(parts: FormatPart[], invalid: Invalid): (text: string) => string {
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
    return isoDate(text, year, month, day, invalid);
  };
}

/** Any other format (month names, weekdays, …), by luxon's parser. */
function luxonDateParser(format: string, invalid: Invalid): (text: string) => string {
  const parser = DateTime.buildFormatParser(format, { locale: 'en-US' });
  return (text) => {
    const parsed = DateTime.fromFormatParser(text, parser, { zone: 'utc' });
    if (!parsed.isValid) {
      throw parsed.invalidReason === 'unit out of range' ? invalid(text, 'no such day') : invalid(text);
    }
    return isoDate(text, parsed.year, parsed.month, parsed.day, invalid);
  };
}

function isoDate(text: string, year: number, month: number, day: number, invalid: Invalid): string {
  if (year < 1 || year > 9999) throw invalid(text, `year ${year}`);
  if (month < 1 || month > 12) throw invalid(text, `month ${month}`);
  const last = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > last) throw invalid(text, `day ${day} of month ${month}`);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function untruncateYear(year: number): number {
  return year > Settings.twoDigitCutoffYear % 100 ? 1900 + year : 2000 + year;
}
