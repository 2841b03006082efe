import { child, children, textAt, type XmlElement } from '../iso20022/xml-tree.js';
import {
  amountOf,
  booleanAt,
  type CamtContext,
  fail,
  firstText,
  optionalAmount,
  optionalCreditDebit,
} from './camt-values.js';
import type { BankTransactionCode, ChargeRecord, Charges } from './statement-types.js';

/**
 * Parts that entries and their transactions share: bank transaction codes, charges and account
 * identifications, each read across the versions' shapes.
 */

export function bankTransactionCode(element: XmlElement | undefined): BankTransactionCode | null {
  if (!element) return null;
  const code: BankTransactionCode = {
    domain: textAt(element, 'Domn', 'Cd'),
    family: textAt(element, 'Domn', 'Fmly', 'Cd'),
    subFamily: textAt(element, 'Domn', 'Fmly', 'SubFmlyCd'),
    proprietary: textAt(element, 'Prtry', 'Cd'),
    proprietaryIssuer: textAt(element, 'Prtry', 'Issr'),
  };
  return Object.values(code).some((v) => v !== null) ? code : null;
}

/**
 * Charges of an entry or transaction. Version .02 repeats `Chrgs`, each one charge
 * (`Chrgs/Amt`, `Chrgs/Tp/Cd`, `Chrgs/Br`); from .03 on there is one `Chrgs` holding the total
 * (`TtlChrgsAndTaxAmt`) and a `Rcrd` per charge.
 */
export function chargesOf(context: CamtContext, parent: XmlElement): Charges | null {
  const blocks = children(parent, 'Chrgs');
  if (blocks.length === 0) return null;
  const total = blocks.map((b) => child(b, 'TtlChrgsAndTaxAmt')).find((t) => t !== undefined);
  const records = blocks.flatMap((block) => {
    const inner = children(block, 'Rcrd');
    if (inner.length > 0) return inner;
    // .02 has the record's fields on Chrgs itself; a later Chrgs with only a total has no record.
    return child(block, 'Amt') ? [block] : [];
  });
  return {
    total: total ? amountOf(context, total) : null,
    records: records.map((record) => chargeRecord(context, record)),
  };
}

function chargeRecord(context: CamtContext, record: XmlElement): ChargeRecord {
  const amount = optionalAmount(context, record, 'Amt');
  if (!amount) fail(context, `${record.path}/Amt`, 'is missing');
  return {
    amount,
    creditDebit: optionalCreditDebit(context, record),
    included: booleanAt(context, record, 'ChrgInclInd'),
    type: firstText(record, ['Tp', 'Cd'], ['Tp', 'Prtry', 'Id']),
    bearer: textAt(record, 'Br'),
  };
}

/** An account's Id: IBAN, or a local number with its scheme (`Othr/Id`, `Othr/SchmeNm/Cd` or `Prtry`). */
export function accountIdOf(account: XmlElement | undefined): {
  iban: string | null;
  otherId: string | null;
  otherScheme: string | null;
} {
  const id = child(account, 'Id');
  return {
    iban: textAt(id, 'IBAN'),
    otherId: textAt(id, 'Othr', 'Id'),
    otherScheme: firstText(id, ['Othr', 'SchmeNm', 'Cd'], ['Othr', 'SchmeNm', 'Prtry']),
  };
}

/** A financial institution's BIC: `BIC` up to .03, `BICFI` from .04 on. */
export function bicOf(institution: XmlElement | undefined): string | null {
  return firstText(institution, ['FinInstnId', 'BICFI'], ['FinInstnId', 'BIC']);
}
