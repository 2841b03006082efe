import { customerRoutes } from '../customers/customer-routes.js';
import type { DomainModule } from '../contract.js';
import { syncRoutes } from '../sync/sync-routes.js';
import { receivablesActions } from './actions.js';
import { receivableRoutes } from './receivable-routes.js';

/**
 * Customers, receivables and the sync with core systems: their routes, and the actions workflows
 * call (receivables/actions.ts).
 */

export const receivablesModule: DomainModule = {
  name: 'receivables',
  registerActions(context) {
    for (const action of receivablesActions(context)) {
      if (!context.engine.actions.has(action.name)) context.engine.actions.register(action);
    }
  },
  routes: (context) => [customerRoutes(context), receivableRoutes(context), syncRoutes(context)],
};
