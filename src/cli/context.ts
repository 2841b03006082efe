import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/config.js';
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
