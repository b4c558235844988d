import { describe, expect, it } from 'vitest';
import { RowBatchBuilder, cellText, type RowBatch } from '../src/state/rowBatch';
import { RowRing, cellByName, type RowsView } from '../src/state/rowRing';
import { FilterIndex, matchBatch, parseFilter } from '../src/state/eventFilter';

let next = 0;
/** A batch of `n` rows numbered from the running counter: columns pid, comm. */
function batch(n: number, opts: { skipped?: number; comm?: (i: number) => string; columns?: string[] } = {}): RowBatch {
  const b = new RowBatchBuilder('r', 'events', opts.columns ?? ['pid', 'comm']);
  for (let i = 0; i < n; i++) {
    const id = next++;
    b.add(id, undefined, [String(id), opts.comm?.(id) ?? (id % 2 ? 'bash' : 'sleep')]);
  }
  b.skipped = opts.skipped ?? 0;
  return b.build().batch;
}

function pids(v: RowsView): number[] {
  return Array.from({ length: v.length }, (_, i) => {
    const at = v.locate(i)!;
    return Number(cellText(at.batch, at.row, 0));
  });
}

describe('row ring: the newest rows of a source', () => {
  it('keeps the newest `capacity` rows across batches, numbers them, and counts the rest', () => {
    next = 0;
    const ring = new RowRing(5);
    ring.push(batch(300)); // large: kept as its own batch
    ring.push(batch(2, { skipped: 10 }));
    expect(pids(ring)).toEqual([297, 298, 299, 300, 301]);
    expect(ring.firstN).toBe(297);
    expect(ring.evicted).toBe(297 + 10);
    expect(ring.locate(5)).toBeUndefined();
    expect(ring.locate(-1)).toBeUndefined();
  });

  it('merges small batches (a slow stream keeps few objects) and reads them the same', () => {
    next = 0;
    const ring = new RowRing(1000);
    for (let i = 0; i < 100; i++) ring.push(batch(1));
    expect(pids(ring)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const batches = new Set(Array.from({ length: 100 }, (_, i) => ring.locate(i)!.batch));
    expect(batches.size).toBe(1);
  });

  it('a snapshot does not move while rows keep arriving', () => {
    next = 0;
    const ring = new RowRing(4);
    ring.push(batch(3));
    const snap = ring.snapshot();
    for (let i = 0; i < 10; i++) ring.push(batch(3));
    expect(pids(snap)).toEqual([0, 1, 2]);
    expect(pids(ring)).toEqual([29, 30, 31, 32]);
  });

  it('reads cells by name from batches laid out before the schema changed the columns', () => {
    next = 0;
    const old = batch(1, { columns: ['comm', 'pid'] });
    expect(cellByName(old, 0, 'pid')).toBe('sleep');
    expect(cellByName(old, 0, 'missing')).toBe('');
  });
});

describe('filtering the Events table', () => {
  it('parses `field=value` and `field:value` for known fields, anything else as text', () => {
    expect(parseFilter(' pid=4 ', ['pid'])).toEqual({ column: 'pid', needle: '4' });
    expect(parseFilter('comm:BASH', ['comm'])).toEqual({ column: 'comm', needle: 'bash' });
    expect(parseFilter('nosuch=1', ['pid'])).toEqual({ column: null, needle: 'nosuch=1' });
    expect(parseFilter('   ', ['pid'])).toBeNull();
  });

  it('finds rows by any cell or one column, never across cells', () => {
    next = 0;
    const b = batch(6, { comm: (i) => ['bash', 'sleep', 'Bash', 'zsh', 'ba', 'x'][i]! });
    const match = (q: string) => {
      const out: number[] = [];
      matchBatch(b, 0, b.count, parseFilter(q, b.columns)!, 0, out);
      return out;
    };
    expect(match('BASH')).toEqual([0, 2]);
    expect(match('comm=sh')).toEqual([0, 2, 3]);
    expect(match('pid=3')).toEqual([3]);
    expect(match('4ba')).toEqual([]); // "4" and "ba" are two cells
    expect(match('e')).toEqual([1]);
  });

  it('lower-cases text whose length changes (İ) cell by cell', () => {
    next = 0;
    const b = batch(2, { comm: (i) => (i ? 'İstanbul' : 'x') });
    const out: number[] = [];
    matchBatch(b, 0, 2, parseFilter('stanbul', b.columns)!, 0, out);
    expect(out).toEqual([1]);
  });

  it('keeps its matches up to date as rows arrive and leave, looking only at new rows', () => {
    next = 0;
    const ring = new RowRing(10);
    ring.push(batch(10)); // pids 0..9: odd ones are bash
    const f = new FilterIndex(parseFilter('bash', ['pid', 'comm'])!, ring);
    f.update();
    const shown = () => Array.from({ length: f.length }, (_, i) => pids(ring)[f.at(i)]);
    expect(shown()).toEqual([1, 3, 5, 7, 9]);
    ring.push(batch(4)); // 10..13 arrive, 0..3 leave
    f.update();
    expect(shown()).toEqual([5, 7, 9, 11, 13]);
  });
});
