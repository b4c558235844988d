import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ticker } from '../../src/runner/ticker.js';

describe('runner ticker (one timer for every run of a process)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('serves runs with the same period in one wake-up, whenever each started, at multiples of the period', () => {
    const t = new Ticker(() => Date.now());
    vi.setSystemTime(1_000_003);
    const calls: string[] = [];
    const a = t.every(16, () => calls.push(`a@${Date.now()}`));
    vi.advanceTimersByTime(5);
    const b = t.every(16, () => calls.push(`b@${Date.now()}`));
    vi.advanceTimersByTime(7);
    const c = t.every(50, () => calls.push(`c@${Date.now()}`));
    expect(t.pending).toBe(1);
    vi.advanceTimersByTime(40);
    // Multiples of 16 (a and b together each time, though b started 5 ms later) and of 50 (c).
    expect(calls).toEqual(['a@1000016', 'b@1000016', 'a@1000032', 'b@1000032', 'a@1000048', 'b@1000048', 'c@1000050']);
    a();
    b();
    c();
    expect(t.pending).toBe(0);
  });

  it('a run cancelled by another in the same turn is not called; a late turn is not made up for', () => {
    const t = new Ticker(() => Date.now());
    vi.setSystemTime(0);
    const calls: string[] = [];
    let cancelB = () => {};
    const a = t.every(10, () => {
      calls.push('a');
      cancelB();
    });
    cancelB = t.every(10, () => calls.push('b'));
    vi.advanceTimersByTime(10);
    expect(calls).toEqual(['a']);
    // The event loop was busy for 95 ms: one turn, then on the grid again.
    vi.setSystemTime(105);
    vi.advanceTimersByTime(0);
    vi.runOnlyPendingTimers();
    expect(calls).toEqual(['a', 'a']);
    vi.advanceTimersByTime(10);
    expect(calls).toEqual(['a', 'a', 'a']);
    a();
    expect(t.pending).toBe(0);
  });

  it('a throwing run does not stop the ticker for the others', () => {
    const t = new Ticker(() => Date.now());
    vi.setSystemTime(0);
    let n = 0;
    t.every(10, () => {
      throw new Error('boom');
    });
    t.every(10, () => n++);
    expect(() => vi.advanceTimersByTime(10)).toThrow('boom');
    expect(t.pending).toBe(1);
  });
});
