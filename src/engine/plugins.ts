import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../core/errors.js';
import type { ActionRegistry } from './actions.js';

/**
 * A plugin is an ES module that exports `register({ actions })` and adds its actions to the
 * registry (sync or async). finflow loads the modules named by the `plugins` setting
 * (FINFLOW_PLUGINS) and by the CLI's `--plugin` flags, in that order:
 *
 *   // plugins/crm.mjs
 *   export function register({ actions }) {
 *     actions.register({ name: 'crm.note', input: z.object({ text: z.string() }), run: async (i) => ({ ok: true }) });
 *   }
 */
export interface PluginContext {
  actions: ActionRegistry;
}

export interface FinflowPlugin {
  register(context: PluginContext): void | Promise<void>;
}

/** Resolves each path against the current directory, imports it and calls its `register`. */
export async function loadPlugins(
  paths: string[],
  actions: ActionRegistry,
  cwd: string = process.cwd(),
): Promise<void> {
  const seen = new Set<string>();
  for (const given of paths) {
    const file = path.resolve(cwd, given);
    if (seen.has(file)) continue; // named in the config and again on the command line
    seen.add(file);
    if (!existsSync(file)) {
      throw new AppError('plugin_not_found', 400, `plugin ${given} not found (looked for ${file})`, {
        field: 'plugins',
      });
    }
    let module: Partial<FinflowPlugin>;
    try {
      module = (await import(pathToFileURL(file).href)) as Partial<FinflowPlugin>;
    } catch (cause) {
      throw new AppError('plugin_failed', 400, `plugin ${given} could not be loaded: ${message(cause)}`, {
        field: 'plugins',
        cause,
      });
    }
    if (typeof module.register !== 'function') {
      throw new AppError(
        'plugin_invalid',
        400,
        `plugin ${given} does not export a register({ actions }) function (${file})`,
        { field: 'plugins' },
      );
    }
    try {
      await module.register({ actions });
    } catch (cause) {
      throw new AppError('plugin_failed', 400, `plugin ${given} failed to register: ${message(cause)}`, {
        field: 'plugins',
        cause,
      });
    }
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
