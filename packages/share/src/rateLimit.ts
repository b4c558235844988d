/**
 * A token bucket per client key (an IP address, usually): `capacity` shares at once, then one more
 * every `1 / refillPerSecond` seconds. Kept in memory: a restart forgives everyone, which is fine
 * for a limiter whose job is to stop a loop from filling the disk, not to bill anyone.
 */
export interface RateLimitOptions {
  /** Burst size: requests allowed back to back from a fresh key. */
  capacity: number;
  /** Tokens added per second, up to `capacity`. */
  refillPerSecond: number;
  /** Clock in milliseconds; tests pass their own so nothing depends on wall time. */
  now?: () => number;
  /** Buckets kept before full (idle) ones are forgotten, so a scan of many addresses cannot grow memory. */
  maxKeys?: number;
  /** What is being limited, for messages: "shares". */
  what?: string;
}

export type RateDecision = { ok: true; remaining: number } | { ok: false; retryAfterSec: number; error: string };

/** 30 at once, then 20 a minute: far beyond a person pressing Share, far below a runaway script. */
export const DEFAULT_SHARE_RATE: RateLimitOptions = { capacity: 30, refillPerSecond: 20 / 60 };

interface Bucket {
  tokens: number;
  at: number;
}

function perMinute(refillPerSecond: number): string {
  const n = refillPerSecond * 60;
  return Number.isInteger(n) ? `${n}` : n.toFixed(1);
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly opts: RateLimitOptions = DEFAULT_SHARE_RATE) {
    if (!(opts.capacity >= 1) || !(opts.refillPerSecond > 0)) {
      throw new Error(
        `rate limit needs capacity >= 1 and refillPerSecond > 0 (got ${opts.capacity}, ${opts.refillPerSecond})`,
      );
    }
    this.now = opts.now ?? Date.now;
    this.maxKeys = opts.maxKeys ?? 10_000;
  }

  private refill(b: Bucket, t: number): void {
    const elapsed = Math.max(0, t - b.at) / 1000;
    b.tokens = Math.min(this.opts.capacity, b.tokens + elapsed * this.opts.refillPerSecond);
    b.at = t;
  }

  /** Spend one token for `key`, or say how long until one is there. */
  take(key: string): RateDecision {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.forgetIdle(t);
      b = { tokens: this.opts.capacity, at: t };
      this.buckets.set(key, b);
    } else {
      this.refill(b, t);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, remaining: Math.floor(b.tokens) };
    }
    const retryAfterSec = Math.max(1, Math.ceil((1 - b.tokens) / this.opts.refillPerSecond));
    const what = this.opts.what ?? 'shares';
    return {
      ok: false,
      retryAfterSec,
      error:
        `too many ${what} from ${key}: the limit is ${this.opts.capacity} at once, then ` +
        `${perMinute(this.opts.refillPerSecond)} per minute; try again in ${retryAfterSec} s`,
    };
  }

  /** Buckets being tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private forgetIdle(t: number): void {
    for (const [k, b] of this.buckets) {
      this.refill(b, t);
      if (b.tokens >= this.opts.capacity) this.buckets.delete(k);
    }
    // Everyone is mid-burst: drop the oldest entries rather than grow without bound.
    for (const k of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(k);
    }
  }
}
