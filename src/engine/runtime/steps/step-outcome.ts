import { AppError } from '../../../core/errors.js';
import { NonRetryableError } from '../../actions.js';
import type { Step } from '../../definition/types.js';
import { isActive } from '../../store/tables.js';
import { cancelToken, resumeParentOfChild } from '../cancellation.js';
import type { InstanceRun, TokenRow, TokenWait } from '../instance-run.js';
import { backoffDelayMs, retryPolicy } from '../retry-policy.js';
import type { EngineServices } from '../services.js';
import { message } from '../values.js';

/**
 * Where a token goes once its step is done or has failed: the next step, the end of its parallel
 * branch, the end of the instance, a retry or a dead letter. Every step kind ends here.
 */

/** Moves a token to a step, or — with no target and no following step — finishes its list. */
export async function moveTo(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  explicit: string | undefined,
): Promise<void> {
  const location = run.definition.steps.get(token.step_id)!;
  const target = explicit ?? location.following;
  if (target !== undefined) {
    run.update(token, {
      step_id: target,
      status: 'ready',
      run_at: run.now,
      attempt: 0,
      visit: token.visit + 1,
      wait: null,
      wait_event_type: null,
      wait_event_key: null,
    });
    return;
  }
  if (location.branch) return finishBranch(run, token);
  return endInstance(run, token, 'completed', null);
}

async function finishBranch(run: InstanceRun, token: TokenRow): Promise<void> {
  run.update(token, { status: 'done', run_at: null });
  const parent = run.tokens.get(token.parent_token_id ?? '');
  if (!parent || parent.status !== 'waiting') return;
  const step = run.step(parent.step_id);
  if (step.type !== 'parallel') return;
  const siblings = [...run.tokens.values()].filter((t) => t.parent_token_id === parent.id && t.id !== token.id);
  const open = siblings.filter((t) => isActive(t.status));
  if (step.join === 'all' && open.length > 0) return;
  for (const sibling of open) await cancelToken(run, sibling, `branch ${token.branch_id} finished first`);
  const finished = siblings.filter((t) => t.status === 'done').map((t) => t.branch_id);
  const wait: TokenWait = {
    kind: 'join',
    resumed: { firstBranch: token.branch_id, completed: [token.branch_id, ...finished] },
  };
  run.update(parent, { status: 'ready', run_at: run.now, wait });
}

export async function endInstance(run: InstanceRun, token: TokenRow, outcome: string, output: unknown): Promise<void> {
  run.update(token, { status: 'done', run_at: null });
  for (const other of run.tokens.values()) {
    if (other.id !== token.id && isActive(other.status)) {
      await cancelToken(run, other, `instance ended with ${outcome}`);
    }
  }
  run.setInstance({ status: 'completed', outcome, output, ended_at: run.now, error: null });
  run.record({ tokenId: null, stepId: null, stepType: null, event: 'instance.completed', data: { outcome, output } });
  if (run.instance.parent_id) await resumeParentOfChild(run.tx, run.instance, run.now);
}

/** Records a failed attempt: schedules a retry with backoff, or fails the instance (dead letter). */
export function failStep(
  run: InstanceRun,
  token: TokenRow,
  step: Step,
  attempt: number,
  error: unknown,
  input?: unknown,
): void {
  const policy = retryPolicy(step.type === 'action' ? step.retry : undefined);
  const retryable = step.type === 'action' && !isPermanent(error);
  const reason = error instanceof AppError ? `${error.code}: ${error.message}` : message(error);
  if (retryable && attempt < policy.maxAttempts) {
    const retryAt = new Date(run.now.getTime() + backoffDelayMs(policy, attempt));
    run.update(token, { attempt, run_at: retryAt, status: 'ready' });
    run.record({
      tokenId: token.id,
      stepId: step.id,
      stepType: step.type,
      event: 'retry_scheduled',
      attempt,
      data: { error: reason, retryAt: retryAt.toISOString(), input },
    });
    return;
  }
  run.update(token, { attempt, status: 'failed', run_at: null });
  run.setInstance({ status: 'failed', error: { step: step.id, message: reason, attempt } });
  run.record({
    tokenId: token.id,
    stepId: step.id,
    stepType: step.type,
    event: 'failed',
    attempt,
    data: { error: reason, input },
  });
}

/** A step's own evaluation failed (a bad expression, a missing calendar): no retry can fix it. */
export function failPermanently(run: InstanceRun, token: TokenRow, step: Step, error: unknown): void {
  failStep(run, token, step, token.attempt + 1, new NonRetryableError(message(error)));
}

/**
 * Failures retrying cannot fix: an explicit NonRetryableError, or a domain's refusal — an AppError
 * with a 4xx status (bad data, an unknown customer, a missing setting). Domains throw their own
 * errors from actions and the engine draws the line once, here.
 */
function isPermanent(error: unknown): boolean {
  return error instanceof NonRetryableError || (error instanceof AppError && error.status < 500);
}

/** Runs a synchronous evaluation; on error fails the step and returns undefined. */
export function guard<T>(run: InstanceRun, token: TokenRow, step: Step, work: () => T): T | undefined {
  try {
    return work();
  } catch (error) {
    failPermanently(run, token, step, error);
    return undefined;
  }
}
