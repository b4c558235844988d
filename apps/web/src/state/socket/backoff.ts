/**
 * Reconnect delay after `attempt` failed tries (0-based): min(100·2^n ms, 10 s). Doubling from 100 ms
 * finds an agent that is just starting within a few hundred milliseconds, and the 10 s cap keeps a
 * laptop with the agent stopped from hammering it.
 */
export const BACKOFF_BASE_MS = 100;
export const BACKOFF_MAX_MS = 10_000;

export function reconnectDelayMs(attempt: number): number {
  if (!Number.isFinite(attempt) || attempt < 0) return BACKOFF_BASE_MS;
  // 2^7·100 already exceeds the cap; avoid overflow for large attempt counts.
  if (attempt >= 7) return BACKOFF_MAX_MS;
  return Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_MAX_MS);
}
