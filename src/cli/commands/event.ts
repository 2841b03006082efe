import type { Command } from 'commander';
import { EVENT_TYPE } from '../../api/routes/events.js';
import { AppError } from '../../core/errors.js';
import { configFrom, withDatabaseOptions, withEngine, withPluginOption } from '../context.js';
import { cliActor } from '../output.js';

type Options = {
  dataDir?: string;
  databaseUrl?: string;
  plugin?: string[];
  key?: string;
  data?: string;
  json?: boolean;
};

function parseData(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new AppError('validation_failed', 400, `--data must be JSON: ${(cause as Error).message}`, {
      field: '--data',
      cause,
    });
  }
}

export function registerEventCommands(program: Command): void {
  const event = program.command('event').description('publish engine events');

  withPluginOption(withDatabaseOptions(event.command('publish')))
    .description('publish an event: starts the workflows it triggers and wakes the waits it matches')
    .argument('<type>', 'event type, e.g. payment.received')
    .option('--key <key>', 'correlation key (wakes waits on this key)')
    .option('--data <json>', 'event data as JSON, e.g. \'{"amount": 250}\'')
    .option('--json', 'print the result as JSON')
    .action(async (type: string, options: Options) => {
      if (type.length > 200 || !EVENT_TYPE.test(type)) {
        throw new AppError(
          'validation_failed',
          400,
          'the event type must be 1-200 letters, digits, ".", "_" and "-", starting with a letter or digit',
          { field: 'type' },
        );
      }
      if (options.key !== undefined && (options.key.length === 0 || options.key.length > 200)) {
        throw new AppError('validation_failed', 400, '--key must be 1-200 characters', { field: '--key' });
      }
      const data = parseData(options.data);
      const published = await withEngine(configFrom(options), options.plugin, (engine) =>
        engine.publishFromOutside({ type, key: options.key ?? null, data, actor: cliActor() }),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(published)}\n`);
        return;
      }
      const started = published.started.map(
        (s) => `${s.instanceId} (${s.workflow}${s.created ? '' : ', already running'})`,
      );
      process.stdout.write(
        [
          `published ${published.id} (${type}${options.key === undefined ? '' : ` key ${options.key}`})`,
          `started: ${started.length ? started.join(', ') : 'none'}`,
          `resumed: ${published.resumed.length ? published.resumed.join(', ') : 'none'}`,
        ].join('\n') + '\n',
      );
    });
}
