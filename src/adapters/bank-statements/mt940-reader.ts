// mt940js ships no types; the declaration beside this file is referenced here so that every program
// that reaches this file (the server, the benchmarks' own tsconfig) sees it, not only those that
// include the whole src folder.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./mt940js.d.ts" />
import { Parser, type Mt940Tag } from 'mt940js';
import type { Money } from '../../core/money.js';
import { formatMinorUnits } from '../iso20022/amounts.js';
import { currencyDigits } from './currency-digits.js';
import { readMt940Details } from './mt940-details.js';
import {
  account,
  amount,
  type BalanceFinality,
  balanceFinality,
  bookingDate,
  date,
  normalize,
} from './mt940-fields.js';
import { StatementReadError } from './statement-error.js';
import { StatementCollector } from './statement-events.js';
import type {
  BankStatement,
  Charges,
  CreditDebit,
  StatementBalance,
  StatementEntry,
  StatementEvent,
  StatementHeader,
  TransactionDetails,
} from './statement-types.js';

/**
 * Reads SWIFT MT940 customer statements with mt940js (which splits the text into tags, groups them
 * into statements, checks the required tags and that opening balance plus entries make the closing
 * balance, and splits structured :86: fields) and maps them onto the common model. mt940js gives
 * amounts as JavaScript numbers and dates as Date objects, so amounts, dates and marks are taken
 * again from each tag's raw text with the library's own patterns: money never passes through a
 * float, and a booking date in January of a December value date gets the next year.
 */

const FORMAT = 'mt940';

/**
 * mt940js checks that opening balance plus entries make the closing balance in floats rounded to
 * cents, which fails on every currency with three minor digits (KWD, BHD, OMR…). Its other checks
 * (required tags, one currency) stay; the balance check is done exactly by the reader instead.
 */
class ExactParser extends Parser {
  protected override _validateGroup(group: Mt940Tag[], index: number): void {
    try {
      super._validateGroup(group, index);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('Sum of lines')) return;
      throw error;
    }
  }
}
const BALANCE_TYPES: Record<string, string> = { '60': 'OPBD', '62': 'CLBD', '64': 'CLAV', '65': 'FWAV' };

/** Reads a whole MT940 file (they are small: a day's statements). */
export function readMt940(text: string): BankStatement[] {
  const collector = new StatementCollector();
  for (const event of mt940Events(text)) collector.add(event);
  return collector.statements;
}

/** The same as events, in the order the camt reader yields them, for the common streaming path. */
export function mt940Events(text: string, fileWarnings: readonly string[] = []): StatementEvent[] {
  if (typeof text !== 'string') throw new StatementReadError(FORMAT, 'the file must be text');
  const { normalized, warnings } = normalize(text);
  let statements;
  try {
    statements = new ExactParser().parse(normalized, true);
  } catch (error) {
    throw libraryError(error);
  }
  if (statements.length === 0) throw new StatementReadError(FORMAT, 'the file holds no statement (no :20: tag)');
  const finality = balanceFinality(normalized);
  const events: StatementEvent[] = [];
  statements.forEach((statement, index) => {
    const reader = new StatementReading(index, [...fileWarnings, ...warnings], finality);
    events.push(...reader.read(statement.tags!, statement.transactions));
  });
  return events;
}

/** One statement (an MT940 message: :20: to :62:) read into events. */
class StatementReading {
  private readonly path: string;
  private currency: string | null = null;
  private readonly balances: StatementBalance[] = [];
  private readonly entries: StatementEntry[] = [];
  private additionalInfo: string | null = null;

  constructor(
    private readonly index: number,
    private readonly warnings: string[],
    private readonly finality: BalanceFinality,
  ) {
    this.path = `statement[${index + 1}]`;
  }

