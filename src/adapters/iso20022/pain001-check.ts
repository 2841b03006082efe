import { AppError, type FieldIssue } from '../../core/errors.js';
import { isCurrency, minorUnitDigits } from '../../core/money.js';
import { formatMinorUnits, sumAmounts, type ScaledAmount } from './amounts.js';
import { compact, isBic, isCountryCode, isCreditorReference, isIban, isIsoDate } from './identifiers.js';
import type { Pain001Version } from './messages.js';
import type { AccountIdentification, BankIdentification, Pain001Batch } from './pain001-types.js';
import { checkIdentifier, checkText, type TextCheck } from './text-rules.js';

/**
 * Checks a batch against what the chosen pain.001 version (and SEPA, where a block is SEPA) allows,
 * and returns it in the form the writer puts into XML: texts transliterated, amounts formatted,
 * counts and control sums computed. Every problem is collected and reported at once, each naming
 * its field (`paymentInformation[0].transactions[2].creditor.name`).
 */
export interface CheckedBatch {
  messageId: string;
  createdAt: string;
  initiatingPartyName: string;
  numberOfTransactions: number;
  controlSum: string;
  blocks: CheckedBlock[];
}

export interface CheckedBlock {
  id: string;
  debtorName: string;
  debtorAccount: AccountIdentification;
  debtorAgent: BankIdentification;
  requestedExecutionDate: string;
  batchBooking: boolean;
  serviceLevelCode: string | undefined;
  chargeBearer: 'SLEV' | 'SHAR';
  numberOfTransactions: number;
  controlSum: string;
  transactions: CheckedTransfer[];
}

export interface CheckedTransfer {
  endToEndId: string;
  instructionId: string | undefined;
  amount: string;
  currency: string;
  creditorName: string;
  creditorAccount: AccountIdentification;
  creditorAgent: BankIdentification | undefined;
  country: string | undefined;
  addressLines: string[];
  remittance: { unstructured: string } | { creditorReference: string } | undefined;
}

/** The EPC's ceiling for one SEPA credit transfer: 999 999 999.99 EUR. */
const SEPA_MAX_CENTS = 99_999_999_999n;
/** ISO amounts and control sums have at most 18 digits. */
const ISO_LIMIT = 10n ** 18n;

