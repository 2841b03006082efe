import type { Command } from 'commander';
import { sql } from 'kysely';
import { AcceleratedClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Database } from '../../storage/database.js';
import { EMBEDDED_DURABILITY_WARNING, startServer } from '../../server.js';
import { seedExamples } from '../../demo/seed-examples.js';
import { seedPortfolio } from '../../demo/seed-portfolio.js';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, seedDemoUsers } from '../../demo/seed-users.js';
import { configFrom, withDatabaseOptions } from '../context.js';

/** `--speed`: a demo clock; refused on a PostgreSQL server, where time must be real. */
function acceleratedClock(speed: string | undefined, databaseUrl: string | undefined): AcceleratedClock | undefined {
  if (speed === undefined) return undefined;
  const factor = Number(speed);
  if (!Number.isFinite(factor) || factor < 1 || factor > 100_000) {
    throw new AppError('invalid_option', 400, '--speed: must be a number from 1 to 100000, e.g. 1440 (a day a minute)');
  }
  if (databaseUrl) {
    throw new AppError(
      'invalid_option',
      400,
      '--speed: only on embedded PGlite (demos); a PostgreSQL server runs on real time',
    );
  }
  return factor === 1 ? undefined : new AcceleratedClock(factor);
}

async function latestRecordedTime(database: Database): Promise<Date> {
  const row = await database.db
    .selectFrom('audit_log')
    .select(sql<Date | null>`max(occurred_at)`.as('at'))
    .executeTakeFirst();
  return row?.at ? new Date(row.at) : new Date(0);
}

export function registerServeCommand(program: Command): void {
  withDatabaseOptions(program.command('serve'))
    .description('start the HTTP API (applies migrations first); stops cleanly on SIGTERM or Ctrl-C')
    .option('-p, --port <port>', 'port to listen on (env PORT; default 3000)')
    .option('--host <host>', 'address to listen on (env FINFLOW_HOST; default 127.0.0.1)')
    .option(
      '--demo',
      'on embedded PGlite: deploy the demo data from examples/ (decisions, calendars, queues, workflows) and, on an empty data folder, a demo portfolio; idempotent',
    )
    .option('--no-demo', 'start without demo data (overrides --demo)')
    .option(
      '--speed <factor>',
      'on embedded PGlite, for demos: run the clock this many times faster than real time (1440 = a day a minute)',
    )
    .action(
      async (options: {
        dataDir?: string;
        databaseUrl?: string;
        port?: string;
        host?: string;
        demo?: boolean;
        speed?: string;
      }) => {
        const config = configFrom(options);
        const clock = acceleratedClock(options.speed, config.databaseUrl);
        const server = await startServer(config, clock ? { clock } : {});
        // A data folder an earlier demo ran ahead in time continues from where it was.
        if (clock) clock.resumeFrom(await latestRecordedTime(server.database));
        // Demo data belongs in a trial, not in a production database: --demo applies to embedded PGlite only.
        const demo = options.demo && server.database.kind === 'pglite' ? await seedExamples(server.engine) : undefined;
        // Users first: the portfolio hands the demo's collection calls to the demo collector.
        const people = demo ? await seedDemoUsers(server.database, server.engine.services.clock) : undefined;
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
          `  console: ${server.url}/   (the web console: sign in with a user's email and password)`,
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
          if (people?.created.length) {
            lines.push(
              `  demo:    users ${people.created.map((u) => u.email).join(', ')}`,
              `           password "${DEMO_PASSWORD}"; TOTP secret ${DEMO_TOTP_SECRET} (add it to an authenticator app)`,
              `           try: open ${server.url}/ and sign in as collector@demo.finflow.test (no code needed)`,
              '           demo credentials are public: never use --demo for real data',
            );
          }
        }
        if (clock) {
          lines.push(
            `  clock:   ${clock.speed}× real time (now ${clock.now().toISOString()}): timers, days past due and strategies run fast`,
          );
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
