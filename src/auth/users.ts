import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { AppError, notFound, validationError, type FieldIssue } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { isTimeZone } from '../core/time-zone.js';
import { AuditedUnit } from '../storage/audit/audited-unit.js';
import type { Database } from '../storage/database.js';
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Queryable, Timestamp, Tx } from '../storage/schema.js';
import { clearApiKeyCache } from './api-keys.js';
import { hashPassword, passwordIssues } from './passwords.js';
import { revokeUserSessions } from './sessions.js';
import { isRole, ROLES, type Role } from './roles.js';

declare module '../storage/schema.js' {
  interface Tables {
    users: UsersTable;
    user_roles: UserRolesTable;
  }
}

/** A nullable timestamp that inserts may leave out (columns added after the table). */
type OptionalTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  locale: string;
  time_zone: string;
  status: string;
  password_hash: string;
  password_changed_at: Timestamp;
  must_change_password: boolean;
  created_at: Timestamp;
  created_by: string;
  updated_at: Timestamp;
  totp_secret: Generated<string | null>;
  totp_pending_secret: Generated<string | null>;
  totp_enrolled_at: OptionalTimestamp;
  totp_last_step: Generated<bigint | null>;
  failed_sign_ins: Generated<number>;
  locked_until: OptionalTimestamp;
}

export interface UserRolesTable {
  user_id: string;
  role: string;
  granted_at: Timestamp;
  granted_by: string;
}

export const LOCALES = ['en', 'es', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** A user as shown to people: never the password hash. */
export interface User {
  id: string;
  email: string;
  name: string;
  locale: Locale;
  timeZone: string;
  status: 'active' | 'disabled';
  roles: Role[];
  mustChangePassword: boolean;
  createdAt: Date;
  createdBy: string;
}

export interface CreateUserInput {
  email: string;
  name: string;
  roles: string[];
  locale?: string | undefined;
  timeZone?: string | undefined;
  actor: string;
  requestId?: string | undefined;
  /** Prefix of the field names in errors: `body.` over HTTP, none for the CLI. */
  fieldPrefix?: string | undefined;
  /** false: create the user without roles (four eyes: the roles are proposed as a change instead). */
  grantRoles?: boolean | undefined;
}

/** A user just created or reset, with the one-time password to hand over (shown once, never stored). */
export interface UserWithOneTimePassword extends User {
  oneTimePassword: string;
}

/** What an email must look like: also the shape of the users list's cursor (the last email of a page). */
export const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** The person's fields, checked and normalised (email lower-case, name trimmed). */
function checkPerson(input: CreateUserInput): {
  email: string;
  name: string;
  locale: Locale;
  timeZone: string;
  roles: Role[];
} {
  const issues: FieldIssue[] = [];
  const at = (field: string) => `${input.fieldPrefix ?? ''}${field}`;
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254)
    issues.push({ field: at('email'), message: 'must be an email address' });
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200)
    issues.push({ field: at('name'), message: 'must be 1 to 200 characters' });
  const locale = input.locale ?? 'en';
  if (!(LOCALES as readonly string[]).includes(locale)) {
    issues.push({ field: at('locale'), message: `must be one of ${LOCALES.join(', ')}` });
  }
  const timeZone = input.timeZone ?? 'UTC';
  if (!isTimeZone(timeZone))
    issues.push({ field: at('timeZone'), message: 'must be an IANA time zone, e.g. Europe/Madrid' });
  const roles = [...new Set(input.roles)];
  const unknown = roles.filter((role) => !isRole(role));
  if (roles.length === 0) issues.push({ field: at('roles'), message: 'must name at least one role' });
  if (unknown.length)
    issues.push({ field: at('roles'), message: `unknown role ${unknown.join(', ')}: one of ${ROLES.join(', ')}` });
  if (issues.length) throw validationError(issues);
  return { email, name, locale: locale as Locale, timeZone, roles: roles as Role[] };
}

