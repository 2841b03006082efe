import {
  electronicFormatIBAN,
  extractIBAN,
  getCountrySpecifications,
  isSEPACountry,
  isValidBIC,
  validateIBAN,
  ValidationErrorsIBAN,
} from 'ibantools';

/**
 * Bank details as payments use them — an IBAN, or a local account number with its bank code — and
 * the checks every one of them passes before it is stored: IBAN checksum and country format, BIC
 * format and country (ibantools), ISO 3166 country, ISO 11649 creditor references, and the character
 * set pain.001 files accept. Pure functions: the schemas call them to name the failing field.
 */

export interface BankDetailsInput {
  iban?: string | undefined;
  accountNumber?: string | undefined;
  bankCode?: string | undefined;
  bic?: string | undefined;
  country?: string | undefined;
}

/** Stored and shown form: IBAN in electronic format, BIC upper case, the country always known. */
export interface BankDetails {
  iban: string | null;
  accountNumber: string | null;
  bankCode: string | null;
  bic: string | null;
  country: string;
}

export interface DetailIssue {
  /** The field inside the bank details, e.g. `iban`. */
  field: keyof BankDetailsInput;
  message: string;
}

const COUNTRIES = new Set(Object.keys(getCountrySpecifications()));
const LOCAL_PART = /^[A-Za-z0-9]{1,35}$/;

export const isCountry = (code: string): boolean => /^[A-Z]{2}$/.test(code) && COUNTRIES.has(code);

const IBAN_MESSAGES: Partial<Record<ValidationErrorsIBAN, string>> = {
  [ValidationErrorsIBAN.NoIBANCountry]: 'is not a valid IBAN: unknown country code',
  [ValidationErrorsIBAN.WrongBBANLength]: 'is not a valid IBAN: wrong length for its country',
  [ValidationErrorsIBAN.WrongBBANFormat]: 'is not a valid IBAN: wrong format for its country',
  [ValidationErrorsIBAN.ChecksumNotNumber]: 'is not a valid IBAN: the check digits must be digits',
  [ValidationErrorsIBAN.WrongIBANChecksum]: 'is not a valid IBAN: wrong check digits',
  [ValidationErrorsIBAN.WrongAccountBankBranchChecksum]: 'is not a valid IBAN: wrong national check digit',
};

/** Why an IBAN (spaces allowed, any case) is not valid; undefined when it is. */
export function ibanIssue(iban: string): string | undefined {
  const electronic = electronicFormatIBAN(iban) ?? '';
  if (!/^[A-Z]{2}[0-9A-Z]{2}[0-9A-Z]{1,30}$/.test(electronic)) {
    return 'is not a valid IBAN: two letters, two check digits and up to 30 letters or digits';
  }
  const result = validateIBAN(electronic);
  if (result.valid) return undefined;
  return IBAN_MESSAGES[result.errorCodes[0]!] ?? 'is not a valid IBAN';
}

export function bicIssue(bic: string): string | undefined {
  const upper = bic.trim().toUpperCase();
  if (!isValidBIC(upper)) return 'is not a valid BIC: 8 or 11 characters (bank, country, location, branch)';
  if (!isCountry(upper.slice(4, 6))) return 'is not a valid BIC: unknown country code';
  return undefined;
}

