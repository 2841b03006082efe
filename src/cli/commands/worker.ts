import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { createLogger } from '../../observability/logger.js';
import { AUDIT_SWEEP_MS, workerConcurrency } from '../../server.js';
import { configFrom, withDatabaseOptions, withEngine, withPluginOption } from '../context.js';
import { domainServices } from '../../domain-list.js';

type Options = { dataDir?: string; databaseUrl?: string; plugin?: string[]; concurrency?: string; untilIdle?: boolean };

function parseConcurrency(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new AppError('validation_failed', 400, '--concurrency must be an integer from 1 to 64', {
      field: '--concurrency',
    });
  }
  return n;
}

const nextSignal = (): Promise<NodeJS.Signals> =>
  new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });

export function registerWorkerCommand(program: Command): void {
  withPluginOption(withDatabaseOptions(program.command('worker')))
    .description('run engine workers (due steps, timers, schedules) until SIGINT/SIGTERM, then stop gracefully')
    .option('--concurrency <n>', 'claim loops in this process (env FINFLOW_WORKER_CONCURRENCY; always 1 on PGlite)')
    .option('--until-idle', 'run until nothing is due now, then exit (batch jobs, tests)')
    .action(async (options: Options) => {
      const concurrencyFlag = parseConcurrency(options.concurrency);
      const config = configFrom(options);
      const logger = createLogger(config.logLevel, undefined, config.logFormat);
      await withEngine(config, options.plugin, async (engine, database, context) => {
        if (options.untilIdle) {
          const worker = engine.createWorker({ logger });
          await worker.runUntilIdle();
          process.stdout.write(`worker idle: ran ${worker.processed} instance turn(s)\n`);
          return;
        }
        const concurrency = workerConcurrency(
          { ...config, workerConcurrency: concurrencyFlag ?? config.workerConcurrency },
          database,
          logger,
        );
        const signal = nextSignal();
        database.auditSealer.sweepEvery(AUDIT_SWEEP_MS);
        database.auditSealer.poke();
        const worker = engine.createWorker({ logger, concurrency });
        worker.start();
        // Background loops of the domains (the webhook dispatcher) run wherever workers run.
        const services = domainServices(context);
        for (const service of services) service.start();
        process.stderr.write(
          `finflow worker running (${database.kind}, concurrency ${concurrency}, actions: ${engine.actions.names().join(', ')}); ` +
            'Ctrl-C or SIGTERM stops it\n',
        );
        const received = await signal;
        process.stderr.write(`${received}: stopping, letting in-flight instances commit\n`);
        await engine.stopWorkers();
        await Promise.all(services.map((service) => service.stop()));
        process.stdout.write(`worker stopped: ran ${worker.processed} instance turn(s)\n`);
      });
    });
}
