import type { RouteModule } from '../api/context.js';
import type { Clock } from '../core/clock.js';
import { loadConfig, type Config } from '../config/config.js';
import { secretStore } from '../config/secrets.js';
import type { ActionRegistry } from '../engine/actions.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { startServer, type RunningServer } from '../server.js';
import { openTestDatabase } from './test-database.js';

export interface TestServer extends RunningServer {
  adminToken: string;
  /** fetch against the server; `token` defaults to the admin key, `null` sends none. */
  call(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
}

export interface TestServerOptions {
  routes?: RouteModule[];
  /** Actions the engine can run besides the built-in ones. */
  actions?: ActionRegistry;
  clock?: Clock;
  /** Run the in-process engine worker (default true, as in `finflow serve`). */
  worker?: boolean;
  /** Settings beside the test defaults (SMTP URL, SMS provider…). */
  config?: Partial<Config>;
  /** Secrets by name, instead of the process environment's. */
  secrets?: Record<string, string>;
  /** The server's logger (default: FINFLOW_LOG_LEVEL, silent in tests); tests capture logs with one. */
  logger?: Logger;
}

/** A real finflow HTTP server on 127.0.0.1 with a random port, on a fresh test database. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const config = loadConfig({
    env: {},
    overrides: {
      port: 0,
      host: '127.0.0.1',
      shutdownTimeoutMs: 2000,
      worker: options.worker ?? true,
      // Tests' receivers, bureaus and agencies listen on 127.0.0.1, which the outbound URL policy
      // refuses unless allowed: allowed here, as an operator would in the config.
      outboundAllow: ['127.0.0.1'],
      // Tests deploy workflows and decisions with one admin key; the four-eyes tests turn this on.
      fourEyesChanges: false,
      ...options.config,
    },
  });
  const server = await startServer(config, {
    database: await openTestDatabase(),
    logger: options.logger ?? createLogger(process.env.FINFLOW_LOG_LEVEL ?? 'silent'),
    secrets: secretStore(options.secrets ?? {}),
    ...(options.routes ? { routes: options.routes } : {}),
    ...(options.actions ? { actions: options.actions } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const adminToken = server.bootstrapKey!.token;
  const call: TestServer['call'] = (path, init = {}) => {
    const { token = adminToken, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${server.url}${path}`, {
      ...rest,
      headers,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  };
  return { ...server, adminToken, call };
}
