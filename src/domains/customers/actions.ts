import { z } from 'zod';
import type { DomainContext } from '../contract.js';
import type { ActionDefinition } from '../../engine/index.js';
import { defineStepAction } from '../step-action.js';
import { getCustomer, rateCustomer } from './customer-service.js';

/** Customers' actions, what workflows call: collections strategies change risk ratings. */
export function customersActions(context: DomainContext): ActionDefinition[] {
  return [
    defineStepAction(context, {
      source: import.meta.url,
      name: 'customers.rate',
      description: "Sets a customer's risk rating with a reason (a worse one publishes customer.risk_rating_worsened)",
      input: z.object({ customer: z.string().min(1), rating: z.string().min(1), reason: z.string().min(1) }).strict(),
      run: async (unit, input) => {
        const customer = await getCustomer(unit.tx, input.customer);
        const rated = await rateCustomer(unit, customer.id, { rating: input.rating, reason: input.reason });
        return { customerId: rated.id, riskRating: rated.riskRating };
      },
    }),
  ];
}
