import type { Selectable } from 'kysely';
import type { Clock } from '../core/clock.js';
import { AppError, validationError } from '../core/errors.js';
import { AuditedUnit } from '../storage/audit/audited-unit.js';
import type { Database } from '../storage/database.js';
import type { Tx } from '../storage/schema.js';
import { hashPassword, MAX_PASSWORD_LENGTH, passwordIssues, verifyPassword } from './passwords.js';
import {
  nextPending,
  openSession,
  revokeUserSessions,
  rolesOf,
  type ActiveSession,
  type NewSession,
} from './sessions.js';
import { hashRecoveryCode, matchTotp, newRecoveryCodes, newTotpSecret, totpEnrollment } from './totp.js';
import type { UsersTable } from './users.js';

/**
 * Signing in, step by step: the password opens a session that may still be `pending` a step (the
 * TOTP code, replacing a one-time password, enrolling TOTP when a role requires it). Every failure is
 * audited and counted: `MAX_FAILED_SIGN_INS` wrong passwords or codes in a row lock the account for
 * `LOCK_MS` — the lock is checked before the password, so a locked account cannot be probed.
 */
export const MAX_FAILED_SIGN_INS = 5;
export const LOCK_MS = 15 * 60_000;

type UserRow = Selectable<UsersTable>;

export interface Client {
  address: string | null;
  userAgent: string | null;
  requestId?: string | null;
}

/** A hash to verify against when the email is unknown, so that both cases take the same time. */
let decoyHash: Promise<string> | undefined;
const decoy = (): Promise<string> => (decoyHash ??= hashPassword('decoy password that no one has 7f3a9c'));

const signInFailed = (): AppError => new AppError('sign_in_failed', 401, 'the email or the password is wrong');

/** Audits a refused step and counts it toward the lock; commits even though the request fails. */
async function recordFailure(
  database: Database,
  user: UserRow,
  action: string,
  client: Client,
  clock: Clock,
): Promise<{ lockedUntil: Date | null }> {
  return AuditedUnit.run(database, { actor: user.id, requestId: client.requestId ?? null }, clock, async (unit) => {
    const row = await unit.tx
      .updateTable('users')
      .set((eb) => ({ failed_sign_ins: eb('failed_sign_ins', '+', 1) }))
      .where('id', '=', user.id)
      .returning('failed_sign_ins')
      .executeTakeFirstOrThrow();
    let lockedUntil: Date | null = null;
    if (row.failed_sign_ins >= MAX_FAILED_SIGN_INS) {
      lockedUntil = new Date(clock.now().getTime() + LOCK_MS);
      await unit.tx
        .updateTable('users')
        .set({ locked_until: lockedUntil, failed_sign_ins: 0 })
        .where('id', '=', user.id)
        .execute();
    }
    unit.audit({
      action,
      entityType: 'user',
      entityId: user.id,
      after: {
        failedSignIns: row.failed_sign_ins,
        lockedUntil: lockedUntil?.toISOString() ?? null,
        address: client.address,
      },
    });
    return { lockedUntil };
  });
}

function lockedError(until: Date): AppError {
  return new AppError(
    'account_locked',
    403,
    `too many failed sign-ins: the account is locked until ${until.toISOString()}`,
    {
      details: { lockedUntil: until.toISOString() },
    },
  );
}

/** An audit row of a refused step, alone in its transaction (the request fails, the row stays). */
async function auditRefusal(
  database: Database,
  actor: string,
  entityId: string,
  action: string,
  reason: string,
  client: Client,
  clock: Clock,
): Promise<void> {
  await AuditedUnit.run(database, { actor, requestId: client.requestId ?? null }, clock, (unit) => {
    unit.audit({ action, entityType: 'user', entityId, after: { reason, address: client.address } });
    return Promise.resolve();
  });
}

