import { z } from 'zod';
import type { DomainContext } from '../contract.js';
import { NonRetryableError, type ActionDefinition } from '../../engine/index.js';
import { defineStepAction } from '../step-action.js';
import { lockApplication, presentApplication } from './applications.js';
import { bookContract } from './booking.js';
import { answerNoticeData, NOTICE_TEMPLATES } from './notices.js';
import { closeOffer, decide, recordReview, startAssessment } from './lifecycle.js';

/**
 * Credit's actions: the steps of the credit-application workflow. Each runs in its step's
 * transaction through a DomainWork, so the application's change, its audit rows and its events
 * commit with the step.
 */

const Application = z.string().min(1).max(100);

export function creditActions(context: DomainContext): ActionDefinition[] {
  const evaluator = context.engine.services.decisions;
  return [
    defineStepAction(context, {
      source: import.meta.url,
      name: 'credit.start_assessment',
      description: 'Marks a credit application as being assessed and says what to ask the configured bureau',
      input: z.object({ application: Application }).strict(),
      run: (unit, input, ctx) => startAssessment(unit, input.application, ctx.instanceId),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'credit.decide',
      description:
        'Scores a credit application and applies knock-outs, anomaly triggers, terms and routing (the credit.* decisions at its pinned versions)',
      input: z.object({ application: Application, bureau: z.unknown().optional() }).strict(),
      run: (unit, input) => decide(unit, evaluator, input.application, input.bureau ?? null),
    }),
    defineStepAction(context, {
      source: import.meta.url,
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
    defineStepAction(context, {
      source: import.meta.url,
      name: 'credit.book',
      description:
        'Books an approved credit application: a loan with its schedule and pending payout, or a credit line',
      input: z.object({ application: Application }).strict(),
      run: async (unit, input) => bookContract(unit, await lockApplication(unit.tx, input.application)),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'credit.close_offer',
      description: 'Closes a counter-offer the applicant declined or let expire',
      input: z.object({ application: Application, status: z.enum(['offer_declined', 'offer_expired']) }).strict(),
      run: (unit, input) => closeOffer(unit, input.application, input.status),
    }),
    defineStepAction(context, {
      source: import.meta.url,
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
}
