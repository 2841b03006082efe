/**
 * Authorisation is by permission, never by role name: a route declares the permission it needs and
 * this table says which roles hold it. `docs/permissions.md` is generated from this file
 * (`npm run docs:permissions`); a test fails when the two drift apart, and another calls every route
 * of the OpenAPI document as every role.
 */

/** Every permission, with what it allows (the words docs/permissions.md shows). */
export const PERMISSION_TABLE = {
  'apikeys:manage': 'create, list and revoke API keys',
  'users:manage': 'create, list and disable users; reset their passwords; grant roles',
  'audit:read': 'read audit rows and verify the chain',
  'metrics:read': 'scrape /metrics',
  'system:read': 'read the OpenAPI document',
  'workflows:read': 'read workflows, instances, decisions, calendars and queues; evaluate decisions',
  'workflows:deploy': 'deploy workflow definitions',
  'workflows:run': 'start instances and publish events',
  'workflows:operate': 'cancel, suspend, resume, retry and migrate instances',
  'tasks:work': 'list, claim and complete tasks',
  'decisions:manage':
    'deploy decisions; create or replace calendars and queues; reassign tasks; edit credit and collections settings',
  'ledger:read': 'read ledger accounts, balances and transfers',
  'ledger:post': 'create accounts; post, resolve and reverse transfers',
  'receivables:read': 'read customers, receivables, schedules, payments, buckets and settings',
  'receivables:write': 'create and change customers, receivables, fees, settings, billing plans; run close of business',
  'payments:post': 'record and reverse incoming payments',
  'payments:read': 'read bank accounts, statements, beneficiaries and outgoing payment instructions',
  'payments:initiate':
    'create outgoing payment instructions, batch approved ones into payment files, and cancel either before release',
  'payments:release': 'release payment files (batches) to the bank',
  'payments:status': 'apply the bank’s pain.002 status reports to released payment batches',
  'payments:approve':
    'approve or reject the bank details of a beneficiary another person proposed (payment approvals are tasks)',
  'beneficiaries:manage': 'create beneficiaries and propose changes of their bank details',
  'bankaccounts:manage':
    'create the organisation’s bank accounts, each tied to a ledger cash account; set their alert thresholds and the cash forecast’s collection probabilities',
  'statements:import': 'import bank statements (camt.052/053/054, MT940) for the organisation’s accounts',
  'reconciliation:work':
    'run reconciliation; match bank entries by hand (splits, charges, write-offs), ignore them and reverse matches',
  'sync:write': 'bulk sync from the core system',
  'channels:read': 'read message templates, sent messages, letters, contact rules and webhook deliveries',
  'channels:write': 'edit message templates, consents, do-not-contact flags and contact-rule settings',
  'webhooks:manage': 'create, change and delete webhook subscriptions and inbound sources; replay deliveries',
  'credit:read': 'read credit applications and credit settings',
  'credit:apply': 'submit credit applications; record an applicant’s answer to a counter-offer',
  'collections:read': 'read collection cases, contacts, promises and collections settings',
  'collections:work': 'record contacts, promises, plans, disputes, hardship, recalls and write-off proposals',
  'changes:review':
    'approve or reject a workflow, decision or role change another person proposed (also needs the permission of what it changes)',
} as const;

export type Permission = keyof typeof PERMISSION_TABLE;
export const PERMISSIONS = Object.keys(PERMISSION_TABLE) as [Permission, ...Permission[]];

interface RoleDefinition {
  /** Who holds it, in a phrase (docs/permissions.md). */
  job: string;
  /** Users holding it must sign in with a second factor: it moves money, decides credit or manages people. */
  mfa: boolean;
  grants: readonly Permission[];
}

/** Every read permission but the audit log: what a viewer may see. */
const READ_ALL: readonly Permission[] = [
  'metrics:read',
  'system:read',
  'workflows:read',
  'ledger:read',
  'receivables:read',
  'channels:read',
  'credit:read',
  'collections:read',
  'payments:read',
];

