import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { except } from 'hono/combine';
import { AppError } from '../core/errors.js';
import type { App, AppDeps, AppEnv } from './context.js';
import { admissionControl } from './middleware/admission.js';
import { authenticate, requirePermission } from './middleware/auth.js';
import { documentSecurity } from './openapi-security.js';
import { inputGuard } from './middleware/input-guard.js';
import { requestContext } from './middleware/request-context.js';
import { securityHeaders } from './middleware/security-headers.js';
import { fromZodError, problemResponse, toAppError } from './problem.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { userRoutes } from './routes/users.js';
import { auditRoutes } from './routes/audit.js';
import { isSessionPath, sessionRoutes } from './routes/session.js';
import { registerHealth } from './routes/health.js';
import { registerConsoleSite } from './console-site.js';

export const API_PREFIX = '/api/v1';
/** Routes under this prefix skip API-key authentication and must verify a signature themselves. */
export const PUBLIC_HOOKS_PREFIX = '/hooks';
const MAX_BODY_BYTES = 10 * 1024 * 1024; // bulk upserts of 10 000 rows fit

/**
 * Builds the HTTP app. Flow of a request: requestContext (id, log, metrics) → security headers →
 * admission control (429 over the in-flight bound) → body limit → input guard →
 * authenticate (every route but health and the signature-checked /hooks/…) → the route's own permission check and schema validation
 * → handler → any thrown error becomes problem+json in `onError`.
 */
export function createApp(deps: AppDeps): App {
  const app = newApp();
  app.use('*', requestContext(deps));
  app.use('*', securityHeaders());
  if (deps.maxInFlightRequests !== undefined) {
    // Before the body is read or the key looked up: a refused request costs next to nothing.
    app.use(
      '*',
      admissionControl(deps.maxInFlightRequests, (path) => path === `${API_PREFIX}/health` || path === '/metrics'),
    );
  }
  const limitOf = (maxSize: number): MiddlewareHandler<AppEnv> =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('body_too_large', 413, `request body exceeds ${maxSize} bytes`, { field: 'body' });
      },
    });
  const defaultLimit = limitOf(MAX_BODY_BYTES);
  const largeBodies = new Map(
    (deps.routes ?? []).flatMap((m) => m.largeBodies ?? []).map((b) => [`${API_PREFIX}${b.path}`, limitOf(b.maxBytes)]),
  );
  const limit: MiddlewareHandler<AppEnv> = (c, next) => (largeBodies.get(c.req.path) ?? defaultLimit)(c, next);
  app.use('*', limit);
  app.use('*', inputGuard());
  app.onError((error, c) => {
    const appError = toAppError(error);
    if (appError.status >= 500) c.var.logger.error({ err: error }, 'request failed');
    return problemResponse(c, appError);
  });
  app.notFound((c) =>
    problemResponse(c, new AppError('route_not_found', 404, `no route ${c.req.method} ${c.req.path}`)),
  );

  const api = newApp();
  registerHealth(api, deps.version);
  // Callers that cannot hold an API key — payment providers, banks, SMS providers — post to
  // /hooks/…; those routes authenticate each request by its signature instead. Signing in is the
  // one other route without a principal.
  const signingIn = (c: Context) => c.req.method === 'POST' && c.req.path === `${API_PREFIX}/session`;
  api.use(
    '*',
    except(
      [`${API_PREFIX}/health`, `${API_PREFIX}${PUBLIC_HOOKS_PREFIX}/*`, signingIn],
      authenticate(isSessionPath(API_PREFIX)),
    ),
  );
  documentSecurity(api);
  for (const module of [sessionRoutes(), apiKeyRoutes, userRoutes, auditRoutes, ...(deps.routes ?? [])]) {
    module.register(api);
  }

  const openapiConfig = {
    openapi: '3.1.0',
    info: {
      title: 'finflow API',
      version: deps.version,
      description: 'Workflow automation for credit, collections and payments. Errors are RFC 9457 problem+json.',
    },
    servers: [{ url: API_PREFIX }],
  };
  api.get('/openapi.json', requirePermission('system:read'), (c) => c.json(api.getOpenAPI31Document(openapiConfig)));

  app.get(
    '/metrics',
    authenticate(() => false),
    requirePermission('metrics:read'),
    async (c) =>
      c.body(await deps.metrics.registry.metrics(), 200, { 'content-type': deps.metrics.registry.contentType }),
  );
  app.route(API_PREFIX, api);
  registerConsoleSite(
    app,
    deps.consoleDir,
    (path) => path === '/metrics' || path.startsWith(`${API_PREFIX}/`) || path === API_PREFIX,
  );
  return app;
}

/** Every sub-app shares the validation hook, so a failed schema always names the field. */
function newApp(): App {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw fromZodError(result.error, result.target);
    },
  });
}