async function userByEmail(database: Database, email: string): Promise<UserRow | undefined> {
  return database.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export interface SignedIn {
  session: NewSession;
  userId: string;
}

/** The password step: a session, possibly pending a further step; 401/403 otherwise. */
export async function signIn(
  database: Database,
  input: { email: string; password: string },
  client: Client,
  clock: Clock,
): Promise<SignedIn> {
  const user = input.email.length <= 254 ? await userByEmail(database, input.email) : undefined;
  if (!user || input.password.length > MAX_PASSWORD_LENGTH) {
    await verifyPassword(await decoy(), input.password.slice(0, MAX_PASSWORD_LENGTH));
    // Nothing to count against: the email names no one. The refusal is still recorded.
    const entityId = input.email.trim().toLowerCase().slice(0, 254);
    await auditRefusal(database, 'anonymous', entityId, 'user.sign_in_failed', 'unknown email', client, clock);
    throw signInFailed();
  }
  const now = clock.now();
  if (user.locked_until && new Date(user.locked_until) > now) {
    await auditRefusal(database, user.id, user.id, 'user.sign_in_refused', 'locked', client, clock);
    throw lockedError(new Date(user.locked_until));
  }
  if (!(await verifyPassword(user.password_hash, input.password))) {
    const { lockedUntil } = await recordFailure(database, user, 'user.sign_in_failed', client, clock);
    throw lockedUntil ? lockedError(lockedUntil) : signInFailed();
  }
  if (user.status !== 'active') {
    await auditRefusal(database, user.id, user.id, 'user.sign_in_refused', 'disabled', client, clock);
    throw new AppError('user_disabled', 403, 'this user is disabled: ask an administrator');
  }
  const roles = await rolesOf(database.db, user.id);
  const pending = nextPending(user, roles, false);
  const session = await AuditedUnit.run(
    database,
    { actor: user.id, requestId: client.requestId ?? null },
    clock,
    async (unit) => {
      await unit.tx
        .updateTable('users')
        .set({ failed_sign_ins: 0, locked_until: null })
        .where('id', '=', user.id)
        .execute();
      const opened = await openSession(unit.tx, { userId: user.id, pending, ...client }, clock);
      unit.audit({
        action: 'user.signed_in',
        entityType: 'user',
        entityId: user.id,
        after: { session: opened.id, pending, address: client.address },
      });
      return opened;
    },
  );
  return { session, userId: user.id };
}

async function lockUser(tx: Tx, userId: string): Promise<UserRow> {
  return tx.selectFrom('users').selectAll().where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
}

/** Moves the session to its next step once `user` is in the state the step asked for. */
async function advance(
  tx: Tx,
  session: ActiveSession,
  user: UserRow,
  mfaPassed: boolean,
): Promise<ReturnType<typeof nextPending>> {
  const pending = nextPending(user, session.principal.roles, mfaPassed);
  await tx.updateTable('user_sessions').set({ pending }).where('id', '=', session.id).execute();
  return pending;
}

/**
 * The second factor: a TOTP code (each time step once — a replayed code is refused) or one unused
 * recovery code. Wrong codes count toward the lock like wrong passwords.
 */
export async function verifySecondFactor(
  database: Database,
  session: ActiveSession,
  input: { code?: string | undefined; recoveryCode?: string | undefined },
  client: Client,
  clock: Clock,
): Promise<ReturnType<typeof nextPending>> {
  if (session.pending !== 'mfa') {
    throw new AppError('not_pending', 409, 'this session is not waiting for a second factor', {
      details: { pending: session.pending },
    });
  }
  if ((input.code === undefined) === (input.recoveryCode === undefined)) {
    throw validationError([
      { field: 'body', message: 'give either code (from the authenticator app) or recoveryCode' },
    ]);
  }
  const who = { actor: session.userId, requestId: client.requestId ?? null };
  const outcome = await AuditedUnit.run(database, who, clock, async (unit) => {
    const user = await lockUser(unit.tx, session.userId);
    const now = clock.now();
    if (user.locked_until && new Date(user.locked_until) > now)
      return { kind: 'error' as const, error: lockedError(new Date(user.locked_until)) };
    if (input.code !== undefined) {
      const step = user.totp_secret ? matchTotp(user.totp_secret, input.code, now) : null;
      if (step === null) return { kind: 'failed' as const, failed: 'totp_invalid' as const };
      if (user.totp_last_step !== null && BigInt(step) <= BigInt(user.totp_last_step))
        return { kind: 'failed' as const, failed: 'totp_replayed' as const };
      await unit.tx
        .updateTable('users')
        .set({ totp_last_step: BigInt(step), failed_sign_ins: 0 })
        .where('id', '=', user.id)
        .execute();
    } else {
      const used = await unit.tx
        .updateTable('user_recovery_codes')
        .set({ used_at: now })
        .where('user_id', '=', user.id)
        .where('code_hash', '=', hashRecoveryCode(input.recoveryCode!))
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1)
        return { kind: 'failed' as const, failed: 'recovery_code_invalid' as const };
      await unit.tx.updateTable('users').set({ failed_sign_ins: 0 }).where('id', '=', user.id).execute();
    }
    const pending = await advance(unit.tx, session, user, true);
    unit.audit({
      action: 'user.mfa_passed',
      entityType: 'user',
      entityId: user.id,
      after: { session: session.id, by: input.code !== undefined ? 'totp' : 'recovery_code', pending },
    });
    return { kind: 'passed' as const, pending };
  });
  if (outcome.kind === 'error') throw outcome.error;
  if (outcome.kind === 'failed') {
    const user = await database.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', session.userId)
      .executeTakeFirstOrThrow();
    const { lockedUntil } = await recordFailure(database, user, `user.${outcome.failed}`, client, clock);
    if (lockedUntil) throw lockedError(lockedUntil);
    const messages = {
      totp_invalid: 'the code is wrong or expired: enter the current code from your authenticator app',
      totp_replayed: 'this code was already used: wait for the next one',
      recovery_code_invalid: 'the recovery code is wrong or already used',
    };
    throw new AppError(outcome.failed, 401, messages[outcome.failed]);
  }
  return outcome.pending;
}