/** Every issue of a set of bank details, by field; empty when they can be stored. */
export function bankDetailsIssues(input: BankDetailsInput): DetailIssue[] {
  const issues: DetailIssue[] = [];
  const { iban, accountNumber, bankCode, bic, country } = input;
  if (iban !== undefined) {
    const problem = ibanIssue(iban);
    if (problem) issues.push({ field: 'iban', message: problem });
    if (accountNumber !== undefined || bankCode !== undefined) {
      issues.push({
        field: accountNumber !== undefined ? 'accountNumber' : 'bankCode',
        message: 'give an IBAN or an account number with a bank code, not both',
      });
    }
    if (!problem && country !== undefined && country !== ibanCountry(iban)) {
      issues.push({ field: 'country', message: `must be the IBAN's country (${ibanCountry(iban)}) or absent` });
    }
  } else if (accountNumber === undefined && bankCode === undefined) {
    issues.push({ field: 'iban', message: 'is required, unless an accountNumber and a bankCode are given' });
  } else {
    if (accountNumber === undefined || !LOCAL_PART.test(accountNumber)) {
      issues.push({ field: 'accountNumber', message: 'must be 1 to 35 letters or digits (with a bankCode)' });
    }
    if (bankCode === undefined || !LOCAL_PART.test(bankCode)) {
      issues.push({ field: 'bankCode', message: 'must be 1 to 35 letters or digits (with an accountNumber)' });
    }
    if (country === undefined) issues.push({ field: 'country', message: 'is required without an IBAN' });
  }
  if (country !== undefined && !isCountry(country)) {
    issues.push({ field: 'country', message: 'must be an ISO 3166-1 alpha-2 country code, e.g. "DE"' });
  }
  if (bic !== undefined) {
    const problem = bicIssue(bic);
    if (problem) issues.push({ field: 'bic', message: problem });
  }
  return issues;
}

const ibanCountry = (iban: string): string => (electronicFormatIBAN(iban) ?? '').slice(0, 2);

/** The stored form of details that passed `bankDetailsIssues`. */
export function normaliseBankDetails(input: BankDetailsInput): BankDetails {
  if (input.iban !== undefined) {
    const iban = electronicFormatIBAN(input.iban)!;
    return {
      iban,
      accountNumber: null,
      bankCode: null,
      bic: input.bic?.trim().toUpperCase() ?? null,
      country: extractIBAN(iban).countryCode ?? iban.slice(0, 2),
    };
  }
  return {
    iban: null,
    accountNumber: input.accountNumber!,
    bankCode: input.bankCode!,
    bic: input.bic?.trim().toUpperCase() ?? null,
    country: input.country!,
  };
}

/** The IBAN or account number with its last four characters only: what logs and task titles show. */
export function maskedAccount(details: BankDetails): string {
  const account = details.iban ?? `${details.bankCode}/${details.accountNumber}`;
  return account.length <= 8 ? account : `${account.slice(0, 4)}…${account.slice(-4)}`;
}

/** SEPA when both sides are in SEPA countries and the money is euro; anything else goes international. */
export function paymentMethod(
  currency: string,
  debtorCountry: string,
  creditorCountry: string,
): 'sepa' | 'international' {
  return currency === 'EUR' && isSEPACountry(debtorCountry) && isSEPACountry(creditorCountry)
    ? 'sepa'
    : 'international';
}

/**
 * An ISO 11649 structured creditor reference: `RF`, two check digits, then 1 to 21 letters or digits,
 * valid when the reference moved to the end, letters as numbers (A = 10 … Z = 35), is 1 modulo 97.
 */
export function isCreditorReference(reference: string): boolean {
  const compact = reference.replace(/ /g, '').toUpperCase();
  if (!/^RF[0-9]{2}[0-9A-Z]{1,21}$/.test(compact)) return false;
  const digits = (compact.slice(4) + compact.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}

/**
 * The characters every pain.001 version and every bank accepts in identifiers (the SEPA basic Latin
 * set): letters, digits, space and / - ? : ( ) . , ' +
 */
export const PAIN001_TEXT = /^[A-Za-z0-9/\-?:().,'+ ]*$/;

/** Why an end-to-end id is not usable in a pain.001 file; undefined when it is. */
export function endToEndIdIssue(id: string): string | undefined {
  if (id.length < 1 || id.length > 35) return 'must be 1 to 35 characters';
  if (!PAIN001_TEXT.test(id)) return "may hold only letters, digits, space and / - ? : ( ) . , ' +";
  if (id.startsWith('/') || id.endsWith('/') || id.includes('//')) {
    return 'must not start or end with "/" or contain "//"';
  }
  if (id.trim() !== id) return 'must not start or end with a space';
  return undefined;
}
