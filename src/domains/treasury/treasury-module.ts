import type { DomainModule } from '../contract.js';
import { treasuryAlertActions } from './alerts/actions.js';
import { alertRoutes } from './alerts/routes.js';
import { forecastRoutes } from './forecast/routes.js';
import { positionRoutes } from './positions/routes.js';
import { collectRoutes } from './http/collect-routes.js';
import { statementRoutes } from './http/statement-routes.js';
import { reconciliationRoutes } from './reconciliation/http/routes.js';
import { installReconciliation } from './reconciliation/install.js';
import './tables.js';

/**
 * Treasury: what the banks say about the organisation's accounts — statements in (camt.052/053/054,
 * MT940), the entries they book, stored once however often they arrive — and, built on them,
 * reconciliation, positions, alerts and the cash forecast. Outgoing payments are the payments
 * domain's; treasury reads its bank accounts. See docs/treasury.md.
 */
export const treasuryModule: DomainModule = {
  name: 'treasury',
  registerActions(context) {
    for (const action of treasuryAlertActions(context)) {
      if (!context.engine.actions.has(action.name)) context.engine.actions.register(action);
    }
  },
  routes: (context) => [
    statementRoutes(context),
    reconciliationRoutes(context),
    collectRoutes(context),
    positionRoutes(context),
    forecastRoutes(context),
    alertRoutes(context),
  ],
  install: installReconciliation,
};
