// The console's areas in the order of the left-hand menu, and what a person needs to see each one.
// Each area's pages live in pages/<area>/ and load only when first opened.
import type { Permission } from '../session/session';

export interface NavItem {
  path: string;
  label: string; // key in the common namespace
  anyOf: Permission[];
}

export const NAV: NavItem[] = [
  { path: '/my-work', label: 'nav.myWork', anyOf: ['tasks:work'] },
  { path: '/customers', label: 'nav.customers', anyOf: ['receivables:read'] },
  { path: '/collections', label: 'nav.collections', anyOf: ['collections:read'] },
  { path: '/credit', label: 'nav.credit', anyOf: ['credit:read'] },
  { path: '/workflows', label: 'nav.workflows', anyOf: ['workflows:read'] },
  { path: '/decisions', label: 'nav.decisions', anyOf: ['workflows:read'] },
  { path: '/dashboards', label: 'nav.dashboards', anyOf: ['receivables:read', 'workflows:read'] },
  { path: '/ledger', label: 'nav.ledger', anyOf: ['ledger:read'] },
  { path: '/payments', label: 'nav.payments', anyOf: ['payments:read'] },
  { path: '/treasury', label: 'nav.treasury', anyOf: ['payments:read'] },
  { path: '/audit', label: 'nav.audit', anyOf: ['audit:read'] },
  {
    path: '/admin',
    label: 'nav.admin',
    anyOf: ['users:manage', 'apikeys:manage', 'webhooks:manage', 'decisions:manage', 'channels:write'],
  },
];
