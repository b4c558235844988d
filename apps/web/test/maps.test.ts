import { describe, expect, it } from 'vitest';
import type { MapSnapshot } from '@bpfplay/protocol';
import { compactNumber, log2Histograms, numberOf } from '../src/state/maps';

const snap = (entries: MapSnapshot['entries']): MapSnapshot => ({
  name: 'hist',
  type: 'array',
  render: 'log2-hist',
  more: 0,
  entries,
});

describe('log2 histograms', () => {
  it('reads an array map indexed by bucket', () => {
    const h = log2Histograms(
      snap([
        { key: 0, value: 0 },
        { key: 1, value: 3 },
        { key: 3, value: '7' },
      ]),
    );
    expect(h).toEqual([{ label: null, counts: [0, 3, 0, 7] }]);
  });

  it('reads struct hist { slots[] } values, one histogram per key', () => {
    const h = log2Histograms(
      snap([
        { key: { comm: 'bash' }, value: { slots: [0, 1, 2], total: 3 } },
        { key: { comm: 'sshd' }, value: { slots: [5, 0, 0], total: 5 } },
      ]),
    );
    expect(h).toEqual([
      { label: '{comm: bash}', counts: [0, 1, 2] },
      { label: '{comm: sshd}', counts: [5, 0, 0] },
    ]);
  });

  it('writes y-axis ticks short enough to fit the axis', () => {
    expect([0, 950, 1500, 12_000, 4_000_000, 4_250_000, 1.5e9, 123_456_789].map(compactNumber)).toEqual([
      '0',
      '950',
      '1.5K',
      '12K',
      '4M',
      '4.3M',
      '1.5G',
      '123M',
    ]);
  });

  it('reads u64 values sent as decimal strings', () => {
    // The nearest double to 2^64 - 1 is 2^64: a chart can only show it that way.
    expect(numberOf('18446744073709551615')).toBe(2 ** 64);
    expect(numberOf('0x10')).toBeNull();
  });
});

describe('which counters get a line on the chart', () => {
  it('picks the keys with the largest latest value', async () => {
    const { Ring } = await import('../src/state/ring');
    const { topSeries } = await import('../src/state/maps');
    const mk = (...vs: number[]) => {
      const r = new Ring<{ t: number; v: number }>(10);
      vs.forEach((v, t) => r.push({ t, v }));
      return r;
    };
    const series = new Map([
      ['read', mk(1, 50)],
      ['write', mk(100, 2)],
      ['openat', mk(10, 30)],
    ]);
    expect(topSeries(series, 2)).toEqual(['read', 'openat']);
  });
});
