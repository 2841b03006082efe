/**
 * Authorisation is by permission, never by role name: a route declares the permission it needs and
 * this table says which roles hold it. Later issues add roles (credit officer, collector, treasurer,
 * approver, auditor) and permissions here without touching the routes that exist.
 */
export const PERMISSIONS = [
  'apikeys:manage', // create, list and revoke API keys
  'audit:read', // read audit rows and verify the chain
  'metrics:read', // scrape /metrics
  'system:read', // read the OpenAPI document and system information
  'workflows:read', // read workflow definitions, instances, tasks, decisions, calendars and queues
  'workflows:deploy', // deploy workflow definitions
  'workflows:run', // start instances and publish events
  'workflows:operate', // cancel, suspend, resume, retry and migrate instances
  'tasks:work', // list, claim and complete human tasks
  'decisions:manage', // deploy decisions; create or replace calendars and queues
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
  ],
  viewer: ['metrics:read', 'system:read', 'workflows:read'],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function roleHas(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
