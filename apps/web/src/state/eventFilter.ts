import type { RowBatch } from './rowBatch';
import type { RowsView } from './rowRing';

export interface RowFilter {
  /** `column=value` or `column:value` matches one column; otherwise any cell. */
  column: string | null;
  /** Lower-cased. */
  needle: string;
}

export function parseFilter(q: string, columns: readonly string[]): RowFilter | null {
  const s = q.trim();
  if (s === '') return null;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*[:=]\s*(.*)$/.exec(s);
  if (m && columns.includes(m[1]!)) return { column: m[1]!, needle: m[2]!.toLowerCase() };
  return { column: null, needle: s.toLowerCase() };
}

const lowered = new WeakMap<RowBatch, string>();

/** The batch's text lower-cased once (a batch never changes), or null when lower-casing changed its length. */
function lowerOf(b: RowBatch): string | null {
  let s = lowered.get(b);
  if (s === undefined) {
    s = b.text.toLowerCase();
    lowered.set(b, s);
  }
  return s.length === b.text.length ? s : null;
}

function cellStart(b: RowBatch, k: number): number {
  return k === 0 ? 0 : b.ends[k - 1]! + 1;
}

/** Rows `from`…`to`−1 of a batch that match, appended to `out` as `base + row`. */
export function matchBatch(b: RowBatch, from: number, to: number, f: RowFilter, base: number, out: number[]): void {
  const n = b.columns.length;
  if (n === 0 || from >= to) return;
  const lower = lowerOf(b);
  const cell = (k: number) => (lower ?? '').slice(cellStart(b, k), b.ends[k]);
  const slowCell = (k: number) => b.text.slice(cellStart(b, k), b.ends[k]).toLowerCase();
  const get = lower === null ? slowCell : cell;
  if (f.column !== null) {
    const c = b.columns.indexOf(f.column);
    if (c < 0) return;
    for (let r = from; r < to; r++) if (get(r * n + c).includes(f.needle)) out.push(base + r);
    return;
  }
  if (lower === null || f.needle.includes('\u0000')) {
    for (let r = from; r < to; r++) {
      for (let c = 0; c < n; c++) {
        if (get(r * n + c).includes(f.needle)) {
          out.push(base + r);
          break;
        }
      }
    }
    return;
  }
  // Jump from hit to hit in the batch's text instead of looking at every row.
  const end = b.ends[to * n - 1]!;
  let r = from;
  while (r < to) {
    const at = lower.indexOf(f.needle, cellStart(b, r * n));
    if (at < 0 || at >= end) return;
    r = rowAt(b, at, r, to);
    out.push(base + r);
    r++;
  }
}

/** The row whose text contains offset `at` (rows lo…hi−1). */
function rowAt(b: RowBatch, at: number, lo: number, hi: number): number {
  const n = b.columns.length;
  let a = lo;
  let z = hi - 1;
  while (a < z) {
    const mid = (a + z) >> 1;
    if (b.ends[mid * n + n - 1]! < at) a = mid + 1;
    else z = mid;
  }
  return a;
}

/**
 * The rows matching a filter, kept up to date as rows arrive: each render looks only at the rows
 * added since the last one (the full 50k rows are scanned once, when the filter changes), and
 * forgets matches the ring has evicted.
 */
export class FilterIndex {
  private matches: number[] = [];
  private head = 0;
  private scanned = 0;

  constructor(
    readonly filter: RowFilter,
    readonly view: RowsView,
  ) {}

  get length(): number {
    return this.matches.length - this.head;
  }

  /** Position in the view of the i-th match. */
  at(i: number): number {
    return this.matches[this.head + i]! - this.view.firstN;
  }

  update(): void {
    const first = this.view.firstN;
    const end = first + this.view.length;
    let n = Math.max(this.scanned, first);
    while (n < end) {
      const loc = this.view.locate(n - first);
      if (!loc) break;
      const rows = Math.min(loc.batch.count - loc.row, end - n);
      matchBatch(loc.batch, loc.row, loc.row + rows, this.filter, n - loc.row, this.matches);
      n += rows;
    }
    this.scanned = end;
    while (this.head < this.matches.length && this.matches[this.head]! < first) this.head++;
    if (this.head > 4096 && this.head * 2 > this.matches.length) {
      this.matches = this.matches.slice(this.head);
      this.head = 0;
    }
  }
}
