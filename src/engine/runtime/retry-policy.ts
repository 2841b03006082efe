import { Duration } from 'luxon';
import type { RetryPolicy } from '../definition/types.js';

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  initialInterval: 'PT1S',
  backoffCoefficient: 2,
  maxInterval: 'PT1H',
};

export function retryPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  return { ...DEFAULT_RETRY, ...partial };
}

/** Exponential backoff: initial × coefficient^(attempt-1), capped; `attempt` is the one that just failed. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  const initial = Duration.fromISO(policy.initialInterval).toMillis();
  const cap = Duration.fromISO(policy.maxInterval).toMillis();
  return Math.min(cap, initial * policy.backoffCoefficient ** Math.max(0, attempt - 1));
}
