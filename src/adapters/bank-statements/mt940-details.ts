import { compact, isCreditorReference, isIban } from '../iso20022/identifiers.js';
import type { CreditorReference, Remittance } from './statement-types.js';

/**
 * What an MT940 :86: says about a transaction. Its content is not standardised; two structures are
 * common and mt940js splits both into subfields:
 * - German (DK): `166?00SEPA-GUTSCHRIFT?10…?20EREF+…?21SVWZ+…?30BIC?31IBAN?32Name?33Name?34…`, a
 *   business transaction code (GVC) first, the SEPA purpose in ?20–?29 and ?60–?63 with keywords
 *   (EREF+ end-to-end id, KREF+ customer/batch reference, MREF+ mandate, SVWZ+ remittance text,
 *   ABWA+/ABWE+ ultimate debtor/creditor, PURP+ purpose code), the counterparty in ?30–?33.
 * - SWIFT-style keys used by Dutch and other banks: `/EREF/…/REMI/…/NAME/…/IBAN/…/BIC/…/MARF/…`.
 * Anything else is kept as unstructured remittance text.
 */
export interface Mt940Details {
  endToEndId: string | null;
  paymentInformationId: string | null;
  mandateId: string | null;
  remittance: Remittance | null;
  counterparty: {
    name: string | null;
    iban: string | null;
    otherAccountId: string | null;
    bic: string | null;
    bankCode: string | null;
  } | null;
  /** ABWA+ and ABWE+: the ultimate debtor and creditor; which is the counterparty's depends on the direction. */
  ultimateDebtor: string | null;
  ultimateCreditor: string | null;
  returnReason: string | null;
  purposeCode: string | null;
  /** The German GVC and ?34 (text key extension), for the proprietary bank transaction code. */
  germanCode: { gvc: string; extension: string | null } | null;
  /** ?00, the German booking text ("SEPA-GUTSCHRIFT"). */
  bookingText: string | null;
}

const NONE: Mt940Details = {
  endToEndId: null,
  paymentInformationId: null,
  mandateId: null,
  remittance: null,
  counterparty: null,
  ultimateDebtor: null,
  ultimateCreditor: null,
  returnReason: null,
  purposeCode: null,
  germanCode: null,
  bookingText: null,
};

/** The SEPA keywords of the German purpose subfields (DK, "Strukturierter Verwendungszweck"). */
const SEPA_KEYWORD = /^(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|COAM|OAMT|IBAN|BIC|PURP|RTRN)\+/;
const PURPOSE_SUBFIELDS = ['20', '21', '22', '23', '24', '25', '26', '27', '28', '29', '60', '61', '62', '63'];
const BIC = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;

export function readMt940Details(details: string, structured: Record<string, string> | undefined): Mt940Details {
  if (!details.trim()) return NONE;
  if (structured && PURPOSE_SUBFIELDS.some((key) => key in structured)) return german(structured);
  if (structured && Object.keys(structured).some((key) => /^[A-Z]/.test(key))) return swiftKeys(structured);
  // Unstructured: the lines as written, for a person (or the reference matcher) to read.
  return {
    ...NONE,
    remittance: { unstructured: lines(details), creditorReferences: referencesIn(details) },
  };
}

