import type { Money } from '../../core/money.js';

/**
 * One model for what banks report about an account, whatever the file: camt.053 (end-of-day
 * statement), camt.052 (intraday report), camt.054 (debit/credit notification) or MT940. The readers
 * map each format onto it so the statement import and reconciliation never look at a file format.
 *
 * Conventions: every field a file does not carry is null (never an empty string, never a guess);
 * amounts are `Money` (integer minor units, bigint, in the currency's minor digits) and never
 * negative — the direction is `creditDebit`, as in the files, so a reversal or a negative balance
 * cannot be misread by sign; dates are ISO `YYYY-MM-DD` as the bank wrote them (for a date-time,
 * `…Date` is its date part and `…DateTime` the full value, offset included when written);
 * `warnings` name elements a bank left out that the schema wants but reading did not need.
 */

export type StatementFormat = 'camt.052' | 'camt.053' | 'camt.054' | 'mt940';

/** CRDT: money in (or a positive balance); DBIT: money out (or an overdrawn balance). */
export type CreditDebit = 'CRDT' | 'DBIT';

export interface StatementAccount {
  /** Id/IBAN (MT940: the :25: account when it is a valid IBAN). */
  iban: string | null;
  /** Id/Othr/Id: a local account number when there is no IBAN (MT940: :25: as written, e.g. `BLZ/account`). */
  otherId: string | null;
  /** Id/Othr/SchmeNm/Cd or Prtry (BBAN, CUID…). */
  otherScheme: string | null;
  /** Acct/Ccy (MT940: the opening balance's currency). */
  currency: string | null;
  /** Acct/Nm. */
  name: string | null;
  /** Acct/Ownr/Nm. */
  ownerName: string | null;
  /** Acct/Svcr/FinInstnId/BIC (BICFI from .04 on). */
  servicerBic: string | null;
}

export interface StatementBalance {
  /** Tp/CdOrPrtry/Cd: OPBD, CLBD, ITBD, CLAV, PRCD, FWAV, OPAV, ITAV, INFO… (MT940: 60→OPBD, 62→CLBD, 64→CLAV, 65→FWAV). */
  type: string | null;
  /** Tp/CdOrPrtry/Prtry: a bank's own balance type, when it uses one instead of a code. */
  proprietaryType: string | null;
  /** Tp/SubTp/Cd or Prtry; INTM for MT940's intermediate 60M/62M balances of a multi-page statement. */
  subType: string | null;
  amount: Money;
  creditDebit: CreditDebit;
  date: string | null;
  dateTime: string | null;
  path: string;
}

/** TxsSummry as the bank wrote it; decimals as text because the schema gives them no currency. */
export interface TransactionsSummary {
  entryCount: number | null;
  sum: string | null;
  netAmount: string | null;
  netCreditDebit: CreditDebit | null;
  creditCount: number | null;
  creditSum: string | null;
  debitCount: number | null;
  debitSum: string | null;
}

export interface StatementHeader {
  format: StatementFormat;
  /** Namespace of the Document element (null for MT940 or when the file has none). */
  namespace: string | null;
  /** Message version from the namespace, e.g. `camt.053.001.02`; null when it names none (and for MT940). */
  version: string | null;
  /** GrpHdr/MsgId (MT940: :20:). */
  messageId: string;
  /** GrpHdr/CreDtTm. */
  messageCreatedAt: string | null;
  /** 0-based position of the statement (Stmt, Rpt or Ntfctn; an MT940 message) in the file. */
  index: number;
  /** Element path of the statement, e.g. `Document/BkToCstmrStmt/Stmt[2]` (MT940: `statement[2]`). */
  path: string;
  /** Stmt/Id, Rpt/Id or Ntfctn/Id (MT940: :28C: as written, e.g. `00012/001`). */
  statementId: string | null;
  /** ElctrncSeqNb as written (MT940: the statement number of :28C:). */
  electronicSequenceNumber: string | null;
  legalSequenceNumber: string | null;
  /** CreDtTm of the statement. */
  createdAt: string | null;
  /** FrToDt/FrDtTm and ToDtTm (MT940: the opening and closing balance dates). */
  from: string | null;
  to: string | null;
  /** StmtPgntn (or GrpHdr/MsgPgntn in .02); MT940: the :28C: sequence number, `last` unknown. */
  page: { number: number; last: boolean | null } | null;
  account: StatementAccount;
  balances: StatementBalance[];
  summary: TransactionsSummary | null;
  warnings: string[];
}

export interface BankTransactionCode {
  /** Domn/Cd, Domn/Fmly/Cd, Domn/Fmly/SubFmlyCd: the ISO code (PMNT / RCDT / ESCT). */
  domain: string | null;
  family: string | null;
  subFamily: string | null;
  /** Prtry/Cd and Prtry/Issr: the bank's own code (MT940: the :61: transaction type, with the German GVC as `NTRF+166` issuer DK). */
  proprietary: string | null;
  proprietaryIssuer: string | null;
}

export interface ChargeRecord {
  amount: Money;
  creditDebit: CreditDebit | null;
  /** ChrgInclInd: whether the charge is included in the entry amount. */
  included: boolean | null;
  /** Tp/Cd or Tp/Prtry/Id. */
  type: string | null;
  /** Br: CRED, DEBT, SHAR, SLEV. */
  bearer: string | null;
}

export interface Charges {
  /** TtlChrgsAndTaxAmt (.03 and later). */
  total: Money | null;
  records: ChargeRecord[];
}

export interface ExchangeRate {
  sourceCurrency: string | null;
  targetCurrency: string | null;
  unitCurrency: string | null;
  /** XchgRate as written: a decimal, never a float. */
  rate: string;
  contractId: string | null;
  quotedAt: string | null;
}

