import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { Database } from '../storage/database.js';
import type { Tx } from '../storage/schema.js';
import { ActionRegistry } from './actions.js';
import { registerBuiltinActions } from './builtin-actions.js';
import { DecisionEvaluator, evaluateContent } from './decisions/decision-evaluator.js';
import { checkDecision, putDecision } from './decisions/decision-store.js';
import { deployDefinition, type DeployRequest } from './runtime/deploy.js';
import { DefinitionCache } from './runtime/definition-cache.js';
import {
  cancelInstance,
  migrateInstance,
  resumeInstance,
  retryInstance,
  suspendInstance,
  type OperatorRequest,
} from './runtime/instance-operations.js';
import {
  publishAuditedInTx,
  publishEventInTx,
  publishEventsInTx,
  type PublishRequest,
} from './runtime/publish-event.js';
import type { EngineServices, EventListener } from './runtime/services.js';
import { startInstance, type StartRequest } from './runtime/start-instance.js';
import { claimTask, completeTask, reassignTask, type CompleteTaskRequest } from './runtime/task-operations.js';
import { Worker, type WorkerOptions } from './runtime/worker.js';
import { compileDefinition } from './definition/compile.js';

export interface EngineOptions {
  database: Database;
  clock?: Clock;
  /** Actions domains registered; the built-in ones are added. */
  actions?: ActionRegistry;
  maxStepsPerTransaction?: number;
}

/**
 * The engine's public surface: deploy, start, publish, work tasks, operate instances, run workers.
 * Every write takes an optional `database` so an API request can run it inside its own transaction
 * (idempotent requests commit their key and the effect together).
 */
export class Engine {
  readonly services: EngineServices;
  readonly #workers = new Set<Worker>();

  constructor(options: EngineOptions) {
    const actions = registerBuiltinActions(options.actions ?? new ActionRegistry());
    this.services = {
      database: options.database,
      clock: options.clock ?? systemClock,
      actions,
      decisions: new DecisionEvaluator(),
      definitions: new DefinitionCache(),
      wake: () => {
        for (const worker of this.#workers) worker.wake();
      },
      maxStepsPerTransaction: options.maxStepsPerTransaction ?? 200,
      eventListeners: [],
    };
  }

  get actions(): ActionRegistry {
    return this.services.actions;
  }

  /** Adds a listener that sees every stored event in its publishing transaction (the webhook outbox). */
  onEventsStored(listener: EventListener): void {
    this.services.eventListeners.push(listener);
  }

  /**
   * Runs a write and then wakes this process's workers. Inside a joined (request) transaction the
   * commit comes a little later; workers re-check shortly after a wake-up for that case.
   */
  async #tx<T>(database: Database | undefined, work: (tx: Tx) => Promise<T>): Promise<T> {
    const result = await (database ?? this.services.database).transaction(work);
    this.services.wake();
    return result;
  }

  /** Checks a definition without storing it. */
  validate(source: string, format?: 'yaml' | 'json') {
    return compileDefinition(source, { format, actions: this.services.actions }).definition;
  }

  deploy(request: DeployRequest, database?: Database) {
    return this.#tx(database, (tx) => deployDefinition(tx, this.services, request));
  }

  /** A manual start (API, CLI, a program): the workflow must declare `manual: true` (the default trigger). */
  start(request: StartRequest, database?: Database) {
    return this.#tx(database, (tx) => startInstance(tx, this.services, { manual: true, ...request }));
  }

  publish(request: PublishRequest, database?: Database) {
    return this.#tx(database, (tx) => publishEventInTx(tx, this.services, request));
  }

  /**
   * An event sent from outside (API, CLI): it starts and wakes workflows, so who sent it is audited
   * with what it did, in the transaction that stores it.
   */
  publishFromOutside(request: PublishRequest, database?: Database) {
    return this.#tx(database, (tx) => publishAuditedInTx(tx, this.services, request));
  }

  /**
   * Publishes in the caller's transaction: a domain change and the events it causes commit together.
   * Workers pick up started or woken instances on their next poll (or a later wake-up).
   */
  publishInTx(tx: Tx, request: PublishRequest) {
    return publishEventsInTx(tx, this.services, [request]).then((results) => results[0]!);
  }

  /** Many events in one go (the close-of-business run): one insert, triggers and waits looked up once. */
  publishManyInTx(tx: Tx, requests: PublishRequest[]) {
    return publishEventsInTx(tx, this.services, requests);
  }

  claimTask(
    request: { taskId: string; actor: string; user?: string; requestId?: string | null; membersOnly?: boolean },
    database?: Database,
  ) {
    return this.#tx(database, (tx) => claimTask(tx, this.services, request));
  }

  /** A manager's move of an open task to another person of its queue, or back to the queue (audited). */
  reassignTask(
    request: {
      taskId: string;
      assignee: string | null;
      actor: string;
      requestId?: string | null;
      reason?: string | null;
    },
    database?: Database,
  ) {
    return this.#tx(database, (tx) => reassignTask(tx, this.services, request));
  }

  completeTask(request: CompleteTaskRequest, database?: Database) {
    return this.#tx(database, (tx) => completeTask(tx, this.services, request));
  }

  cancel(request: OperatorRequest, database?: Database) {
    return this.#tx(database, (tx) => cancelInstance(tx, this.services, request));
  }

  suspend(request: OperatorRequest, database?: Database) {
    return this.#tx(database, (tx) => suspendInstance(tx, this.services, request));
  }

  resume(request: OperatorRequest, database?: Database) {
    return this.#tx(database, (tx) => resumeInstance(tx, this.services, request));
  }

  retry(request: OperatorRequest & { fromStep?: string | undefined }, database?: Database) {
    return this.#tx(database, (tx) => retryInstance(tx, this.services, request));
  }

  migrate(request: OperatorRequest & { toVersion?: number | undefined }, database?: Database) {
    return this.#tx(database, (tx) => migrateInstance(tx, this.services, request));
  }

  /** Checks a decision without storing it (a proposed change is checked when proposed). */
  checkDecision(key: string, content: unknown): void {
    checkDecision(key, content);
  }

  putDecision(request: { key: string; content: unknown; actor: string; requestId?: string }, database?: Database) {
    return putDecision(database ?? this.services.database, request, this.services.clock);
  }

  evaluateDecision(key: string, input: unknown, version?: number, options?: { trace?: boolean }) {
    return this.services.decisions.evaluate(this.services.database.db, key, input, version, options);
  }

  /** Evaluates a decision document that is not stored (an edit being tried), with zen's trace. */
  simulateDecision(content: unknown, input: unknown) {
    return evaluateContent(content, input, { trace: true });
  }

  /** A worker bound to this engine; start() it, or drive it with runUntilIdle() in tests. */
  createWorker(options: WorkerOptions = {}): Worker {
    const worker = new Worker(this.services, options);
    this.#workers.add(worker);
    return worker;
  }

  async stopWorkers(): Promise<void> {
    await Promise.all([...this.#workers].map((w) => w.stop()));
  }
}
