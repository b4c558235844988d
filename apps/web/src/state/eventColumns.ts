/**
 * How the Events table lays out a source's columns: each as wide as what it shows (grown from the
 * rows seen, never shrinking under the reader's eyes), or as wide as the user dragged it; and which
 * column, if any, holds the record's own timestamp.
 */

/** Widest automatic column, in characters: longer text is cut with … and shown whole in the row's detail. */
export const MAX_AUTO_CH = 64;
const MIN_CH = 4;

/** Widths in characters per column, grown from header names and cell text. */
export class ColumnWidths {
  private readonly ch = new Map<string, number>();
  constructor(columns: readonly string[]) {
    for (const c of columns) this.ch.set(c, Math.max(MIN_CH, Math.min(MAX_AUTO_CH, c.length)));
  }
  /** A cell's text was shown in `column`: the column grows to fit it (up to MAX_AUTO_CH). */
  fit(column: string, text: string): void {
    const w = Math.min(MAX_AUTO_CH, text.length);
    if (w > (this.ch.get(column) ?? 0)) this.ch.set(column, w);
  }
  of(column: string): number {
    return this.ch.get(column) ?? MIN_CH;
  }
  /** A CSS grid track list; `userPx` are the widths the user dragged columns to. */
  template(columns: readonly string[], userPx: Readonly<Record<string, number>>): string {
    return columns.map((c) => (userPx[c] !== undefined ? `${userPx[c]}px` : `${this.of(c) + 1}ch`)).join(' ');
  }
}

/** Field names that hold a bpf_ktime_get_ns() reading in the usual tools (execsnoop's `ts`, `timestamp_ns`, …). */
const TIMESTAMP_NAME = /^(ts|timestamp|time|ktime)(_ns)?$|^(ts|timestamp)_|_ts(_ns)?$/;
const INTEGER_64 = /^(unsigned long long|long long|__u64|u64|__s64|s64|uint64_t|int64_t|unsigned long|long)$/;

/**
 * The column holding the record's own timestamp: named like one and a 64-bit integer (the type's
 * name, when the schema gives it). Null: the table shows when the batch arrived.
 */
export function timestampColumn(columns: readonly string[], types: ReadonlyMap<string, string>): string | null {
  for (const c of columns) {
    if (!TIMESTAMP_NAME.test(c)) continue;
    const t = types.get(c);
    if (t === undefined || INTEGER_64.test(t.replace(/^(const |volatile )+/, ''))) return c;
  }
  return null;
}

/**
 * Record times from their own timestamps, in ms since attach. The agent gives the time a batch was
 * read, not the kernel clock at attach; so the first record seen anchors the clock (its time is its
 * batch's) and every other record is placed by its own timestamp's distance from that one: records
 * of one batch get their own, distinct times, in the kernel's order.
 */
export class RecordClock {
  private anchorNs: number | null = null;
  private anchorMs = 0;
  /** `text` is the timestamp cell (decimal ns); `batchMs` when its batch was read. Null: not a timestamp. */
  timeMs(text: string, batchMs: number): number | null {
    const ns = Number(text);
    if (!Number.isFinite(ns) || ns <= 0) return null;
    if (this.anchorNs === null) {
      this.anchorNs = ns;
      this.anchorMs = batchMs;
    }
    const ms = this.anchorMs + (ns - this.anchorNs) / 1e6;
    // Not a clock reading after all (a value far from the run's time): show the batch time.
    return Math.abs(ms - batchMs) > 3_600_000 ? null : ms;
  }
}
