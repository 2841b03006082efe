import type { Step } from '../definition/types.js';
import type { InstanceRun, TokenRow, TokenWait } from './instance-run.js';
import type { EngineServices } from './services.js';
import { runAction } from './steps/action-step.js';
import { runDecision } from './steps/decide-step.js';
import { branchesJoined, childEnded, runEnd, runSwitch, startBranches, startChild } from './steps/flow-steps.js';
import { startTask, taskCompleted, taskOverdue } from './steps/human-task-step.js';
import { completeEventWait, eventWaitTimedOut, startEventWait, startTimer, timerFired } from './steps/wait-steps.js';

/**
 * Runs one due token one step forward. Synchronous steps (action, decide, switch, end) chain within
 * the worker's transaction until a token reaches a waiting step — the same transaction boundary
 * Camunda draws by default — so a 5-step straight-through workflow commits once, and a crash at any
 * point rolls every step of the transaction back together with its effects.
 *
 * This file only dispatches by step kind; each kind lives in `steps/`, and where a token goes next
 * (next step, retry, end) in `steps/step-outcome.ts`.
 */
export async function runToken(services: EngineServices, run: InstanceRun, token: TokenRow): Promise<void> {
  const step = run.step(token.step_id);
  const wait = token.wait as TokenWait | null;
  if (token.status === 'waiting') return fireTimer(services, run, token, step, wait);
  if (wait?.resumed !== undefined) return resume(services, run, token, step, wait);
  return enter(services, run, token, step);
}

/** A token arrives at a step. */
async function enter(services: EngineServices, run: InstanceRun, token: TokenRow, step: Step): Promise<void> {
  switch (step.type) {
    case 'action':
      return runAction(services, run, token, step);
    case 'decide':
      return runDecision(services, run, token, step);
    case 'switch':
      return runSwitch(services, run, token, step);
    case 'wait':
      return startTimer(run, token, step);
    case 'waitFor':
      return startEventWait(services, run, token, step);
    case 'task':
      return startTask(run, token, step);
    case 'parallel':
      return startBranches(run, token, step);
    case 'call':
      return startChild(services, run, token, step);
    case 'end':
      return runEnd(run, token, step);
  }
}

/** A waiting token's time came: a timer elapsed, an event wait timed out, or a task's SLA was breached. */
async function fireTimer(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: Step,
  wait: TokenWait | null,
) {
  if (step.type === 'wait') return timerFired(services, run, token, step);
  if (step.type === 'waitFor') return eventWaitTimedOut(services, run, token, step);
  if (step.type === 'task' && wait?.taskId) return taskOverdue(services, run, token, step, wait.taskId);
  throw new Error(`token ${token.id} waits on step ${step.id} (${step.type}) which has no timer`);
}

/** A waiting token was woken by an event, a completed task, its branches, or its child instance. */
async function resume(services: EngineServices, run: InstanceRun, token: TokenRow, step: Step, wait: TokenWait) {
  const resumed = wait.resumed as Record<string, unknown>;
  run.update(token, { wait: null, wait_event_type: null, wait_event_key: null });
  switch (step.type) {
    case 'waitFor':
      return completeEventWait(services, run, token, step, resumed);
    case 'task':
      return taskCompleted(services, run, token, step, resumed);
    case 'parallel':
      return branchesJoined(services, run, token, step, resumed);
    case 'call':
      return childEnded(services, run, token, step, resumed);
    default:
      throw new Error(`token ${token.id} was resumed at step ${step.id} (${step.type}) which does not wait`);
  }
}
