import { describe, expect, it } from 'vitest';
import { DEFAULT_SHARE_RATE, RateLimiter } from '../src/rateLimit.js';

/** A clock the test moves by hand: the limiter's behaviour is checked without waiting or timing. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('rate limit per client (token bucket)', () => {
  it('allows a burst up to its capacity, then refuses with how long to wait', () => {
    const c = clock();
    const rl = new RateLimiter({ capacity: 3, refillPerSecond: 0.5, now: c.now });
    expect([rl.take('1.2.3.4'), rl.take('1.2.3.4'), rl.take('1.2.3.4')].map((d) => d.ok)).toEqual([true, true, true]);
    const refused = rl.take('1.2.3.4');
    expect(refused).toEqual({
      ok: false,
      retryAfterSec: 2,
      error: 'too many shares from 1.2.3.4: the limit is 3 at once, then 30 per minute; try again in 2 s',
    });
  });

  it('refills over time, never beyond its capacity', () => {
    const c = clock();
    const rl = new RateLimiter({ capacity: 2, refillPerSecond: 1, now: c.now });
    rl.take('a');
    rl.take('a');
    expect(rl.take('a').ok).toBe(false);
    c.advance(1000);
    expect(rl.take('a').ok).toBe(true);
    expect(rl.take('a').ok).toBe(false);
    c.advance(3_600_000);
    expect([rl.take('a').ok, rl.take('a').ok, rl.take('a').ok]).toEqual([true, true, false]);
  });

  it('keeps each client in its own bucket', () => {
    const c = clock();
    const rl = new RateLimiter({ capacity: 1, refillPerSecond: 0.01, now: c.now });
    expect(rl.take('a').ok).toBe(true);
    expect(rl.take('a').ok).toBe(false);
    expect(rl.take('b').ok).toBe(true);
  });

  it('refuses, past its budget, everything a loop sends in the same instant', () => {
    const c = clock();
    const rl = new RateLimiter({ ...DEFAULT_SHARE_RATE, now: c.now });
    const allowed = Array.from({ length: 1000 }, () => rl.take('loop')).filter((d) => d.ok).length;
    expect(allowed).toBe(DEFAULT_SHARE_RATE.capacity);
  });

  it('forgets idle clients when it tracks too many, so memory stays bounded', () => {
    const c = clock();
    const rl = new RateLimiter({ capacity: 2, refillPerSecond: 1, now: c.now, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) rl.take(`10.0.${i >> 8}.${i & 255}`);
    expect(rl.size).toBeLessThanOrEqual(100);
  });

  it('rejects a limiter that could never allow anything', () => {
    expect(() => new RateLimiter({ capacity: 0, refillPerSecond: 1 })).toThrow(/capacity >= 1/);
  });
});
