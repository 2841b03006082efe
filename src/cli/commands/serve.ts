import type { Command } from 'commander';
import { EMBEDDED_DURABILITY_WARNING, startServer } from '../../server.js';
import { seedExamples } from '../../demo/seed-examples.js';
import { seedPortfolio } from '../../demo/seed-portfolio.js';
import { configFrom, withDatabaseOptions } from '../context.js';

export function registerServeCommand(program: Command): void {
  withDatabaseOptions(program.command('serve'))
    .description('start the HTTP API (applies migrations first); stops cleanly on SIGTERM or Ctrl-C')
    .option('-p, --port <port>', 'port to listen on (env PORT; default 3000)')
    .option('--host <host>', 'address to listen on (env FINFLOW_HOST; default 127.0.0.1)')
    .option(
      '--demo',
      'on embedded PGlite: deploy the demo data from examples/ (decisions, calendars, queues, workflows); idempotent',
    )
    .action(
      async (options: { dataDir?: string; databaseUrl?: string; port?: string; host?: string; demo?: boolean }) => {
        const config = configFrom(options);
        const server = await startServer(config);
        // Demo data belongs in a trial, not in a production database: --demo applies to embedded PGlite only.
        const demo = options.demo && server.database.kind === 'pglite' ? await seedExamples(server.engine) : undefined;
        const portfolio = demo
          ? await seedPortfolio({
              database: server.database,
              clock: server.engine.services.clock,
              engine: server.engine,
            })
          : undefined;
        const lines = [
          '',
          `  finflow is running at ${server.url}`,
          `  API:     ${server.url}/api/v1   (OpenAPI: ${server.url}/api/v1/openapi.json)`,
          `  storage: ${server.database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL server'}`,
        ];
        if (demo) {
          lines.push(
            `  demo:    workflows ${demo.workflows.map((w) => `${w.key}@${w.version}`).join(', ')}; ` +
              `decisions ${demo.decisions.join(', ')}; calendars ${demo.calendars.join(', ')}; queues ${demo.queues.join(', ')}`,
          );
          if (portfolio?.loaded)
            lines.push('  demo:    portfolio loaded (customers DEMO-C1…C6, loans and invoices in every bucket)');
        }
        if (server.database.kind === 'pglite') lines.push(`  note:    ${EMBEDDED_DURABILITY_WARNING}`);
        if (server.bootstrapKey) {
          lines.push(
            '',
            '  First start: an admin API key was created. It is shown ONCE — store it now:',
            '',
            `    ${server.bootstrapKey.token}`,
            '',
            `  Try: curl -H "Authorization: Bearer <key>" ${server.url}/api/v1/api-keys`,
          );
        }
        process.stderr.write(`${lines.join('\n')}\n\n`);

        const stop = (signal: string) => {
          server.logger.info({ signal }, 'signal received');
          server.close().then(
            () => process.exit(0),
            (error: unknown) => {
              server.logger.error({ err: error }, 'shutdown failed');
              process.exit(1);
            },
          );
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      },
    );
}
