import { describe, expect, it } from 'vitest';
import { checkMapQuota, mapBytes, PERF_PAGES } from '../../src/policy/map-quota.js';

const MiB = 1 << 20;

describe('map memory quota', () => {
  it('counts max_entries × (key + value), per CPU for per-CPU maps, bytes for ring buffers', () => {
    expect(mapBytes({ name: 'h', type: 'hash', keySize: 4, valueSize: 8, maxEntries: 1024 }, 2)).toBe(12 * 1024);
    expect(mapBytes({ name: 'p', type: 'percpu_array', keySize: 4, valueSize: 12, maxEntries: 10 }, 4)).toBe(
      (4 + 16 * 4) * 10,
    );
    expect(mapBytes({ name: 'r', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 256 * 1024 }, 2)).toBe(
      256 * 1024,
    );
    expect(mapBytes({ name: 'a', type: 'arena', keySize: 0, valueSize: 0, maxEntries: 10 }, 2)).toBe(40960);
    expect(mapBytes({ name: 'e', type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 0 }, 2)).toBe(
      PERF_PAGES * 4096 * 2,
    );
    expect(mapBytes({ name: 's', type: 'task_storage', keySize: 4, valueSize: 64, maxEntries: 0 }, 2)).toBe(68);
  });

  it('passes a run under the limit and refuses one over it, naming the largest maps and what to change', () => {
    const ok = checkMapQuota(
      [{ name: 'counts', type: 'hash', keySize: 4, valueSize: 8, maxEntries: 10240 }],
      256 * MiB,
      2,
    );
    expect(ok.error).toBeUndefined();
    const big = checkMapQuota(
      [
        { name: 'small', type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 },
        { name: 'huge', type: 'hash', keySize: 4, valueSize: 4, maxEntries: 1 << 28 },
      ],
      256 * MiB,
      2,
    );
    expect(big.totalBytes).toBe(8 * (1 << 28) + 12);
    expect(big.maps[0]).toEqual({ name: 'huge', bytes: 8 * (1 << 28) });
    expect(big.error).toMatch(/need 2\.0 GiB and the agent allows 256\.0 MiB per run/);
    expect(big.error).toMatch(/huge \(hash\) 2\.0 GiB: 268435456 entries × \(4 \+ 4\) bytes/);
    expect(big.error).toMatch(/Lower max_entries/);
  });

  it('does not overflow on the largest sizes a map can declare', () => {
    const r = checkMapQuota(
      [{ name: 'x', type: 'hash', keySize: 512, valueSize: 0xffffffff, maxEntries: 0xffffffff }],
      256 * MiB,
      2,
    );
    expect(Number.isFinite(r.totalBytes)).toBe(true);
    expect(r.error).toBeDefined();
  });
});
