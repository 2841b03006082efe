/**
 * Authorisation is by permission, never by role name: a route declares the permission it needs and
 * this table says which roles hold it. Later issues add roles (credit officer, collector, treasurer,
 * approver, auditor) and permissions here without touching the routes that exist.
 */
export const PERMISSIONS = [
  'apikeys:manage', // create, list and revoke API keys
  'users:manage', // create, list and disable users; reset their passwords; grant roles
  'audit:read', // read audit rows and verify the chain
  'metrics:read', // scrape /metrics
  'system:read', // read the OpenAPI document and system information
  'workflows:read', // read workflow definitions, instances, tasks, decisions, calendars and queues
  'workflows:deploy', // deploy workflow definitions
  'workflows:run', // start instances and publish events
  'workflows:operate', // cancel, suspend, resume, retry and migrate instances
  'tasks:work', // list, claim and complete human tasks
  'decisions:manage', // deploy decisions; create or replace calendars and queues
  'ledger:read', // read ledger accounts, balances and transfers
  'ledger:post', // create ledger accounts; post, resolve and reverse transfers
  'receivables:read', // read customers, receivables, schedules, payments and delinquency
  'receivables:write', // create and change customers and receivables, charge fees, edit their settings, run close of business
  'payments:post', // record and reverse incoming payments
  'sync:write', // bulk upsert customers, receivables and payments from the core system
  'channels:read', // read message templates, sent messages, contact rules and webhook deliveries
  'channels:write', // edit message templates, consents, do-not-contact flags and contact-rule settings
  'webhooks:manage', // create, change and delete webhook subscriptions and inbound sources; replay deliveries
  'credit:read', // read credit applications and credit settings
  'credit:apply', // submit credit applications and record applicants' answers to offers
  'collections:read', // read collection cases, contacts, promises and collections settings
  'collections:work', // record contact outcomes and promises to pay on collection cases
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  operator: [
    'audit:read',
    'metrics:read',
    'system:read',
    'workflows:read',
    'workflows:run',
    'workflows:operate',
    'tasks:work',
    'ledger:read',
    'receivables:read',
    'receivables:write',
    'payments:post',
    'channels:read',
    'channels:write',
    'credit:read',
    'credit:apply',
    'collections:read',
    'collections:work',
  ],
  viewer: [
    'metrics:read',
    'system:read',
    'workflows:read',
    'ledger:read',
    'receivables:read',
    'channels:read',
    'credit:read',
    'collections:read',
  ],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function roleHas(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
