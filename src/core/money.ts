import { AppError } from './errors.js';

/**
 * Money is an integer count of the currency's minor units (cents, fen, …) plus its ISO 4217 code.
 * Never a float. On the wire an amount is a decimal string of minor units ("12345" = 123.45 EUR),
 * because JSON numbers lose precision above 2^53.
 */
export interface Money {
  readonly amount: bigint;
  readonly currency: string;
}

// ICU's list (shipped with Node) is the ISO 4217 table; we do not keep our own copy.
const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && KNOWN_CURRENCIES.has(code);
}

/** Number of minor-unit digits of a currency (EUR 2, JPY 0, BHD 3), from ICU's ISO 4217 data. */
export function minorUnitDigits(currency: string): number {
  let digits = MINOR_UNIT_DIGITS.get(currency);
  if (digits === undefined) {
    assertCurrency(currency);
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    MINOR_UNIT_DIGITS.set(currency, digits);
  }
  return digits;
}

// Building an Intl.NumberFormat costs about 20 µs, and amounts are formatted in every audit reason and
// anomaly check; the answer per currency never changes. Only known currencies are kept (≤ ~300).
const MINOR_UNIT_DIGITS = new Map<string, number>();

export function assertCurrency(code: string, field = 'currency'): void {
  if (!isCurrency(code)) {
    throw new AppError('invalid_currency', 400, `"${code}" is not an ISO 4217 currency code`, { field });
  }
}

export function money(amount: bigint | string, currency: string): Money {
  assertCurrency(currency);
  return {
    amount: typeof amount === 'bigint' ? amount : parseMinorUnits(amount),
    currency,
  };
}

/** Parses a wire amount ("-1050") into minor units; rejects decimals, exponents and blanks. */
export function parseMinorUnits(text: string, field = 'amount'): bigint {
  if (!/^-?\d{1,30}$/.test(text)) {
    throw new AppError('invalid_amount', 400, `"${text}" is not an integer amount in minor units`, { field });
  }
  return BigInt(text);
}

/** Human rendering for logs and messages, e.g. "123.45 EUR". */
export function formatMoney(m: Money): string {
  const digits = minorUnitDigits(m.currency);
  const negative = m.amount < 0n;
  const abs = (negative ? -m.amount : m.amount).toString().padStart(digits + 1, '0');
  const whole = abs.slice(0, abs.length - digits);
  const frac = digits > 0 ? `.${abs.slice(abs.length - digits)}` : '';
  return `${negative ? '-' : ''}${whole}${frac} ${m.currency}`;
}
