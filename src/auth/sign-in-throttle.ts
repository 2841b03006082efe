/**
 * The per-address bound on failed sign-ins (the per-account bound is the lock in sign-in.ts): an
 * address that failed `limit` times within `windowMs` is refused before its password is checked,
 * so one address cannot spray passwords across many accounts. In memory, per process: it is a brake
 * on guessing, not a record (every failure is audited anyway).
 */
export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly limit = 20,
    readonly windowMs = 10 * 60_000,
    private readonly maxAddresses = 100_000,
  ) {}

  /** Seconds until `address` may try again, or 0 when it may now. */
  retryAfterSeconds(address: string, now: number): number {
    const recent = this.recent(address, now);
    if (recent.length < this.limit) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000));
  }

  fail(address: string, now: number): void {
    const recent = this.recent(address, now);
    recent.push(now);
    if (!this.failures.has(address) && this.failures.size >= this.maxAddresses) this.failures.clear();
    this.failures.set(address, recent.slice(-this.limit));
  }

  private recent(address: string, now: number): number[] {
    return (this.failures.get(address) ?? []).filter((at) => at > now - this.windowMs);
  }
}
