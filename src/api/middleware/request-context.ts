import type { MiddlewareHandler } from 'hono';
import { newId } from '../../core/ids.js';
import { runInRequestScope } from '../../core/request-scope.js';
import type { AppDeps, AppEnv } from '../context.js';

const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * First middleware of every request: gives it an id (the caller's X-Request-Id when sane), puts the
 * shared dependencies on `c.var`, and on the way out writes one structured log line and the
 * Prometheus counters, labelled by route template rather than raw path to keep cardinality bounded.
 */
export function requestContext(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : newId('req');
    c.set('requestId', requestId);
    c.set('database', deps.database);
    c.set('clock', deps.clock);
    c.set('fourEyesChanges', deps.fourEyesChanges ?? false);
    c.set('logger', deps.logger.child({ requestId }));
    await runInRequestScope({ requestId }, next);
    c.header('x-request-id', requestId);

    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath && c.req.routePath !== '/*' ? c.req.routePath : 'unmatched';
    const status = String(c.res.status);
    deps.metrics.httpRequests.inc({ method: c.req.method, route, status });
    deps.metrics.httpDuration.observe({ method: c.req.method, route }, seconds);
    const principal = c.get('principal') as { id: string } | undefined;
    c.var.logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        route,
        status: c.res.status,
        ms: Math.round(seconds * 10_000) / 10,
        principal: principal?.id,
      },
      'request',
    );
  };
}
