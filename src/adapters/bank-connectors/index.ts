// The bank connectors adapter: payment files to banks and their reports back, over a folder drop, SFTP
// or HTTP, behind one interface (docs/bank-connectors.md). No database and no domain: the payments
// domain records what was sent and wires these through this file.
export type { BankConnector, BankFile, CollectedFile, CollectResult, DeliveryReceipt } from './connector.js';
export {
  parseBankConnectorConfig,
  type BankConnectorConfig,
  type BankConnectorConfigInput,
  type FolderConnectorConfig,
  type HttpConnectorConfig,
  type SftpConnectorConfig,
} from './config.js';
export { createBankConnector, type BankConnectorOptions } from './create.js';
export type { UrlGuard } from './http-connector.js';
export type { RetryEvent, RetryPolicy } from './retry.js';
export { deliverableNameProblem } from './file-names.js';
