import { NonRetryableError } from '../../actions.js';
import type { CallStep, EndStep, ParallelStep, SwitchStep } from '../../definition/types.js';
import { evaluateCondition, renderTemplate } from '../../expressions.js';
import type { InstanceRun, TokenRow } from '../instance-run.js';
import type { EngineServices } from '../services.js';
import { startInstance } from '../start-instance.js';
import { endInstance, failPermanently, failStep, guard, moveTo } from './step-outcome.js';

/** The steps that shape the flow: switch, parallel branches, a child workflow (call), and end. */

export function runSwitch(services: EngineServices, run: InstanceRun, token: TokenRow, step: SwitchStep) {
  const target = guard(run, token, step, () => {
    const hit = step.cases.find((c) => evaluateCondition(c.when, run.context));
    return hit ? hit.next : step.default;
  });
  if (target === undefined) return;
  run.record({ tokenId: token.id, stepId: step.id, stepType: step.type, event: 'completed', data: { next: target } });
  return moveTo(services, run, token, target);
}

export function startBranches(run: InstanceRun, token: TokenRow, step: ParallelStep): void {
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
}

/** The branches the join waits for have finished (finishBranch in step-outcome woke the token). */
export function branchesJoined(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: ParallelStep,
  resumed: Record<string, unknown>,
) {
  run.context.steps[step.id] = resumed;
  run.record({ tokenId: token.id, stepId: step.id, stepType: step.type, event: 'completed', data: resumed });
  return moveTo(services, run, token, step.next);
}

export async function startChild(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: CallStep,
): Promise<void> {
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
    return failPermanently(run, token, step, error);
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

/** The child instance ended: completed carries its outcome and output on; anything else fails the step. */
export function childEnded(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: CallStep,
  resumed: Record<string, unknown>,
) {
  if (resumed.status !== 'completed') {
    const reason = `child instance ${String(resumed.childId)} ended ${String(resumed.status)}`;
    return failStep(run, token, step, token.attempt + 1, new NonRetryableError(reason));
  }
  run.context.steps[step.id] = { outcome: resumed.outcome, output: resumed.output };
  run.record({ tokenId: token.id, stepId: step.id, stepType: step.type, event: 'completed', data: resumed });
  return moveTo(services, run, token, step.next);
}

export function runEnd(run: InstanceRun, token: TokenRow, step: EndStep) {
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
  return endInstance(run, token, step.outcome, output);
}
