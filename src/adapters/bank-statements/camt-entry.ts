import { child, children, textAt, type XmlElement } from '../iso20022/xml-tree.js';
import { bankTransactionCode, chargesOf } from './camt-parts.js';
import { readTransaction } from './camt-transaction.js';
import {
  booleanAt,
  type CamtContext,
  countAt,
  dateChoice,
  firstText,
  folded,
  optionalAmount,
  optionalCreditDebit,
  requiredAmount,
  requiredCreditDebit,
} from './camt-values.js';
import type { EntryBatch, StatementEntry } from './statement-types.js';

/**
 * One `Ntry`: a booking (or, in camt.052/054, a pending or notified movement) on the account. Amount
 * and direction are required; a missing status or bank transaction code is a warning, since the
 * money is still known.
 */
export function readEntry(format: string, ntry: XmlElement, index: number): StatementEntry {
  const context: CamtContext = { format, warnings: [] };
  const amount = requiredAmount(context, ntry, 'Amt');
  const creditDebit = requiredCreditDebit(context, ntry);
  // RvslInd is optional and means "not a reversal" when absent.
  const reversal = booleanAt(context, ntry, 'RvslInd') ?? false;
  // Sts is a code up to .06 and a choice (`Sts/Cd` or `Sts/Prtry`) from .07 on.
  const status = firstText(ntry, ['Sts'], ['Sts', 'Cd'], ['Sts', 'Prtry']);
  if (status === null) context.warnings.push(`${ntry.path}/Sts is missing`);
  const code = bankTransactionCode(child(ntry, 'BkTxCd'));
  if (code === null) context.warnings.push(`${ntry.path}/BkTxCd is missing`);
  const booking = dateChoice(context, ntry, 'BookgDt');
  const value = dateChoice(context, ntry, 'ValDt');
  const details = children(ntry, 'NtryDtls');
  const transactions = details
    .flatMap((d) => children(d, 'TxDtls'))
    .map((tx, i) => readTransaction(context, tx, i, { creditDebit, reversal }));
  const batch = batchOf(context, details);
  if (
    batch &&
    batch.transactionCount !== null &&
    transactions.length > 0 &&
    transactions.length !== batch.transactionCount
  ) {
    context.warnings.push(
      `${ntry.path}: the batch says ${batch.transactionCount} transactions, ${transactions.length} are listed`,
    );
  }
  return {
    index,
    path: ntry.path,
    reference: textAt(ntry, 'NtryRef'),
    amount,
    creditDebit,
    reversal,
    status,
    bookingDate: booking.date,
    bookingDateTime: booking.dateTime,
    valueDate: value.date,
    valueDateTime: value.dateTime,
    accountServicerReference: textAt(ntry, 'AcctSvcrRef'),
    bankTransactionCode: code,
    charges: chargesOf(context, ntry),
    batch,
    transactions,
    additionalInfo: folded(textAt(ntry, 'AddtlNtryInf')),
    warnings: context.warnings,
  };
}

function batchOf(context: CamtContext, details: XmlElement[]): EntryBatch | null {
  const batch = details.map((d) => child(d, 'Btch')).find((b) => b !== undefined);
  if (!batch) return null;
  return {
    messageId: textAt(batch, 'MsgId'),
    paymentInformationId: textAt(batch, 'PmtInfId'),
    transactionCount: countAt(context, batch, 'NbOfTxs'),
    total: optionalAmount(context, batch, 'TtlAmt'),
    creditDebit: optionalCreditDebit(context, batch),
  };
}
