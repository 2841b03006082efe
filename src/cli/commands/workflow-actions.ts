import type { Command } from 'commander';
import { actionCatalog, type ActionEntry } from '../../engine/action-catalog.js';
import { actionsForValidation, configFrom, loadActions, withPluginOption } from '../context.js';

/**
 * `finflow workflow actions`: every action a definition may name (built-in, domain, plugin), with
 * what it does, the `with:` it takes and the file that defines it. Needs no database.
 */
export function registerWorkflowActionsCommand(workflow: Command): void {
  withPluginOption(workflow.command('actions'))
    .description('list every action a workflow can call: description, input schema and the file that defines it')
    .option('--json', 'print as JSON (input schemas in full)')
    .action(async (options: { plugin?: string[]; json?: boolean }) => {
      const catalog = actionCatalog(actionsForValidation(await loadActions(configFrom({}), options.plugin)));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(catalog)}\n`);
        return;
      }
      process.stdout.write(catalog.map(describe).join('\n'));
    });
}

/** Name and file on the first line, then what it does and its input schema (one line of JSON). */
function describe(action: ActionEntry): string {
  // The dialect line ($schema) is the same for all; --json keeps it.
  const schema = action.input && Object.fromEntries(Object.entries(action.input).filter(([key]) => key !== '$schema'));
  return [
    `${action.name}  ${action.source ?? '(plugin)'}`,
    ...(action.description ? [`  ${action.description}`] : []),
    `  input: ${schema ? JSON.stringify(schema) : '(not a zod schema)'}`,
    '',
  ].join('\n');
}
