import { sql } from 'kysely';
import { AppError } from '../../core/errors.js';
import { DeferAction, NonRetryableError } from '../actions.js';
import type { ActionStep, CallStep, DecideStep, Step, WaitForStep, WaitStep } from '../definition/types.js';
import { evaluate, evaluateCondition, renderTemplate } from '../expressions.js';
import { addBusinessDays, WEEKENDS_ONLY } from '../time/business-days.js';
import { getCalendar } from '../time/calendar-store.js';
import { addDuration } from '../time/durations.js';
import { cancelToken, resumeParentOfChild } from './cancellation.js';
import { findBufferedEvent, consumeEvent } from './event-matching.js';
import type { InstanceRun, TokenRow, TokenWait } from './instance-run.js';
import { isActive } from '../store/tables.js';
import { startInstance } from './start-instance.js';
import type { EngineServices } from './services.js';
import { backoffDelayMs, retryPolicy } from './retry-policy.js';
import { createTask, escalateTask } from './task-creation.js';

/**
 * Runs one due token one step forward. Synchronous steps (action, decide, switch, end) chain within
 * the worker's transaction until a token reaches a waiting step — the same transaction boundary
 * Camunda draws by default — so a 5-step straight-through workflow commits once, and a crash at any
 * point rolls every step of the transaction back together with its effects.
 */
export async function runToken(services: EngineServices, run: InstanceRun, token: TokenRow): Promise<void> {
  const step = run.step(token.step_id);
  const wait = token.wait as TokenWait | null;
  if (token.status === 'waiting') return fireTimer(services, run, token, step, wait);
  if (wait?.resumed !== undefined) return resume(services, run, token, step, wait);
  return enter(services, run, token, step);
}

async function enter(services: EngineServices, run: InstanceRun, token: TokenRow, step: Step): Promise<void> {
  switch (step.type) {
    case 'action':
      return runAction(services, run, token, step);
    case 'decide':
      return runDecision(services, run, token, step);
    case 'switch': {
      const target = guard(run, token, step, () => {
        const hit = step.cases.find((c) => evaluateCondition(c.when, run.context));
        return hit ? hit.next : step.default;
      });
      if (target === undefined) return;
      run.record({
        tokenId: token.id,
        stepId: step.id,
        stepType: step.type,
        event: 'completed',
        data: { next: target },
      });
      return moveTo(services, run, token, target);
    }
    case 'wait':
      return startTimer(services, run, token, step);
    case 'waitFor':
      return startEventWait(services, run, token, step);
    case 'task': {
      const due = step.due ? addDuration(run.now, step.due) : null;
      let task;
      try {
        task = await createTask(run, token, step, due);
      } catch (error) {
        if (!(error instanceof NonRetryableError)) throw error;
        return failStep(run, token, step, token.attempt + 1, error);
      }
      run.update(token, { status: 'waiting', run_at: due, wait: { kind: 'task', taskId: task.id } });
      run.record({ tokenId: token.id, stepId: step.id, stepType: step.type, event: 'waiting', data: task });
      return;
    }
    case 'parallel': {
      run.update(token, { status: 'waiting', run_at: null, wait: { kind: 'join' } });
      for (const branch of step.branches) {
        run.createToken({ stepId: branch.steps[0]!.id, parentTokenId: token.id, branchId: branch.id });
      }
      run.record({
        tokenId: token.id,
        stepId: step.id,
        stepType: step.type,
        event: 'started',
        data: { branches: step.branches.map((b) => b.id), join: step.join },
      });
      return;
    }
    case 'call':
      return startChild(services, run, token, step);
    case 'end': {
      const output = guard(run, token, step, () =>
        step.output === undefined ? null : renderTemplate(step.output, run.context),
      );
      if (output === undefined) return;
      run.record({
        tokenId: token.id,
        stepId: step.id,
        stepType: step.type,
        event: 'completed',
        data: { outcome: step.outcome },
      });
      return endInstance(services, run, token, step.outcome, output);
    }
  }
}

