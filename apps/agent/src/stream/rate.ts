/**
 * A per-second budget: records beyond `perSecond` in the current second are refused and the caller
 * counts them as dropped. A fixed window (not a token bucket) keeps the arithmetic obvious for users
 * reading drop counts: "at most N per second".
 */
export class RateWindow {
  private windowStart = 0;
  private used = 0;

  constructor(private readonly perSecond: number) {}

  /** How many of `n` records fit in this second's remaining budget (and reserve them). */
  take(n: number, now = Date.now()): number {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.used = 0;
    }
    const granted = Math.max(0, Math.min(n, this.perSecond - this.used));
    this.used += granted;
    return granted;
  }
}
