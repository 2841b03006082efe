import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './api/app.js';
import { findConsoleDir } from './api/console-site.js';
import { defaultMaxInFlight } from './api/middleware/admission.js';
import type { RouteModule } from './api/context.js';
import { countActiveApiKeys, createApiKey, type CreatedApiKey } from './auth/api-keys.js';
import { systemClock, type Clock } from './core/clock.js';
import { VERSION } from './core/version.js';
import type { Config } from './config/config.js';
import { calendarQueueRoutes } from './api/routes/calendars-queues.js';
import { changeRoutes } from './api/routes/changes.js';
import { decisionRoutes } from './api/routes/decisions.js';
import { engineHealthRoutes } from './api/routes/engine-health.js';
import { eventRoutes } from './api/routes/events.js';
import { instanceRoutes } from './api/routes/instances.js';
import { instanceBulkRoutes } from './api/routes/instances-bulk.js';
import { decisionSimulateRoutes } from './api/routes/decision-simulate.js';
import { taskRoutes } from './api/routes/tasks.js';
import { instanceSearch, searchRoutes, taskSearch } from './api/routes/search.js';
import { workflowRoutes } from './api/routes/workflows.js';
import { ActionRegistry } from './engine/actions.js';
import { Engine } from './engine/engine.js';
import type { BackgroundService } from './domains/contract.js';
import {
  domainRoutes,
  domainSearchProviders,
  domainServices,
  installDomains,
  registerDomainActions,
} from './domain-list.js';
import { loadSecrets, type SecretStore } from './config/secrets.js';
import { loadPlugins } from './engine/plugins.js';
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
  /** The workflow engine behind the /workflows, /instances, /events, /tasks and /decisions routes. */
  engine: Engine;
  /**
   * Stops accepting connections, lets in-flight requests finish (up to the timeout), stops the
   * in-process worker (its in-flight instances commit), then closes the DB.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  routes?: RouteModule[];
  clock?: Clock;
  logger?: Logger;
  /** An already open database (tests); otherwise opened from config. */
  database?: Database;
  /** Actions domains contribute; the built-in ones and those of `config.plugins` are added. */
  actions?: ActionRegistry;
  /** Secrets by name; read from FINFLOW_SECRET_* and config.secretsFile when absent. */
  secrets?: SecretStore;
}

/** How often a server or worker looks for audit rows left unsealed by another process. */
export const AUDIT_SWEEP_MS = 5000;

export const EMBEDDED_DURABILITY_WARNING =
  'embedded PGlite runs with fsync off: committed data survives a killed process but not an OS crash or power loss. ' +
  'Run money in production on PostgreSQL (DATABASE_URL=postgres://…).';

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const clock = options.clock ?? systemClock;
  const secrets = options.secrets ?? loadSecrets(config);
  const database = options.database ?? (await openDatabaseFor(config));
  if (database.kind === 'pglite') logger.warn({ dataDir: config.dataDir }, EMBEDDED_DURABILITY_WARNING);

  let server: ServerType | undefined;
  let engine: Engine | undefined;
  const background: BackgroundService[] = [];
  try {
    // Before anything is written: a broken plugin must not cost the first start its bootstrap key.
    const actions = options.actions ?? new ActionRegistry();
    await loadPlugins(config.plugins, actions);
    const running = new Engine({ database, clock, actions });
    engine = running;

    const report = await migrate(database, undefined, (name) => logger.info({ migration: name }, 'migration applied'));
    logger.info({ applied: report.applied.length, alreadyApplied: report.alreadyApplied }, 'database migrated');
    // Audit rows a killed process committed but did not seal, now and every few seconds (audit-seal.ts).
    database.auditSealer.sweepEvery(AUDIT_SWEEP_MS);
    database.auditSealer.poke();

    const bootstrapKey =
      (await countActiveApiKeys(database)) === 0
        ? await createApiKey(database, { name: 'bootstrap admin', role: 'admin', actor: 'system:bootstrap' }, clock)
        : undefined;

    const metrics = createMetrics();
    const engineRoutes = [
      workflowRoutes,
      instanceBulkRoutes, // before instanceRoutes: /instances/count is not an id
      instanceRoutes,
      eventRoutes,
      taskRoutes,
      decisionRoutes,
      decisionSimulateRoutes,
      calendarQueueRoutes,
      changeRoutes,
      engineHealthRoutes,
    ];
    const publicUrl = () => config.publicUrl ?? url;
    const domainContext = { database, clock, engine: running, config, secrets, publicUrl };
    registerDomainActions(domainContext);
    await installDomains(domainContext);
    const routes = [
      ...engineRoutes.map((routesOf) => routesOf(running)),
      ...domainRoutes(domainContext),
      searchRoutes([...domainSearchProviders(), instanceSearch, taskSearch]),
      ...(options.routes ?? []),
    ];
    const maxInFlightRequests =
      config.maxInFlightRequests ?? defaultMaxInFlight(database.kind === 'pglite' ? 1 : config.databasePoolSize);
    const app = createApp({
      database,
      logger,
      metrics,
      clock,
      version: VERSION,
      routes,
      maxInFlightRequests,
      fourEyesChanges: config.fourEyesChanges,
      consoleDir: findConsoleDir(),
    });
    const listening = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
      s.once('error', reject);
    });
    server = listening;
    const { port } = listening.address() as AddressInfo;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url, database: database.kind, version: VERSION }, 'finflow listening');

    if (config.worker) {
      const concurrency = workerConcurrency(config, database, logger);
      running.createWorker({ logger, concurrency }).start();
      logger.info({ concurrency, actions: running.actions.names() }, 'engine worker started');
      for (const service of domainServices(domainContext)) {
        service.start();
        background.push(service);
        logger.info({ service: service.name }, 'background service started');
      }
    }

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        logger.info('shutting down: finishing in-flight requests');
        await closeHttpServer(listening, config.shutdownTimeoutMs);
        logger.info('stopping engine workers: letting in-flight instances commit');
        await running.stopWorkers();
        await Promise.all(background.map((service) => service.stop()));
        await database.close();
        logger.info('shutdown complete');
      })());
    return { url, port, database, logger, bootstrapKey, engine: running, close };
  } catch (error) {
    server?.close();
    await engine?.stopWorkers();
    await Promise.all(background.map((service) => service.stop()));
    await database.close();
    throw error;
  }
}

/** Embedded PGlite has one connection, so more than one claim loop would only queue behind it. */
/**
 * Claim loops in this process. On PostgreSQL a loop spends most of its time waiting on the server, so
 * several loops overlap their round trips (4 by default: the pool has 10 connections, and the loops'
 * call-outs and the HTTP requests need some too). PGlite has one connection: always 1.
 */
export const DEFAULT_PG_WORKER_CONCURRENCY = 4;

export function workerConcurrency(config: Config, database: Database, logger?: Logger): number {
  const configured = config.workerConcurrency;
  if (database.kind === 'pglite') {
    if (configured !== undefined && configured > 1) {
      logger?.warn(
        { workerConcurrency: configured },
        'embedded PGlite runs one worker loop; ignoring workerConcurrency',
      );
    }
    return 1;
  }
  return configured ?? DEFAULT_PG_WORKER_CONCURRENCY;
}

export function openDatabaseFor(config: Config): Promise<Database> {
  return openDatabase(
    config.databaseUrl
      ? {
          databaseUrl: config.databaseUrl,
          poolSize: config.databasePoolSize,
          preparedStatements: config.databasePreparedStatements,
        }
      : { dataDir: config.dataDir },
  );
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
