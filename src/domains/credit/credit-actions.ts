import { z } from 'zod';
import { inStepTransaction } from '../unit-of-work.js';
import type { DomainContext } from '../contract.js';
import { NonRetryableError, type ActionContext, type ActionDefinition } from '../../engine/actions.js';
import { lockApplication, presentApplication } from './applications.js';
import { bookContract } from './booking.js';
import { answerNoticeData, NOTICE_TEMPLATES } from './notices.js';
import { closeOffer, decide, recordReview, startAssessment } from './lifecycle.js';

/**
 * The steps of the credit-application workflow. Each runs in its step's transaction through a
 * DomainWork, so the application's change, its audit rows and its events commit with the step.
 */

const Application = z.string().min(1).max(100);

function action<I>(
  context: DomainContext,
  definition: {
    name: string;
    description: string;
    input: z.ZodType<I>;
    run: (
      unit: Parameters<Parameters<typeof inStepTransaction>[3]>[0],
      input: I,
      ctx: ActionContext,
    ) => Promise<unknown>;
    callsOut?: boolean;
  },
): ActionDefinition<I, unknown> {
  return {
    name: definition.name,
    description: definition.description,
    input: definition.input,
    ...(definition.callsOut ? { callsOut: true } : {}),
    run: (input, ctx) =>
      inStepTransaction(context, ctx.tx, `workflow:${ctx.instanceId}`, (unit) => definition.run(unit, input, ctx)),
  };
}

export function creditActions(context: DomainContext): ActionDefinition<never, unknown>[] {
  const evaluator = context.engine.services.decisions;
  const defs = [
    action(context, {
      name: 'credit.start_assessment',
      description: 'Marks a credit application as being assessed and says what to ask the configured bureau',
      input: z.object({ application: Application }).strict(),
      run: (unit, input, ctx) => startAssessment(unit, input.application, ctx.instanceId),
    }),
    action(context, {
      name: 'credit.decide',
      description:
        'Scores a credit application and applies knock-outs, anomaly triggers, terms and routing (the credit.* decisions at its pinned versions)',
      input: z.object({ application: Application, bureau: z.unknown().optional() }).strict(),
      run: (unit, input) => decide(unit, evaluator, input.application, input.bureau ?? null),
    }),
    action(context, {
      name: 'credit.record_review',
      description: "Records a reviewer's approve / decline / counter-offer on a credit application",
      input: z
        .object({
          application: Application,
          level: z.number().int().min(1).max(9),
          review: z.object({
            outcome: z.string(),
            completedBy: z.string(),
            data: z.record(z.string(), z.unknown()).nullable().optional(),
          }),
        })
        .strict(),
      run: (unit, input) =>
        recordReview(unit, input.application, {
          level: input.level,
          outcome: input.review.outcome,
          by: input.review.completedBy,
          data: input.review.data ?? {},
        }),
    }),
    action(context, {
      name: 'credit.book',
      description:
        'Books an approved credit application: a loan with its schedule and pending payout, or a credit line',
      input: z.object({ application: Application }).strict(),
      run: async (unit, input) => bookContract(unit, await lockApplication(unit.tx, input.application)),
    }),
    action(context, {
      name: 'credit.close_offer',
      description: 'Closes a counter-offer the applicant declined or let expire',
      input: z.object({ application: Application, status: z.enum(['offer_declined', 'offer_expired']) }).strict(),
      run: (unit, input) => closeOffer(unit, input.application, input.status),
    }),
    action(context, {
      name: 'credit.notify',
      description:
        'Emails the applicant the decision (approval, decline with its reasons, counter-offer) through email.send; skipped when email is not configured or the customer has none',
      input: z.object({ application: Application, template: z.enum(NOTICE_TEMPLATES) }).strict(),
      callsOut: true,
      run: async (unit, input, ctx) => {
        const row = await unit.tx
          .selectFrom('credit_applications')
          .selectAll()
          .where('id', '=', input.application)
          .executeTakeFirstOrThrow();
        const customer = await unit.tx
          .selectFrom('customers')
          .select(['id', 'email'])
          .where('id', '=', row.customer_id)
          .executeTakeFirstOrThrow();
        if (!context.config?.smtpUrl) return { status: 'skipped', reason: 'email is not configured (smtpUrl)' };
        if (!customer.email) return { status: 'skipped', reason: 'the customer has no email address' };
        // Sent through the channels' own action (contact rules, templates, message record), by name:
        // credit does not import the channels domain.
        const send = context.engine.actions.get('email.send');
        if (!send) throw new NonRetryableError('email.send is not registered');
        const data = answerNoticeData(presentApplication(row));
        return send.run(send.input.parse({ customer: customer.id, template: input.template, data }), ctx);
      },
    }),
  ];
  return defs as unknown as ActionDefinition<never, unknown>[];
}
