// The ISO 20022 adapter: payment files in and out, no database and no domain. The payments domain
// (and later the bank connectors and statement import) use it through this file.
export { PAIN001_VERSIONS, SCHEMA_MESSAGES, type Pain001Version, type SchemaMessage } from './messages.js';
export type {
  AccountIdentification,
  BankIdentification,
  CreditTransfer,
  Pain001Batch,
  PaymentInformation,
  Remittance,
} from './pain001-types.js';
export { writePain001 } from './pain001-writer.js';
export {
  readPain002,
  type Pain002Report,
  type PaymentInformationStatus,
  type StatusReason,
  type TransactionStatus,
} from './pain002-reader.js';
export { validateAgainstXsd, validateManyAgainstXsd, type XsdValidationResult } from './xsd-validation.js';
export { isCreditorReference, isIban } from './identifiers.js';
