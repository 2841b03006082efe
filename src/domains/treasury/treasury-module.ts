import type { DomainModule } from '../contract.js';
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
  routes: (context) => [statementRoutes(context), reconciliationRoutes(context), collectRoutes(context)],
  install: installReconciliation,
};
