import type { App } from './context.js';
import type { PermissionCheck } from './middleware/auth.js';

/**
 * Writes each operation's permission into the OpenAPI document as the scope of its security
 * requirements (OpenAPI 3.1 lets non-OAuth schemes list role names there), taken from the route's
 * own `requirePermission` middleware — so the document cannot claim a permission the route does not
 * check. Routes without one (the session's own routes) need a session only; health and sign-in none.
 * The role × route test and docs/permissions.md read the permissions from here.
 */
export const PERMISSION_EXTENSION = 'x-permission';

export function documentSecurity(api: App): void {
  api.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key created by `finflow apikey create` or POST /api/v1/api-keys',
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'finflow_session',
    description: 'A browser session from POST /api/v1/session; writes also need its X-CSRF-Token header',
  });
  const register = api.openapi.bind(api);
  api.openapi = (route, handler, hook) => {
    const middleware = [route.middleware ?? []].flat() as Array<Partial<PermissionCheck>>;
    const permission = middleware.find((m) => typeof m.permission === 'string')?.permission;
    const isPublic = route.security !== undefined;
    const security = isPublic
      ? route.security
      : permission
        ? [{ apiKey: [permission] }, { session: [permission] }]
        : [{ session: [] }, { apiKey: [] }];
    return register(
      { ...route, security, ...(permission ? { [PERMISSION_EXTENSION]: permission } : {}) },
      handler,
      hook,
    );
  };
}
