import { systemClock, type Clock } from '../../core/clock.js';
import { parseBankConnectorConfig, type BankConnectorConfigInput } from './config.js';
import type { BankConnector } from './connector.js';
import { FolderConnector } from './folder-connector.js';
import { HttpConnector, type UrlGuard } from './http-connector.js';
import type { RetryEvent } from './retry.js';
import { SftpConnector } from './sftp-connector.js';

export interface BankConnectorOptions {
  /** For delivery times; tests pass a ManualClock. */
  clock?: Clock;
  /**
   * HTTP only: called with every URL before it is requested (the configured ones and each file URL a
   * listing names); throwing refuses the request. The payments domain passes finflow's outbound policy
   * check here, which this adapter cannot import.
   */
  guard?: UrlGuard;
  /** Told of each transient failure about to be retried (for logs and metrics). */
  onRetry?: (event: RetryEvent) => void;
}

/**
 * A connector for a configuration (validated here: a bad one is a 400 naming the field, prefixed
 * `config.`). SFTP and HTTP connections are opened on first use, not here.
 */
export function createBankConnector(
  config: BankConnectorConfigInput,
  options: BankConnectorOptions = {},
): BankConnector {
  const parsed = parseBankConnectorConfig(config);
  const clock = options.clock ?? systemClock;
  switch (parsed.kind) {
    case 'folder':
      return new FolderConnector(parsed, clock);
    case 'sftp':
      return new SftpConnector(parsed, clock, options.onRetry);
    case 'http':
      return new HttpConnector(parsed, clock, options.guard, options.onRetry);
  }
}
