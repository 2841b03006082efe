import type { z } from 'zod';
import { defineAction, type ActionContext, type ActionDefinition } from '../engine/index.js';
import type { DomainContext } from './contract.js';
import { inStepTransaction, type DomainWork } from './unit-of-work.js';

/** A domain action whose work goes through a DomainWork: `run` gets the unit before its input. */
export interface StepActionSpec<I> {
  /** The defining module's `import.meta.url`: `finflow workflow actions` shows the file. */
  source: string;
  name: string;
  description: string;
  input: z.ZodType<I>;
  callsOut?: boolean;
  run: (unit: DomainWork, input: I, ctx: ActionContext) => Promise<unknown>;
}

/**
 * Defines an action that runs in its step's transaction through a DomainWork acting as
 * `workflow:<instance>`, so the domain's change, its audit rows and its events commit with the
 * workflow's advance — exactly once.
 */
export function defineStepAction<I>(context: DomainContext, spec: StepActionSpec<I>): ActionDefinition<I, unknown> {
  const { run, callsOut, ...action } = spec;
  return defineAction({
    ...action,
    ...(callsOut ? { callsOut: true } : {}),
    run: (input: I, ctx: ActionContext) =>
      inStepTransaction(context, ctx.tx, `workflow:${ctx.instanceId}`, (unit) => run(unit, input, ctx)),
  });
}
