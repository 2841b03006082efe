import { AppError } from '../../core/errors.js';

/**
 * A failure worth another attempt (a refused or dropped connection, a timeout, a 5xx): the retry loop
 * tries again and, once the attempts are spent, reports it as `bank_unavailable`. Everything else is
 * an AppError that ends the call at once: retrying a wrong host key or a refused login only repeats it.
 */
export class TransientBankError extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransientBankError';
    this.retryAfterMs = options.retryAfterMs;
  }
}

export const bankUnavailable = (where: string, attempts: number, last: unknown): AppError =>
  new AppError(
    'bank_unavailable',
    503,
    `${where}: ${messageOf(last)} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`,
    { cause: last, details: { attempts } },
  );

/** The bank's side answered, and the answer is no (a 4xx, an SFTP permission error): not retried. */
export const bankRefused = (code: string, message: string, cause?: unknown): AppError =>
  new AppError(code, 502, message, cause === undefined ? {} : { cause });

export const connectorClosed = (kind: string): AppError =>
  new AppError('bank_connector_closed', 409, `the ${kind} bank connector is closed`);

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
