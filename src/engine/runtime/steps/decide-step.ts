import type { DecideStep } from '../../definition/types.js';
import { renderTemplate } from '../../expressions.js';
import type { InstanceRun, TokenRow } from '../instance-run.js';
import type { EngineServices } from '../services.js';
import { failPermanently, moveTo } from './step-outcome.js';

/** A decide step: evaluates a decision (at a pinned version, or the latest) and records which one. */
export async function runDecision(
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
    return failPermanently(run, token, step, error);
  }
}