export interface AmountWithExchange {
  amount: Money;
  exchange: ExchangeRate | null;
}

export interface Counterparty {
  /** Which side of the file the party was read from: Dbtr… or Cdtr…. */
  role: 'debtor' | 'creditor';
  name: string | null;
  iban: string | null;
  otherAccountId: string | null;
  otherAccountScheme: string | null;
  /** The party's bank: DbtrAgt/CdtrAgt BIC (BICFI). */
  bic: string | null;
  /** The party's bank by clearing member id or other id (US ABA, UK sort code, German BLZ). */
  bankCode: string | null;
  /** UltmtDbtr/UltmtCdtr name on the same side (MT940 German: ABWA+/ABWE+). */
  ultimateName: string | null;
}

export interface CreditorReference {
  reference: string;
  /** CdtrRefInf/Tp/CdOrPrtry/Cd or Prtry: SCOR, or a bank's own such as QRR. */
  type: string | null;
  issuer: string | null;
  /** What the reference is by its form: an ISO 11649 `RF…` reference, a Swiss 27-digit QR reference, or other. */
  scheme: 'iso11649' | 'qrr' | 'other';
}

export interface Remittance {
  /** RmtInf/Ustrd lines in order (MT940: the SVWZ+ text or the :86: purpose subfields). */
  unstructured: string[];
  creditorReferences: CreditorReference[];
}

export interface ReturnInfo {
  originalBankTransactionCode: BankTransactionCode | null;
  /** Rsn/Cd: an ISO external return reason (AC04, MD06, MS03…). */
  reasonCode: string | null;
  /** Rsn/Prtry: a bank's or scheme's own reason (US ACH R02…). */
  reasonProprietary: string | null;
  additionalInfo: string[];
  originatorName: string | null;
}

export interface TransactionDetails {
  /** 0-based position among the entry's transactions. */
  index: number;
  path: string;
  endToEndId: string | null;
  instructionId: string | null;
  messageId: string | null;
  paymentInformationId: string | null;
  transactionId: string | null;
  uetr: string | null;
  mandateId: string | null;
  accountServicerReference: string | null;
  clearingSystemReference: string | null;
  /** The amount of this transaction on the account: TxDtls/Amt (.03+) or else AmtDtls/TxAmt. */
  amount: Money | null;
  /** TxDtls/CdtDbtInd (.03+); null means the entry's direction. */
  creditDebit: CreditDebit | null;
  /** AmtDtls/InstdAmt: what the originator ordered, often in another currency. */
  instructedAmount: AmountWithExchange | null;
  /** AmtDtls/TxAmt. */
  transactionAmount: AmountWithExchange | null;
  /** AmtDtls/CntrValAmt: the counter-value in the account currency. */
  counterValueAmount: AmountWithExchange | null;
  bankTransactionCode: BankTransactionCode | null;
  charges: Charges | null;
  /** The other party: the debtor for money in, the creditor for money out (reversed for a reversal). */
  counterparty: Counterparty | null;
  remittance: Remittance | null;
  returnInfo: ReturnInfo | null;
  /** Purp/Cd (ISO external purpose code) and Purp/Prtry. */
  purpose: { code: string | null; proprietary: string | null } | null;
  /** AddtlTxInf. */
  additionalInfo: string | null;
}

export interface EntryBatch {
  messageId: string | null;
  paymentInformationId: string | null;
  transactionCount: number | null;
  total: Money | null;
  creditDebit: CreditDebit | null;
}

export interface StatementEntry {
  /** 0-based position among the statement's entries. */
  index: number;
  /** e.g. `Document/BkToCstmrStmt/Stmt[1]/Ntry[14]` (MT940: `statement[1]/61[14]`). */
  path: string;
  /** NtryRef (MT940: the :61: reference for the account owner, null for NONREF). */
  reference: string | null;
  amount: Money;
  creditDebit: CreditDebit;
  /** RvslInd (MT940: RC/RD). A reversal is booked in `creditDebit`, opposite to the entry it reverses. */
  reversal: boolean;
  /** Sts (or Sts/Cd from .07 on): BOOK, PDNG, INFO, FUTR…; MT940 entries are BOOK. */
  status: string | null;
  bookingDate: string | null;
  bookingDateTime: string | null;
  valueDate: string | null;
  valueDateTime: string | null;
  /** AcctSvcrRef (MT940: the bank reference after `//` in :61:). */
  accountServicerReference: string | null;
  bankTransactionCode: BankTransactionCode | null;
  charges: Charges | null;
  /** NtryDtls/Btch: a batch booking's summary (its transactions are in `transactions`, when the bank lists them). */
  batch: EntryBatch | null;
  transactions: TransactionDetails[];
  /** AddtlNtryInf (MT940: the whole :86: text). */
  additionalInfo: string | null;
  warnings: string[];
}

/** A statement read whole: its header, every entry and the statement's closing information. */
export interface BankStatement extends StatementHeader {
  entries: StatementEntry[];
  /** AddtlStmtInf / AddtlRptInf / AddtlNtfctnInf (MT940: a :86: not attached to an entry). */
  additionalInfo: string | null;
}

/**
 * What the streaming readers yield, in file order: a statement's header (with its balances), then
 * its entries one by one, then its end; then the next statement.
 */
export type StatementEvent =
  | { kind: 'statement'; statement: StatementHeader }
  | { kind: 'entry'; statementIndex: number; entry: StatementEntry }
  | {
      kind: 'statementEnd';
      statementIndex: number;
      entryCount: number;
      additionalInfo: string | null;
      /** What only the whole statement shows, e.g. entry counts that disagree with TxsSummry. */
      warnings: string[];
    };
