import path from 'node:path';
import type { DomainContext, DomainModule } from '../contract.js';
import { paymentActions } from './actions.js';
import { folderDelivery, type BatchDelivery } from './batch-delivery.js';
import { connectionDelivery } from './connector-delivery.js';
import { bankAccountRoutes } from './http/bank-account-routes.js';
import { bankConnectionRoutes } from './http/bank-connection-routes.js';
import { batchRoutes } from './http/batch-routes.js';
import { disbursementRoutes } from './disbursements/disbursement-routes.js';
import { beneficiaryRoutes } from './http/beneficiary-routes.js';
import { paymentRoutes } from './http/payment-routes.js';
import { statusReportRoutes } from './http/status-report-routes.js';
import { installPayments } from './install.js';
import { payableRoutes } from './payables/payable-routes.js';
import { recurringRoutes } from './recurring/recurring-routes.js';
import { paymentRunRoutes } from './runs/run-routes.js';
import './tables.js';
import './status-report-tables.js';

export interface PaymentsModuleOptions {
  /**
   * Where released payment files go. Default: the bank account's connection (SFTP, HTTP), else the
   * folder `<data dir>/bank-outbox/<bank account id>/`; with neither, release is refused (409).
   */
  delivery?: BatchDelivery;
}

/**
 * The delivery when none is given: each bank account's own connection (SFTP, HTTP), else the bank
 * outbox in the configured data folder.
 */
export function defaultDelivery(context: DomainContext): BatchDelivery {
  const dataDir = context.config?.dataDir;
  return connectionDelivery(context, dataDir ? folderDelivery(path.join(dataDir, 'bank-outbox')) : undefined);
}

/**
 * Outgoing payments: the organisation's bank accounts, beneficiaries under four eyes, payment
 * instructions approved by the approval matrix through the engine's tasks and held on the ledger,
 * batched into XSD-valid pain.001 files, released to the bank through a delivery port, and moved on
 * by the bank's pain.002 status reports. Statements and reconciliation are treasury's.
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
      bankConnectionRoutes(context),
      beneficiaryRoutes(context),
      paymentRoutes(context),
      batchRoutes(context, options.delivery ?? defaultDelivery(context)),
      statusReportRoutes(context),
      paymentRunRoutes(context),
      payableRoutes(context),
      recurringRoutes(context),
      disbursementRoutes(context),
    ],
    install: installPayments,
  };
}

export const paymentsModule: DomainModule = createPaymentsModule();
