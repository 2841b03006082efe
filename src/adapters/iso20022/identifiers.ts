/**
 * Format checks of the identifiers a payment file carries. The payments domain validates bank details
 * fully (ibantools: country lengths, BIC registry format) when they are entered; these checks make
 * the writer refuse a file the bank would reject even when called on its own.
 */

/** ISO 7064 MOD 97-10 over letters and digits (letters count as 10..35), as IBAN and ISO 11649 use it. */
function mod97(text: string): number {
  let rest = 0;
  for (const char of text) {
    const value = Number.parseInt(char, 36);
    rest = (value < 10 ? rest * 10 + value : rest * 100 + value) % 97;
  }
  return rest;
}

/** Spaces dropped and upper-cased, the form written into files ("de89 3704 …" → "DE893704…"). */
export function compact(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase();
}

export function isIban(iban: string): boolean {
  return /^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$/.test(iban) && mod97(iban.slice(4) + iban.slice(0, 4)) === 1;
}

/** An ISO 11649 structured creditor reference: RF, two check digits, up to 21 letters or digits. */
export function isCreditorReference(reference: string): boolean {
  return /^RF\d{2}[A-Z0-9]{1,21}$/.test(reference) && mod97(reference.slice(4) + reference.slice(0, 4)) === 1;
}

/** BIC of the 2014 ISO 9362 edition (pain.001.001.09 and later): the bank code may hold digits. */
const BIC_2014 = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;
/** BIC as the DK schema of pain.001.001.03 restricts it (letters only in the bank code, no "0"/"1" location). */
const BIC_DK = /^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/;

export function isBic(bic: string, edition: '2009' | '2014'): boolean {
  return (edition === '2009' ? BIC_DK : BIC_2014).test(bic);
}

export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code);
}

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(date: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  return parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}
