import { hostname } from 'node:os';
import type { Logger } from '../../observability/logger.js';
import { claimAndRun } from './process-instance.js';
import { fireDueSchedules } from './schedules.js';
import type { EngineServices } from './services.js';

export interface WorkerOptions {
  /** How often an idle worker looks for due work; also bounds how late a timer can fire. Default 200 ms. */
  pollIntervalMs?: number;
  /** Claim loops in this process; each holds one connection while it runs an instance. Default 1. */
  concurrency?: number;
  /** Instances claimed per transaction (see claimAndRun). Default 16. */
  batchSize?: number;
  logger?: Logger | undefined;
}

/**
 * Runs due instances and schedule triggers until stopped. Any number of workers — in this process
 * or others sharing the PostgreSQL database — can run at once; the claim query keeps them apart.
 */
export class Worker {
  readonly id = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  readonly #services: EngineServices;
  readonly #options: Required<Omit<WorkerOptions, 'logger'>> & { logger?: Logger | undefined };
  #running = false;
  #loops: Array<Promise<void>> = [];
  #wakeUp: Array<() => void> = [];
  /** Loops other than the first, resting while nothing is due (see #loop). */
  #resting: Array<() => void> = [];
  #processed = 0;
  #schedulesCheckedAt = Number.NEGATIVE_INFINITY;
  /** After a wake-up, idle waits are short for a few rounds: the waking transaction may commit just after. */
  #rechecks = 0;

  constructor(services: EngineServices, options: WorkerOptions = {}) {
    this.#services = services;
    this.#options = {
      pollIntervalMs: options.pollIntervalMs ?? 200,
      concurrency: options.concurrency ?? 1,
      batchSize: options.batchSize ?? 16,
      logger: options.logger,
    };
  }

  get processed(): number {
    return this.#processed;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (let i = 0; i < this.#options.concurrency; i++) this.#loops.push(this.#loop(i));
  }

  /** Stops claiming; resolves when every in-flight instance has committed. */
  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    this.#release();
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  /** Cuts an idle wait short: new work was committed in this process. */
  wake(): void {
    // Only the polling loop: it releases the resting ones if it finds work (a write that woke it
    // need not cost every loop a claim).
    this.#rechecks = 4;
    const waiting = this.#wakeUp;
    this.#wakeUp = [];
    for (const resolve of waiting) resolve();
  }

  /** One round: due schedules (at most once per poll interval), then one due instance. true when it did something. */
  async tick(): Promise<boolean> {
    let fired = 0;
    const now = this.#services.clock.now().getTime();
    if (now - this.#schedulesCheckedAt >= this.#options.pollIntervalMs || now < this.#schedulesCheckedAt) {
      this.#schedulesCheckedAt = now;
      fired = await fireDueSchedules(this.#services);
    }
    const ran = await claimAndRun(this.#services, { batchSize: this.#options.batchSize });
    this.#processed += ran.length;
    return fired > 0 || ran.length > 0;
  }

  /**
   * Tests, the CLI and the simulation: run until nothing is due at the clock's current time, with the
   * worker's claim loops side by side. Each loop stops at its first empty round; the last one to stop
   * claimed after every other loop's last commit, so nothing they left due is missed.
   */
  async runUntilIdle(maxRounds = 100_000): Promise<number> {
    let rounds = 0;
    const loop = async () => {
      while (rounds < maxRounds && (await this.tick())) rounds++;
    };
    await Promise.all(Array.from({ length: this.#options.concurrency }, loop));
    return rounds;
  }

  /**
   * One claim loop. While nothing is due only the first loop polls; the others rest until it finds
   * work (or work is committed in this process), so idle loops do not multiply the idle queries.
   */
  async #loop(index: number): Promise<void> {
    let failures = 0;
    while (this.#running) {
      try {
        const busy = await this.tick();
        failures = 0;
        if (busy) {
          if (index === 0) this.#release(); // work is due: the resting loops join in
        } else if (index > 0) {
          await this.#rest();
        } else {
          const short = this.#rechecks > 0;
          if (short) this.#rechecks -= 1;
          await this.#idle(short ? 25 : this.#options.pollIntervalMs);
        }
      } catch (error) {
        // A lost connection or a killed session (lease): back off and claim again; nothing half-committed.
        failures += 1;
        this.#options.logger?.error({ err: error, worker: this.id }, 'worker round failed');
        await this.#idle(Math.min(30_000, this.#options.pollIntervalMs * 2 ** Math.min(failures, 8)));
      }
    }
  }

  #rest(): Promise<void> {
    // A loop that finished its round after stop() released the others must not wait for a release.
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#resting.push(resolve));
  }

  #release(): void {
    const resting = this.#resting;
    this.#resting = [];
    for (const resolve of resting) resolve();
  }

  #idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wakeUp.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
