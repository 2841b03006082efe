import path from 'node:path';
import type { DomainContext, DomainModule } from '../contract.js';
import { paymentActions } from './actions.js';
import { folderDelivery, type BatchDelivery } from './batch-delivery.js';
import { bankAccountRoutes } from './http/bank-account-routes.js';
import { batchRoutes } from './http/batch-routes.js';
import { beneficiaryRoutes } from './http/beneficiary-routes.js';
import { paymentRoutes } from './http/payment-routes.js';
import { installPayments } from './install.js';
import './tables.js';

export interface PaymentsModuleOptions {
  /**
   * Where released payment files go. Default: the folder `<data dir>/bank-outbox/<bank account id>/`
   * (folderDelivery); without a configured data folder, release is refused (409).
   */
  delivery?: BatchDelivery;
}

/** The bank outbox in the configured data folder, the delivery when none is given. */
export function defaultDelivery(context: DomainContext): BatchDelivery | undefined {
  const dataDir = context.config?.dataDir;
  return dataDir ? folderDelivery(path.join(dataDir, 'bank-outbox')) : undefined;
}

/**
 * Outgoing payments: the organisation's bank accounts, beneficiaries under four eyes, payment
 * instructions approved by the approval matrix through the engine's tasks and held on the ledger,
 * batched into XSD-valid pain.001 files and released to the bank through a delivery port.
 * Bank connectors, status reports, statements and reconciliation are the next slices.
 * See docs/payments.md.
 */
export function createPaymentsModule(options: PaymentsModuleOptions = {}): DomainModule {
  return {
    name: 'payments',
    registerActions(context) {
      for (const action of paymentActions(context)) {
        if (!context.engine.actions.has(action.name)) context.engine.actions.register(action);
      }
    },
    routes: (context) => [
      bankAccountRoutes(context),
      beneficiaryRoutes(context),
      paymentRoutes(context),
      batchRoutes(context, options.delivery ?? defaultDelivery(context)),
    ],
    install: installPayments,
  };
}

export const paymentsModule: DomainModule = createPaymentsModule();
