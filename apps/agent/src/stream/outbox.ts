import type { EventRecord, PrintkLine } from '@bpfplay/protocol';
import { RateWindow } from './rate.js';

export type Emit = (type: string, payload: Record<string, unknown>) => void;

interface Pending<T> {
  items: T[];
  dropped: number;
}

export interface OutboxLimits {
  maxEventsPerSec: number;
  maxPrintkPerSec: number;
  /** JSON bytes of records (events and printk lines) per second. */
  maxBytesPerSec: number;
  /** This run's share of the session's budgets (1 / the session's active runs). */
  rateShare?: number;
}

/** A printk line's JSON is its text plus `{"t":…,"cpu":…,"text":""}`. */
const PRINTK_OVERHEAD = 40;

/**
 * Collects a run's streamed records between ticks and sends them as one frame per source per tick,
 * so the client gets at most ~60 frames a second however fast the kernel produces. Records over the
 * per-second budgets (records and bytes), or produced while the client's socket is backed up, are
 * dropped here and counted; memory never grows with the producer's speed. Every record the sources
 * read ends up in exactly one of `totals.events`, `totals.printk` or `totals.dropped`.
 */
export class Outbox {
  private readonly printk: Pending<PrintkLine> = { items: [], dropped: 0 };
  private readonly events = new Map<string, Pending<EventRecord>>();
  private readonly eventRate: RateWindow;
  private readonly printkRate: RateWindow;
  private readonly byteRate: RateWindow;
  paused = false;
  readonly totals = { events: 0, printk: 0, dropped: 0 };

  constructor(
    private readonly emit: Emit,
    private readonly limits: OutboxLimits,
  ) {
    this.eventRate = new RateWindow(limits.maxEventsPerSec);
    this.printkRate = new RateWindow(limits.maxPrintkPerSec);
    this.byteRate = new RateWindow(limits.maxBytesPerSec);
    this.setShare(limits.rateShare ?? 1);
  }

  /** The session's budgets are split between its runs; at least one record a second always fits. */
  setShare(share: number): void {
    const part = (n: number) => Math.max(1, Math.floor(n * Math.min(1, Math.max(0, share))));
    this.eventRate.setLimit(part(this.limits.maxEventsPerSec));
    this.printkRate.setLimit(part(this.limits.maxPrintkPerSec));
    this.byteRate.setLimit(Math.max(4096, part(this.limits.maxBytesPerSec)));
  }

  /** True if a record may be queued now; when false the caller skips decoding and calls dropEvent. */
  admitEvent(): boolean {
    return !this.paused && this.eventRate.take(1) === 1;
  }

  /** Queue an admitted record, unless it does not fit this second's byte budget (then it is dropped and counted). */
  pushEvent(source: string, record: EventRecord): void {
    if (!this.byteRate.tryTake(JSON.stringify(record).length)) return this.dropEvents(source, 1);
    this.pending(source).items.push(record);
    this.totals.events++;
  }

  dropEvents(source: string, n: number): void {
    if (n <= 0) return;
    this.pending(source).dropped += n;
    this.totals.dropped += n;
  }

  admitPrintk(): boolean {
    return !this.paused && this.printkRate.take(1) === 1;
  }

  pushPrintk(line: PrintkLine): void {
    if (!this.byteRate.tryTake(line.text.length + PRINTK_OVERHEAD)) return this.dropPrintk(1);
    this.printk.items.push(line);
    this.totals.printk++;
  }

  dropPrintk(n: number): void {
    this.printk.dropped += n;
    this.totals.dropped += n;
  }

  /** Send what accumulated since the last flush. */
  flush(): void {
    if (this.paused) return;
    if (this.printk.items.length || this.printk.dropped) {
      this.emit('printk', { lines: this.printk.items, dropped: this.printk.dropped });
      this.printk.items = [];
      this.printk.dropped = 0;
    }
    for (const [source, p] of this.events) {
      if (!p.items.length && !p.dropped) continue;
      this.emit('events', { source, records: p.items, dropped: p.dropped });
      p.items = [];
      p.dropped = 0;
    }
  }

  private pending(source: string): Pending<EventRecord> {
    let p = this.events.get(source);
    if (!p) this.events.set(source, (p = { items: [], dropped: 0 }));
    return p;
  }
}
