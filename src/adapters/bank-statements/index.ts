// The bank statement readers: camt.052/053/054 (any version, streamed) and MT940 onto one model. Pure
// code, no database and no domain; the statement import uses it through this file (docs/iso20022.md,
// "Statements in").
export type {
  AmountWithExchange,
  BankStatement,
  BankTransactionCode,
  ChargeRecord,
  Charges,
  Counterparty,
  CreditDebit,
  CreditorReference,
  EntryBatch,
  ExchangeRate,
  Remittance,
  ReturnInfo,
  StatementAccount,
  StatementBalance,
  StatementEntry,
  StatementEvent,
  StatementFormat,
  StatementHeader,
  TransactionDetails,
  TransactionsSummary,
} from './statement-types.js';
export { StatementReadError } from './statement-error.js';
export type { StatementSource } from './text-source.js';
export { detectStatementFormat, type DetectedFormat } from './detect-format.js';
export { CamtPushReader, readCamt, readCamtWhole } from './camt-reader.js';
export { readMt940 } from './mt940-reader.js';
export { readStatements, readStatementsWhole } from './read-statements.js';
export { StatementCollector } from './statement-events.js';
