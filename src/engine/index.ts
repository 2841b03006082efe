/**
 * The engine's public surface: what domains may use. A domain imports the engine through this file
 * only — never a module under `engine/runtime`, `engine/store`, … — and never reads the engine's
 * `wf_*` tables itself: it asks through the functions below, which keep that SQL in the engine.
 */

// Running workflows: the facade a domain is handed in its DomainContext, and the worker it makes.
export { Engine, type EngineOptions } from './engine.js';
export type { Worker, WorkerOptions } from './runtime/worker.js';
export type { PublishRequest } from './runtime/publish-event.js';
export type { StoredEvent } from './runtime/event-matching.js';

// Actions: the steps domains contribute.
export {
  ActionRegistry,
  DeferAction,
  defineAction,
  NonRetryableError,
  type ActionContext,
  type ActionDefinition,
  type ActionSpec,
} from './actions.js';

// Decisions: evaluating, storing and pinning versions, and writing shipped decision tables.
export { DecisionEvaluator, evaluateContent, type DecisionOutcome } from './decisions/decision-evaluator.js';
export {
  compileDecision,
  currentDecisionVersions,
  getDecision,
  latestDecisionVersion,
  putDecision,
} from './decisions/decision-store.js';
export { decisionTable, text, type JdmDocument, type TableColumn, type TableSpec } from './decisions/decision-table.js';

// Expressions and definition sources (a domain's own templated documents: import mappings).
export { evaluate } from './expressions.js';
export { parseSource, type DocumentPath } from './definition/parse.js';

// Reads of engine state a domain needs (an instance's timeline, what is deployed, task loads, events).
export { definitionExists, getInstance, openTaskCounts } from './runtime/queries.js';
export { getQueue, putQueue } from './tasks/queue-store.js';
export { storedEventsOfType } from './store/stored-events.js';

// Business calendars (PUT /calendars/{name}): domains date things by them (recurring payments).
export { CALENDAR_NAME, getCalendar, type StoredCalendar } from './time/calendar-store.js';
export { isBusinessDay, WEEKENDS_ONLY, type BusinessCalendar } from './time/business-days.js';
