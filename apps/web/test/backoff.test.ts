import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from '../src/state/socket/backoff';

describe('reconnect backoff', () => {
  it('doubles from 100 ms and stops at 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 50, 10_000].map(reconnectDelayMs)).toEqual([
      100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000, 10_000,
    ]);
  });
  it('treats nonsense attempts as the first', () => {
    expect(reconnectDelayMs(-1)).toBe(100);
    expect(reconnectDelayMs(Number.NaN)).toBe(100);
  });
});
