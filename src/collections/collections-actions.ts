import { z } from 'zod';
import { inStepTransaction, type DomainWork } from '../domain-work.js';
import type { DomainContext } from '../domains.js';
import type { ActionContext, ActionDefinition } from '../engine/actions.js';
import { closeCase, openCase } from './cases.js';
import { loadConfig } from '../config/config.js';
import { secretStore } from '../config/secrets.js';
import { smsConfigured } from '../channels/sms/sms-provider.js';
import {
  CallTaskSchema,
  planNext,
  type ChannelsReady,
  recordCall,
  runInternalStage,
  stageDone,
  StageInfoSchema,
} from './strategy-plan.js';

/**
 * The steps of the collections-case workflow. Each runs in its step's transaction, so a case's
 * change, its audit rows and its events commit with the workflow's advance — exactly once.
 */

const CaseId = z.string().min(1).max(100);

function action<I>(
  context: DomainContext,
  definition: {
    name: string;
    description: string;
    input: z.ZodType<I>;
    run: (unit: DomainWork, input: I, ctx: ActionContext) => Promise<unknown>;
  },
): ActionDefinition<I, unknown> {
  return {
    name: definition.name,
    description: definition.description,
    input: definition.input,
    run: (input, ctx) =>
      inStepTransaction(context, ctx.tx, `workflow:${ctx.instanceId}`, (unit) => definition.run(unit, input, ctx)),
  };
}

function channelsReady(context: DomainContext): ChannelsReady {
  const config = context.config ?? loadConfig({ env: {} });
  return { email: Boolean(config.smtpUrl), sms: smsConfigured(config, context.secrets ?? secretStore({})) };
}

export function collectionsActions(context: DomainContext): ActionDefinition<never, unknown>[] {
  const evaluator = context.engine.services.decisions;
  const defs = [
    action(context, {
      name: 'collections.open_case',
      description:
        'Opens the collection case of an overdue receivable: segment (collections.segment), strategy variant, queue',
      input: z.object({ receivable: z.string().min(1).max(120) }).strict(),
      run: (unit, input, ctx) => openCase(unit, evaluator, input.receivable, ctx.instanceId),
    }),
    action(context, {
      name: 'collections.plan',
      description:
        "A case's next move by its strategy (collections.strategy): the stage due now, or until when to wait",
      input: z.object({ case: CaseId }).strict(),
      run: (unit, input) => planNext(unit, evaluator, input.case, channelsReady(context)),
    }),
    action(context, {
      name: 'collections.stage_done',
      description: 'Records a stage of a case as run, with what it did (a message sent or deferred)',
      input: z.object({ case: CaseId, stage: StageInfoSchema, result: z.unknown().optional() }).strict(),
      run: (unit, input) => stageDone(unit, input.case, input.stage, input.result ?? null),
    }),
    action(context, {
      name: 'collections.run_stage',
      description: 'Runs a stage finflow carries out itself (a collection fee per policy) and records it',
      input: z.object({ case: CaseId, stage: StageInfoSchema, skip: z.string().nullable().optional() }).strict(),
      run: (unit, input) => runInternalStage(unit, evaluator, input.case, input.stage, input.skip ?? null),
    }),
    action(context, {
      name: 'collections.record_call',
      description: "Records a collector's call (contact outcome, new details, a promise to pay) and its stage",
      input: z.object({ case: CaseId, stage: StageInfoSchema, task: CallTaskSchema }).strict(),
      run: (unit, input) => recordCall(unit, input.case, input.stage, input.task),
    }),
    action(context, {
      name: 'collections.close_case',
      description: 'Closes a cured or paid case with what was recovered; settles its open promise',
      input: z.object({ case: CaseId, event: z.record(z.string(), z.unknown()).nullable().optional() }).strict(),
      run: (unit, input) => closeCase(unit, input.case, input.event?.data ?? null),
    }),
  ];
  return defs as unknown as ActionDefinition<never, unknown>[];
}
