import type { DomainModule } from '../contract.js';
import { creditActions } from './actions.js';
import { creditRoutes } from './credit-routes.js';
import { creditReportRoutes } from './reports/decision-report-routes.js';
import { installCreditPolicy } from './install.js';
import './tables.js';

/**
 * Credit decisioning: applications in by API, decided by the credit-application workflow on the
 * credit.* decisions, exceptions to approvers by authority level, approvals booked in receivables
 * and the ledger. See docs/credit.md.
 */
export const creditModule: DomainModule = {
  name: 'credit',
  registerActions(context) {
    for (const action of creditActions(context)) {
      if (!context.engine.actions.has(action.name)) context.engine.actions.register(action);
    }
  },
  routes: (context) => [creditReportRoutes(context), creditRoutes(context)],
  install: installCreditPolicy,
};
