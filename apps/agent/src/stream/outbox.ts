import type { EventRecord, PrintkLine } from '@bpfplay/protocol';
import { RateWindow } from './rate.js';

export type Emit = (type: string, payload: Record<string, unknown>) => void;

interface Pending<T> {
  items: T[];
  dropped: number;
}

/**
 * Collects a run's streamed records between ticks and sends them as one frame per source per tick,
 * so the client gets at most ~60 frames a second however fast the kernel produces. Records over the
 * per-second budget, or produced while the client's socket is backed up, are dropped here and counted;
 * memory never grows with the producer's speed.
 */
export class Outbox {
  private readonly printk: Pending<PrintkLine> = { items: [], dropped: 0 };
  private readonly events = new Map<string, Pending<EventRecord>>();
  private readonly eventRate: RateWindow;
  private readonly printkRate: RateWindow;
  paused = false;
  readonly totals = { events: 0, printk: 0, dropped: 0 };

  constructor(
    private readonly emit: Emit,
    limits: { maxEventsPerSec: number; maxPrintkPerSec: number },
  ) {
    this.eventRate = new RateWindow(limits.maxEventsPerSec);
    this.printkRate = new RateWindow(limits.maxPrintkPerSec);
  }

  /** True if a record may be queued now; when false the caller skips decoding and calls dropEvent. */
  admitEvent(): boolean {
    return !this.paused && this.eventRate.take(1) === 1;
  }

  pushEvent(source: string, record: EventRecord): void {
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
