import { isCurrency } from '../../core/money.js';
import { child, children, textAt, type XmlElement } from '../iso20022/xml-tree.js';
import { accountIdOf, bicOf } from './camt-parts.js';
import {
  booleanAt,
  type CamtContext,
  countAt,
  dateChoice,
  decimalAt,
  fail,
  firstText,
  folded,
  optionalCreditDebit,
  requiredAmount,
  requiredCreditDebit,
} from './camt-values.js';
import type {
  StatementAccount,
  StatementBalance,
  StatementFormat,
  StatementHeader,
  TransactionsSummary,
} from './statement-types.js';

/** The message's group header: its id is required, since the import records which file it took. */
export interface GroupHeader {
  messageId: string;
  createdAt: string | null;
  page: StatementHeader['page'];
}

export function readGroupHeader(context: CamtContext, header: XmlElement): GroupHeader {
  const messageId = textAt(header, 'MsgId');
  if (!messageId) fail(context, `${header.path}/MsgId`, 'is missing');
  return {
    messageId,
    createdAt: textAt(header, 'CreDtTm'),
    page: pageOf(context, child(header, 'MsgPgntn')),
  };
}

/** Where a statement sits in its file and what the file's header said. */
export interface StatementPlace {
  format: StatementFormat;
  namespace: string | null;
  version: string | null;
  group: GroupHeader;
  index: number;
  /** StmtPgntn, RptPgntn or NtfctnPgntn (from .04 on; .02 paginates the message in the group header). */
  paginationName: string;
}

/**
 * A statement's header from the elements before its first entry (Id, sequence numbers, period,
 * account, balances, summary). The account is required: the import finds the account by it.
 */
export function readStatementHeader(
  context: CamtContext,
  statement: XmlElement,
  place: StatementPlace,
): StatementHeader {
  const id = textAt(statement, 'Id');
  if (!id) context.warnings.push(`${statement.path}/Id is missing`);
  const period = child(statement, 'FrToDt');
  return {
    format: place.format,
    namespace: place.namespace,
    version: place.version,
    messageId: place.group.messageId,
    messageCreatedAt: place.group.createdAt,
    index: place.index,
    path: statement.path,
    statementId: id,
    electronicSequenceNumber: textAt(statement, 'ElctrncSeqNb'),
    legalSequenceNumber: textAt(statement, 'LglSeqNb'),
    createdAt: textAt(statement, 'CreDtTm'),
    from: firstText(period, ['FrDtTm'], ['FrDt']),
    to: firstText(period, ['ToDtTm'], ['ToDt']),
    page: pageOf(context, child(statement, place.paginationName)) ?? place.group.page,
    account: accountOf(context, statement),
    balances: children(statement, 'Bal').map((balance) => balanceOf(context, balance)),
    summary: summaryOf(context, child(statement, 'TxsSummry')),
    warnings: context.warnings,
  };
}

function accountOf(context: CamtContext, statement: XmlElement): StatementAccount {
  const account = child(statement, 'Acct');
  if (!account) fail(context, `${statement.path}/Acct`, 'is missing');
  const { iban, otherId, otherScheme } = accountIdOf(account);
  if (!iban && !otherId) fail(context, `${account.path}/Id`, 'names neither an IBAN nor Othr/Id');
  let currency = textAt(account, 'Ccy');
  if (currency !== null && !isCurrency(currency)) {
    context.warnings.push(`${account.path}/Ccy "${currency}" is not an ISO 4217 currency`);
    currency = null;
  }
  return {
    iban,
    otherId,
    otherScheme,
    currency,
    name: folded(textAt(account, 'Nm')),
    ownerName: folded(firstText(account, ['Ownr', 'Nm'], ['Ownr', 'Pty', 'Nm'])),
    servicerBic: bicOf(child(account, 'Svcr')),
  };
}

function balanceOf(context: CamtContext, balance: XmlElement): StatementBalance {
  const type = child(balance, 'Tp');
  const code = textAt(type, 'CdOrPrtry', 'Cd');
  const proprietary = textAt(type, 'CdOrPrtry', 'Prtry');
  if (code === null && proprietary === null) context.warnings.push(`${balance.path}/Tp names no balance type`);
  const { date, dateTime } = dateChoice(context, balance, 'Dt');
  if (date === null) context.warnings.push(`${balance.path}/Dt is missing`);
  return {
    type: code,
    proprietaryType: proprietary,
    subType: firstText(type, ['SubTp', 'Cd'], ['SubTp', 'Prtry']),
    amount: requiredAmount(context, balance, 'Amt'),
    creditDebit: requiredCreditDebit(context, balance),
    date,
    dateTime,
    path: balance.path,
  };
}

function summaryOf(context: CamtContext, summary: XmlElement | undefined): TransactionsSummary | null {
  if (!summary) return null;
  const total = child(summary, 'TtlNtries');
  return {
    entryCount: countAt(context, total, 'NbOfNtries'),
    sum: decimalAt(context, total, 'Sum'),
    netAmount: decimalAt(context, total, 'TtlNetNtryAmt'),
    netCreditDebit: optionalCreditDebit(context, total),
    creditCount: countAt(context, summary, 'TtlCdtNtries', 'NbOfNtries'),
    creditSum: decimalAt(context, summary, 'TtlCdtNtries', 'Sum'),
    debitCount: countAt(context, summary, 'TtlDbtNtries', 'NbOfNtries'),
    debitSum: decimalAt(context, summary, 'TtlDbtNtries', 'Sum'),
  };
}

function pageOf(context: CamtContext, pagination: XmlElement | undefined): StatementHeader['page'] {
  if (!pagination) return null;
  const number = countAt(context, pagination, 'PgNb');
  return number === null ? null : { number, last: booleanAt(context, pagination, 'LastPgInd') };
}
