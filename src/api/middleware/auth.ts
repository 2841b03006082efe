import type { MiddlewareHandler } from 'hono';
import { authenticateApiKey } from '../../auth/api-keys.js';
import { roleHas, type Permission } from '../../auth/roles.js';
import { forbidden, unauthorized } from '../../core/errors.js';
import type { AppEnv } from '../context.js';

/** Resolves `Authorization: Bearer <key>` to a principal, or answers 401. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw unauthorized();
    const principal = await authenticateApiKey(c.var.database, match[1]!, c.var.clock);
    if (!principal) throw unauthorized('the API key is unknown or revoked');
    c.set('principal', principal);
    await next();
  };
}

/** Answers 403 unless the caller's role holds `permission`. */
export function requirePermission(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { role } = c.var.principal;
    if (!roleHas(role, permission)) throw forbidden(permission, role);
    await next();
  };
}
