import { ManualClock } from '../core/clock.js';
import { ActionRegistry } from '../engine/actions.js';
import { Engine } from '../engine/engine.js';
import { getInstance } from '../engine/runtime/queries.js';
import type { Worker } from '../engine/runtime/worker.js';
import type { Database } from '../storage/database.js';
import { openTestDatabase } from './test-database.js';

/**
 * An engine on a fresh test database with a manual clock, for tests that drive workflows step by
 * step: `drain()` runs the worker until nothing is due at the clock's time; `advance()` moves time.
 */
export interface EngineHarness {
  database: Database;
  clock: ManualClock;
  engine: Engine;
  worker: Worker;
  deploy(source: string): Promise<{ key: string; version: number }>;
  start(workflowKey: string, input?: unknown): Promise<string>;
  drain(): Promise<number>;
  advance(ms: number): Promise<number>;
  instance(id: string): ReturnType<typeof getInstance>;
  close(): Promise<void>;
}

export const DAY = 24 * 60 * 60 * 1000;

export async function engineHarness(register?: (actions: ActionRegistry) => void): Promise<EngineHarness> {
  const database = await openTestDatabase();
  const clock = new ManualClock('2026-03-02T09:00:00.000Z'); // a Monday
  const actions = new ActionRegistry();
  register?.(actions);
  const engine = new Engine({ database, clock, actions });
  const worker = engine.createWorker();
  const harness: EngineHarness = {
    database,
    clock,
    engine,
    worker,
    deploy: (source) => engine.deploy({ source, actor: 'test' }),
    start: async (workflowKey, input = {}) => (await engine.start({ workflowKey, input, actor: 'test' })).id,
    drain: () => worker.runUntilIdle(),
    advance: (ms) => {
      clock.advance(ms);
      return worker.runUntilIdle();
    },
    instance: (id) => getInstance(database.db, id),
    close: async () => {
      await engine.stopWorkers();
      await database.close();
    },
  };
  return harness;
}
