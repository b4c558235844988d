/**
 * Decoded records of one event source, ready to draw: the text of every cell in one string and
 * the numbers in typed arrays, so a batch of thousands of rows crosses from the socket worker to
 * the page as a handful of objects (the arrays are transferred, the string copied once) and the
 * page allocates nothing per row. Cells are formatted once, where the frame is decoded.
 */
export interface RowBatch {
  runId: string;
  source: string;
  /** The run target the records came from, when the run named targets; its name is also the first cell. */
  target?: string;
  columns: string[];
  count: number;
  /** Milliseconds since attach, per row. */
  t: Float64Array;
  /** CPU per row (perf buffer records), -1 where a record had none; null when no row had one. */
  cpu: Int32Array | null;
  /** Every cell's text followed by NUL, row by row, cells in `columns` order. */
  text: string;
  /** Offset of each cell's NUL in `text` (count × columns.length). */
  ends: Uint32Array;
  /** Records received before these that were not kept (the page was further behind than the table holds). */
  skipped: number;
  /** Records the agent reported lost, over the frames this batch merges. */
  dropped: number;
}

export const CELL_END = '\u0000';

/**
 * Inside a cell's text, between a field's readable form and its raw value (`-ENOENT` + RAW + `-2`):
 * the table shows the first, the raw one is on hover, and a filter finds either. Decoded text
 * never holds this byte (control bytes are written `\x01`, JSON escapes them).
 */
export const RAW = '\u0001';

/** A formatted cell: its readable form, with the raw value kept for the hover (cellRaw). */
export function withRaw(shown: string, raw: string): string {
  return shown === raw ? raw : `${shown}${RAW}${raw}`;
}

function cellAll(b: RowBatch, row: number, col: number): string {
  const n = b.columns.length;
  if (col < 0 || col >= n) return '';
  const k = row * n + col;
  const start = k === 0 ? 0 : b.ends[k - 1]! + 1;
  return b.text.slice(start, b.ends[k]);
}

/** The text a cell shows: a field's readable form (`-ENOENT`) when it has one, else its value. */
export function cellText(b: RowBatch, row: number, col: number): string {
  const s = cellAll(b, row, col);
  const i = s.indexOf(RAW);
  return i < 0 ? s : s.slice(0, i);
}

/** A formatted cell's raw value (`-2` under `-ENOENT`), or undefined when the cell shows its value as it is. */
export function cellRaw(b: RowBatch, row: number, col: number): string | undefined {
  const s = cellAll(b, row, col);
  const i = s.indexOf(RAW);
  return i < 0 ? undefined : s.slice(i + 1);
}

/** Accumulates rows (as already formatted cells) and produces one batch. */
export class RowBatchBuilder {
  // Typed arrays grown by doubling, a string per row: measured ~10× cheaper than arrays of
  // numbers and parts converted at the end (TypedArray.from walks an iterator).
  private t = new Float64Array(64);
  private cpu: Int32Array | null = null;
  private ends = new Uint32Array(64);
  private readonly text: string[] = [];
  private length = 0;
  count = 0;
  skipped = 0;
  dropped = 0;

  constructor(
    readonly runId: string,
    readonly source: string,
    readonly columns: string[],
    readonly target?: string,
  ) {}

  /** One row: `cells` holds columns.length strings. */
  add(t: number, cpu: number | undefined, cells: readonly string[]): void {
    const ncols = this.columns.length;
    if (this.count === this.t.length) {
      this.t = grow(this.t, this.count * 2);
      if (this.cpu) this.cpu = grow(this.cpu, this.count * 2);
    }
    if ((this.count + 1) * ncols > this.ends.length)
      this.ends = grow(this.ends, Math.max(64, (this.count + 1) * ncols * 2));
    this.t[this.count] = t;
    if (cpu !== undefined && !this.cpu) this.cpu = new Int32Array(this.t.length).fill(-1, 0);
    if (this.cpu) this.cpu[this.count] = cpu ?? -1;
    let row = '';
    let k = this.count * ncols;
    for (let c = 0; c < ncols; c++) {
      const s = cells[c] ?? '';
      row += s;
      this.length += s.length;
      this.ends[k++] = this.length;
      row += CELL_END;
      this.length += 1;
    }
    this.text.push(row);
    this.count++;
  }

  build(): { batch: RowBatch; transfer: ArrayBuffer[] } {
    const t = this.t.slice(0, this.count);
    const cpu = this.cpu ? this.cpu.slice(0, this.count) : null;
    const ends = this.ends.slice(0, this.count * this.columns.length);
    const batch: RowBatch = {
      runId: this.runId,
      source: this.source,
      ...(this.target !== undefined ? { target: this.target } : {}),
      columns: this.columns,
      count: this.count,
      t,
      cpu,
      text: this.text.join(''),
      ends,
      skipped: this.skipped,
      dropped: this.dropped,
    };
    return { batch, transfer: [t.buffer, ends.buffer, ...(cpu ? [cpu.buffer] : [])] as ArrayBuffer[] };
  }
}

function grow<T extends Float64Array | Int32Array | Uint32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  if (b instanceof Int32Array) b.fill(-1, a.length);
  return b;
}

/** Two batches of the same source and columns as one (the ring merges small ones: fewer objects per kept row). */
export function mergeBatches(a: RowBatch, b: RowBatch): RowBatch {
  const count = a.count + b.count;
  const t = new Float64Array(count);
  t.set(a.t);
  t.set(b.t, a.count);
  let cpu: Int32Array | null = null;
  if (a.cpu || b.cpu) {
    cpu = new Int32Array(count).fill(-1);
    if (a.cpu) cpu.set(a.cpu);
    if (b.cpu) cpu.set(b.cpu, a.count);
  }
  const ends = new Uint32Array(a.ends.length + b.ends.length);
  ends.set(a.ends);
  const shift = a.text.length;
  for (let i = 0; i < b.ends.length; i++) ends[a.ends.length + i] = b.ends[i]! + shift;
  return {
    ...a,
    count,
    t,
    cpu,
    text: a.text + b.text,
    ends,
    skipped: a.skipped + b.skipped,
    dropped: a.dropped + b.dropped,
  };
}

export function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
