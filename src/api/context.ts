import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Principal } from '../auth/principal.js';
import type { ActiveSession } from '../auth/sessions.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Database } from '../storage/database.js';

/** What every request handler can reach through `c.var`. */
export interface AppVariables {
  /** The database for this request; inside an idempotent request it is joined to the request's transaction. */
  database: Database;
  principal: Principal;
  /** The browser session the request came with (absent for API keys). */
  session?: ActiveSession;
  requestId: string;
  /** Whether workflow, decision and role changes need a second person (config fourEyesChanges). */
  fourEyesChanges: boolean;
  logger: Logger;
  clock: Clock;
}

export type AppEnv = { Variables: AppVariables };
export type App = OpenAPIHono<AppEnv>;

/** Everything the HTTP app is built from; the composition root (server.ts) supplies it. */
export interface AppDeps {
  database: Database;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  version: string;
  /** Requests handled at once; more get 429 with Retry-After (default: no bound). */
  maxInFlightRequests?: number;
  /** Workflow, decision and role changes need a second person's approval (default false). */
  fourEyesChanges?: boolean;
  /** Route modules to mount under /api/v1 (domains register theirs here). */
  routes?: RouteModule[];
  /** The built web console served at `/` (absent: `/` answers that it is not built). */
  consoleDir?: string;
}

/** A feature's routes: mounted on the /api/v1 app, behind authentication. */
export interface RouteModule {
  register(app: App): void;
  /**
   * Routes that take files larger than the API's body limit (bank statements): the path under
   * /api/v1 and the most bytes it accepts. Every other route keeps the default limit.
   */
  largeBodies?: Array<{ path: string; maxBytes: number }>;
}
