import type { DomainModule } from '../contract.js';
import { customersActions } from './actions.js';
import { customerRoutes } from './customer-routes.js';

/**
 * Customers (debtors, borrowers, suppliers): their records, risk ratings, exposure against the
 * credit limit and the credit balances overpayments leave. Other domains change them through the
 * service functions exported here; this module mounts /customers and the `customers.rate` step.
 */
export const customersModule: DomainModule = {
  name: 'customers',
  registerActions(context) {
    for (const action of customersActions(context)) {
      if (!context.engine.actions.has(action.name)) context.engine.actions.register(action);
    }
  },
  routes: (context) => [customerRoutes(context)],
};
