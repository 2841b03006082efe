/**
 * ISO 11649 structured creditor references ("RF references"): `RF`, two check digits, and a body of
 * 1–21 letters and digits; the check digits make the whole, read as ISO 7064 MOD 97-10 (letters as
 * 10–35, `RF` and the check digits moved to the end), leave 1.
 *
 * **The creditor reference of a receivable** is `RF` + check digits + its external id uppercased.
 * Only a receivable whose external id is 1–21 letters and digits has one (`INV2026001` →
 * `RF10INV2026001`); an id with other characters (`INV-1`) has none and is found by the other rules.
 * Matching compares the body with the external ids uppercased.
 */

const BODY = /^[A-Z0-9]{1,21}$/;

/** Letters as 10–35, digits as themselves, reduced mod 97 a digit at a time (no big integers). */
function mod97(text: string): number {
  let rest = 0;
  for (const char of text) {
    const code = char.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : char;
    for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest;
}

/** Spaces out, uppercased: how references are printed in groups of four and typed by payers. */
export const compactReference = (value: string): string => value.replace(/\s+/g, '').toUpperCase();

/** The RF reference for a body of letters and digits, or null when the body cannot be one. */
export function creditorReferenceFor(body: string): string | null {
  const upper = body.toUpperCase();
  if (!BODY.test(upper)) return null;
  const check = 98 - mod97(`${upper}RF00`);
  return `RF${String(check).padStart(2, '0')}${upper}`;
}

/** The creditor reference of a receivable (see above), or null when its external id cannot carry one. */
export const receivableCreditorReference = (externalId: string): string | null => creditorReferenceFor(externalId);

export type ParsedReference =
  { kind: 'rf'; body: string } | { kind: 'invalid_rf'; reason: string } | { kind: 'other'; reference: string };

/**
 * Reads a structured reference from a statement: a valid RF reference gives its body; one that starts
 * with RF but fails its shape or check digits is `invalid_rf` (never matched by its body: a mistyped
 * reference must not pay another invoice); anything else (a national reference) is `other`.
 */
export function parseCreditorReference(value: string): ParsedReference {
  const ref = compactReference(value);
  if (!ref.startsWith('RF')) return { kind: 'other', reference: ref };
  if (!/^RF\d{2}[A-Z0-9]{1,21}$/.test(ref)) {
    return { kind: 'invalid_rf', reason: `${ref} is not RF, two check digits and 1-21 letters or digits` };
  }
  const body = ref.slice(4);
  if (mod97(`${body}${ref.slice(0, 4)}`) !== 1) {
    return { kind: 'invalid_rf', reason: `${ref}: the check digits do not match (ISO 11649)` };
  }
  return { kind: 'rf', body };
}