function german(fields: Record<string, string>): Mt940Details {
  const subfields = PURPOSE_SUBFIELDS.map((key) => fields[key]).filter((v): v is string => v !== undefined);
  // Keywords start a subfield; a value longer than a subfield's 27 characters continues in the
  // next one without a separator, so continuations are joined as they are.
  const keyed = new Map<string, string>();
  const free: string[] = [];
  let current: string | null = null;
  for (const subfield of subfields) {
    const keyword = SEPA_KEYWORD.exec(subfield)?.[1];
    if (keyword) {
      current = keyword;
      keyed.set(keyword, (keyed.get(keyword) ?? '') + subfield.slice(keyword.length + 1));
    } else if (current) {
      keyed.set(current, keyed.get(current)! + subfield);
    } else {
      free.push(subfield);
    }
  }
  const value = (key: string): string | null => keyed.get(key)?.trim() || null;
  const text = value('SVWZ');
  const unstructured = text ? [text] : free.map((line) => line.trim()).filter((line) => line.length > 0);
  const name = `${fields['32'] ?? ''}${fields['33'] ?? ''}`.trim() || null;
  const account = fields['31']?.trim() || null;
  const bank = fields['30']?.trim() || null;
  return {
    endToEndId: value('EREF'),
    paymentInformationId: value('KREF'),
    mandateId: value('MREF'),
    remittance:
      unstructured.length > 0 ? { unstructured, creditorReferences: referencesIn(unstructured.join(' ')) } : null,
    counterparty:
      name || account || bank
        ? {
            name,
            iban: account && isIban(compact(account)) ? compact(account) : null,
            otherAccountId: account && !isIban(compact(account)) ? account : null,
            bic: bank && BIC.test(bank) ? bank : null,
            bankCode: bank && !BIC.test(bank) ? bank : null,
          }
        : null,
    ultimateDebtor: value('ABWA'),
    ultimateCreditor: value('ABWE'),
    returnReason: value('RTRN'),
    purposeCode: value('PURP'),
    germanCode: fields.gvc ? { gvc: fields.gvc, extension: fields['34']?.trim() || null } : null,
    bookingText: fields['00']?.trim() || null,
  };
}

function swiftKeys(fields: Record<string, string>): Mt940Details {
  // Values end where the next /KEY/ begins; a closing slash is the field's end, not its content.
  const value = (key: string): string | null => fields[key]?.replace(/\/+$/, '').trim() || null;
  // REMI is `USTD//text`, `STRD/CUR/reference` or `STRD/ISO/RF…` (split by the library into REMI
  // "STRD" and the issuer's key), or plain text.
  const remi = value('REMI');
  const creditorReferences: CreditorReference[] = [];
  let unstructured: string[] = [];
  const issuer = ['ISO', 'CUR'].find((key) => value(key) !== null);
  if (remi === 'STRD' && issuer) {
    creditorReferences.push(creditorReference(value(issuer)!, 'SCOR', issuer));
  } else if (remi) {
    const text = remi.replace(/^USTD\/\//, '').trim();
    if (text) unstructured = [text];
    creditorReferences.push(...referencesIn(text));
  }
  const iban = value('IBAN');
  const name = value('NAME');
  const bic = value('BIC');
  return {
    ...NONE,
    endToEndId: value('EREF'),
    paymentInformationId: value('PREF'),
    mandateId: value('MARF'),
    remittance: unstructured.length > 0 || creditorReferences.length > 0 ? { unstructured, creditorReferences } : null,
    counterparty:
      name || iban || bic
        ? {
            name,
            iban: iban && isIban(compact(iban)) ? compact(iban) : null,
            otherAccountId: iban && !isIban(compact(iban)) ? iban : null,
            bic,
            bankCode: null,
          }
        : null,
    returnReason: value('RTRN'),
  };
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/**
 * ISO 11649 references written in free text, which payers often do, grouped or not
 * ("RF18 5390 0754 7034", "RF18539007547034."): the longest run of tokens from an `RF` token
 * that passes the check digits.
 */
function referencesIn(text: string): CreditorReference[] {
  const tokens = text.toUpperCase().split(/[^A-Z0-9]+/);
  const found = new Set<string>();
  tokens.forEach((token, i) => {
    if (!/^RF\d{2}/.test(token)) return;
    let candidate = '';
    let best: string | null = null;
    for (const next of tokens.slice(i, i + 7)) {
      candidate += next;
      if (candidate.length > 25) break;
      if (isCreditorReference(candidate)) best = candidate;
    }
    if (best) found.add(best);
  });
  return [...found].map((reference) => creditorReference(reference, null, null));
}

function creditorReference(reference: string, type: string | null, issuer: string | null): CreditorReference {
  return { reference, type, issuer, scheme: isCreditorReference(compact(reference)) ? 'iso11649' : 'other' };
}
