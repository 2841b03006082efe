import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Tx } from '../storage/schema.js';

/**
 * Actions are the steps domains contribute (post to the ledger, send an email, call a bureau). The
 * engine knows them only through this registry: it never imports a domain.
 */
export interface ActionContext {
  /**
   * The transaction the step commits in. Domain writes made through it commit together with the
   * instance's advance — or not at all — so a database effect happens exactly once.
   */
  tx: Tx;
  instanceId: string;
  workflowKey: string;
  stepId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * Stable for this visit of this step across crashes and retries: send it to outside systems
   * (as an Idempotency-Key) so that the far end applies the effect once.
   */
  idempotencyKey: string;
  clock: Clock;
  /** Publish an engine event in the same transaction (it reaches waits and triggers after commit). */
  publish(event: { type: string; key?: string | null; data?: unknown }): Promise<void>;
}

export interface ActionDefinition<I = unknown, O = unknown> {
  /** Dotted name used in definitions: `ledger.post`, `email.send`. */
  name: string;
  description?: string;
  /** Validates the rendered `with:` arguments; a mismatch fails the step without retries. */
  input: z.ZodType<I>;
  /**
   * Whether the action writes through `ctx.tx` (default true). Writing actions run inside a
   * savepoint so a failed attempt's writes roll back; pure ones skip that round trip.
   */
  writes?: boolean;
  /**
   * The action waits on an outside system (an HTTP API, an SMTP server, an SMS provider). The engine
   * then runs it first in a fresh transaction: a lock an earlier step of the same transaction took
   * (the audit chain's head, a ledger account) is never held while the far end takes its time.
   */
  callsOut?: boolean;
  run(input: I, context: ActionContext): Promise<O>;
  /**
   * The file that defines the action, relative to the project root (`src/domains/credit/actions.ts`),
   * so that `finflow workflow actions` leads from a definition's `action:` to its code. Set by
   * defineAction; absent for actions a plugin registers by hand.
   */
  source?: string;
}

/** What defineAction takes: an action, with `source` the defining module's `import.meta.url`. */
export type ActionSpec<I, O> = Omit<ActionDefinition<I, O>, 'source'> & { source: string };

/** The folder `src/` (or `dist/`) is in: sources are shown relative to it. */
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Defines an action and records the file it is defined in. Its input type comes from its zod schema,
 * and the result goes into an `ActionDefinition[]` list as it is: no cast.
 *
 *   export const noteAction = defineAction({ source: import.meta.url, name: 'crm.note',
 *     input: z.object({ text: z.string() }), run: async (input) => ({ noted: input.text }) });
 */
export function defineAction<I, O>(spec: ActionSpec<I, O>): ActionDefinition<I, O> {
  return { ...spec, source: sourcePath(spec.source) };
}

function sourcePath(url: string): string {
  if (!url.startsWith('file:')) return url;
  const relative = path.relative(PROJECT_ROOT, fileURLToPath(url)).split(path.sep).join('/');
  // Run from the build (npm start), an action is named by the source file it was compiled from,
  // the one a reader opens, when the checkout has it.
  const compiledFrom = relative.replace(/^dist\/(.*)\.js$/, 'src/$1.ts');
  return compiledFrom !== relative && existsSync(path.join(PROJECT_ROOT, compiledFrom)) ? compiledFrom : relative;
}

/**
 * Thrown by an action that must not act yet — a contact rule forbids it until `until` (quiet hours,
 * a frequency cap). The step is tried again at that time; the deferral is recorded in the timeline
 * with its reason and does not count as a failed attempt.
 */
export class DeferAction extends Error {
  constructor(
    readonly until: Date,
    readonly reason: string,
  ) {
    super(`deferred until ${until.toISOString()}: ${reason}`);
    this.name = 'DeferAction';
  }
}

/** Thrown by an action for a failure that retrying cannot fix (bad data, a rule said no). */
export class NonRetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonRetryableError';
  }
}

export class ActionRegistry {
  readonly #actions = new Map<string, ActionDefinition>();

  register<I, O>(action: ActionDefinition<I, O>): this {
    if (this.#actions.has(action.name)) throw new Error(`action ${action.name} is already registered`);
    this.#actions.set(action.name, action);
    return this;
  }

  get(name: string): ActionDefinition | undefined {
    return this.#actions.get(name);
  }

  has(name: string): boolean {
    return this.#actions.has(name);
  }

  names(): string[] {
    return [...this.#actions.keys()].sort();
  }

  /** Every registered action, by name: what `finflow workflow actions` lists. */
  list(): ActionDefinition[] {
    return this.names().map((name) => this.#actions.get(name)!);
  }
}
