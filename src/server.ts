import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './api/app.js';
import type { RouteModule } from './api/context.js';
import { countActiveApiKeys, createApiKey, type CreatedApiKey } from './auth/api-keys.js';
import { systemClock, type Clock } from './core/clock.js';
import { VERSION } from './core/version.js';
import type { Config } from './config/config.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { openDatabase, type Database } from './storage/database.js';
import { migrate } from './storage/migrate.js';

/**
 * The composition root: the one place that wires config, storage, logging, metrics and routes
 * together. `finflow serve` and the tests both start finflow through it.
 */
export interface RunningServer {
  url: string;
  port: number;
  database: Database;
  logger: Logger;
  /** Set on the very first start: the bootstrap admin key, to be shown once. */
  bootstrapKey: CreatedApiKey | undefined;
  /** Stops accepting connections, lets in-flight requests finish (up to the timeout), closes the DB. */
  close(): Promise<void>;
}

export interface StartOptions {
  routes?: RouteModule[];
  clock?: Clock;
  logger?: Logger;
  /** An already open database (tests); otherwise opened from config. */
  database?: Database;
}

export const EMBEDDED_DURABILITY_WARNING =
  'embedded PGlite runs with fsync off: committed data survives a killed process but not an OS crash or power loss. ' +
  'Run money in production on PostgreSQL (DATABASE_URL=postgres://…).';

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const database = options.database ?? (await openDatabaseFor(config));
  if (database.kind === 'pglite') logger.warn({ dataDir: config.dataDir }, EMBEDDED_DURABILITY_WARNING);

  let server: ServerType | undefined;
  try {
    const report = await migrate(database, undefined, (name) => logger.info({ migration: name }, 'migration applied'));
    logger.info({ applied: report.applied.length, alreadyApplied: report.alreadyApplied }, 'database migrated');

    const bootstrapKey =
      (await countActiveApiKeys(database)) === 0
        ? await createApiKey(database, { name: 'bootstrap admin', role: 'admin', actor: 'system:bootstrap' }, clock)
        : undefined;

    const metrics = createMetrics();
    const app = createApp({ database, logger, metrics, clock, version: VERSION, routes: options.routes ?? [] });
    const listening = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
      s.once('error', reject);
    });
    server = listening;
    const { port } = listening.address() as AddressInfo;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url, database: database.kind, version: VERSION }, 'finflow listening');

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        logger.info('shutting down: finishing in-flight requests');
        await closeHttpServer(listening, config.shutdownTimeoutMs);
        await database.close();
        logger.info('shutdown complete');
      })());
    return { url, port, database, logger, bootstrapKey, close };
  } catch (error) {
    server?.close();
    await database.close();
    throw error;
  }
}

export function openDatabaseFor(config: Config): Promise<Database> {
  return openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
}

/** Stop accepting, drop idle keep-alive sockets, wait for in-flight requests; force after timeout. */
function closeHttpServer(server: ServerType, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const http = server as HttpServer;
    const timer = setTimeout(() => http.closeAllConnections?.(), timeoutMs);
    http.close(() => {
      clearTimeout(timer);
      resolve();
    });
    http.closeIdleConnections?.();
  });
}
