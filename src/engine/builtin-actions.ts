import { z } from 'zod';
import { defineAction, type ActionRegistry } from './actions.js';

/**
 * Actions every finflow installation has; domains and plugins add theirs. They are generic on
 * purpose: the engine never knows about customers, money or channels.
 */
export function registerBuiltinActions(registry: ActionRegistry): ActionRegistry {
  // Idempotent, so one registry can serve several engines (server, CLI, tests).
  if (registry.has('context.set')) return registry;
  registry.register(
    defineAction({
      source: import.meta.url,
      name: 'context.set',
      description: 'Stores its (templated) arguments as the step output, e.g. to compute values once for later steps.',
      input: z.record(z.string(), z.unknown()),
      writes: false,
      run: (input) => Promise.resolve(input),
    }),
  );
  registry.register(
    defineAction({
      source: import.meta.url,
      name: 'event.publish',
      description:
        'Publishes an engine event (starts triggered workflows, wakes matching waits) when the step commits.',
      input: z.object({ type: z.string().min(1), key: z.string().nullish(), data: z.unknown().optional() }).strict(),
      writes: false,
      run: async (input, context) => {
        await context.publish({ type: input.type, key: input.key ?? null, data: input.data ?? {} });
        return { published: input.type, key: input.key ?? null };
      },
    }),
  );
  return registry;
}
