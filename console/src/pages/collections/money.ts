// Money typed by a person ("250.00" in the account's currency) to the minor units the API takes
// ("25000"), in string arithmetic: never through a float.

export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "250.5" EUR → "25050"; null when it is not a positive amount with at most the currency's decimals. */
export function toMinor(text: string | undefined | null, currency: string): string | null {
  const digits = currencyDigits(currency);
  let value = (text ?? '').trim().replace(/[\s_]/g, '');
  // "250,50" is a decimal comma (es); "1,000.00" has thousands separators.
  if (digits > 0 && !value.includes('.') && new RegExp(`^\\d+,\\d{1,${digits}}$`).test(value))
    value = value.replace(',', '.');
  else value = value.replace(/,/g, '');
  const match = /^(\d{1,16})(?:\.(\d*))?$/.exec(value);
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  const minor = BigInt(`${match[1]}${fraction.padEnd(digits, '0')}`);
  return minor > 0n ? minor.toString() : null;
}

/** Today as YYYY-MM-DD in UTC (the server's business day). */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

export function addDaysIso(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
