import type { Engine } from '../../../engine/index.js';

/**
 * The dispatchers running in this process, per engine, so whoever queues a delivery (the outbox
 * listener, a replay) can wake them instead of leaving it to the next poll. Only a shortcut: the
 * poll finds everything anyway, including what other processes queued.
 */

interface Wakeable {
  wake(): void;
}

const running = new WeakMap<Engine, Set<Wakeable>>();

export function addDispatcher(engine: Engine, dispatcher: Wakeable): void {
  const set = running.get(engine) ?? new Set<Wakeable>();
  set.add(dispatcher);
  running.set(engine, set);
}

export function removeDispatcher(engine: Engine, dispatcher: Wakeable): void {
  running.get(engine)?.delete(dispatcher);
}

export function wakeDispatchers(engine: Engine): void {
  for (const dispatcher of running.get(engine) ?? []) dispatcher.wake();
}
