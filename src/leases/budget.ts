// A share of the CPU as a token bucket of milliseconds. Pure: the caller
// passes the clock. The lease channel spends it on MAC checks, the one
// costly step a forged datagram can make it take (docs/robustness.md).
export class TimeBudget {
  private tokens: number;
  private at: number | null = null;

  /** `perSecondMs` of work allowed per second of time, at most `capacityMs` in a burst. */
  constructor(private readonly capacityMs: number, private readonly perSecondMs: number) {
    this.tokens = capacityMs;
  }

  private refill(now: number): void {
    if (this.at !== null) this.tokens = Math.min(this.capacityMs, this.tokens + ((now - this.at) * this.perSecondMs) / 1000);
    this.at = now;
  }

  /** Whether work may start now. */
  available(now: number): boolean {
    this.refill(now);
    return this.tokens > 0;
  }

  /** Work done that took `ms`; the balance may go below zero. */
  spend(ms: number): void {
    this.tokens -= ms;
  }

  /** How long until work may start again (0 if it may now). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens > 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.perSecondMs) + 1;
  }
}
