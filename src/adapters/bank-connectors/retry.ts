import { setTimeout as sleep } from 'node:timers/promises';
import { bankUnavailable, TransientBankError } from './errors.js';

/** How often and how patiently a connector tries again after a transient failure. */
export interface RetryPolicy {
  /** Tries in all, the first included (1 = no retry). */
  attempts: number;
  /** Wait before the second try; doubled for each further try up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface RetryEvent {
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: unknown;
}

/**
 * Runs `operation` until it succeeds, throws something that is not a TransientBankError (a refusal:
 * no point repeating it), or the attempts are spent (then `bank_unavailable`, naming `where` and the
 * last error). The delay doubles each time, with jitter so many instances that lost the same bank do
 * not come back in step; a server's Retry-After is honoured up to maxDelayMs.
 */
export async function withRetry<T>(
  where: string,
  policy: RetryPolicy,
  operation: (attempt: number) => Promise<T>,
  onRetry?: (event: RetryEvent) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(error instanceof TransientBankError)) throw error;
      if (attempt >= policy.attempts) throw bankUnavailable(where, attempt, error);
      const delayMs = delayBefore(attempt + 1, policy, error.retryAfterMs);
      onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}

function delayBefore(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 2));
  // Between half and all of the exponential delay.
  const jittered = Math.round(exponential / 2 + (Math.random() * exponential) / 2);
  return retryAfterMs === undefined ? jittered : Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs));
}