  read(
    tags: readonly Mt940Tag[],
    transactions: readonly { details: string; structuredDetails?: Record<string, string> }[],
  ): StatementEvent[] {
    let messageId = '';
    let statementId: string | null = null;
    let sequence: string | null = null;
    let page: StatementHeader['page'] = null;
    let accountText = '';
    let previous: Mt940Tag | undefined;
    for (const tag of tags) {
      const id = String(tag.id);
      if (id === '20') messageId = tag.data.trim();
      else if (id === '25') accountText = tag.data.trim();
      else if (id === '28') {
        statementId = tag.data.trim();
        const [number, pageNumber] = statementId.split('/');
        sequence = number ?? null;
        if (pageNumber && /^\d+$/.test(pageNumber)) page = { number: Number(pageNumber), last: null };
      } else if (id in BALANCE_TYPES) this.balance(id, tag);
      else if (id === '61') this.entry(tag, transactions[this.entries.length]);
      else if (id === '86' && String(previous?.id) !== '61') {
        // A :86: not after a :61: is information for the account owner about the whole statement.
        this.additionalInfo = this.additionalInfo ? `${this.additionalInfo}\n${tag.data}` : tag.data;
      }
      if (id !== 'NS') previous = tag;
    }
    this.checkTurnover();
    const header: StatementHeader = {
      format: 'mt940',
      namespace: null,
      version: null,
      messageId,
      messageCreatedAt: null,
      index: this.index,
      path: this.path,
      statementId,
      electronicSequenceNumber: sequence,
      legalSequenceNumber: null,
      createdAt: null,
      from: this.balances.find((b) => b.type === 'OPBD')?.date ?? null,
      to: this.balances.findLast((b) => b.type === 'CLBD')?.date ?? null,
      page,
      account: account(accountText, this.currency),
      balances: this.balances,
      summary: null,
      warnings: this.warnings,
    };
    const events: StatementEvent[] = [{ kind: 'statement', statement: header }];
    for (const entry of this.entries) events.push({ kind: 'entry', statementIndex: this.index, entry });
    events.push({
      kind: 'statementEnd',
      statementIndex: this.index,
      entryCount: this.entries.length,
      additionalInfo: this.additionalInfo,
      warnings: [],
    });
    return events;
  }

  private balance(id: string, tag: Mt940Tag): void {
    const letter = id === '60' || id === '62' ? this.finality.next(id) : '';
    const path = `${this.path}/:${id}${letter}:`;
    // The library's pattern: mark, YYMMDD, currency, amount.
    const match = tag.re.exec(tag.data);
    if (!match) throw new StatementReadError(FORMAT, `"${tag.data}" is not a balance`, { path });
    const currency = match[5]!;
    this.currency ??= currency;
    this.balances.push({
      type: BALANCE_TYPES[id]!,
      proprietaryType: null,
      // M is an intermediate balance: a page boundary of a multi-page statement, not a day's end.
      subType: letter === 'M' ? 'INTM' : null,
      amount: amount(match[6]!, currency, path),
      creditDebit: match[1] === 'D' ? 'DBIT' : 'CRDT',
      date: date(match[2]!, match[3]!, match[4]!, path),
      dateTime: null,
      path,
    });
  }

