// The console's page areas and how each one's code is loaded. Each area is its own chunk, so the
// decision editor and the charts load only on their pages; early-start.ts uses the same loaders to
// fetch the chunk of the page being opened while the rest of the console is still starting.
import type { ComponentType } from 'react';

type AreaModule = Promise<{ default: ComponentType }>;

export const AREA_LOADERS = new Map<string, () => AreaModule>([
  ['my-work', () => import('../pages/my-work')],
  ['customers', () => import('../pages/customers')],
  ['collections', () => import('../pages/collections')],
  ['credit', () => import('../pages/credit')],
  ['workflows', () => import('../pages/workflows')],
  ['decisions', () => import('../pages/decisions')],
  ['dashboards', () => import('../pages/dashboards')],
  ['ledger', () => import('../pages/ledger')],
  ['payments', () => import('../pages/payments')],
  ['treasury', () => import('../pages/treasury')],
  ['audit', () => import('../pages/audit')],
  ['admin', () => import('../pages/admin')],
  ['profile', () => import('../pages/profile')],
]);
