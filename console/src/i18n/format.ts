// Numbers, money and dates as the signed-in person reads them: in their language and, for dates
// and times, in their own time zone (both from their profile). Money arrives as a decimal string of
// minor units plus an ISO 4217 currency and is formatted without ever passing through a float.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../session/session';

export interface Formatter {
  locale: string;
  timeZone: string;
  money(minor: string | number | bigint | null | undefined, currency: string): string;
  number(value: number | string | bigint | null | undefined): string;
  percent(ratio: number | null | undefined, digits?: number): string;
  date(value: string | Date | null | undefined): string;
  dateTime(value: string | Date | null | undefined): string;
}

const digitsCache = new Map<string, number>();
function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** "123456" minor units of a 2-digit currency → "1234.56", exactly (string arithmetic). */
export function minorToDecimal(minor: string | number | bigint, currency: string): string {
  const value = BigInt(minor);
  const negative = value < 0n;
  const digits = minorDigits(currency);
  const text = (negative ? -value : value).toString().padStart(digits + 1, '0');
  const whole = digits ? text.slice(0, -digits) : text;
  const fraction = digits ? `.${text.slice(-digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

const DASH = '—';

export function createFormatter(locale: string, timeZone: string): Formatter {
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const numberFormat = new Intl.NumberFormat(locale);
  return {
    locale,
    timeZone,
    money(minor, currency) {
      if (minor === null || minor === undefined || minor === '') return DASH;
      const decimal = minorToDecimal(minor, currency) as Intl.StringNumericLiteral;
      return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(decimal);
    },
    number(value) {
      if (value === null || value === undefined || value === '') return DASH;
      return numberFormat.format(typeof value === 'string' ? (value as Intl.StringNumericLiteral) : value);
    },
    percent(ratio, digits = 1) {
      if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return DASH;
      return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(ratio);
    },
    // A business date (YYYY-MM-DD) is a calendar day, not an instant: shown as is, in no time zone.
    date(value) {
      if (!value) return DASH;
      const instant = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
      const date = new Date(instant);
      return Number.isNaN(date.getTime()) ? String(value) : dateFormat.format(date);
    },
    dateTime(value) {
      if (!value) return DASH;
      const date = new Date(value);
      return Number.isNaN(date.getTime()) ? String(value) : dateTimeFormat.format(date);
    },
  };
}

/** The formatter for the signed-in person (or the browser's language and zone before sign-in). */
export function useFormat(): Formatter {
  const { i18n } = useTranslation();
  const { session } = useSession();
  const timeZone = session?.user.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const locale = i18n.language;
  return useMemo(() => createFormatter(locale, timeZone), [locale, timeZone]);
}