/**
 * A one-time password: 20 characters from a 56-letter alphabet without look-alikes (~116 bits),
 * grouped for reading aloud. The person must replace it at first sign-in.
 */
function oneTimePassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]!);
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

export async function createUser(
  database: Database,
  input: CreateUserInput,
  clock: Clock = systemClock,
): Promise<UserWithOneTimePassword> {
  const person = checkPerson(input);
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password);
  const now = clock.now();
  const id = newId('usr', now.getTime());
  await AuditedUnit.run(database, input, clock, async (unit) => {
    const taken = await unit.tx.selectFrom('users').select('id').where('email', '=', person.email).executeTakeFirst();
    if (taken) {
      throw new AppError('conflict', 409, `a user with email ${person.email} exists (${taken.id})`, {
        field: `${input.fieldPrefix ?? ''}email`,
      });
    }
    await unit.tx
      .insertInto('users')
      .values({
        id,
        email: person.email,
        name: person.name,
        locale: person.locale,
        time_zone: person.timeZone,
        status: 'active',
        password_hash: passwordHash,
        password_changed_at: now,
        must_change_password: true,
        created_at: now,
        created_by: input.actor,
        updated_at: now,
      })
      .execute();
    const granted = input.grantRoles === false ? [] : person.roles;
    await grantRoles(unit.tx, id, granted, input.actor, now);
    unit.audit({
      action: 'user.created',
      entityType: 'user',
      entityId: id,
      after: {
        email: person.email,
        name: person.name,
        locale: person.locale,
        timeZone: person.timeZone,
        roles: granted,
      },
    });
  });
  return { ...(await getUser(database.db, id)), oneTimePassword: password };
}

async function grantRoles(tx: Tx, userId: string, roles: Role[], actor: string, now: Date): Promise<void> {
  if (roles.length === 0) return;
  await tx
    .insertInto('user_roles')
    .values(roles.map((role) => ({ user_id: userId, role, granted_at: now, granted_by: actor })))
    .execute();
}

/** A user read under a row lock, so that concurrent changes to one user apply one after another. */
async function lockedUser(tx: Tx, idOrEmail: string): Promise<User> {
  const key = idOrEmail.trim();
  const row = await tx
    .selectFrom('users')
    .select('id')
    .where(key.startsWith('usr_') ? 'id' : 'email', '=', key.startsWith('usr_') ? key : key.toLowerCase())
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('user', idOrEmail);
  return getUser(tx, row.id);
}

/** By id (`usr_…`) or email. */
export async function getUser(db: Queryable, idOrEmail: string): Promise<User> {
  const key = idOrEmail.trim();
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where(key.startsWith('usr_') ? 'id' : 'email', '=', key.startsWith('usr_') ? key : key.toLowerCase())
    .executeTakeFirst();
  if (!row) throw notFound('user', idOrEmail);
  const roles = await db
    .selectFrom('user_roles')
    .select('role')
    .where('user_id', '=', row.id)
    .orderBy('role')
    .execute();
  return toUser(
    row,
    roles.map((r) => r.role as Role),
  );
}

export interface UserListOptions {
  /** Part of the name or email, any case. */
  search?: string | undefined;
  /** The email the previous page ended on: users are listed by email (its unique index). */
  after?: string | undefined;
  /** At most this many; every user without it (the CLI's list). */
  limit?: number | undefined;
}

