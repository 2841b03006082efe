/**
 * The text rules of payment files. SEPA (the EPC implementation guidelines, and the German DK schema
 * for pain.001.001.03) allows only the basic Latin character set below; other banks take any XML
 * character. Names and remittance text are transliterated into the SEPA set where a sure mapping
 * exists (é → e, ü → ue, & → +); identifiers are never changed, because they must come back
 * byte-for-byte in status reports and statements.
 */

/** The EPC's basic Latin character set (SEPA credit transfer rulebook, section 1.4). */
const SEPA_CHARACTERS = /^[A-Za-z0-9/\-?:().,'+ ]*$/;
const SEPA_CHARACTER = /[A-Za-z0-9/\-?:().,'+ ]/;

// German umlauts by the German convention (DIN 5007-2), which the German banks expect; letters with
// other diacritics lose them (NFD below); these have no decomposition.
const TRANSLITERATIONS: Record<string, string> = {
  Ä: 'Ae',
  ä: 'ae',
  Ö: 'Oe',
  ö: 'oe',
  Ü: 'Ue',
  ü: 'ue',
  ß: 'ss',
  ẞ: 'SS',
  Æ: 'AE',
  æ: 'ae',
  Œ: 'OE',
  œ: 'oe',
  Ø: 'O',
  ø: 'o',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ð: 'D',
  ð: 'd',
  Þ: 'TH',
  þ: 'th',
  ı: 'i',
  '&': '+',
  '\u2018': "'",
  '\u2019': "'",
  '\u2013': '-',
  '\u2014': '-',
  '\u00a0': ' ',
};

/** The first character XML 1.0 cannot carry or that is a control character (none belongs in a payment field). */
function forbiddenCharacter(text: string): string | undefined {
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    // A lone surrogate (half of a broken pair) iterates as one character of its own.
    const notXml = code === 0xfffe || code === 0xffff || (code >= 0xd800 && code <= 0xdfff);
    if (control || notXml) return char;
  }
  return undefined;
}

export interface TextCheck {
  /** The text to write, or undefined when it cannot be written (the problem is in `problem`). */
  value?: string;
  problem?: string;
}

/** Maps text into the SEPA character set, or names the first character that has no mapping. */
export function toSepaCharacters(text: string): TextCheck {
  let out = '';
  // Composed first, so "e" + combining acute is one "é"; a mark left over (nothing to compose with)
  // is a diacritic of the letter before it, dropped like the others.
  for (const char of text.normalize('NFC')) {
    if (SEPA_CHARACTER.test(char)) {
      out += char;
      continue;
    }
    if (/\p{M}/u.test(char)) continue;
    const mapped = TRANSLITERATIONS[char] ?? stripDiacritics(char);
    if (mapped === undefined) {
      return { problem: `character ${describe(char)} is outside the SEPA character set and has no transliteration` };
    }
    out += mapped;
  }
  return { value: out };
}

function stripDiacritics(char: string): string | undefined {
  const base = char.normalize('NFD').replace(/\p{M}/gu, '');
  return base.length > 0 && SEPA_CHARACTERS.test(base) ? base : undefined;
}

function describe(char: string): string {
  const code = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return /\p{C}|\s/u.test(char) ? `U+${code}` : `"${char}" (U+${code})`;
}

export interface TextRules {
  /** Maximum length in characters (the schema's MaxNText). */
  max: number;
  /** Restrict to the SEPA character set. */
  sepa: boolean;
}

/**
 * Checks a name, address line or remittance text: transliterated to SEPA where required, trimmed,
 * not blank, within the length (counted after transliteration, as the bank counts).
 */
export function checkText(text: string, rules: TextRules): TextCheck {
  if (typeof text !== 'string') return { problem: 'must be a string' };
  const forbidden = forbiddenCharacter(text);
  if (forbidden !== undefined) return { problem: `control character ${describe(forbidden)} is not allowed` };
  let value = text;
  if (rules.sepa) {
    const sepa = toSepaCharacters(text);
    if (sepa.value === undefined) return sepa;
    value = sepa.value;
  }
  value = value.trim();
  if (value.length === 0) return { problem: 'must not be blank' };
  const length = [...value].length;
  if (length > rules.max) return { problem: `is ${length} characters long; at most ${rules.max} are allowed` };
  return { value };
}

/**
 * Checks an identifier (MsgId, PmtInfId, InstrId, EndToEndId): 1 to 35 characters, never changed.
 * SEPA restricts it to the SEPA set without a leading or trailing "/" and without "//" (EPC rules).
 */
export function checkIdentifier(id: string, sepa: boolean): TextCheck {
  if (typeof id !== 'string') return { problem: 'must be a string' };
  if (id.length === 0) return { problem: 'must not be empty' };
  const forbidden = forbiddenCharacter(id);
  if (forbidden !== undefined) return { problem: `control character ${describe(forbidden)} is not allowed` };
  if (id.trim() !== id) return { problem: 'must not begin or end with a space' };
  const length = [...id].length;
  if (length > 35) return { problem: `is ${length} characters long; at most 35 are allowed` };
  if (sepa) {
    const bad = [...id].find((char) => !SEPA_CHARACTER.test(char));
    if (bad !== undefined) return { problem: `character ${describe(bad)} is not allowed in a SEPA identifier` };
    if (id.startsWith('/') || id.endsWith('/') || id.includes('//')) {
      return { problem: 'must not begin or end with "/" nor contain "//" (SEPA)' };
    }
  }
  return { value: id };
}
