/**
 * What a pain.001 credit transfer initiation is written from. Plain data, no database types: the
 * payments domain maps its batches onto this. Amounts are integer minor units of the currency.
 */
export interface Pain001Batch {
  /** GrpHdr/MsgId: unique per file towards the bank (banks reject a repeated one as a duplicate). */
  messageId: string;
  /** GrpHdr/CreDtTm. */
  createdAt: Date;
  /** GrpHdr/InitgPty/Nm: the party that sends the file (usually the debtor company). */
  initiatingPartyName: string;
  paymentInformation: PaymentInformation[];
}

/** One PmtInf block: one debtor account, one execution date, one service level. */
export interface PaymentInformation {
  /** PmtInfId; `<messageId>-<n>` (n from 1) when absent. */
  id?: string;
  debtor: {
    name: string;
    account: AccountIdentification;
    /** DbtrAgt; `NOTPROVIDED` is written when there is neither a BIC nor a bank code (IBAN-only SEPA). */
    agent?: BankIdentification;
  };
  /** ReqdExctnDt, an ISO date (YYYY-MM-DD). */
  requestedExecutionDate: string;
  /** BtchBookg: true asks the bank for one debit for the whole block, false for one per transfer. */
  batchBooking: boolean;
  /**
   * SEPA credit transfer (service level SEPA, charges SLEV, EUR, IBANs, EPC character set) or not
   * (charges SHAR, any currency and account identification).
   */
  sepa: boolean;
  /** Service level code of a non-SEPA block (e.g. URGP, NURG); none is written when absent. */
  serviceLevelCode?: string;
  transactions: CreditTransfer[];
}

export interface CreditTransfer {
  /** EndToEndId: travels to the creditor and comes back in status reports and statements. */
  endToEndId: string;
  /** InstrId: between the debtor and its bank only. */
  instructionId?: string;
  /** Integer minor units (cents for EUR), > 0. */
  amount: bigint;
  /** ISO 4217 code; its number of minor digits decides how the amount is written. */
  currency: string;
  creditor: {
    name: string;
    account: AccountIdentification;
    agent?: BankIdentification;
    /** Cdtr/PstlAdr/Ctry, ISO 3166 alpha-2. */
    country?: string;
    /** Cdtr/PstlAdr/AdrLine, at most 2 lines of 70 characters. */
    addressLines?: string[];
  };
  remittance?: Remittance;
}

/** An IBAN, or another account number (US, UK and other domestic accounts). */
export type AccountIdentification = { iban: string } | { other: string };

export interface BankIdentification {
  bic?: string;
  /** A clearing-system member id (ABA routing number, sort code, Bankleitzahl) with its system's code (USABA, GBDSC, DEBLZ). */
  bankCode?: { clearingSystem?: string; memberId: string };
}

/** Unstructured text (≤ 140) or an ISO 11649 creditor reference (RF…). */
export type Remittance = { unstructured: string } | { creditorReference: string };
