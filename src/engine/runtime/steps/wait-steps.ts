import { NonRetryableError } from '../../actions.js';
import type { WaitForStep, WaitStep } from '../../definition/types.js';
import { evaluate } from '../../expressions.js';
import { addBusinessDays, WEEKENDS_ONLY } from '../../time/business-days.js';
import { getCalendar } from '../../time/calendar-store.js';
import { addDuration } from '../../time/durations.js';
import { consumeEvent, findBufferedEvent } from '../event-matching.js';
import type { InstanceRun, TokenRow, TokenWait } from '../instance-run.js';
import type { EngineServices } from '../services.js';
import { stringKey } from '../values.js';
import { failPermanently, moveTo } from './step-outcome.js';

/** The waiting steps: `wait` (a timer) and `waitFor` (an event, with an optional timeout). */

export async function startTimer(run: InstanceRun, token: TokenRow, step: WaitStep): Promise<void> {
  let until: Date;
  try {
    until = await timerEnd(run, step);
  } catch (error) {
    return failPermanently(run, token, step, error);
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

/** A duration from now, a time an expression gives, or a number of business days on a calendar. */
async function timerEnd(run: InstanceRun, step: WaitStep): Promise<Date> {
  if (step.duration) return addDuration(run.now, step.duration);
  if (step.until) return parseTime(evaluate(step.until, run.context), step.until);
  const calendar = step.calendar ? await getCalendar(run.tx, step.calendar) : WEEKENDS_ONLY;
  if (!calendar) throw new NonRetryableError(`calendar ${step.calendar} does not exist`);
  return addBusinessDays(run.now, step.businessDays ?? 0, calendar);
}

export function timerFired(services: EngineServices, run: InstanceRun, token: TokenRow, step: WaitStep) {
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

export async function startEventWait(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: WaitForStep,
): Promise<void> {
  let key: string | null;
  try {
    key = step.correlation === undefined ? null : stringKey(evaluate(step.correlation, run.context));
  } catch (error) {
    return failPermanently(run, token, step, error);
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
    return failPermanently(run, token, step, error);
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

export function completeEventWait(
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

export function eventWaitTimedOut(services: EngineServices, run: InstanceRun, token: TokenRow, step: WaitForStep) {
  run.context.steps[step.id] = { timedOut: true };
  run.update(token, { wait_event_type: null, wait_event_key: null });
  run.record({ tokenId: token.id, stepId: step.id, stepType: step.type, event: 'timed_out' });
  return moveTo(services, run, token, step.onTimeout ?? step.next);
}

function parseTime(value: unknown, expression: string): Date {
  const date = typeof value === 'string' || value instanceof Date ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new NonRetryableError(`until: ${expression} gave ${JSON.stringify(value)}, not an ISO 8601 time`);
  }
  return date;
}