/** What everyone working customers' cases needs: their tasks, the workflows behind them, the customer and messages. */
const CASEWORK: readonly Permission[] = [
  'system:read',
  'workflows:read',
  'tasks:work',
  'receivables:read',
  'channels:read',
];
/** What owners of a policy need: deploy its decisions and settings, and review others' changes. */
const POLICY: readonly Permission[] = ['decisions:manage', 'changes:review'];

const ROLE_TABLE = {
  admin: { job: 'Runs the installation: users, keys, deploys, everything', mfa: true, grants: PERMISSIONS },
  operator: {
    job: 'A system integrating over the API (API keys), or an operations engineer',
    mfa: true,
    grants: [
      ...READ_ALL,
      'audit:read',
      'workflows:run',
      'workflows:operate',
      'tasks:work',
      'receivables:write',
      'payments:post',
      'payments:initiate',
      'payments:status',
      'beneficiaries:manage',
      'statements:import',
      'reconciliation:work',
      'channels:write',
      'credit:apply',
      'collections:work',
    ],
  },
  viewer: { job: 'Reads the business: dashboards, reports', mfa: false, grants: READ_ALL },
  credit_officer: {
    job: 'Takes applications, reviews the ones policy refers, sees the customer whole (collections too)',
    mfa: true,
    grants: [...CASEWORK, 'credit:read', 'credit:apply', 'collections:read'],
  },
  credit_manager: {
    job: 'Approves above an officer’s authority; owns credit policy (settings, decision tables)',
    mfa: true,
    grants: [...CASEWORK, ...POLICY, 'credit:read', 'credit:apply', 'collections:read'],
  },
  collector: {
    job: 'Works collection cases: calls, promises to pay, plan requests, disputes',
    mfa: false,
    grants: [...CASEWORK, 'credit:read', 'collections:read', 'collections:work'],
  },
  collections_manager: {
    job: 'Approves plans and write-offs, owns strategies, queues and contact rules',
    mfa: true,
    grants: [...CASEWORK, ...POLICY, 'channels:write', 'credit:read', 'collections:read', 'collections:work'],
  },
  treasurer: {
    job: 'Runs cash: bank accounts, beneficiaries and outgoing payments; posts and reconciles payments and ledger movements',
    mfa: true,
    grants: [
      'system:read',
      'workflows:read',
      'tasks:work',
      'ledger:read',
      'ledger:post',
      'receivables:read',
      'payments:post',
      'payments:read',
      'payments:initiate',
      'payments:release',
      'payments:status',
      'beneficiaries:manage',
      'bankaccounts:manage',
      'statements:import',
      'reconciliation:work',
    ],
  },
  payment_approver: {
    job: 'Approves payments, beneficiaries’ bank details and ledger movements others prepared (never their own)',
    mfa: true,
    grants: [
      'system:read',
      'workflows:read',
      'tasks:work',
      'ledger:read',
      'receivables:read',
      'payments:read',
      'payments:approve',
      'payments:release',
    ],
  },
  auditor: {
    job: 'Reads everything and verifies the audit chain; changes nothing',
    mfa: false,
    grants: [...READ_ALL, 'audit:read'],
  },
} as const satisfies Record<string, RoleDefinition>;

export type Role = keyof typeof ROLE_TABLE;
export const ROLES = Object.keys(ROLE_TABLE) as [Role, ...Role[]];

export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLE_TABLE, value);
}

export function roleHas(role: Role, permission: Permission): boolean {
  return (ROLE_TABLE[role].grants as readonly Permission[]).includes(permission);
}

/** A principal holding several roles holds the union of their permissions. */
export function rolesHave(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((role) => roleHas(role, permission));
}

export function roleJob(role: Role): string {
  return ROLE_TABLE[role].job;
}

/** Whether a user holding `roles` must pass a second factor (TOTP) before anything else. */
export function rolesNeedMfa(roles: readonly Role[]): boolean {
  return roles.some((role) => ROLE_TABLE[role].mfa);
}
