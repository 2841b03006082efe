import type { DomainModule } from '../contract.js';
import { paymentActions } from './actions.js';
import { bankAccountRoutes } from './http/bank-account-routes.js';
import { beneficiaryRoutes } from './http/beneficiary-routes.js';
import { paymentRoutes } from './http/payment-routes.js';
import { installPayments } from './install.js';
import './tables.js';

/**
 * Outgoing payments: the organisation's bank accounts, beneficiaries under four eyes, payment
 * instructions approved by the approval matrix through the engine's tasks and held on the ledger.
 * Batching, pain.001 files, bank connectors, statements and reconciliation are the next slices.
 * See docs/payments.md.
 */
export const paymentsModule: DomainModule = {
  name: 'payments',
  registerActions(context) {
    for (const action of paymentActions(context)) {
      if (!context.engine.actions.has(action.name)) context.engine.actions.register(action);
    }
  },
  routes: (context) => [bankAccountRoutes(context), beneficiaryRoutes(context), paymentRoutes(context)],
  install: installPayments,
};
