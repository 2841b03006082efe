import { sql } from 'kysely';
import { z } from 'zod';
import type { ActionRegistry } from '../../engine/actions.js';

/**
 * The crash test's plugin, loaded by a real `finflow worker --plugin …` process. Its one action has
 * two side effects: a row in a table (in the step's transaction) and a POST to an HTTP receiver
 * (outside it, made exactly-once at the far end by the step's idempotency key).
 */
export function register({ actions }: { actions: ActionRegistry }): void {
  actions.register({
    name: 'crash.effect',
    input: z.object({ receiver: z.string().url(), label: z.string() }),
    run: async (input, ctx) => {
      await sql`insert into crash_effects (key, instance_id, label) values (${ctx.idempotencyKey}, ${ctx.instanceId}, ${input.label})`.execute(
        ctx.tx,
      );
      const response = await fetch(input.receiver, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': ctx.idempotencyKey },
        body: JSON.stringify({ instanceId: ctx.instanceId, label: input.label }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`receiver answered ${response.status}`);
      return { delivered: input.label };
    },
  });
}
