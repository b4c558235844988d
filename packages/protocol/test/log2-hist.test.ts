import { describe, expect, it } from 'vitest';
import { log2BucketLabel, log2HistText, unitFromName, unitLabel } from '../src/log2-hist';

describe('log2 histogram buckets', () => {
  it('are labelled as half-open ranges, slot 0 holding 0 and 1', () => {
    expect([0, 1, 2, 3, 9, 10, 11, 20, 30].map(log2BucketLabel)).toEqual([
      '[0, 2)',
      '[2, 4)',
      '[4, 8)',
      '[8, 16)',
      '[512, 1K)',
      '[1K, 2K)',
      '[2K, 4K)',
      '[1M, 2M)',
      '[1G, 2G)',
    ]);
  });

  it('take their unit from a name the way people write it', () => {
    expect(['lat_ns', 'usecs', 'hist_ms', 'io_bytes', 'reqSize', 'hists', 'status', 'slots'].map(unitFromName)).toEqual(
      ['ns', 'us', 'ms', 'bytes', 'bytes', undefined, undefined, undefined],
    );
    expect(unitLabel('us')).toBe('µs');
    expect(unitLabel('packets')).toBe('packets');
  });

  it('print as bpftrace prints @x = hist(), from the first to the last non-zero bucket', async () => {
    const counts = [0, 0, 12, 145, 0, 3, 0, 0];
    await expect(log2HistText('hists', counts, 'us')).toMatchFileSnapshot('golden/log2-hist.txt');
    expect(log2HistText('empty', [0, 0])).toBe('@empty:\n(all buckets are zero)\n');
  });
});
