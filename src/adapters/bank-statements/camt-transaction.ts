import { compact, isCreditorReference } from '../iso20022/identifiers.js';
import { child, children, textAt, type XmlElement } from '../iso20022/xml-tree.js';
import { accountIdOf, bankTransactionCode, bicOf, chargesOf } from './camt-parts.js';
import {
  amountOf,
  type CamtContext,
  decimalAt,
  firstText,
  folded,
  optionalAmount,
  optionalCreditDebit,
} from './camt-values.js';
import type {
  AmountWithExchange,
  Counterparty,
  CreditDebit,
  CreditorReference,
  Remittance,
  ReturnInfo,
  TransactionDetails,
} from './statement-types.js';

/**
 * One `TxDtls` of an entry: a single payment's references, amounts, parties, remittance and return
 * information. A batch booking has many; a bank may also leave them out entirely.
 */
export function readTransaction(
  context: CamtContext,
  tx: XmlElement,
  index: number,
  entry: { creditDebit: CreditDebit; reversal: boolean },
): TransactionDetails {
  const refs = child(tx, 'Refs');
  const amountDetails = child(tx, 'AmtDtls');
  const transactionAmount = amountWithExchange(context, child(amountDetails, 'TxAmt'));
  const creditDebit = optionalCreditDebit(context, tx);
  const purpose = child(tx, 'Purp');
  return {
    index,
    path: tx.path,
    endToEndId: textAt(refs, 'EndToEndId'),
    instructionId: textAt(refs, 'InstrId'),
    messageId: textAt(refs, 'MsgId'),
    paymentInformationId: textAt(refs, 'PmtInfId'),
    transactionId: textAt(refs, 'TxId'),
    uetr: textAt(refs, 'UETR'),
    mandateId: textAt(refs, 'MndtId'),
    accountServicerReference: textAt(refs, 'AcctSvcrRef'),
    clearingSystemReference: textAt(refs, 'ClrSysRef'),
    // TxDtls/Amt exists from .03 on; before, the transaction amount is only in AmtDtls.
    amount: optionalAmount(context, tx, 'Amt') ?? transactionAmount?.amount ?? null,
    creditDebit,
    instructedAmount: amountWithExchange(context, child(amountDetails, 'InstdAmt')),
    transactionAmount,
    counterValueAmount: amountWithExchange(context, child(amountDetails, 'CntrValAmt')),
    bankTransactionCode: bankTransactionCode(child(tx, 'BkTxCd')),
    charges: chargesOf(context, tx),
    counterparty: counterpartyOf(tx, creditDebit ?? entry.creditDebit, entry.reversal),
    remittance: remittanceOf(child(tx, 'RmtInf')),
    returnInfo: returnInfoOf(child(tx, 'RtrInf')),
    purpose: purpose ? { code: textAt(purpose, 'Cd'), proprietary: textAt(purpose, 'Prtry') } : null,
    additionalInfo: folded(textAt(tx, 'AddtlTxInf')),
  };
}

/** `InstdAmt`, `TxAmt` or `CntrValAmt`: an amount and the exchange that produced it, when given. */
function amountWithExchange(context: CamtContext, element: XmlElement | undefined): AmountWithExchange | null {
  if (!element) return null;
  const amount = child(element, 'Amt');
  if (!amount) {
    context.warnings.push(`${element.path}/Amt is missing`);
    return null;
  }
  const exchange = child(element, 'CcyXchg');
  const rate = decimalAt(context, exchange, 'XchgRate');
  if (exchange && rate === null) context.warnings.push(`${exchange.path}/XchgRate is missing`);
  return {
    amount: amountOf(context, amount),
    exchange:
      exchange && rate !== null
        ? {
            sourceCurrency: textAt(exchange, 'SrcCcy'),
            targetCurrency: textAt(exchange, 'TrgtCcy'),
            unitCurrency: textAt(exchange, 'UnitCcy'),
            rate,
            contractId: textAt(exchange, 'CtrctId'),
            quotedAt: textAt(exchange, 'QtnDt'),
          }
        : null,
  };
}

