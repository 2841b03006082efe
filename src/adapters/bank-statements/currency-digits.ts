import { minorUnitDigits } from '../../core/money.js';

/**
 * minorUnitDigits asks ICU through a new Intl.NumberFormat on every call, which dominated the time
 * of reading a large statement; a file has a handful of currencies, so each is asked once.
 */
const digitsByCurrency = new Map<string, number>();

export function currencyDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = minorUnitDigits(currency);
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}
