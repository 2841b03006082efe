import type { DomainContext, DomainModule } from '../contract.js';
import { ledgerActions } from './actions.js';
import { ledgerRoutes } from './http/routes.js';

/** The ledger domain: its routes and its workflow steps (ledger/actions.ts). */
export const ledgerModule: DomainModule = {
  name: 'ledger',
  registerActions(context: DomainContext) {
    // Idempotent, like the built-in actions: one registry may serve several engines.
    for (const action of ledgerActions(context)) {
      if (!context.engine.actions.has(action.name)) context.engine.actions.register(action);
    }
  },
  routes(context: DomainContext) {
    return [ledgerRoutes(context)];
  },
};
