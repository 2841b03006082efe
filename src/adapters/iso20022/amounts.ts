/**
 * Decimal amounts for payment files, from and to integer minor units. Only bigint arithmetic: an
 * amount or a control sum never passes through a float.
 */

/** 12345n with 2 digits → "123.45"; 5n with 0 digits → "5". */
export function formatMinorUnits(amount: bigint, digits: number): string {
  const negative = amount < 0n;
  const text = (negative ? -amount : amount).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = digits > 0 ? `.${text.slice(text.length - digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** A decimal amount as minor units and the number of digits after the point. */
export interface ScaledAmount {
  amount: bigint;
  digits: number;
}

/**
 * The exact sum of amounts that may have different numbers of minor digits (a control sum adds
 * amounts "irrespective of currency"), at the largest scale among them.
 */
export function sumAmounts(amounts: readonly ScaledAmount[]): ScaledAmount {
  const digits = amounts.reduce((max, a) => Math.max(max, a.digits), 0);
  const amount = amounts.reduce((sum, a) => sum + a.amount * 10n ** BigInt(digits - a.digits), 0n);
  return { amount, digits };
}

/**
 * Parses a decimal from a file ("10.00", "27.0", "0.0100") into minor units of a currency with
 * `digits` minor digits; null when it is not a plain non-negative decimal or has significant digits
 * beyond the currency's.
 */
export function parseDecimalToMinorUnits(text: string, digits: number): bigint | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return null;
  return BigInt(match[1]! + fraction.padEnd(digits, '0'));
}
