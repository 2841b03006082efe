import type { DomainModule } from '../contract.js';
import { receivablesActions } from './actions.js';
import { receivableRoutes } from './http/routes.js';
import { portfolioReportRoutes } from './reports/portfolio-routes.js';

/**
 * Receivables (invoices, loans, payments, fees, delinquency, billing plans): their routes, and the
 * actions workflows call (receivables/actions.ts).
 */
export const receivablesModule: DomainModule = {
  name: 'receivables',
  registerActions(context) {
    for (const action of receivablesActions(context)) {
      if (!context.engine.actions.has(action.name)) context.engine.actions.register(action);
    }
  },
  routes: (context) => [portfolioReportRoutes(context), receivableRoutes(context)],
};
