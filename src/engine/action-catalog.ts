import { z } from 'zod';
import type { ActionRegistry } from './actions.js';

/** One action as `finflow workflow actions` shows it. */
export interface ActionEntry {
  name: string;
  /** The first line of its description ('' when it has none). */
  description: string;
  /** Its `with:` arguments as JSON Schema; null when its schema is not zod (a hand-written plugin's). */
  input: Record<string, unknown> | null;
  /** The file that defines it, relative to the project root; null for a plugin action without one. */
  source: string | null;
}

/** Every action of a registry, by name, with what a workflow author needs to call it. */
export function actionCatalog(registry: ActionRegistry): ActionEntry[] {
  return registry.list().map((action) => ({
    name: action.name,
    description: (action.description ?? '').split('\n')[0]!.trim(),
    input: inputSchema(action.input),
    source: action.source ?? null,
  }));
}

function inputSchema(schema: unknown): Record<string, unknown> | null {
  if (!(schema instanceof z.ZodType)) return null;
  try {
    // What a definition writes (`io: 'input'`); refinements and transforms have no JSON Schema form.
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return null;
  }
}