/**
 * The party on the other side. Money in comes from the debtor, money out goes to the creditor; a
 * reversal undoes an entry of the opposite direction, so its party is that entry's. Banks are not
 * consistent about which element they fill for returns (ABN AMRO writes the original debtor as
 * `Cdtr`), so when the expected side is empty the other side is read — `role` says which it was.
 */
function counterpartyOf(tx: XmlElement, creditDebit: CreditDebit, reversal: boolean): Counterparty | null {
  const preferred = (creditDebit === 'CRDT') !== reversal ? 'debtor' : 'creditor';
  const other = preferred === 'debtor' ? 'creditor' : 'debtor';
  return side(tx, preferred) ?? side(tx, other);
}

function side(tx: XmlElement, role: 'debtor' | 'creditor'): Counterparty | null {
  const prefix = role === 'debtor' ? 'Dbtr' : 'Cdtr';
  const parties = child(tx, 'RltdPties');
  const party = child(parties, prefix);
  const account = child(parties, `${prefix}Acct`);
  const ultimate = child(parties, `Ultmt${prefix}`);
  const agent = child(child(tx, 'RltdAgts'), `${prefix}Agt`);
  if (!party && !account && !ultimate && !agent) return null;
  // From .07 on a party is a choice: a party (`Pty`) or a bank (`Agt`).
  const partyBank = child(party, 'Agt');
  const { iban, otherId, otherScheme } = accountIdOf(account);
  return {
    role,
    name: folded(firstText(party, ['Nm'], ['Pty', 'Nm'], ['Agt', 'FinInstnId', 'Nm'])),
    iban,
    otherAccountId: otherId,
    otherAccountScheme: otherScheme,
    bic: bicOf(agent) ?? bicOf(partyBank),
    bankCode: firstText(child(agent, 'FinInstnId'), ['ClrSysMmbId', 'MmbId'], ['Othr', 'Id']),
    ultimateName: folded(firstText(ultimate, ['Nm'], ['Pty', 'Nm'])),
  };
}

function remittanceOf(element: XmlElement | undefined): Remittance | null {
  if (!element) return null;
  return {
    unstructured: children(element, 'Ustrd')
      .map((line) => folded(line.text))
      .filter((line) => line !== null),
    creditorReferences: children(element, 'Strd').flatMap((structured) => {
      const info = child(structured, 'CdtrRefInf');
      const reference = textAt(info, 'Ref');
      return reference === null ? [] : [creditorReference(info!, reference)];
    }),
  };
}

function creditorReference(info: XmlElement, reference: string): CreditorReference {
  const compacted = compact(reference);
  return {
    reference,
    type: firstText(info, ['Tp', 'CdOrPrtry', 'Cd'], ['Tp', 'CdOrPrtry', 'Prtry']),
    issuer: textAt(info, 'Tp', 'Issr'),
    scheme: isCreditorReference(compacted) ? 'iso11649' : isQrReference(compacted) ? 'qrr' : 'other',
  };
}

/** A Swiss QR reference: 27 digits, the last a modulo-10 recursive check digit. */
function isQrReference(reference: string): boolean {
  if (!/^\d{27}$/.test(reference)) return false;
  const table = [0, 9, 4, 6, 8, 2, 7, 1, 3, 5];
  let carry = 0;
  for (const digit of reference.slice(0, 26)) carry = table[(carry + Number(digit)) % 10]!;
  return (10 - carry) % 10 === Number(reference[26]);
}

function returnInfoOf(element: XmlElement | undefined): ReturnInfo | null {
  if (!element) return null;
  return {
    originalBankTransactionCode: bankTransactionCode(child(element, 'OrgnlBkTxCd')),
    reasonCode: textAt(element, 'Rsn', 'Cd'),
    reasonProprietary: textAt(element, 'Rsn', 'Prtry'),
    additionalInfo: children(element, 'AddtlInf')
      .map((line) => folded(line.text))
      .filter((line) => line !== null),
    originatorName: folded(firstText(child(element, 'Orgtr'), ['Nm'], ['Pty', 'Nm'])),
  };
}
