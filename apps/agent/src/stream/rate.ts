/**
 * A per-second budget: records beyond `perSecond` in the current second are refused and the caller
 * counts them as dropped. A fixed window (not a token bucket) keeps the arithmetic obvious for users
 * reading drop counts: "at most N per second".
 */
export class RateWindow {
  private windowStart = 0;
  private used = 0;

  constructor(private perSecond: number) {}

  /** A new budget, applied from now on (a session's runs share one budget; see Outbox.setShare). */
  setLimit(perSecond: number): void {
    this.perSecond = perSecond;
  }

  private roll(now: number): void {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.used = 0;
    }
  }

  /** How many records the current second still has room for (nothing is reserved). */
  available(now = Date.now()): number {
    if (now - this.windowStart >= 1000) return this.perSecond;
    return Math.max(0, this.perSecond - this.used);
  }

  /** How many of `n` records fit in this second's remaining budget (and reserve them). */
  take(n: number, now = Date.now()): number {
    this.roll(now);
    const granted = Math.max(0, Math.min(n, this.perSecond - this.used));
    this.used += granted;
    return granted;
  }

  /** Reserve all of `n` (e.g. one record's bytes) or nothing. */
  tryTake(n: number, now = Date.now()): boolean {
    this.roll(now);
    if (this.used + n > this.perSecond) return false;
    this.used += n;
    return true;
  }
}
