import type { StatusReason } from '../../adapters/iso20022/index.js';

/**
 * Names of the ISO 20022 external status reason codes (ExternalStatusReason1Code) banks send most in
 * pain.002 rejections, so a rejected payment says "AC01 IncorrectAccountNumber" and not only "AC01".
 * Not the whole code set: a code missing here is shown as it came, without a name.
 */
const REASON_NAMES: Readonly<Record<string, string>> = {
  AC01: 'IncorrectAccountNumber',
  AC02: 'InvalidDebtorAccountNumber',
  AC03: 'InvalidCreditorAccountNumber',
  AC04: 'ClosedAccountNumber',
  AC05: 'ClosedDebtorAccountNumber',
  AC06: 'BlockedAccount',
  AG01: 'TransactionForbidden',
  AG02: 'InvalidBankOperationCode',
  AM01: 'ZeroAmount',
  AM02: 'NotAllowedAmount',
  AM03: 'NotAllowedCurrency',
  AM04: 'InsufficientFunds',
  AM05: 'Duplication',
  AM06: 'TooLowAmount',
  AM07: 'BlockedAmount',
  AM09: 'WrongAmount',
  AM10: 'InvalidControlSum',
  AM12: 'InvalidAmount',
  AM18: 'InvalidNumberOfTransactions',
  BE01: 'InconsistentWithEndCustomer',
  BE04: 'MissingCreditorAddress',
  BE05: 'UnrecognisedInitiatingParty',
  BE06: 'UnknownEndCustomer',
  BE07: 'MissingDebtorAddress',
  CNOR: 'CreditorBankIsNotRegistered',
  CUST: 'RequestedByCustomer',
  DNOR: 'DebtorBankIsNotRegistered',
  DT01: 'InvalidDate',
  DU01: 'DuplicateMessageID',
  DU02: 'DuplicatePaymentInformationID',
  DU04: 'DuplicateEndToEndID',
  DU05: 'DuplicateInstructionID',
  ED05: 'SettlementFailed',
  FF01: 'InvalidFileFormat',
  FOCR: 'FollowingCancellationRequest',
  FRAD: 'FraudulentOrigin',
  MD07: 'EndCustomerDeceased',
  MS02: 'NotSpecifiedReasonCustomerGenerated',
  MS03: 'NotSpecifiedReasonAgentGenerated',
  NARR: 'Narrative',
  RC01: 'BankIdentifierIncorrect',
  RR01: 'MissingDebtorAccountOrIdentification',
  RR02: 'MissingDebtorNameOrAddress',
  RR03: 'MissingCreditorNameOrAddress',
  RR04: 'RegulatoryReason',
  TM01: 'InvalidCutOffTime',
};

export const reasonName = (code: string | null): string | null =>
  code !== null && Object.hasOwn(REASON_NAMES, code) ? REASON_NAMES[code]! : null;

/** A bank's reason as finflow keeps it: the code, its name, a proprietary code and the bank's text. */
export interface BankReason {
  code: string | null;
  name: string | null;
  proprietary: string | null;
  additionalInfo: string[];
}

export function bankReason(reason: StatusReason | undefined): BankReason | null {
  if (!reason) return null;
  return {
    code: reason.code,
    name: reasonName(reason.code),
    proprietary: reason.proprietary,
    additionalInfo: reason.additionalInfo,
  };
}

/** "AC01 IncorrectAccountNumber: Account number invalid" — the words a person reads. */
export function describeReason(reason: BankReason | null): string {
  if (!reason) return 'rejected by the bank (no reason given)';
  const code = reason.code ?? reason.proprietary;
  const head = [code, reason.name].filter(Boolean).join(' ');
  const text = reason.additionalInfo.join(' ');
  if (!head) return text || 'rejected by the bank (no reason given)';
  return text ? `${head}: ${text}` : head;
}
