import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { getInstance, listInstances } from '../../engine/runtime/queries.js';
import type { InstanceStatus } from '../../engine/store/tables.js';
import { configFrom, withDatabaseOptions, withEngine, withPluginOption } from '../context.js';
import { cliActor, printTable } from '../output.js';

type DbOptions = { dataDir?: string; databaseUrl?: string; plugin?: string[] };

const STATUSES: readonly InstanceStatus[] = ['running', 'suspended', 'failed', 'completed', 'cancelled'];

type Instance = Awaited<ReturnType<typeof getInstance>>;

const brief = (value: unknown, max = 60): string => {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

function where(token: Instance['at'][number]): string {
  const waiting =
    token.waitingFor === null
      ? ''
      : typeof token.waitingFor === 'string'
        ? ` (${token.waitingFor})`
        : ` (event ${token.waitingFor.event}${token.waitingFor.key === null ? '' : ` key ${token.waitingFor.key}`})`;
  const due = token.runAt ? ` due ${token.runAt}` : '';
  return `${token.step}: ${token.status}${waiting}${due}${token.attempt > 0 ? `, attempt ${token.attempt}` : ''}`;
}

function printInstance(instance: Instance): void {
  const lines: Array<[string, string]> = [
    ['instance', instance.id],
    ['workflow', `${instance.workflow} v${instance.version}`],
    ['status', instance.outcome ? `${instance.status} (outcome ${instance.outcome})` : instance.status],
    ['correlation', instance.correlationKey ?? '-'],
    ['started', `${instance.createdAt} by ${instance.startedBy}`],
    ['ended', instance.endedAt ?? '-'],
  ];
  if (instance.parentId) lines.push(['parent', instance.parentId]);
  for (const token of instance.at) lines.push(['at', where(token)]);
  for (const task of instance.tasks) {
    lines.push([
      'task',
      `${task.id} ${task.step} in ${task.queue}: ${task.status}${task.assignee ? `, ${task.assignee}` : ''}`,
    ]);
  }
  if (instance.error) lines.push(['error', brief(instance.error, 200)]);
  if (instance.output !== null && instance.output !== undefined) lines.push(['output', brief(instance.output, 200)]);
  const width = Math.max(...lines.map(([label]) => label.length));
  process.stdout.write(lines.map(([label, value]) => `${label.padEnd(width)}  ${value}\n`).join(''));
  process.stdout.write('\n');
  printTable(
    instance.timeline.map((e) => ({
      seq: String(e.seq),
      at: e.at,
      step: e.step ?? '-',
      type: e.type ?? '-',
      event: e.event,
      actor: e.actor ?? '-',
      data: brief(e.data),
    })),
  );
}

export function registerInstanceCommands(program: Command): void {
  const instance = program.command('instance').description('inspect and operate workflow instances');

  withPluginOption(withDatabaseOptions(instance.command('show')))
    .description('show an instance: where it stands, its tasks and its timeline')
    .argument('<id>', 'the instance id (wfi_…)')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: DbOptions & { json?: boolean }) => {
      const found = await withEngine(configFrom(options), options.plugin, (_engine, database) =>
        getInstance(database.db, id),
      );
      if (options.json) process.stdout.write(`${JSON.stringify(found)}\n`);
      else printInstance(found);
    });

  withPluginOption(withDatabaseOptions(instance.command('list')))
    .description('list instances, oldest first')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`)
    .option('--workflow <key>', 'only instances of this workflow')
    .option('--correlation-key <key>', 'only instances with this correlation key')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .option('--json', 'print as JSON')
    .action(
      async (
        options: DbOptions & {
          status?: string;
          workflow?: string;
          correlationKey?: string;
          limit: string;
          json?: boolean;
        },
      ) => {
        if (options.status !== undefined && !(STATUSES as readonly string[]).includes(options.status)) {
          throw new AppError('validation_failed', 400, `--status must be one of ${STATUSES.join(', ')}`, {
            field: '--status',
          });
        }
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
          throw new AppError('validation_failed', 400, '--limit must be an integer from 1 to 1000', {
            field: '--limit',
          });
        }
        const instances = await withEngine(configFrom(options), options.plugin, (_engine, database) =>
          listInstances(database.db, {
            status: options.status as InstanceStatus | undefined,
            workflow: options.workflow,
            correlationKey: options.correlationKey,
            limit,
          }),
        );
        if (options.json) {
          process.stdout.write(`${JSON.stringify(instances)}\n`);
          return;
        }
        printTable(
          instances.map((i) => ({
            id: i.id,
            workflow: `${i.workflow} v${i.version}`,
            status: i.status,
            outcome: i.outcome ?? '-',
            correlation: i.correlationKey ?? '-',
            created: i.createdAt,
          })),
        );
      },
    );

  withPluginOption(withDatabaseOptions(instance.command('retry')))
    .description('retry a failed instance from its failed step (or --from-step)')
    .argument('<id>', 'the instance id (wfi_…)')
    .option('--reason <text>', 'why, recorded in the timeline and audit log')
    .option('--from-step <step>', 'restart from this step of the same step list instead')
    .action(async (id: string, options: DbOptions & { reason?: string; fromStep?: string }) => {
      await withEngine(configFrom(options), options.plugin, (engine) =>
        engine.retry({ instanceId: id, actor: cliActor(), reason: options.reason, fromStep: options.fromStep }),
      );
      process.stdout.write(
        `retried ${id}${options.fromStep ? ` from step ${options.fromStep}` : ''}; a worker picks it up\n`,
      );
    });

  withPluginOption(withDatabaseOptions(instance.command('cancel')))
    .description('cancel an unfinished instance (and its child instances)')
    .argument('<id>', 'the instance id (wfi_…)')
    .option('--reason <text>', 'why, recorded in the timeline and audit log')
    .action(async (id: string, options: DbOptions & { reason?: string }) => {
      await withEngine(configFrom(options), options.plugin, (engine) =>
        engine.cancel({ instanceId: id, actor: cliActor(), reason: options.reason }),
      );
      process.stdout.write(`cancelled ${id}\n`);
    });
}