/** Users by email, a page at a time (keyset on the email index), each with their roles. */
export async function listUsers(db: Queryable, options: UserListOptions = {}): Promise<User[]> {
  let query = db.selectFrom('users').selectAll().orderBy('email');
  if (options.search) {
    const like = `%${options.search.replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
    query = query.where((eb) => eb.or([eb('name', 'ilike', like), eb('email', 'ilike', like)]));
  }
  if (options.after !== undefined) query = query.where('email', '>', options.after);
  if (options.limit !== undefined) query = query.limit(options.limit);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  // A page reads only its users' roles; the whole list (no limit) reads every grant once.
  let grantQuery = db.selectFrom('user_roles').select(['user_id', 'role']).orderBy('role');
  if (options.limit !== undefined)
    grantQuery = grantQuery.where(
      'user_id',
      'in',
      rows.map((row) => row.id),
    );
  const grants = await grantQuery.execute();
  return rows.map((row) =>
    toUser(
      row,
      grants.filter((g) => g.user_id === row.id).map((g) => g.role as Role),
    ),
  );
}

/** Disables a user (they can no longer sign in); disabling twice is a no-op. */
export async function disableUser(
  database: Database,
  input: { user: string; actor: string; reason?: string | undefined; requestId?: string | undefined },
  clock: Clock = systemClock,
): Promise<User> {
  const id = await AuditedUnit.run(database, input, clock, async (unit) => {
    const user = await lockedUser(unit.tx, input.user);
    if (user.status === 'disabled') return user.id;
    const now = clock.now();
    await unit.tx.updateTable('users').set({ status: 'disabled', updated_at: now }).where('id', '=', user.id).execute();
    await revokeUserSessions(unit.tx, user.id, now);
    unit.audit({
      action: 'user.disabled',
      entityType: 'user',
      entityId: user.id,
      before: { status: user.status },
      after: { status: 'disabled' },
      reason: input.reason ?? null,
    });
    return user.id;
  });
  clearApiKeyCache(); // the user's own keys stop now, not within the cache's lifetime
  return getUser(database.db, id);
}

/** The person's own settings: name, language and time zone (the console formats by them). */
export async function updateProfile(
  database: Database,
  input: {
    user: string;
    name?: string | undefined;
    locale?: string | undefined;
    timeZone?: string | undefined;
    actor: string;
    requestId?: string | undefined;
  },
  clock: Clock = systemClock,
): Promise<User> {
  const issues: FieldIssue[] = [];
  const name = input.name?.trim();
  if (name !== undefined && (name.length === 0 || name.length > 200)) {
    issues.push({ field: 'body.name', message: 'must be 1 to 200 characters' });
  }
  if (input.locale !== undefined && !(LOCALES as readonly string[]).includes(input.locale)) {
    issues.push({ field: 'body.locale', message: `must be one of ${LOCALES.join(', ')}` });
  }
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) {
    issues.push({ field: 'body.timeZone', message: 'must be an IANA time zone, e.g. Europe/Madrid' });
  }
  if (issues.length) throw validationError(issues);
  const id = await AuditedUnit.run(database, input, clock, async (unit) => {
    const user = await lockedUser(unit.tx, input.user);
    const before = { name: user.name, locale: user.locale, timeZone: user.timeZone };
    const after = {
      name: name ?? user.name,
      locale: (input.locale as Locale | undefined) ?? user.locale,
      timeZone: input.timeZone ?? user.timeZone,
    };
    if (JSON.stringify(before) === JSON.stringify(after)) return user.id; // the same again writes nothing
    await unit.tx
      .updateTable('users')
      .set({ name: after.name, locale: after.locale, time_zone: after.timeZone, updated_at: clock.now() })
      .where('id', '=', user.id)
      .execute();
    unit.audit({ action: 'user.profile_updated', entityType: 'user', entityId: user.id, before, after });
    return user.id;
  });
  return getUser(database.db, id);
}

/**
 * An admin's reset of a user's second factor (a lost phone): the secret and recovery codes are
 * removed and the user's sessions end; a role that requires MFA makes them enroll again at sign-in.
 */
export async function resetMfa(
  database: Database,
  input: { user: string; actor: string; reason?: string | undefined; requestId?: string | undefined },
  clock: Clock = systemClock,
): Promise<User> {
  const id = await AuditedUnit.run(database, input, clock, async (unit) => {
    const user = await lockedUser(unit.tx, input.user);
    const now = clock.now();
    const cleared = { totp_secret: null, totp_pending_secret: null, totp_enrolled_at: null, totp_last_step: null };
    await unit.tx
      .updateTable('users')
      .set({ ...cleared, updated_at: now })
      .where('id', '=', user.id)
      .execute();
    await unit.tx.deleteFrom('user_recovery_codes').where('user_id', '=', user.id).execute();
    await revokeUserSessions(unit.tx, user.id, now);
    unit.audit({ action: 'user.mfa_reset', entityType: 'user', entityId: user.id, reason: input.reason ?? null });
    return user.id;
  });
  return getUser(database.db, id);
}

/** An admin's reset: a new one-time password, to be replaced at the next sign-in. */
export async function resetPassword(
  database: Database,
  input: { user: string; actor: string; requestId?: string | undefined },
  clock: Clock = systemClock,
): Promise<UserWithOneTimePassword> {
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password); // slow on purpose: before the transaction
  const user = await AuditedUnit.run(database, input, clock, async (unit) => {
    const user = await lockedUser(unit.tx, input.user);
    const now = clock.now();
    await unit.tx
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: now, must_change_password: true, updated_at: now })
      .where('id', '=', user.id)
      .execute();
    await revokeUserSessions(unit.tx, user.id, now);
    // The audit row says that the password changed and who changed it, never what it is.
    unit.audit({ action: 'user.password_reset', entityType: 'user', entityId: user.id });
    return user;
  });
  return { ...(await getUser(database.db, user.id)), oneTimePassword: password };
}

/** The user's own change: the new password must pass the policy. */
export async function changePassword(
  database: Database,
  input: { user: string; newPassword: string; actor: string; requestId?: string | undefined },
  clock: Clock = systemClock,
): Promise<User> {
  const user = await getUser(database.db, input.user);
  const issues = passwordIssues(input.newPassword, user, 'newPassword');
  if (issues.length) throw validationError(issues);
  const passwordHash = await hashPassword(input.newPassword);
  await AuditedUnit.run(database, input, clock, async (unit) => {
    const now = clock.now();
    await unit.tx
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: now, must_change_password: false, updated_at: now })
      .where('id', '=', user.id)
      .execute();
    unit.audit({ action: 'user.password_changed', entityType: 'user', entityId: user.id });
  });
  return getUser(database.db, user.id);
}

/** Replaces the user's roles with `roles`, auditing what was granted and revoked. */
export async function setRoles(
  database: Database,
  input: { user: string; roles: string[]; actor: string; requestId?: string | undefined; fieldPrefix?: string },
  clock: Clock = systemClock,
): Promise<User> {
  const wanted = [...new Set(input.roles)];
  const unknown = wanted.filter((role) => !isRole(role));
  const field = `${input.fieldPrefix ?? ''}roles`;
  if (wanted.length === 0) throw validationError([{ field, message: 'must name at least one role' }]);
  if (unknown.length) {
    throw validationError([{ field, message: `unknown role ${unknown.join(', ')}: one of ${ROLES.join(', ')}` }]);
  }
  const roles = wanted as Role[];
  const user = await AuditedUnit.run(database, input, clock, async (unit) => {
    const user = await lockedUser(unit.tx, input.user);
    const now = clock.now();
    await unit.tx.deleteFrom('user_roles').where('user_id', '=', user.id).where('role', 'not in', roles).execute();
    const added = roles.filter((role) => !user.roles.includes(role));
    await grantRoles(unit.tx, user.id, added, input.actor, now);
    // A session keeps the sign-in steps its roles needed then: new roles need a new sign-in.
    await revokeUserSessions(unit.tx, user.id, now);
    unit.audit({
      action: 'user.roles_set',
      entityType: 'user',
      entityId: user.id,
      before: { roles: user.roles },
      after: { roles: [...roles].sort() },
    });
    return user;
  });
  clearApiKeyCache();
  return getUser(database.db, user.id);
}

function toUser(row: Selectable<UsersTable>, roles: Role[]): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    locale: row.locale as Locale,
    timeZone: row.time_zone,
    status: row.status as User['status'],
    roles,
    mustChangePassword: row.must_change_password,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
  };
}
