import type { DomainModule } from '../contract.js';
import { customerRoutes } from './customer-routes.js';

/**
 * Customers (debtors, borrowers, suppliers): their records, risk ratings, exposure against the
 * credit limit and the credit balances overpayments leave. Other domains change them through the
 * service functions exported here; this module mounts /customers.
 */
export const customersModule: DomainModule = {
  name: 'customers',
  routes: (context) => [customerRoutes(context)],
};
