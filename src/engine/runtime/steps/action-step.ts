import { sql } from 'kysely';
import { DeferAction, NonRetryableError, type ActionDefinition } from '../../actions.js';
import type { ActionStep } from '../../definition/types.js';
import { heldMark, rollbackHeld } from '../../../storage/commit-hooks.js';
import { renderTemplate } from '../../expressions.js';
import type { InstanceRun, TokenRow } from '../instance-run.js';
import type { EngineServices } from '../services.js';
import { message } from '../values.js';
import { failStep, moveTo } from './step-outcome.js';

/**
 * An action step: the action is looked up by name in the engine's registry (the one
 * `finflow workflow actions` lists), its `with:` rendered and checked against its input schema,
 * and it runs in the worker's transaction.
 */
export async function runAction(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: ActionStep,
): Promise<void> {
  const attempt = token.attempt + 1;
  const action = services.actions.get(step.action);
  let input: unknown;
  try {
    if (!action) throw new NonRetryableError(`action ${step.action} is not registered in this worker`);
    input = actionInput(run, step, action);
  } catch (error) {
    return failStep(run, token, step, attempt, error, input);
  }
  return invoke(services, run, token, step, action, input);
}

/** The step's `with:` rendered against the context and parsed by the action's schema. */
function actionInput(run: InstanceRun, step: ActionStep, action: ActionDefinition): unknown {
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
  return parsed.data;
}

async function invoke(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  step: ActionStep,
  action: ActionDefinition,
  input: unknown,
): Promise<void> {
  const attempt = token.attempt + 1;
  // A savepoint per writing action: a failed attempt's writes roll back, the retry bookkeeping still commits.
  const savepoint = action.writes !== false;
  if (savepoint) await sql`savepoint wf_action`.execute(run.tx);
  const heldAtSavepoint = heldMark(run.tx);
  const eventsBefore = run.pendingEvents.length;
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
    if (savepoint) {
      await sql`rollback to savepoint wf_action`.execute(run.tx);
      rollbackHeld(run.tx, heldAtSavepoint); // its audit rows and balance moves held for the commit go too
    }
    run.pendingEvents.length = eventsBefore; // …and so do the events it published

    if (error instanceof DeferAction) return deferStep(run, token, step, error, input);
    return failStep(run, token, step, attempt, error, input);
  }
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
