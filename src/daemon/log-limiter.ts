// Rate limiting of complaints about what arrives from the network: pure,
// so that its bounds are tested without the engine.

/** Reasons a limiter tracks at once; a closed set in practice (drop
 * reasons), bounded all the same. */
const MAX_REASONS = 64;

/** Lets one line per reason through each window and counts the others, so
 * that a flood of bad packets costs one line per reason per window however
 * its sources vary (they are spoofed at will): the next line of that reason
 * after the window says how many were held back. */
export class LogLimiter {
  private readonly windows = new Map<string, { until: number; held: number }>();

  constructor(private readonly windowMs: number) {}

  /** The line to log now for a complaint of `reason`, or null to hold it back. */
  pass(reason: string, message: string, now: number): string | null {
    const w = this.windows.get(reason);
    if (w && now < w.until) {
      w.held++;
      return null;
    }
    if (!w && this.windows.size >= MAX_REASONS) {
      for (const [k, v] of this.windows) if (now >= v.until && v.held === 0) this.windows.delete(k);
      if (this.windows.size >= MAX_REASONS) return null;
    }
    this.windows.set(reason, { until: now + this.windowMs, held: 0 });
    return w && w.held > 0 ? `${message} (${w.held} more of these since the last such line)` : message;
  }
}
