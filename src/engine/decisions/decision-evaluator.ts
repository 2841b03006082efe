import { ZenEngine, type ZenDecision, type ZenEngineTrace } from '@gorules/zen-engine';
import { AppError } from '../../core/errors.js';
import type { Queryable } from '../../storage/schema.js';
import { compileDecision, getDecision, latestDecisionVersion, zenErrorMessage } from './decision-store.js';

export interface DecisionOutcome {
  key: string;
  version: number;
  result: unknown;
  /** zen's own timing, e.g. `411.4µs`. */
  performance: string;
  /** Per node, when asked for: its input, output and what matched. */
  trace?: Record<string, ZenEngineTrace>;
}

/**
 * A decision that failed while evaluating (a function node threw, an expression could not be
 * evaluated). Deterministic for a given input, so callers should not retry it.
 */
export class DecisionError extends AppError {
  /** null for a document evaluated inline (evaluateContent). */
  readonly key: string | null;
  readonly version: number | null;
  readonly nodeId: string | undefined;

  constructor(key: string | null, version: number | null, message: string, nodeId?: string, cause?: unknown) {
    const where = key === null ? 'decision' : `decision ${key}@${version}`;
    super('decision_failed', 422, `${where} failed: ${message}`, {
      cause,
      details: { key, version, ...(nodeId ? { nodeId } : {}) },
    });
    this.name = 'DecisionError';
    this.key = key;
    this.version = version;
    this.nodeId = nodeId;
  }
}

/** Compiled decisions kept per process; versions are immutable, so entries never go stale. */
const DEFAULT_CACHE_SIZE = 500;

export class DecisionEvaluator {
  readonly #engine = new ZenEngine();
  // Map iteration order is insertion order: re-inserting on a hit makes the first key the least recently used.
  readonly #cache = new Map<string, ZenDecision>();
  readonly #maxEntries: number;

  constructor(options: { maxEntries?: number } = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_CACHE_SIZE);
  }

  /**
   * Evaluates the given version of a decision, or its latest version. Throws notFound or DecisionError.
   * With `trace`, the outcome carries zen's trace: every node's input, output and what matched.
   */
  async evaluate(
    db: Queryable,
    key: string,
    input: unknown,
    version?: number,
    options: EvaluateOptions = {},
  ): Promise<DecisionOutcome> {
    const wanted = version ?? (await latestDecisionVersion(db, key));
    const hit = wanted === undefined ? undefined : this.#cache.get(`${key}@${wanted}`);
    const found = hit && wanted !== undefined ? { version: wanted, decision: hit } : await this.#load(db, key, wanted);
    this.#remember(`${key}@${found.version}`, found.decision);
    return { key, version: found.version, ...(await run(found.decision, input, key, found.version, options)) };
  }

  /** How many compiled decisions are cached (for tests and metrics). */
  get cacheSize(): number {
    return this.#cache.size;
  }

  async #load(db: Queryable, key: string, version: number | undefined) {
    // Also raises the usual notFound when the key (or that version) does not exist.
    const stored = await getDecision(db, key, version);
    return { version: stored.version, decision: compileDecision(this.#engine, stored.content).decision };
  }

  #remember(cacheKey: string, decision: ZenDecision): void {
    this.#cache.delete(cacheKey);
    this.#cache.set(cacheKey, decision);
    while (this.#cache.size > this.#maxEntries) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) return;
      this.#cache.delete(oldest);
    }
  }
}

const inlineEngine = new ZenEngine();

/**
 * Evaluates a JDM document that is not stored (e.g. a "try it" request before deploying).
 * validationError (field `content`) when the document is invalid, DecisionError when evaluation fails.
 */
export async function evaluateContent(
  content: unknown,
  input: unknown,
  options: EvaluateOptions = {},
): Promise<{ result: unknown; performance: string; trace?: Record<string, ZenEngineTrace> }> {
  return run(compileDecision(inlineEngine, content).decision, input, null, null, options);
}

export interface EvaluateOptions {
  /** Return zen's per-node trace (input, output, matched rules) with the result. */
  trace?: boolean;
}

async function run(
  decision: ZenDecision,
  input: unknown,
  key: string | null,
  version: number | null,
  options: EvaluateOptions = {},
): Promise<{ result: unknown; performance: string; trace?: Record<string, ZenEngineTrace> }> {
  try {
    const response = await decision.evaluate(input, options.trace ? { trace: true } : undefined);
    return {
      result: response.result as unknown,
      performance: response.performance,
      ...(options.trace && response.trace ? { trace: response.trace } : {}),
    };
  } catch (error) {
    const info = zenErrorMessage(error);
    throw new DecisionError(key, version, info.message, info.nodeId, error);
  }
}
