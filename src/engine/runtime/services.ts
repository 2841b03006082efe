import type { Clock } from '../../core/clock.js';
import type { Database } from '../../storage/database.js';
import type { ActionRegistry } from '../actions.js';
import type { DecisionEvaluator } from '../decisions/decision-evaluator.js';
import type { DefinitionCache } from './definition-cache.js';
import type { StoredEvent } from './event-matching.js';
import type { Tx } from '../../storage/schema.js';

/**
 * Called with every batch of events just stored, inside the publishing transaction — so what a
 * listener writes (a webhook outbox row) commits or rolls back with the change that caused the event.
 */
export type EventListener = (tx: Tx, events: StoredEvent[]) => Promise<void>;

/** What the runtime's functions need; built once by createEngine(). */
export interface EngineServices {
  database: Database;
  clock: Clock;
  actions: ActionRegistry;
  decisions: DecisionEvaluator;
  definitions: DefinitionCache;
  /** Tells this process's workers that work became due (after a commit). */
  wake(): void;
  /** Listeners domains added with engine.onEventsStored(). */
  eventListeners: EventListener[];
  /** Steps one worker transaction may run before committing and yielding (loops, long chains). */
  maxStepsPerTransaction: number;
}
