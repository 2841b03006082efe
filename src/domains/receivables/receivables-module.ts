import { z } from 'zod';
import { rateCustomer, getCustomer } from '../customers/customer-service.js';
import { inStepTransaction } from '../unit-of-work.js';
import type { DomainContext, DomainModule } from '../contract.js';
import type { ActionDefinition } from '../../engine/actions.js';
import { issueDueInvoices } from './billing-plans.js';
import { closeOfBusiness } from './delinquency/close-of-business.js';
import { chargeFee } from './fees.js';
import { CalendarDate } from './receivable-input.js';
import { receivableRoutes } from './http/routes.js';

/**
 * Receivables (invoices, loans, payments, fees, delinquency, billing plans). The actions are what workflows call:
 * a daily schedule runs close of business and recurring billing; collections strategies charge
 * fees and change risk ratings.
 */

function actions(context: DomainContext): ActionDefinition<never, unknown>[] {
  const actor = (instanceId: string) => `workflow:${instanceId}`;
  const defs = [
    {
      name: 'receivables.close_of_business',
      description: 'Days past due and buckets for the whole portfolio as of a date (default: today), with events',
      input: z.object({ asOf: CalendarDate.optional() }).strict(),
      run: (input: { asOf?: string | undefined }, ctx) =>
        inStepTransaction(context, ctx.tx, actor(ctx.instanceId), (unit) => closeOfBusiness(unit, input.asOf)),
    } satisfies ActionDefinition<{ asOf?: string | undefined }, unknown>,
    {
      name: 'billing.issue_due',
      description: 'Issues every recurring-billing invoice due by a date (default: today); publishes invoice.issued',
      input: z.object({ asOf: CalendarDate.optional() }).strict(),
      run: (input: { asOf?: string | undefined }, ctx) =>
        inStepTransaction(context, ctx.tx, actor(ctx.instanceId), (unit) =>
          issueDueInvoices(unit, input.asOf ?? unit.today()),
        ),
    } satisfies ActionDefinition<{ asOf?: string | undefined }, unknown>,
    {
      name: 'receivables.charge_fee',
      description: 'Charges a fee on a receivable (id or external id), e.g. a late fee per policy',
      input: z
        .object({
          receivable: z.string().min(1),
          kind: z.string().min(1).max(50),
          amount: z.union([z.string().regex(/^\d{1,18}$/), z.number().int().positive()]),
        })
        .strict(),
      run: (input: { receivable: string; kind: string; amount: string | number }, ctx) =>
        inStepTransaction(context, ctx.tx, actor(ctx.instanceId), (unit) =>
          chargeFee(unit, input.receivable, { kind: input.kind, amount: BigInt(input.amount) }),
        ).then(({ fee, receivable }) => ({ fee, outstanding: receivable.outstanding })),
    } satisfies ActionDefinition<{ receivable: string; kind: string; amount: string | number }, unknown>,
    {
      name: 'customers.rate',
      description: "Sets a customer's risk rating with a reason (a worse one publishes customer.risk_rating_worsened)",
      input: z.object({ customer: z.string().min(1), rating: z.string().min(1), reason: z.string().min(1) }).strict(),
      run: (input: { customer: string; rating: string; reason: string }, ctx) =>
        inStepTransaction(context, ctx.tx, actor(ctx.instanceId), async (unit) => {
          const customer = await getCustomer(unit.tx, input.customer);
          const rated = await rateCustomer(unit, customer.id, { rating: input.rating, reason: input.reason });
          return { customerId: rated.id, riskRating: rated.riskRating };
        }),
    } satisfies ActionDefinition<{ customer: string; rating: string; reason: string }, unknown>,
  ];
  return defs as unknown as ActionDefinition<never, unknown>[];
}

export const receivablesModule: DomainModule = {
  name: 'receivables',
  registerActions(context) {
    for (const action of actions(context)) {
      if (!context.engine.actions.has(action.name)) context.engine.actions.register(action);
    }
  },
  routes: (context) => [receivableRoutes(context)],
};