export function checkPain001(batch: Pain001Batch, version: Pain001Version): CheckedBatch {
  const issues: FieldIssue[] = [];
  const check = new Checker(issues, version);
  const checked = check.batch(batch);
  if (issues.length > 0 || !checked) {
    const shown = issues.slice(0, 10).map((i) => `${i.field}: ${i.message}`);
    const more = issues.length > 10 ? `; and ${issues.length - 10} more` : '';
    throw new AppError('validation_failed', 400, `${version} cannot be written: ${shown.join('; ')}${more}`, {
      issues,
    });
  }
  return checked;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

class Checker {
  /** The DK schema of .03 is SEPA only and 70-character names; the 2014 BIC pattern starts with .09. */
  private readonly dk: boolean;

  constructor(
    private readonly issues: FieldIssue[],
    private readonly version: Pain001Version,
  ) {
    this.dk = version === 'pain.001.001.03';
  }

  private fail(field: string, message: string): undefined {
    this.issues.push({ field, message });
    return undefined;
  }

  /** The object at a field, or an empty one (and an issue) so the checks below it can go on. */
  private object(field: string, value: unknown): Record<string, unknown> {
    if (isObject(value)) return value;
    this.fail(field, 'must be an object');
    return {};
  }

  private take(field: string, result: TextCheck): string | undefined {
    return result.value ?? this.fail(field, result.problem!);
  }

  private nameMax(sepa: boolean): number {
    // EPC and DK limit names to 70 characters; ISO allows 140.
    return sepa ? 70 : 140;
  }

  batch(batch: Pain001Batch): CheckedBatch | undefined {
    if (!isObject(batch)) return this.fail('batch', 'must be an object');
    const blocks = Array.isArray(batch.paymentInformation) ? batch.paymentInformation : [];
    if (blocks.length === 0) this.fail('paymentInformation', 'must hold at least one payment information block');
    // A file that carries SEPA blocks (and every .03 file) keeps its header in the SEPA set too.
    const sepaFile = this.dk || blocks.some((b) => isObject(b) && b.sepa === true);
    const messageId = this.take('messageId', checkIdentifier(batch.messageId, sepaFile));
    const initiatingPartyName = this.take(
      'initiatingPartyName',
      checkText(batch.initiatingPartyName, { max: this.nameMax(sepaFile), sepa: sepaFile }),
    );
    const createdAt =
      batch.createdAt instanceof Date && !Number.isNaN(batch.createdAt.getTime())
        ? // Seconds are enough, and some bank parsers choke on fractions.
          `${batch.createdAt.toISOString().slice(0, 19)}Z`
        : this.fail('createdAt', 'must be a valid Date');

    const checkedBlocks = blocks.map((block, i) => this.block(block, i, messageId));
    const ids = new Set<string>();
    checkedBlocks.forEach((block, i) => {
      if (block && ids.has(block.id))
        this.fail(`paymentInformation[${i}].id`, `"${block.id}" is used by an earlier block`);
      if (block) ids.add(block.id);
    });
    if (this.issues.length > 0) return undefined;

    const done = checkedBlocks as (CheckedBlock & { scaledSum: ScaledAmount })[];
    const sums = done.map((b) => b.scaledSum);
    const total = sumAmounts(sums);
    if (total.amount >= ISO_LIMIT)
      return this.fail('paymentInformation', 'the control sum of the file exceeds 18 digits');
    return {
      messageId: messageId!,
      createdAt: createdAt!,
      initiatingPartyName: initiatingPartyName!,
      numberOfTransactions: done.reduce((n, b) => n + b.numberOfTransactions, 0),
      controlSum: formatMinorUnits(total.amount, total.digits),
      blocks: done,
    };
  }

  private block(
    block: unknown,
    i: number,
    messageId: string | undefined,
  ): (CheckedBlock & { scaledSum: ScaledAmount }) | undefined {
    const at = `paymentInformation[${i}]`;
    if (!isObject(block)) return this.fail(at, 'must be an object');
    if (typeof block.sepa !== 'boolean') this.fail(`${at}.sepa`, 'must be true or false');
    if (this.dk && block.sepa === false) {
      this.fail(
        `${at}.sepa`,
        `${this.version} (the German DK schema) carries SEPA credit transfers only; use pain.001.001.09 or .10`,
      );
    }
    const sepa = this.dk || block.sepa === true;

    let id: string | undefined;
    if (block.id === undefined) {
      id = messageId === undefined ? undefined : this.take(`${at}.id`, checkIdentifier(`${messageId}-${i + 1}`, sepa));
    } else {
      id = this.take(`${at}.id`, checkIdentifier(block.id as string, sepa));
    }

    const debtor = this.object(`${at}.debtor`, block.debtor);
    const debtorName = this.take(
      `${at}.debtor.name`,
      checkText(debtor.name as string, { max: this.nameMax(sepa), sepa }),
    );
    const debtorAccount = this.account(`${at}.debtor.account`, debtor.account, sepa);
    const debtorAgent = (debtor.agent === undefined ? {} : this.agent(`${at}.debtor.agent`, debtor.agent, sepa)) ?? {};

    const date = block.requestedExecutionDate;
    if (typeof date !== 'string' || !isIsoDate(date))
      this.fail(`${at}.requestedExecutionDate`, 'must be a date YYYY-MM-DD');
    if (typeof block.batchBooking !== 'boolean') this.fail(`${at}.batchBooking`, 'must be true or false');

    let serviceLevelCode: string | undefined = sepa ? 'SEPA' : undefined;
    if (block.serviceLevelCode !== undefined) {
      const code = block.serviceLevelCode;
      if (typeof code !== 'string' || !/^[A-Z0-9]{1,4}$/.test(code)) {
        this.fail(`${at}.serviceLevelCode`, 'must be 1 to 4 capital letters or digits (an ExternalServiceLevel1Code)');
      } else if (sepa && code !== 'SEPA') {
        this.fail(`${at}.serviceLevelCode`, `a SEPA block has service level SEPA, not ${code}`);
      } else {
        serviceLevelCode = code;
      }
    }

    const transactions = Array.isArray(block.transactions) ? block.transactions : [];
    if (transactions.length === 0) this.fail(`${at}.transactions`, 'must hold at least one credit transfer');
    const checked = transactions.map((t, j) => this.transfer(t, `${at}.transactions[${j}]`, sepa));
    if (checked.some((t) => t === undefined) || !id || !debtorName || !debtorAccount) return undefined;

    const done = checked as (CheckedTransfer & { scaled: ScaledAmount })[];
    const sum = sumAmounts(done.map((t) => t.scaled));
    if (sum.amount >= ISO_LIMIT)
      return this.fail(`${at}.transactions`, 'the control sum of the block exceeds 18 digits');
    return {
      id,
      debtorName,
      debtorAccount,
      debtorAgent,
      requestedExecutionDate: date as string,
      batchBooking: block.batchBooking as boolean,
      serviceLevelCode,
      // SEPA: each side pays its own bank (SLEV is the only code the scheme allows); otherwise shared.
      chargeBearer: sepa ? 'SLEV' : 'SHAR',
      numberOfTransactions: done.length,
      controlSum: formatMinorUnits(sum.amount, sum.digits),
      scaledSum: sum,
      transactions: done,
    };
  }

  private transfer(
    transfer: unknown,
    at: string,
    sepa: boolean,
  ): (CheckedTransfer & { scaled: ScaledAmount }) | undefined {
    if (!isObject(transfer)) return this.fail(at, 'must be an object');
    const endToEndId = this.take(`${at}.endToEndId`, checkIdentifier(transfer.endToEndId as string, sepa));
    const instructionId =
      transfer.instructionId === undefined
        ? undefined
        : this.take(`${at}.instructionId`, checkIdentifier(transfer.instructionId as string, sepa));
    const amount = this.amount(at, transfer.amount, transfer.currency, sepa);

    const creditor = this.object(`${at}.creditor`, transfer.creditor);
    const creditorName = this.take(
      `${at}.creditor.name`,
      checkText(creditor.name as string, { max: this.nameMax(sepa), sepa }),
    );
    const creditorAccount = this.account(`${at}.creditor.account`, creditor.account, sepa);
    const creditorAgent =
      creditor.agent === undefined ? undefined : this.agent(`${at}.creditor.agent`, creditor.agent, sepa);

    let country: string | undefined;
    if (creditor.country !== undefined) {
      if (typeof creditor.country === 'string' && isCountryCode(creditor.country)) country = creditor.country;
      else this.fail(`${at}.creditor.country`, 'must be an ISO 3166 alpha-2 code in capitals (DE, ES, US)');
    }
    const addressLines: string[] = [];
    if (creditor.addressLines !== undefined) {
      const lines = creditor.addressLines;
      if (!Array.isArray(lines) || lines.length > 2) {
        this.fail(`${at}.creditor.addressLines`, 'must be a list of at most 2 lines');
      } else {
        lines.forEach((line, k) => {
          const value = this.take(`${at}.creditor.addressLines[${k}]`, checkText(line as string, { max: 70, sepa }));
          if (value) addressLines.push(value);
        });
      }
    }

    const remittance = this.remittance(`${at}.remittance`, transfer.remittance, sepa);
    if (!endToEndId || !amount || !creditorName || !creditorAccount || this.issues.length > 0) return undefined;
    return {
      endToEndId,
      instructionId,
      amount: amount.text,
      currency: transfer.currency as string,
      creditorName,
      creditorAccount,
      creditorAgent,
      country,
      addressLines,
      remittance,
      scaled: amount.scaled,
    };
  }

  private amount(
    at: string,
    amount: unknown,
    currency: unknown,
    sepa: boolean,
  ): { text: string; scaled: ScaledAmount } | undefined {
    if (typeof currency !== 'string' || !isCurrency(currency)) {
      return this.fail(`${at}.currency`, `${JSON.stringify(currency)} is not an ISO 4217 currency code`);
    }
    if (sepa && currency !== 'EUR') {
      return this.fail(`${at}.currency`, `SEPA credit transfers are in EUR only, not ${currency}`);
    }
    const digits = minorUnitDigits(currency);
    // ISO amounts carry at most 5 decimals (ActiveOrHistoricCurrencyAndAmount); DK/SEPA exactly 2.
    if (digits > 5) return this.fail(`${at}.currency`, `${currency} has ${digits} minor digits; ISO 20022 allows 5`);
    if (typeof amount !== 'bigint') return this.fail(`${at}.amount`, 'must be a bigint count of minor units');
    if (amount <= 0n) return this.fail(`${at}.amount`, 'must be greater than zero');
    if (sepa && amount > SEPA_MAX_CENTS) {
      return this.fail(
        `${at}.amount`,
        `${formatMinorUnits(amount, digits)} ${currency} exceeds the SEPA maximum of 999999999.99`,
      );
    }
    if (amount >= ISO_LIMIT) return this.fail(`${at}.amount`, 'has more than the 18 digits ISO 20022 allows');
    return { text: formatMinorUnits(amount, digits), scaled: { amount, digits } };
  }

  private account(at: string, account: unknown, sepa: boolean): AccountIdentification | undefined {
    if (!isObject(account)) return this.fail(at, 'must be { iban } or { other }');
    if (typeof account.iban === 'string') {
      const iban = compact(account.iban);
      return isIban(iban)
        ? { iban }
        : this.fail(`${at}.iban`, `"${account.iban}" is not a valid IBAN (format or check digits)`);
    }
    if (sepa) {
      return this.fail(
        at,
        this.dk ? `${this.version} (DK schema) identifies accounts by IBAN only` : 'SEPA identifies accounts by IBAN',
      );
    }
    if (typeof account.other === 'string') {
      const other = this.take(`${at}.other`, checkText(account.other, { max: 34, sepa: false }));
      return other === undefined ? undefined : { other };
    }
    return this.fail(at, 'must be { iban } or { other }');
  }

  private agent(at: string, agent: unknown, sepa: boolean): BankIdentification | undefined {
    if (!isObject(agent)) return this.fail(at, 'must be an object');
    const out: BankIdentification = {};
    if (agent.bic !== undefined) {
      const bic = typeof agent.bic === 'string' ? compact(agent.bic) : '';
      if (isBic(bic, this.dk ? '2009' : '2014')) out.bic = bic;
      else this.fail(`${at}.bic`, `${JSON.stringify(agent.bic)} is not a BIC (8 or 11 characters)`);
    }
    if (agent.bankCode !== undefined) {
      const code = agent.bankCode;
      if (sepa) {
        const why = this.dk ? `${this.version} (DK schema)` : 'SEPA';
        return this.fail(`${at}.bankCode`, `${why} identifies banks by BIC only`);
      }
      if (!isObject(code)) return this.fail(`${at}.bankCode`, 'must be { clearingSystem?, memberId }');
      const memberId = this.take(
        `${at}.bankCode.memberId`,
        checkText(code.memberId as string, { max: 35, sepa: false }),
      );
      let clearingSystem: string | undefined;
      if (code.clearingSystem !== undefined) {
        if (typeof code.clearingSystem === 'string' && /^[A-Z0-9]{1,5}$/.test(code.clearingSystem)) {
          clearingSystem = code.clearingSystem;
        } else {
          this.fail(
            `${at}.bankCode.clearingSystem`,
            'must be a clearing system code of 1 to 5 capitals (USABA, GBDSC, DEBLZ)',
          );
        }
      }
      if (memberId) out.bankCode = clearingSystem ? { clearingSystem, memberId } : { memberId };
    }
    return out;
  }

  private remittance(at: string, remittance: unknown, sepa: boolean): CheckedTransfer['remittance'] {
    if (remittance === undefined) return undefined;
    if (!isObject(remittance)) return this.fail(at, 'must be { unstructured } or { creditorReference }');
    if (remittance.unstructured !== undefined) {
      const text = this.take(`${at}.unstructured`, checkText(remittance.unstructured as string, { max: 140, sepa }));
      return text === undefined ? undefined : { unstructured: text };
    }
    if (typeof remittance.creditorReference === 'string') {
      const reference = compact(remittance.creditorReference);
      return isCreditorReference(reference)
        ? { creditorReference: reference }
        : this.fail(
            `${at}.creditorReference`,
            `"${remittance.creditorReference}" is not an ISO 11649 creditor reference (RF, 2 check digits, up to 21 letters or digits)`,
          );
    }
    return this.fail(at, 'must be { unstructured } or { creditorReference }');
  }
}