/** Starts (or restarts) TOTP enrollment: a new secret offered until a code from it is confirmed. */
export async function startMfaEnrollment(
  database: Database,
  session: ActiveSession,
  client: Client,
  clock: Clock,
): Promise<{ secret: string; otpauthUri: string; qrSvg: string }> {
  if (session.pending === 'mfa' || session.pending === 'password_change') {
    throw new AppError(
      'not_pending',
      409,
      `finish the ${session.pending === 'mfa' ? 'second factor' : 'password change'} first`,
    );
  }
  const secret = newTotpSecret();
  const email = await AuditedUnit.run(
    database,
    { actor: session.userId, requestId: client.requestId ?? null },
    clock,
    async (unit) => {
      const user = await lockUser(unit.tx, session.userId);
      await unit.tx.updateTable('users').set({ totp_pending_secret: secret }).where('id', '=', user.id).execute();
      unit.audit({ action: 'user.mfa_enrollment_started', entityType: 'user', entityId: user.id });
      return user.email;
    },
  );
  return { secret, ...(await totpEnrollment(secret, email)) };
}

/** Confirms enrollment with a code from the new secret; returns ten recovery codes, shown once. */
export async function confirmMfaEnrollment(
  database: Database,
  session: ActiveSession,
  code: string,
  client: Client,
  clock: Clock,
): Promise<{ recoveryCodes: string[]; pending: ReturnType<typeof nextPending> }> {
  const recoveryCodes = newRecoveryCodes();
  return AuditedUnit.run(
    database,
    { actor: session.userId, requestId: client.requestId ?? null },
    clock,
    async (unit) => {
      const user = await lockUser(unit.tx, session.userId);
      const now = clock.now();
      if (!user.totp_pending_secret)
        throw new AppError('not_pending', 409, 'start enrollment first: POST /session/mfa/enrollment');
      const step = matchTotp(user.totp_pending_secret, code, now);
      if (step === null) {
        throw new AppError(
          'totp_invalid',
          422,
          'the code does not match the new secret: check the device clock and scan again',
          {
            field: 'body.code',
          },
        );
      }
      const enrolled = {
        totp_secret: user.totp_pending_secret,
        totp_pending_secret: null,
        totp_enrolled_at: now,
        totp_last_step: BigInt(step),
      };
      await unit.tx.updateTable('users').set(enrolled).where('id', '=', user.id).execute();
      await unit.tx.deleteFrom('user_recovery_codes').where('user_id', '=', user.id).execute();
      await unit.tx
        .insertInto('user_recovery_codes')
        .values(
          recoveryCodes.map((c) => ({
            user_id: user.id,
            code_hash: hashRecoveryCode(c),
            created_at: now,
            used_at: null,
          })),
        )
        .execute();
      // Enrolling with a fresh code proves the factor for this session.
      const pending = await advance(unit.tx, session, { ...user, ...enrolled }, true);
      unit.audit({
        action: 'user.mfa_enrolled',
        entityType: 'user',
        entityId: user.id,
        before: { enrolled: user.totp_secret !== null },
        after: { enrolled: true, recoveryCodes: recoveryCodes.length },
      });
      return { recoveryCodes, pending };
    },
  );
}

