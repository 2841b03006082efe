import type { Command } from 'commander';
import { openDatabaseFor } from '../../server.js';
import { migrate } from '../../storage/migrate.js';
import { configFrom, withDatabaseOptions } from '../context.js';

export function registerMigrateCommand(program: Command): void {
  withDatabaseOptions(program.command('migrate'))
    .description('apply pending database migrations (serve does this too); safe to run again')
    .action(async (options: { dataDir?: string; databaseUrl?: string }) => {
      const database = await openDatabaseFor(configFrom(options));
      try {
        const report = await migrate(database, undefined, (name) => process.stdout.write(`applied ${name}\n`));
        process.stdout.write(
          `${report.applied.length} migration(s) applied, ${report.alreadyApplied} already up to date (${database.kind})\n`,
        );
      } finally {
        await database.close();
      }
    });
}
