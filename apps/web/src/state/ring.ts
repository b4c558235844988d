/**
 * A fixed-capacity ring of the last N items. The Events and Console panes keep only the tail of a
 * stream: at ~100k records/s an unbounded array would grow by megabytes a second and every render
 * would get slower. Pushing is O(1); `at(i)` reads the i-th oldest retained item.
 */
export class Ring<T> {
  private buf: (T | undefined)[];
  private start = 0;
  private len = 0;
  /** Items pushed over the ring's life, including those since overwritten. */
  total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new Error(`ring capacity must be a positive integer, got ${capacity}`);
    this.buf = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.len;
  }

  /** Items pushed but no longer retained because newer ones took their place. */
  get evicted(): number {
    return this.total - this.len;
  }

  push(item: T): void {
    this.total++;
    if (this.len < this.capacity) {
      this.buf[(this.start + this.len) % this.capacity] = item;
      this.len++;
    } else {
      this.buf[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  pushAll(items: readonly T[]): void {
    // Only the last `capacity` items of a big batch can survive; skip the rest cheaply.
    const skip = Math.max(0, items.length - this.capacity);
    this.total += skip;
    for (let i = skip; i < items.length; i++) this.push(items[i]!);
  }

  at(i: number): T | undefined {
    if (i < 0 || i >= this.len) return undefined;
    return this.buf[(this.start + i) % this.capacity];
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.len; i++) out.push(this.buf[(this.start + i) % this.capacity] as T);
    return out;
  }

  clear(): void {
    this.buf = new Array<T | undefined>(this.capacity);
    this.start = 0;
    this.len = 0;
    this.total = 0;
  }
}
