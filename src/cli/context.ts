import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/config.js';
import { loadSecrets } from '../config/secrets.js';
import { ActionRegistry } from '../engine/actions.js';
import { Engine } from '../engine/engine.js';
import type { DomainContext } from '../domains/contract.js';
import { registerDomainActions } from '../domain-list.js';
import { loadPlugins } from '../engine/plugins.js';
import { openDatabaseFor } from '../server.js';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrate.js';

/** Options every command accepts, overriding env and config file. */
export function withDatabaseOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'embedded database folder (env FINFLOW_DATA_DIR; default ./.finflow-data)')
    .option('--database-url <url>', 'use a PostgreSQL server instead of the embedded database (env DATABASE_URL)');
}

export function configFrom(options: { dataDir?: string; databaseUrl?: string; port?: string; host?: string }): Config {
  return loadConfig({
    overrides: {
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
      ...(options.port !== undefined ? { port: options.port as unknown as number } : {}),
      ...(options.host ? { host: options.host } : {}),
    },
  });
}

/** Opens the configured database, brings its schema up to date, runs `work`, and always closes it. */
export async function withDatabase<T>(config: Config, work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabaseFor(config);
  try {
    await migrate(database);
    return await work(database);
  } finally {
    await database.close();
  }
}

/** `--plugin <path>`, repeatable; added to the `plugins` setting (FINFLOW_PLUGINS). */
export function withPluginOption(command: Command): Command {
  return command.option(
    '--plugin <path>',
    'load a plugin module that registers actions (repeatable; adds to FINFLOW_PLUGINS)',
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  );
}

/** The actions of the configured plugins and of `--plugin` flags (the engine adds the built-in ones). */
export async function loadActions(config: Config, plugins: string[] = []): Promise<ActionRegistry> {
  const actions = new ActionRegistry();
  await loadPlugins([...config.plugins, ...plugins], actions);
  return actions;
}

/** Loads plugins (before opening anything, so a bad one fails fast), then runs `work` with an engine. */
export async function withEngine<T>(
  config: Config,
  plugins: string[] | undefined,
  work: (engine: Engine, database: Database, context: DomainContext) => Promise<T>,
): Promise<T> {
  const actions = await loadActions(config, plugins);
  const secrets = loadSecrets(config);
  return withDatabase(config, (database) => {
    const engine = new Engine({ database, actions });
    // A worker started from the CLI runs the same domain steps as the server's.
    const publicUrl = config.publicUrl;
    const context: DomainContext = {
      database,
      clock: engine.services.clock,
      engine,
      config,
      secrets,
      ...(publicUrl ? { publicUrl: () => publicUrl } : {}),
    };
    registerDomainActions(context);
    return work(engine, database, context);
  });
}

/**
 * Every action a definition may name — built-in, domain and plugin — for checking definitions
 * without a database. Nothing runs them here, so the engine they hang on has none: any attempt to
 * use it fails loudly.
 */
export function actionsForValidation(actions: ActionRegistry): ActionRegistry {
  const offline = new Proxy({} as Database, {
    get(_target, property) {
      throw new Error(`no database while validating (tried to use database.${String(property)})`);
    },
  });
  const engine = new Engine({ database: offline, actions });
  registerDomainActions({ database: offline, clock: engine.services.clock, engine });
  return engine.actions;
}
