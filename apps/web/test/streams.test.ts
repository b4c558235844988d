import { describe, expect, it } from 'vitest';
import type { ServerMessageOf } from '@bpfplay/protocol';
import { Streams, columnsOf, matchingRows, parseFilter } from '../src/state/streams';

const limits = { eventRows: 5, printkLines: 3, seriesPoints: 2, seriesPerMap: 2 };
const events = (n: number, from = 0, dropped = 0): ServerMessageOf<'events'> => ({
  type: 'events',
  seq: 1,
  runId: 'r',
  source: 'events',
  dropped,
  records: Array.from({ length: n }, (_, i) => ({ t: from + i, cpu: 0, value: { pid: from + i, comm: i % 2 ? 'bash' : 'sleep' } })),
});

describe('event streams', () => {
  it('keeps the newest rows, counts received and dropped', () => {
    const s = new Streams(limits);
    s.events(events(3, 0, 1));
    s.events(events(4, 3, 2));
    const src = s.sources.get('events')!;
    expect(src.rows.toArray().map((r) => r.t)).toEqual([2, 3, 4, 5, 6]);
    expect(src.received).toBe(7);
    expect(src.dropped).toBe(3);
    expect(s.eventsDropped).toBe(3);
    // A batch larger than the ring keeps its tail and still counts every record.
    s.events(events(12, 100));
    expect(src.rows.toArray().map((r) => r.t)).toEqual([107, 108, 109, 110, 111]);
    expect(src.received).toBe(19);
  });

  it('takes columns from the schema, else from the first record', () => {
    const s = new Streams(limits);
    s.events(events(1));
    expect(columnsOf(s.sources.get('events')!)).toEqual(['pid', 'comm']);
    s.schema({ type: 'schema', seq: 0, runId: 'r', source: 'events', recordType: 'struct event', fields: [{ name: 'comm', type: 'char[16]' }, { name: 'pid', type: 'int' }] });
    expect(columnsOf(s.sources.get('events')!)).toEqual(['comm', 'pid']);
  });

  it('filters by any cell or by one column', () => {
    const s = new Streams(limits);
    s.events(events(5));
    const src = s.sources.get('events')!;
    const cols = columnsOf(src);
    expect(matchingRows(src.rows, cols, parseFilter('BASH', cols))).toEqual([1, 3]);
    expect(matchingRows(src.rows, cols, parseFilter('pid=4', cols))).toEqual([4]);
    expect(matchingRows(src.rows, cols, parseFilter('pid:', cols))).toEqual([0, 1, 2, 3, 4]);
    expect(matchingRows(src.rows, cols, parseFilter('  ', cols))).toEqual([0, 1, 2, 3, 4]);
    expect(parseFilter('nosuch=1', cols)).toEqual({ column: null, needle: 'nosuch=1' });
  });

  it('keeps the printk tail and counts drops', () => {
    const s = new Streams(limits);
    s.printkLines({ type: 'printk', seq: 1, runId: 'r', dropped: 4, lines: [1, 2, 3, 4].map((t) => ({ t, cpu: 1, text: `line ${t}` })) });
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