/** The user's own password change: needs the current password; signs out every other session. */
export async function changeOwnPassword(
  database: Database,
  session: ActiveSession,
  input: { currentPassword: string; newPassword: string },
  client: Client,
  clock: Clock,
): Promise<ReturnType<typeof nextPending>> {
  if (session.pending === 'mfa') throw new AppError('not_pending', 409, 'pass the second factor first');
  const user = await database.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', session.userId)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(user.password_hash, input.currentPassword.slice(0, MAX_PASSWORD_LENGTH)))) {
    const { lockedUntil } = await recordFailure(database, user, 'user.password_change_failed', client, clock);
    if (lockedUntil) throw lockedError(lockedUntil);
    throw new AppError('sign_in_failed', 401, 'the current password is wrong', { field: 'body.currentPassword' });
  }
  const issues = passwordIssues(input.newPassword, user, 'body.newPassword');
  if (input.newPassword === input.currentPassword)
    issues.push({ field: 'body.newPassword', message: 'must differ from the current password' });
  if (issues.length) throw validationError(issues);
  const passwordHash = await hashPassword(input.newPassword);
  return AuditedUnit.run(database, { actor: user.id, requestId: client.requestId ?? null }, clock, async (unit) => {
    const now = clock.now();
    const locked = await lockUser(unit.tx, user.id);
    const changed = {
      password_hash: passwordHash,
      password_changed_at: now,
      must_change_password: false,
      updated_at: now,
    };
    await unit.tx.updateTable('users').set(changed).where('id', '=', user.id).execute();
    const others = await revokeUserSessions(unit.tx, user.id, now, session.id);
    const pending = await advance(unit.tx, session, { ...locked, ...changed }, session.pending !== 'mfa');
    unit.audit({
      action: 'user.password_changed',
      entityType: 'user',
      entityId: user.id,
      after: { otherSessionsEnded: others },
    });
    return pending;
  });
}

/** Signs this session out, or every session of its user. */
export async function signOut(
  database: Database,
  session: ActiveSession,
  everywhere: boolean,
  client: Client,
  clock: Clock,
): Promise<number> {
  return AuditedUnit.run(
    database,
    { actor: session.userId, requestId: client.requestId ?? null },
    clock,
    async (unit) => {
      const now = clock.now();
      const ended = everywhere
        ? await revokeUserSessions(unit.tx, session.userId, now)
        : Number(
            (
              await unit.tx
                .updateTable('user_sessions')
                .set({ revoked_at: now })
                .where('id', '=', session.id)
                .where('revoked_at', 'is', null)
                .executeTakeFirst()
            ).numUpdatedRows,
          );
      unit.audit({
        action: everywhere ? 'user.signed_out_everywhere' : 'user.signed_out',
        entityType: 'user',
        entityId: session.userId,
        after: { session: session.id, sessionsEnded: ended },
      });
      return ended;
    },
  );
}
