import { z } from 'zod';
import { smsConfigured } from '../channels/sms/sms-provider.js';
import { loadConfig } from '../../config/config.js';
import { secretStore } from '../../config/secrets.js';
import type { DomainContext } from '../contract.js';
import type { ActionDefinition } from '../../engine/index.js';
import { defineStepAction } from '../step-action.js';
import { closeCase } from './cases/close-case.js';
import { openCase } from './cases/open-case.js';
import { resolveHardship } from './hardship.js';
import { scanPreDue } from './pre-due.js';
import {
  ApprovalSchema,
  CallTaskSchema,
  recordAgencyPlacement,
  recordApproval,
  recordCall,
  runInternalStage,
  stageDone,
  StageInfoSchema,
} from './dunning/stage-runs.js';
import type { ChannelsReady } from './dunning/moves.js';
import { planNext } from './dunning/strategy.js';

/**
 * Collections' actions: the steps of the collections-case and collections-hardship workflows. Each runs in its step's
 * transaction, so a case's change, its audit rows and its events commit with the workflow's
 * advance — exactly once.
 */

const CaseId = z.string().min(1).max(100);

/** Which channels can send here: SMTP and an SMS provider configured, a letter action registered. */
function channelsReady(context: DomainContext): ChannelsReady {
  const config = context.config ?? loadConfig({ env: {} });
  return {
    email: Boolean(config.smtpUrl),
    sms: smsConfigured(config, context.secrets ?? secretStore({})),
    letter: context.engine.actions.has('letter.send'),
  };
}

export function collectionsActions(context: DomainContext): ActionDefinition[] {
  const evaluator = context.engine.services.decisions;
  return [
    defineStepAction(context, {
      source: import.meta.url,
      name: 'collections.open_case',
      description:
        'Opens the collection case of an overdue receivable: segment (collections.segment), strategy variant, queue',
      input: z.object({ receivable: z.string().min(1).max(120) }).strict(),
      run: (unit, input, ctx) => openCase(unit, evaluator, input.receivable, ctx.instanceId),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'collections.plan',
      description:
        "A case's next move by its strategy (collections.strategy): an approval, a pause, the stage due now, or until when to wait",
      input: z.object({ case: CaseId }).strict(),
      run: (unit, input) => planNext(unit, evaluator, input.case, channelsReady(context)),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'collections.stage_done',
      description:
        'Records a stage of a case as run, with what it did (a message sent or skipped); a dropped message records nothing',
      input: z.object({ case: CaseId, stage: StageInfoSchema, result: z.unknown().optional() }).strict(),
      run: (unit, input) => stageDone(unit, input.case, input.stage, input.result ?? null),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'collections.run_stage',
      description:
        'Runs a stage finflow carries out itself (fee, write-off proposal, placement by export) and records it',
      input: z.object({ case: CaseId, stage: StageInfoSchema, skip: z.string().nullable().optional() }).strict(),
      run: (unit, input) => runInternalStage(unit, evaluator, input.case, input.stage, input.skip ?? null),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'collections.record_call',
      description: "Records a collector's call (contact outcome, new details, a promise to pay) and its stage",
      input: z.object({ case: CaseId, stage: StageInfoSchema, task: CallTaskSchema }).strict(),
      run: (unit, input) => recordCall(unit, input.case, input.stage, input.task),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'collections.record_placement',
      description: 'Records a placement with an agency after its API took the account, and the stage',
      input: z
        .object({ case: CaseId, stage: StageInfoSchema, agency: z.string().min(1), response: z.unknown().optional() })
        .strict(),
      run: (unit, input) => recordAgencyPlacement(unit, input.case, input.stage, input.agency, input.response ?? null),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'collections.record_approval',
      description: "Applies an approver's answer to a payment plan or a write-off",
      input: z.object({ case: CaseId, approval: ApprovalSchema, task: CallTaskSchema }).strict(),
      run: (unit, input) => recordApproval(unit, input.case, input.approval, input.task),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'collections.resolve_hardship',
      description: "Applies risk's decision on a hardship: resume dunning, or forbear for a number of days",
      input: z
        .object({
          hardship: z.string().min(1).max(100),
          outcome: z.enum(['resume', 'forbear']),
          days: z.number().int().min(1).max(365).optional(),
          by: z.string().min(1),
        })
        .strict(),
      run: (unit, input) =>
        resolveHardship(unit, input.hardship, { outcome: input.outcome, days: input.days ?? 30, by: input.by }),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'collections.pre_due_scan',
      description:
        'Publishes collections.pre_due for each installment falling due in preDueDays, for the customers preDueRatings names',
      input: z.object({ asOf: z.iso.date().nullable().optional() }).strict(),
      run: (unit, input) => scanPreDue(unit, channelsReady(context), input.asOf ?? undefined),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'collections.close_case',
      description: 'Closes a cured, paid or written-off case with what was recovered; settles what was open on it',
      input: z.object({ case: CaseId, event: z.record(z.string(), z.unknown()).nullable().optional() }).strict(),
      run: (unit, input) => closeCase(unit, input.case),
    }),
  ];
}
