import type { PrintkLine, ServerMessageOf } from '@bpfplay/protocol';
import { Ring } from './ring';
import { RowRing } from './rowRing';
import type { RowBatch } from './rowBatch';
import { counterSamples } from './maps';

export interface EventSourceState {
  name: string;
  schema: ServerMessageOf<'schema'> | null;
  /** The newest rows, as the batches the socket worker made of the agent's frames. */
  rows: RowRing;
  /** The columns of the newest batch (the schema's fields, or the first record's keys). */
  columns: string[];
  /** Some record carried a CPU number (perf buffers do, ring buffers do not). */
  hasCpu: boolean;
  received: number;
  /** Records the agent reported lost (ring full, rate limit) before they reached us. */
  dropped: number;
}

export interface PrintkRow extends PrintkLine {
  n: number;
}

export interface SeriesPoint {
  t: number;
  v: number;
}

export interface StreamLimits {
  /** Event rows kept per source: the table shows the newest this many. */
  eventRows: number;
  printkLines: number;
  /** Samples kept per counter series (a snapshot a second → 10 minutes). */
  seriesPoints: number;
  /** Series kept per map: the first this many keys seen (the chart draws the largest few). */
  seriesPerMap: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  eventRows: 50_000,
  printkLines: 20_000,
  seriesPoints: 600,
  seriesPerMap: 256,
};

/**
 * The high-rate output of the current run, kept outside React: frames are folded in as they arrive
 * (cheap, bounded), and the UI reads `version` once per animation frame. Streams are capped rings,
 * so memory stays flat however fast a program emits.
 */
export class Streams {
  readonly printk: Ring<PrintkRow>;
  printkDropped = 0;
  readonly sources = new Map<string, EventSourceState>();
  maps: ServerMessageOf<'maps'> | null = null;
  /** map name → key text → samples. */
  readonly series = new Map<string, Map<string, Ring<SeriesPoint>>>();
  version = 0;
  private n = 0;

  constructor(readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS) {
    this.printk = new Ring(limits.printkLines);
  }

  source(name: string): EventSourceState {
    let s = this.sources.get(name);
    if (!s) {
      s = {
        name,
        schema: null,
        rows: new RowRing(this.limits.eventRows),
        columns: [],
        hasCpu: false,
        received: 0,
        dropped: 0,
      };
      this.sources.set(name, s);
    }
    return s;
  }

  get eventsReceived(): number {
    let n = 0;
    for (const s of this.sources.values()) n += s.received;
    return n;
  }

  get eventsDropped(): number {
    let n = 0;
    for (const s of this.sources.values()) n += s.dropped;
    return n;
  }

  schema(m: ServerMessageOf<'schema'>): void {
    this.source(m.source).schema = m;
    this.version++;
  }

  /** Rows of one source (see inbox.ts): O(1) per batch however many rows it holds. */
  rows(b: RowBatch): void {
    const s = this.source(b.source);
    s.received += b.count + b.skipped;
    s.dropped += b.dropped;
    if (b.count > 0) {
      s.columns = b.columns;
      if (b.cpu) s.hasCpu = true;
    }
    s.rows.push(b);
    this.version++;
  }

  printkLines(m: ServerMessageOf<'printk'>): void {
    this.printkDropped += m.dropped;
    for (const l of m.lines) this.printk.push({ ...l, n: this.n++ });
    this.version++;
  }

  mapsSnapshot(m: ServerMessageOf<'maps'>): void {
    this.maps = m;
    for (const snap of m.maps) {
      if (snap.render !== 'counters') continue;
      let perKey = this.series.get(snap.name);
      if (!perKey) this.series.set(snap.name, (perKey = new Map()));
      for (const { key, v } of counterSamples(snap)) {
        let ring = perKey.get(key);
        if (!ring) {
          if (perKey.size >= this.limits.seriesPerMap) continue;
          perKey.set(key, (ring = new Ring(this.limits.seriesPoints)));
        }
        ring.push({ t: m.t, v });
      }
    }
    this.version++;
  }

  reset(): void {
    this.printk.clear();
    this.printkDropped = 0;
    this.sources.clear();
    this.maps = null;
    this.series.clear();
    this.version++;
  }
}
