/**
 * Time is a port: domain and engine code ask a Clock, never `Date.now()`, so tests can move time
 * (timers, SLAs, days past due) without sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  #ms: number;
  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
  set(to: Date | string): void {
    this.#ms = new Date(to).getTime();
  }
}

/**
 * A clock that runs `speed` times faster than the wall clock, for demos: at 1440 a day passes in a
 * minute, so a new user watches timers fire, accounts fall overdue and strategies act. It never
 * goes back: a data folder that already ran ahead (an earlier demo) is resumed from its own time.
 */
export class AcceleratedClock implements Clock {
  #origin: number;
  #wallOrigin: number;
  constructor(
    readonly speed: number,
    start: Date = new Date(),
    private readonly wall: () => number = Date.now,
  ) {
    if (!(speed >= 1)) throw new Error(`speed must be at least 1, got ${speed}`);
    this.#origin = start.getTime();
    this.#wallOrigin = wall();
  }
  now(): Date {
    return new Date(this.#origin + (this.wall() - this.#wallOrigin) * this.speed);
  }
  /** Continues from `at` when it is later than now. */
  resumeFrom(at: Date): void {
    if (at.getTime() <= this.now().getTime()) return;
    this.#origin = at.getTime();
    this.#wallOrigin = this.wall();
  }
}
