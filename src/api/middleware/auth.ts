import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { authenticateApiKey } from '../../auth/api-keys.js';
import { rolesHave, type Permission } from '../../auth/roles.js';
import { csrfMatches, resolveSession, SESSION_COOKIE, type Pending } from '../../auth/sessions.js';
import { AppError, forbidden, unauthorized } from '../../core/errors.js';
import type { AppEnv } from '../context.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

const PENDING_ERRORS: Record<Pending, [string, string]> = {
  mfa: ['mfa_required', 'enter the code from your authenticator app first: POST /api/v1/session/mfa'],
  password_change: ['password_change_required', 'replace your one-time password first: POST /api/v1/session/password'],
  mfa_enrollment: [
    'mfa_enrollment_required',
    'your role requires a second factor: enroll an authenticator app first (POST /api/v1/session/mfa/enrollment)',
  ],
};

/**
 * Resolves the caller to a principal, or answers 401. Systems send `Authorization: Bearer <key>`;
 * browsers send the session cookie, and with it the session's CSRF token in `X-CSRF-Token` on every
 * write (the cookie alone rides along on a forged cross-site request; the token cannot). A session
 * still pending a sign-in step reaches only `sessionPaths` until the step is done.
 */
export function authenticate(sessionPaths: (path: string) => boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw unauthorized();
      const principal = await authenticateApiKey(c.var.database, match[1]!, c.var.clock);
      if (!principal) throw unauthorized('the API key is unknown or revoked');
      c.set('principal', principal);
      return next();
    }
    const token = getCookie(c, SESSION_COOKIE);
    if (token === undefined)
      throw unauthorized('sign in (POST /api/v1/session) or send an API key (Authorization: Bearer <key>)');
    const session = await resolveSession(c.var.database, token, c.var.clock);
    if (!session)
      throw new AppError('session_expired', 401, 'the session has ended (signed out, expired or idle): sign in again');
    if (!SAFE_METHODS.has(c.req.method) && !csrfMatches(session, c.req.header(CSRF_HEADER))) {
      throw new AppError(
        'csrf_token_invalid',
        403,
        `a write from a browser session needs the session's CSRF token in ${CSRF_HEADER}`,
      );
    }
    if (session.pending && !sessionPaths(c.req.path)) {
      const [code, message] = PENDING_ERRORS[session.pending];
      throw new AppError(code, 403, message, { details: { pending: session.pending } });
    }
    c.set('principal', session.principal);
    c.set('session', session);
    return next();
  };
}

/** A route's permission check; the permission it carries is written into the OpenAPI document. */
export type PermissionCheck = MiddlewareHandler<AppEnv> & { permission: Permission };

/** Answers 403 unless one of the caller's roles holds `permission`. */
export function requirePermission(permission: Permission): PermissionCheck {
  const check: MiddlewareHandler<AppEnv> = async (c, next) => {
    const { roles } = c.var.principal;
    if (!rolesHave(roles, permission)) throw forbidden(permission, roles);
    await next();
  };
  return Object.assign(check, { permission });
}
