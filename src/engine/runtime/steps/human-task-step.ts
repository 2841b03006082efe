import { NonRetryableError } from '../../actions.js';
import type { TaskStep } from '../../definition/types.js';
import { addDuration } from '../../time/durations.js';
import type { InstanceRun, TokenRow } from '../instance-run.js';
import type { EngineServices } from '../services.js';
import { createTask, escalateTask } from '../task-creation.js';
import { failStep, moveTo } from './step-outcome.js';

/** A task step: a human task in a queue, its SLA escalation, and its completion routing the token. */

export async function startTask(run: InstanceRun, token: TokenRow, step: TaskStep): Promise<void> {
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
}

/** The task's due time passed: escalate it, and follow the escalation's route if it has one. */
export async function taskOverdue(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: TaskStep,
  taskId: string,
): Promise<void> {
  const escalation = await escalateTask(run, token, step, taskId);
  if (escalation.next) return moveTo(services, run, token, escalation.next);
  run.update(token, { run_at: null });
}

/** Someone completed the task: its outcome picks the route. */
export function taskCompleted(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: TaskStep,
  resumed: Record<string, unknown>,
) {
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
