import { hashPassword } from '../auth/passwords.js';
import { ROLES, rolesNeedMfa, type Role } from '../auth/roles.js';
import { createUser } from '../auth/users.js';
import type { Clock } from '../core/clock.js';
import { getQueue, putQueue } from '../engine/tasks/queue-store.js';
import { AuditedUnit } from '../storage/audit/audited-unit.js';
import type { Database } from '../storage/database.js';

/**
 * Demo people: one user per role, so that a newcomer can sign in as a collector or an approver. They
 * share one documented password and, for the roles that require a second factor, one documented TOTP
 * secret (type it into any authenticator app). Both are public, so `serve --demo` creates them only
 * on embedded PGlite and only when there are no users yet — never on a PostgreSQL server.
 */
export const DEMO_PASSWORD = 'finflow-demo-2026';
/** 20 bytes, base32: what an authenticator app asks for when a QR code cannot be scanned. */
export const DEMO_TOTP_SECRET = 'MZUW4ZTMN53S2ZDFNVXS2MRQGI3C2VDP';

const NAMES: Record<Role, string> = {
  admin: 'Ada Admin',
  operator: 'Otto Operator',
  viewer: 'Vera Viewer',
  credit_officer: 'Olga Officer',
  credit_manager: 'Mia Manager',
  collector: 'Ana Collector',
  collections_manager: 'Sam Supervisor',
  treasurer: 'Tess Treasurer',
  payment_approver: 'Carl Controller',
  auditor: 'Aud Auditor',
};

/** The example queues (examples/queues.json) each demo user joins, so their tasks reach them. */
const QUEUES: Partial<Record<Role, string[]>> = {
  collector: ['collectors', 'collectors-b2b'],
  collections_manager: ['collections-supervisors'],
  credit_officer: ['credit-officers'],
  credit_manager: ['credit-managers', 'credit-committee'],
  treasurer: ['treasury', 'finance-ops'],
  payment_approver: ['controllers', 'payment-approvers'],
};

export const demoEmail = (role: Role): string => `${role.replace(/_/g, '-')}@demo.finflow.test`;

export async function seedDemoUsers(
  database: Database,
  clock: Clock,
  actor = 'system:demo',
): Promise<{ created: Array<{ email: string; role: Role }> }> {
  const any = await database.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) return { created: [] };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const created: Array<{ email: string; role: Role }> = [];
  for (const role of ROLES) {
    const user = await createUser(database, { email: demoEmail(role), name: NAMES[role], roles: [role], actor }, clock);
    const mfa = rolesNeedMfa([role]);
    await AuditedUnit.run(database, { actor }, clock, async (unit) => {
      await unit.tx
        .updateTable('users')
        .set({
          password_hash: passwordHash,
          must_change_password: false,
          ...(mfa ? { totp_secret: DEMO_TOTP_SECRET, totp_enrolled_at: clock.now() } : {}),
        })
        .where('id', '=', user.id)
        .execute();
      unit.audit({ action: 'user.demo_credentials_set', entityType: 'user', entityId: user.id, after: { mfa } });
    });
    for (const name of QUEUES[role] ?? []) {
      const queue = await getQueue(database.db, name);
      if (queue) await putQueue(database, { name, members: [...queue.members, user.id], actor }, clock);
    }
    created.push({ email: user.email, role });
  }
  return { created };
}
