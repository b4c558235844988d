import type { EventRecord, PrintkLine, ServerMessageOf, Value } from '@bpfplay/protocol';
import { Ring } from './ring';
import { formatValue } from './format';
import { counterSamples } from './maps';

export interface EventRow extends EventRecord {
  /** Arrival order across all sources, for stable keys in the virtualized table. */
  n: number;
  /** Lower-cased text of all cells, computed on first filter and kept. */
  text?: string;
}

export interface EventSourceState {
  name: string;
  schema: ServerMessageOf<'schema'> | null;
  rows: Ring<EventRow>;
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

export const DEFAULT_STREAM_LIMITS: StreamLimits = { eventRows: 50_000, printkLines: 20_000, seriesPoints: 600, seriesPerMap: 256 };

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
      s = { name, schema: null, rows: new Ring(this.limits.eventRows), received: 0, dropped: 0 };
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

  events(m: ServerMessageOf<'events'>): void {
    const s = this.source(m.source);
    s.received += m.records.length;
    s.dropped += m.dropped;
    const rows = s.rows;
    const skip = Math.max(0, m.records.length - rows.capacity);
    this.n += skip;
    rows.total += skip;
    for (let i = skip; i < m.records.length; i++) {
      const r = m.records[i]!;
      rows.push({ t: r.t, cpu: r.cpu, value: r.value, n: this.n++ });
    }
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

/** Table columns for a source: the schema's fields, else the first record's keys, else one `value` column. */
export function columnsOf(src: EventSourceState): string[] {
  if (src.schema && src.schema.fields.length > 0) return src.schema.fields.map((f) => f.name);
  const first = src.rows.at(0)?.value;
  if (first !== null && typeof first === 'object' && !Array.isArray(first) && !('$hex' in first)) return Object.keys(first);
  return ['value'];
}

export function cellOf(row: EventRecord, column: string): Value | undefined {
  const v = row.value;
  if (column === 'value' && (v === null || typeof v !== 'object' || Array.isArray(v) || '$hex' in v)) return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v[column];
  return undefined;
}

function rowText(row: EventRow, columns: readonly string[]): string {
  if (row.text === undefined) row.text = columns.map((c) => `${c}=${formatValue(cellOf(row, c))}`).join('\u0000').toLowerCase();
  return row.text;
}

export interface RowFilter {
  /** Lower-cased: `column=value` or `column:value` matches one column; anything else any cell. */
  column: string | null;
  needle: string;
}

export function parseFilter(q: string, columns: readonly string[]): RowFilter | null {
  const s = q.trim();
  if (s === '') return null;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*[:=]\s*(.*)$/.exec(s);
  if (m && columns.includes(m[1]!)) return { column: m[1]!, needle: m[2]!.toLowerCase() };
  return { column: null, needle: s.toLowerCase() };
}

/** Indices (into `rows`) of the rows matching `filter`, oldest first. */
export function matchingRows(rows: Ring<EventRow>, columns: readonly string[], filter: RowFilter | null): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows.at(i)!;
    if (filter === null) {
      out.push(i);
    } else if (filter.column !== null) {
      if (formatValue(cellOf(row, filter.column)).toLowerCase().includes(filter.needle)) out.push(i);
    } else if (rowText(row, columns).includes(filter.needle)) {
      out.push(i);
    }
  }
  return out;
}
