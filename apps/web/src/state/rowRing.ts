import { cellRaw, cellText, mergeBatches, sameColumns, type RowBatch } from './rowBatch';

/** Batches smaller than this are merged with the next one, so a slow stream does not keep one object per row. */
const SMALL_BATCH = 256;

/** Read access to rows by position (0 = oldest kept), shared by the live ring and a paused snapshot. */
export interface RowsView {
  readonly length: number;
  /** Number of row 0; row i's number (stable while it is kept, a key for drawing) is firstN + i. */
  readonly firstN: number;
  locate(i: number): { batch: RowBatch; row: number } | undefined;
}

/**
 * The newest `capacity` rows of one event source, kept as the batches they arrived in (batches are
 * immutable: a snapshot for "pause" is a copy of the list, not of the rows). Pushing is O(1) per
 * batch; reading row i is a binary search over the batches.
 */
export class RowRing implements RowsView {
  private batches: RowBatch[] = [];
  /** Global number of each batch's first row (parallel to `batches`). */
  private starts: number[] = [];
  private head = 0;
  /** Number of the oldest kept row. */
  firstN = 0;
  /** Rows pushed (numbered 0…total−1). */
  total = 0;
  private skipped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new Error(`ring capacity must be a positive integer, got ${capacity}`);
  }

  get length(): number {
    return this.total - this.firstN;
  }

  /** Rows received but no longer kept (evicted by newer ones, or skipped before they reached the page). */
  get evicted(): number {
    return this.firstN + this.skipped;
  }

  push(b: RowBatch): void {
    // Rows skipped upstream were received but never kept: they count like evicted ones, and get no number.
    this.skipped += b.skipped;
    if (b.count > 0) {
      const last = this.batches.length - 1;
      const lastB = last >= this.head ? this.batches[last] : undefined;
      if (
        lastB &&
        lastB.count < SMALL_BATCH &&
        b.count < SMALL_BATCH &&
        sameColumns(lastB.columns, b.columns) &&
        lastB.target === b.target
      ) {
        this.batches[last] = mergeBatches(lastB, b);
      } else {
        this.batches.push(b);
        this.starts.push(this.total);
      }
      this.total += b.count;
    }
    this.evict();
  }

  clear(): void {
    this.batches = [];
    this.starts = [];
    this.head = 0;
    this.firstN = 0;
    this.total = 0;
    this.skipped = 0;
  }

  locate(i: number): { batch: RowBatch; row: number } | undefined {
    return locateIn(this.batches, this.starts, this.head, this.batches.length, this.firstN + i, i, this.length);
  }

  /** A frozen copy of what is kept now. */
  snapshot(): RowsView {
    const batches = this.batches.slice(this.head);
    const starts = this.starts.slice(this.head);
    const firstN = this.firstN;
    const length = this.length;
    return { length, firstN, locate: (i) => locateIn(batches, starts, 0, batches.length, firstN + i, i, length) };
  }

  private evict(): void {
    this.firstN = Math.max(this.firstN, this.total - this.capacity);
    while (this.head < this.batches.length && this.starts[this.head]! + this.batches[this.head]!.count <= this.firstN)
      this.head++;
    // Drop the dead prefix now and then, not on every push.
    if (this.head > 64 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
  }
}

function locateIn(
  batches: RowBatch[],
  starts: number[],
  lo: number,
  hi: number,
  n: number,
  i: number,
  length: number,
): { batch: RowBatch; row: number } | undefined {
  if (i < 0 || i >= length) return undefined;
  // Last batch whose first row is <= n.
  let a = lo;
  let b = hi - 1;
  while (a < b) {
    const mid = (a + b + 1) >> 1;
    if (starts[mid]! <= n) a = mid;
    else b = mid - 1;
  }
  const batch = batches[a];
  if (!batch) return undefined;
  const row = n - starts[a]!;
  return row >= 0 && row < batch.count ? { batch, row } : undefined;
}

/** A row's cell by column name (a batch from before the schema can have other columns). */
export function cellByName(batch: RowBatch, row: number, column: string): string {
  const c = batch.columns.indexOf(column);
  return c < 0 ? '' : cellText(batch, row, c);
}

/** A row's raw value under a formatted cell, by column name (cellRaw). */
export function rawByName(batch: RowBatch, row: number, column: string): string | undefined {
  const c = batch.columns.indexOf(column);
  return c < 0 ? undefined : cellRaw(batch, row, c);
}
