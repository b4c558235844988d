import { describe, expect, it } from 'vitest';
import type { ServerMessageOf } from '@bpfplay/protocol';
import { Streams } from '../src/state/streams';
import { cellText } from '../src/state/rowBatch';
import type { RowsView } from '../src/state/rowRing';
import { batchesOf } from './rows';

const limits = { eventRows: 5, printkLines: 3, seriesPoints: 2, seriesPerMap: 2 };
const events = (n: number, from = 0, dropped = 0, seq = 1): ServerMessageOf<'events'> => ({
  type: 'events',
  seq,
  runId: 'r',
  source: 'events',
  dropped,
  records: Array.from({ length: n }, (_, i) => ({
    t: from + i,
    cpu: 0,
    value: { pid: from + i, comm: i % 2 ? 'bash' : 'sleep' },
  })),
});

function times(v: RowsView): number[] {
  return Array.from({ length: v.length }, (_, i) => {
    const at = v.locate(i)!;
    return at.batch.t[at.row]!;
  });
}

describe('event streams', () => {
  it('keeps the newest rows, counts received and dropped', () => {
    const s = new Streams(limits);
    for (const b of batchesOf([events(3, 0, 1, 1)])) s.rows(b);
    for (const b of batchesOf([events(4, 3, 2, 2)])) s.rows(b);
    const src = s.sources.get('events')!;
    expect(times(src.rows)).toEqual([2, 3, 4, 5, 6]);
    expect(src.received).toBe(7);
    expect(src.dropped).toBe(3);
    expect(s.eventsDropped).toBe(3);
    // A batch larger than the ring keeps its tail and still counts every record.
    for (const b of batchesOf([events(12, 100)])) s.rows(b);
    expect(times(src.rows)).toEqual([107, 108, 109, 110, 111]);
    expect(src.received).toBe(19);
    expect(src.rows.evicted).toBe(14);
  });

  it('knows the columns of the newest rows and whether records carry a CPU', () => {
    const s = new Streams(limits);
    for (const b of batchesOf([events(2)])) s.rows(b);
    const src = s.sources.get('events')!;
    expect(src.columns).toEqual(['pid', 'comm']);
    expect(src.hasCpu).toBe(true);
    const at = src.rows.locate(1)!;
    expect(cellText(at.batch, at.row, 1)).toBe('bash');
  });

  it('keeps the printk tail and counts drops', () => {
    const s = new Streams(limits);
    s.printkLines({
      type: 'printk',
      seq: 1,
      runId: 'r',
      dropped: 4,
      lines: [1, 2, 3, 4].map((t) => ({ t, cpu: 1, text: `line ${t}` })),
    });
    expect(s.printk.toArray().map((l) => l.text)).toEqual(['line 2', 'line 3', 'line 4']);
    expect(s.printkDropped).toBe(4);
  });

  it('records counter series per key, capped in keys and points', () => {
    const s = new Streams(limits);
    for (const t of [1000, 2000, 3000]) {
      s.mapsSnapshot({
        type: 'maps',
        seq: 1,
        runId: 'r',
        t,
        maps: [
          {
            name: 'counts',
            type: 'hash',
            render: 'counters',
            more: 0,
            entries: [
              { key: 'read', value: t },
              { key: 'write', value: String(t * 2) },
              { key: 'open', value: 1 },
            ],
          },
        ],
      });
    }
    const series = s.series.get('counts')!;
    expect([...series.keys()]).toEqual(['read', 'write']);
    expect(series.get('write')!.toArray()).toEqual([
      { t: 2000, v: 4000 },
      { t: 3000, v: 6000 },
    ]);
  });
});
