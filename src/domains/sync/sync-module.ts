import type { DomainModule } from '../contract.js';
import { syncRoutes } from './sync-routes.js';

/** The bulk sync with the institution's core system (customers, receivables, payments by external id): /sync. */
export const syncModule: DomainModule = {
  name: 'sync',
  routes: (context) => [syncRoutes(context)],
};