  private entry(
    tag: Mt940Tag,
    transaction: { details: string; structuredDetails?: Record<string, string> } | undefined,
  ) {
    const index = this.entries.length;
    const path = `${this.path}/:61:[${index + 1}]`;
    if (!this.currency) throw new StatementReadError(FORMAT, 'comes before the opening balance (:60F:)', { path });
    // The library's pattern: value date YYMMDD, entry date MMDD, mark (C, D, RC, RD), funds code,
    // amount, transaction type, reference, //bank reference, supplementary details.
    const match = tag.re.exec(tag.data);
    if (!match) throw new StatementReadError(FORMAT, `"${tag.data}" is not a statement line`, { path });
    const valueDate = date(match[1]!, match[2]!, match[3]!, path);
    const mark = match[7]!;
    // RC is the reversal of a credit, booked as a debit; RD the reversal of a debit, booked as a credit.
    const creditDebit: CreditDebit = mark.endsWith('C') !== mark.startsWith('R') ? 'CRDT' : 'DBIT';
    const reversal = mark.startsWith('R');
    const money = amount(match[9]!, this.currency, path);
    const type = match[10]!;
    const reference = match[11]!.trim();
    const supplementary = match[15]?.trim() || '';
    const details = transaction?.details ?? '';
    const read = readMt940Details(details, transaction?.structuredDetails);
    const original = /\/OCMT\/([A-Z]{3})(\d+,\d*)\//.exec(supplementary);
    const charge = /\/CHGS\/([A-Z]{3})(\d+,\d*)\//.exec(supplementary);
    const charges: Charges | null = charge
      ? {
          total: null,
          records: [
            {
              amount: amount(charge[2]!, charge[1]!, path),
              creditDebit: null,
              included: null,
              type: null,
              bearer: null,
            },
          ],
        }
      : null;
    const preferredRole = (creditDebit === 'CRDT') !== reversal ? 'debtor' : 'creditor';
    const hasDetails = details.trim().length > 0 || original !== null;
    const tx: TransactionDetails = {
      index: 0,
      path,
      endToEndId: read.endToEndId,
      instructionId: null,
      messageId: null,
      paymentInformationId: read.paymentInformationId,
      transactionId: null,
      uetr: null,
      mandateId: read.mandateId,
      accountServicerReference: null,
      clearingSystemReference: null,
      amount: money,
      creditDebit: null,
      instructedAmount: original ? { amount: amount(original[2]!, original[1]!, path), exchange: null } : null,
      transactionAmount: null,
      counterValueAmount: null,
      bankTransactionCode: null,
      charges: null,
      counterparty: read.counterparty
        ? {
            role: preferredRole,
            ...read.counterparty,
            otherAccountScheme: null,
            ultimateName: preferredRole === 'debtor' ? read.ultimateDebtor : read.ultimateCreditor,
          }
        : null,
      remittance: read.remittance,
      returnInfo: read.returnReason
        ? {
            originalBankTransactionCode: null,
            reasonCode: read.returnReason,
            reasonProprietary: null,
            additionalInfo: [],
            originatorName: null,
          }
        : null,
      purpose: read.purposeCode ? { code: read.purposeCode, proprietary: null } : null,
      additionalInfo: read.bookingText,
    };
    this.entries.push({
      index,
      path,
      reference: reference && reference !== 'NONREF' ? reference : null,
      amount: money,
      creditDebit,
      reversal,
      status: 'BOOK',
      bookingDate: match[4] ? bookingDate(valueDate, match[5]!, match[6]!, path) : valueDate,
      bookingDateTime: null,
      valueDate,
      valueDateTime: null,
      accountServicerReference: match[13]?.trim() || null,
      bankTransactionCode: {
        domain: null,
        family: null,
        subFamily: null,
        // The DK's convention in camt for a German code: transaction type + GVC (+ text key extension).
        proprietary: read.germanCode
          ? [type, read.germanCode.gvc, read.germanCode.extension].filter((p) => p).join('+')
          : type,
        proprietaryIssuer: read.germanCode ? 'DK' : null,
      },
      charges,
      batch: null,
      transactions: hasDetails ? [tx] : [],
      additionalInfo: details.trim() || null,
      warnings: [],
    });
  }

  /** Opening balance plus entries must make the closing balance, exactly (mt940js checks it in floats). */
  private checkTurnover(): void {
    const signed = (m: { amount: Money; creditDebit: CreditDebit }): bigint =>
      m.creditDebit === 'CRDT' ? m.amount.amount : -m.amount.amount;
    const opening = this.balances.find((b) => b.type === 'OPBD');
    const closing = this.balances.findLast((b) => b.type === 'CLBD');
    if (!opening || !closing) return;
    const total = this.entries.reduce((sum, entry) => sum + signed(entry), signed(opening));
    if (total !== signed(closing)) {
      const digits = currencyDigits(closing.amount.currency);
      const text = (amount: bigint): string => `${formatMinorUnits(amount, digits)} ${closing.amount.currency}`;
      throw new StatementReadError(
        FORMAT,
        `the opening balance ${text(signed(opening))} and the entries make ${text(total)}, but the closing balance is ${text(signed(closing))}`,
        { path: this.path },
      );
    }
  }
}

function libraryError(error: unknown): StatementReadError {
  const message = error instanceof Error ? error.message : String(error);
  const group = /in group (\d+)$/.exec(message);
  if (group) {
    return new StatementReadError(FORMAT, message.replace(/ in group \d+$/, ''), { path: `statement[${group[1]}]` });
  }
  if (error instanceof TypeError) return new StatementReadError(FORMAT, `the text is not MT940 (${message})`);
  return new StatementReadError(FORMAT, message);
}