async function runAction(services: EngineServices, run: InstanceRun, token: TokenRow, step: ActionStep): Promise<void> {
  const attempt = token.attempt + 1;
  const action = services.actions.get(step.action);
  let input: unknown;
  try {
    if (!action) throw new NonRetryableError(`action ${step.action} is not registered in this worker`);
    let rendered: unknown;
    try {
      rendered = renderTemplate(step.with ?? {}, run.context);
    } catch (error) {
      throw new NonRetryableError(`with: ${message(error)}`);
    }
    const parsed = action.input.safeParse(rendered);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${['with', ...i.path].join('.')}: ${i.message}`);
      throw new NonRetryableError(`invalid action input: ${issues.join('; ')}`);
    }
    input = parsed.data;
  } catch (error) {
    return failStep(run, token, step, attempt, error, input);
  }

  // A savepoint per writing action: a failed attempt's writes roll back, the retry bookkeeping still commits.
  const savepoint = action.writes !== false;
  if (savepoint) await sql`savepoint wf_action`.execute(run.tx);
  try {
    const output = await action.run(input, {
      tx: run.tx,
      instanceId: run.instance.id,
      workflowKey: run.instance.workflow_key,
      stepId: step.id,
      attempt,
      idempotencyKey: `${run.instance.id}:${token.id}:${token.visit}`,
      clock: services.clock,
      publish: (event) => {
        run.pendingEvents.push(event);
        return Promise.resolve();
      },
    });
    if (savepoint) await sql`release savepoint wf_action`.execute(run.tx);
    run.context.steps[step.id] = output ?? null;
    run.record({
      tokenId: token.id,
      stepId: step.id,
      stepType: step.type,
      event: 'completed',
      attempt,
      data: { input, output },
    });
    return moveTo(services, run, token, step.next);
  } catch (error) {
    if (savepoint) await sql`rollback to savepoint wf_action`.execute(run.tx);
    if (error instanceof DeferAction) return deferStep(run, token, step, error, input);
    return failStep(run, token, step, attempt, error, input);
  }
}

async function runDecision(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: DecideStep,
): Promise<void> {
  try {
    const input = step.input === undefined ? run.context : renderTemplate(step.input, run.context);
    const evaluated = await services.decisions.evaluate(run.tx, step.decision, input, step.version);
    run.context.steps[step.id] = evaluated.result ?? null;
    run.record({
      tokenId: token.id,
      stepId: step.id,
      stepType: step.type,
      event: 'completed',
      data: { decision: { key: evaluated.key, version: evaluated.version }, result: evaluated.result },
    });
    return moveTo(services, run, token, step.next);
  } catch (error) {
    // A decision is deterministic: retrying the same input gives the same error, so fail at once.
    return failStep(run, token, step, token.attempt + 1, new NonRetryableError(message(error)));
  }
}

async function startTimer(services: EngineServices, run: InstanceRun, token: TokenRow, step: WaitStep): Promise<void> {
  let until: Date;
  try {
    if (step.duration) until = addDuration(run.now, step.duration);
    else if (step.until) until = parseTime(evaluate(step.until, run.context), step.until);
    else {
      const calendar = step.calendar ? await getCalendar(run.tx, step.calendar) : WEEKENDS_ONLY;
      if (!calendar) throw new NonRetryableError(`calendar ${step.calendar} does not exist`);
      until = addBusinessDays(run.now, step.businessDays ?? 0, calendar);
    }
  } catch (error) {
    return failStep(run, token, step, token.attempt + 1, new NonRetryableError(message(error)));
  }
  run.update(token, { status: 'waiting', run_at: until, wait: { kind: 'timer', until: until.toISOString() } });
  run.record({
    tokenId: token.id,
    stepId: step.id,
    stepType: step.type,
    event: 'waiting',
    data: { until: until.toISOString() },
  });
}

async function startEventWait(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: WaitForStep,
): Promise<void> {
  let key: string | null;
  try {
    key = step.correlation === undefined ? null : stringKey(evaluate(step.correlation, run.context));
  } catch (error) {
    return failStep(run, token, step, token.attempt + 1, new NonRetryableError(message(error)));
  }
  // The event may already have arrived (published after the instance started, before this wait).
  const buffered = await findBufferedEvent(run, step, key);
  if (buffered) {
    await consumeEvent(run.tx, run.instance.id, buffered.id, step.id);
    run.record({
      tokenId: token.id,
      stepId: step.id,
      stepType: step.type,
      event: 'waiting',
      data: { event: step.event, key },
    });
    return completeEventWait(services, run, token, step, buffered);
  }
  let timeoutAt: Date | null;
  try {
    timeoutAt = waitForDeadline(run, step);
  } catch (error) {
    return failStep(run, token, step, token.attempt + 1, new NonRetryableError(message(error)));
  }
  const wait: TokenWait = { kind: 'event', ...(timeoutAt ? { until: timeoutAt.toISOString() } : {}) };
  if (step.filter) wait.filter = step.filter;
  run.update(token, { status: 'waiting', run_at: timeoutAt, wait, wait_event_type: step.event, wait_event_key: key });
  run.record({
    tokenId: token.id,
    stepId: step.id,
    stepType: step.type,
    event: 'waiting',
    data: { event: step.event, key, ...(timeoutAt ? { timeoutAt: timeoutAt.toISOString() } : {}) },
  });
}

/** When a waitFor gives up: `timeout` from now, or the time `until` gives (null: never). */
function waitForDeadline(run: InstanceRun, step: WaitForStep): Date | null {
  if (step.timeout) return addDuration(run.now, step.timeout);
  if (step.until === undefined) return null;
  const value = evaluate(step.until, run.context);
  return value === null || value === undefined ? null : parseTime(value, step.until);
}

function completeEventWait(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: WaitForStep,
  event: unknown,
) {
  run.context.steps[step.id] = { event };
  run.record({ tokenId: token.id, stepId: step.id, stepType: step.type, event: 'completed', data: { event } });
  return moveTo(services, run, token, step.next);
}

async function startChild(services: EngineServices, run: InstanceRun, token: TokenRow, step: CallStep): Promise<void> {
  let child;
  try {
    const input = step.input === undefined ? {} : renderTemplate(step.input, run.context);
    child = await startInstance(run.tx, services, {
      workflowKey: step.workflow,
      input,
      actor: `workflow:${run.instance.id}`,
      parent: { instanceId: run.instance.id, tokenId: token.id },
      now: run.now,
    });
  } catch (error) {
    return failStep(run, token, step, token.attempt + 1, new NonRetryableError(message(error)));
  }
  run.update(token, { status: 'waiting', run_at: null, wait: { kind: 'child', childId: child.id } });
  run.record({
    tokenId: token.id,
    stepId: step.id,
    stepType: step.type,
    event: 'waiting',
    data: { child: child.id, workflow: step.workflow },
  });
}

/** A waiting token's time came: a timer elapsed, an event wait timed out, or a task's SLA was breached. */
async function fireTimer(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: Step,
  wait: TokenWait | null,
) {
  if (step.type === 'wait') {
    run.context.steps[step.id] = { firedAt: run.now.toISOString() };
    run.record({
      tokenId: token.id,
      stepId: step.id,
      stepType: step.type,
      event: 'completed',
      data: { firedAt: run.now.toISOString() },
    });
    return moveTo(services, run, token, step.next);
  }
  if (step.type === 'waitFor') {
    run.context.steps[step.id] = { timedOut: true };
    run.update(token, { wait_event_type: null, wait_event_key: null });
    run.record({ tokenId: token.id, stepId: step.id, stepType: step.type, event: 'timed_out' });
    return moveTo(services, run, token, step.onTimeout ?? step.next);
  }
  if (step.type === 'task' && wait?.taskId) {
    const escalation = await escalateTask(run, token, step, wait.taskId);
    if (escalation.next) return moveTo(services, run, token, escalation.next);
    run.update(token, { run_at: null });
    return;
  }
  throw new Error(`token ${token.id} waits on step ${step.id} (${step.type}) which has no timer`);
}

/** A waiting token was woken by an event, a completed task, its branches, or its child instance. */
async function resume(services: EngineServices, run: InstanceRun, token: TokenRow, step: Step, wait: TokenWait) {
  const resumed = wait.resumed as Record<string, unknown>;
  run.update(token, { wait: null, wait_event_type: null, wait_event_key: null });
  switch (step.type) {
    case 'waitFor':
      return completeEventWait(services, run, token, step, resumed);
    case 'task': {
      run.context.steps[step.id] = resumed;
      const outcome = String(resumed.outcome);
      run.record({
        tokenId: token.id,
        stepId: step.id,
        stepType: step.type,
        event: 'completed',
        actor: String(resumed.completedBy),
        data: resumed,
      });
      return moveTo(services, run, token, step.routes?.[outcome] ?? step.next);
    }
    case 'parallel':
      run.context.steps[step.id] = resumed;
      run.record({ tokenId: token.id, stepId: step.id, stepType: step.type, event: 'completed', data: resumed });
      return moveTo(services, run, token, step.next);
    case 'call': {
      if (resumed.status !== 'completed') {
        const reason = `child instance ${String(resumed.childId)} ended ${String(resumed.status)}`;
        return failStep(run, token, step, token.attempt + 1, new NonRetryableError(reason));
      }
      run.context.steps[step.id] = { outcome: resumed.outcome, output: resumed.output };
      run.record({ tokenId: token.id, stepId: step.id, stepType: step.type, event: 'completed', data: resumed });
      return moveTo(services, run, token, step.next);
    }
    default:
      throw new Error(`token ${token.id} was resumed at step ${step.id} (${step.type}) which does not wait`);
  }
}

/** Moves a token to a step, or — with no target and no following step — finishes its list. */
async function moveTo(
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
  if (location.branch) return finishBranch(services, run, token);
  return endInstance(services, run, token, 'completed', null);
}

async function finishBranch(services: EngineServices, run: InstanceRun, token: TokenRow): Promise<void> {
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

export async function endInstance(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  outcome: string,
  output: unknown,
): Promise<void> {
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

/** The action asked to run later (a contact rule): same attempt count, new due time, reason in the timeline. */
function deferStep(run: InstanceRun, token: TokenRow, step: ActionStep, deferral: DeferAction, input: unknown): void {
  const until = deferral.until.getTime() > run.now.getTime() ? deferral.until : run.now;
  run.update(token, { run_at: until, status: 'ready' });
  run.record({
    tokenId: token.id,
    stepId: step.id,
    stepType: step.type,
    event: 'deferred',
    attempt: token.attempt + 1,
    data: { reason: deferral.reason, until: until.toISOString(), input },
  });
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
function guard<T>(run: InstanceRun, token: TokenRow, step: Step, work: () => T): T | undefined {
  try {
    return work();
  } catch (error) {
    failStep(run, token, step, token.attempt + 1, new NonRetryableError(message(error)));
    return undefined;
  }
}

function parseTime(value: unknown, expression: string): Date {
  const date = typeof value === 'string' || value instanceof Date ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new NonRetryableError(`until: ${expression} gave ${JSON.stringify(value)}, not an ISO 8601 time`);
  }
  return date;
}

export function stringKey(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
