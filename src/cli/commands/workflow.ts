import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { AppError, type FieldIssue } from '../../core/errors.js';
import { compileDefinition } from '../../engine/definition/compile.js';
import type { SourceFormat } from '../../engine/definition/parse.js';
import { listDefinitions } from '../../engine/runtime/queries.js';
import {
  actionsForValidation,
  configFrom,
  loadActions,
  withDatabaseOptions,
  withEngine,
  withPluginOption,
} from '../context.js';
import { cliActor, EXIT, printTable } from '../output.js';
import { registerWorkflowActionsCommand } from './workflow-actions.js';

type DbOptions = { dataDir?: string; databaseUrl?: string; plugin?: string[] };

/** A definition file: its text and, from the extension, its format (otherwise detected from the text). */
function readDefinition(file: string): { source: string; format: SourceFormat | undefined } {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AppError('file_unreadable', 400, `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  const ext = path.extname(file).toLowerCase();
  return { source, format: ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : undefined };
}

/** `FILE:LINE field: message`, one per issue, the way compilers report (editors can jump to them). */
export function formatIssues(file: string, issues: FieldIssue[]): string {
  return issues
    .map((issue) => `${file}${issue.line === undefined ? '' : `:${issue.line}`} ${issue.field}: ${issue.message}\n`)
    .join('');
}

const validationIssues = (error: unknown): FieldIssue[] | undefined =>
  error instanceof AppError && error.code === 'validation_failed' && error.issues.length > 0 ? error.issues : undefined;

export function registerWorkflowCommands(program: Command): void {
  const workflow = program.command('workflow').description('validate, deploy and list workflow definitions');

  withPluginOption(workflow.command('validate'))
    .description('check definition files without a database; exit 1 if any is invalid')
    .argument('<files...>', 'YAML or JSON definition files')
    .action(async (files: string[], options: { plugin?: string[] }) => {
      const actions = actionsForValidation(await loadActions(configFrom({}), options.plugin));
      let invalid = 0;
      for (const file of files) {
        const { source, format } = readDefinition(file);
        try {
          const { definition } = compileDefinition(source, { actions, ...(format ? { format } : {}) });
          process.stdout.write(`${file}: OK (${definition.key}, "${definition.name}")\n`);
        } catch (error) {
          const issues = validationIssues(error);
          if (!issues) throw error;
          invalid += 1;
          process.stdout.write(formatIssues(file, issues));
        }
      }
      if (invalid > 0) {
        process.stderr.write(`finflow: ${invalid} of ${files.length} file(s) invalid\n`);
        process.exitCode = EXIT.checkFailed;
      }
    });

  withPluginOption(withDatabaseOptions(workflow.command('deploy')))
    .description('deploy definition files in order; each becomes the next version of its key (unchanged: no-op)')
    .argument('<files...>', 'YAML or JSON definition files')
    .action(async (files: string[], options: DbOptions) => {
      const sources = files.map((file) => ({ file, ...readDefinition(file) }));
      await withEngine(configFrom(options), options.plugin, async (engine) => {
        // Check every file first, so a typo in the last one deploys nothing.
        const invalid = sources.flatMap(({ file, source, format }) => {
          try {
            engine.validate(source, format);
            return [];
          } catch (error) {
            const issues = validationIssues(error);
            if (!issues) throw error;
            return [formatIssues(file, issues)];
          }
        });
        if (invalid.length > 0) {
          process.stderr.write(invalid.join(''));
          throw new AppError('validation_failed', 400, `${invalid.length} file(s) invalid; nothing deployed`);
        }
        for (const { file, source, format } of sources) {
          try {
            const deployed = await engine.deploy({ source, format, actor: cliActor() });
            process.stdout.write(
              deployed.created
                ? `deployed ${deployed.key} v${deployed.version} ("${deployed.name}") from ${file}\n`
                : `unchanged ${deployed.key} v${deployed.version}: ${file} is identical to the latest version\n`,
            );
          } catch (error) {
            // References (decisions, child workflows) are checked against the database at deploy time.
            const issues = validationIssues(error);
            if (issues) process.stderr.write(formatIssues(file, issues));
            throw error;
          }
        }
      });
    });

  registerWorkflowActionsCommand(workflow);

  withPluginOption(withDatabaseOptions(workflow.command('list')))
    .description('list deployed workflows with their latest version')
    .option('--json', 'print as JSON')
    .action(async (options: DbOptions & { json?: boolean }) => {
      const workflows = await withEngine(configFrom(options), options.plugin, (_engine, database) =>
        listDefinitions(database.db),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(workflows)}\n`);
        return;
      }
      printTable(
        workflows.map((w) => ({
          key: w.key,
          version: String(w.latestVersion),
          name: w.name,
          deployed: w.deployedAt ?? '-',
          by: w.deployedBy,
        })),
      );
    });
}
