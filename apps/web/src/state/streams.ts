import type { PrintkLine, ServerMessageOf } from '@bpfplay/protocol';
import { Ring } from './ring';
import { RowRing } from './rowRing';
import { cellText, type RowBatch } from './rowBatch';
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
  /** The run target that printed it, when the run named targets. */
  target?: string;
}

/** One line of a target's output in the Kernels pane: a printk line or a record as `field=value` text. */
export interface TargetLine {
  t: number;
  kind: 'printk' | 'event';
  text: string;
}

/** A run target's output (runs that name targets label every frame with one). */
export interface TargetOutput {
  printk: number;
  events: number;
  dropped: number;
  /** The newest lines, printk and records interleaved as they arrived. */
  tail: Ring<TargetLine>;
}

/** Lines kept per target: the Kernels pane shows a column's latest output, the Console and Events panes all of it. */
export const TARGET_TAIL_LINES = 200;

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
  /** Output per run target, by name. */
  readonly targets = new Map<string, TargetOutput>();
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

  target(name: string): TargetOutput {
    let o = this.targets.get(name);
    if (!o) this.targets.set(name, (o = { printk: 0, events: 0, dropped: 0, tail: new Ring(TARGET_TAIL_LINES) }));
    return o;
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
    if (b.target !== undefined) this.targetRows(b);
    this.version++;
  }

  /** A batch's newest rows as `field=value` text in its target's tail (the first column is the target). */
  private targetRows(b: RowBatch): void {
    const o = this.target(b.target!);
    o.events += b.count + b.skipped;
    o.dropped += b.dropped;
    for (let row = Math.max(0, b.count - TARGET_TAIL_LINES); row < b.count; row++) {
      const parts: string[] = [];
      for (let c = 1; c < b.columns.length; c++) parts.push(`${b.columns[c]}=${cellText(b, row, c)}`);
      o.tail.push({ t: b.t[row]!, kind: 'event', text: parts.join(' ') });
    }
  }

  printkLines(m: ServerMessageOf<'printk'>): void {
    this.printkDropped += m.dropped;
    const target = m.target;
    for (const l of m.lines)
      this.printk.push(target === undefined ? { ...l, n: this.n++ } : { ...l, n: this.n++, target });
    if (target !== undefined) {
      const o = this.target(target);
      o.printk += m.lines.length;
      o.dropped += m.dropped;
      for (const l of m.lines.slice(-TARGET_TAIL_LINES)) o.tail.push({ t: l.t, kind: 'printk', text: l.text });
    }
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
    this.targets.clear();
    this.version++;
  }
}
