import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { Database } from '../storage/database.js';
import type { Queryable, Timestamp, Tx } from '../storage/schema.js';
import type { Principal } from './principal.js';
import { isRole, rolesNeedMfa, type Role } from './roles.js';

declare module '../storage/schema.js' {
  interface Tables {
    user_sessions: UserSessionsTable;
    user_recovery_codes: UserRecoveryCodesTable;
  }
}

export interface UserSessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  csrf_token: string;
  pending: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  address: string | null;
  user_agent: string | null;
}

export interface UserRecoveryCodesTable {
  user_id: string;
  code_hash: string;
  created_at: Timestamp;
  used_at: Timestamp | null;
}

/** The step a session must pass before it may do anything but that step, sign out, or read itself. */
export type Pending = 'password_change' | 'mfa' | 'mfa_enrollment';

/**
 * Browser sessions. The cookie holds a 256-bit token; the database only its SHA-256 (like API keys:
 * a slow hash buys nothing against 2^256). A session ends when it is signed out, unused for
 * `idleMs`, or older than `absoluteMs`, whichever comes first — OWASP's idle and absolute timeouts.
 */
export const SESSION_COOKIE = 'finflow_session';
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;
const LAST_SEEN_RESOLUTION_MS = 60_000;

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** What the session step after `user`'s current state is, given whether the second factor was passed. */
export function nextPending(
  user: { must_change_password: boolean; totp_secret: string | null },
  roles: readonly Role[],
  mfaPassed: boolean,
): Pending | null {
  if (user.totp_secret !== null && !mfaPassed) return 'mfa';
  if (user.must_change_password) return 'password_change';
  if (user.totp_secret === null && rolesNeedMfa(roles)) return 'mfa_enrollment';
  return null;
}

export interface NewSession {
  id: string;
  /** The cookie's value: shown once, only its hash is kept. */
  token: string;
  csrfToken: string;
  pending: Pending | null;
  expiresAt: Date;
}

export async function openSession(
  tx: Tx,
  input: { userId: string; pending: Pending | null; address: string | null; userAgent: string | null },
  clock: Clock,
): Promise<NewSession> {
  const now = clock.now();
  const id = newId('ses', now.getTime());
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  await tx
    .insertInto('user_sessions')
    .values({
      id,
      user_id: input.userId,
      token_hash: hashToken(token),
      csrf_token: csrfToken,
      pending: input.pending,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
      revoked_at: null,
      address: input.address?.slice(0, 100) ?? null,
      user_agent: input.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { id, token, csrfToken, pending: input.pending, expiresAt };
}

/** A live session and the user it signs in. */
export interface ActiveSession {
  id: string;
  userId: string;
  csrfToken: string;
  pending: Pending | null;
  createdAt: Date;
  expiresAt: Date;
  principal: Principal;
}

/**
 * Resolves a cookie token to its session, or null when it is unknown, signed out, idle too long,
 * past its absolute limit, or its user is disabled. The user's roles are read on every request, so a
 * revoked role stops working at once.
 */
export async function resolveSession(database: Database, token: string, clock: Clock): Promise<ActiveSession | null> {
  if (!TOKEN.test(token)) return null;
  const row = await database.db
    .selectFrom('user_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.user_id',
      's.token_hash',
      's.csrf_token',
      's.pending',
      's.created_at',
      's.last_seen_at',
      's.expires_at',
      's.revoked_at',
      'u.name',
      'u.status',
      // The roles in the same round trip: a session request costs one query, not two.
      sql<string[] | null>`(SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = s.user_id)`.as(
        'roles',
      ),
    ])
    .where('s.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || row.status !== 'active') return null;
  const now = clock.now().getTime();
  const lastSeen = new Date(row.last_seen_at).getTime();
  if (now >= new Date(row.expires_at).getTime() || now - lastSeen >= SESSION_IDLE_MS) return null;
  const roles = (row.roles ?? []).filter(isRole);
  if (now - lastSeen >= LAST_SEEN_RESOLUTION_MS) {
    await database.db
      .updateTable('user_sessions')
      .set({ last_seen_at: new Date(now) })
      .where('id', '=', row.id)
      .execute();
  }
  return {
    id: row.id,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    pending: row.pending as Pending | null,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    principal: { kind: 'user', id: row.user_id, name: row.name, roles, worksAs: row.user_id },
  };
}

export async function rolesOf(db: Queryable, userId: string): Promise<Role[]> {
  const rows = await db.selectFrom('user_roles').select('role').where('user_id', '=', userId).orderBy('role').execute();
  return rows.map((r) => r.role).filter(isRole);
}

/** Whether `given` is the session's CSRF token (constant time). */
export function csrfMatches(session: ActiveSession, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Ends every live session of a user (sign-out everywhere; a password change, reset, role change or disable). */
export async function revokeUserSessions(tx: Queryable, userId: string, now: Date, except?: string): Promise<number> {
  let query = tx
    .updateTable('user_sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (except) query = query.where('id', '!=', except);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
