import type { ServerMessage, ServerMessageOf, Value } from '@bpfplay/protocol';
import { checkServerFrame } from './frameCheck';
import { formatValue } from './format';
import { RowBatchBuilder, sameColumns, type RowBatch } from './rowBatch';

/** What the page is handed, in the order the frames arrived. */
export type Delivery =
  /** Any checked message except `events`. */
  | { kind: 'message'; message: ServerMessage }
  /** The records of one or more consecutive `events` frames of one source, as rows. */
  | { kind: 'rows'; batch: RowBatch }
  /** A frame that does not parse, a gap in `seq`: shown in the Log pane, never thrown. */
  | { kind: 'problem'; text: string };

export interface InboxOutput {
  items: Delivery[];
}

/** Records kept while the page has not taken them: the Events table keeps this many per source anyway. */
export const DEFAULT_PENDING_ROWS = 50_000;

type Pending = { kind: 'message'; message: ServerMessage } | { kind: 'problem'; text: string } | { kind: 'rows'; rows: RowBatchBuilder };

/**
 * Where the frames of one connection arrive (in the socket worker, or on the page when there is
 * no worker): each is checked against the protocol and its `seq`, events become rows of cell text,
 * and everything waits until the page takes it. Consecutive events frames of a source merge into
 * one batch, so a page that is busy for a while receives one batch, not hundreds of frames; rows
 * beyond what the table keeps are counted and not formatted.
 */
export class Inbox {
  private pending: Pending[] = [];
  private lastSeq = -1;
  /** Columns per run and source, for events sent as record objects (from the schema, else the first record). */
  private readonly columnsOf = new Map<string, string[]>();
  private readonly schemaOf = new Map<string, string[]>();

  constructor(private readonly maxPendingRows = DEFAULT_PENDING_ROWS) {}

  get isEmpty(): boolean {
    return this.pending.length === 0;
  }

  frame(raw: unknown): void {
    if (typeof raw !== 'string') {
      this.pending.push({ kind: 'problem', text: 'agent sent a binary frame; this web app only reads JSON frames' });
      return;
    }
    const r = checkServerFrame(raw);
    if (!r.ok) {
      this.pending.push({ kind: 'problem', text: `agent sent a frame this web app cannot read (${r.message}); are the agent and web app the same version?` });
      return;
    }
    const m = r.message;
    if (this.lastSeq >= 0 && m.seq !== this.lastSeq + 1) this.pending.push({ kind: 'problem', text: `frames ${this.lastSeq + 1}..${m.seq - 1} from the agent are missing; output may be incomplete` });
    this.lastSeq = m.seq;
    if (m.type === 'events') return this.events(m);
    if (m.type === 'schema' && m.fields.length > 0) this.schemaOf.set(key(m.runId, m.source), m.fields.map((f) => f.name));
    if (m.type === 'stopped') this.forgetRun(m.runId);
    this.pending.push({ kind: 'message', message: m });
  }

  /** Everything since the last take, oldest first, and the buffers to transfer with it. */
  take(): { output: InboxOutput; transfer: ArrayBuffer[] } | null {
    if (this.pending.length === 0) return null;
    const items: Delivery[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const p of this.pending) {
      if (p.kind !== 'rows') {
        items.push(p);
        continue;
      }
      const b = p.rows.build();
      items.push({ kind: 'rows', batch: b.batch });
      transfer.push(...b.transfer);
    }
    this.pending = [];
    return { output: { items }, transfer };
  }

  private events(m: ServerMessageOf<'events'>): void {
    const k = key(m.runId, m.source);
    const compact = m.rows !== undefined && m.records.length === 0;
    const columns = compact ? (m.columns ?? this.schemaOf.get(k) ?? widest(m.rows!)) : this.recordColumns(k, m.records[0]?.value);
    let builder = this.builderFor(m.runId, m.source, columns);
    const n = compact ? m.rows!.length : m.records.length;
    // Only the newest rows of a huge frame can survive in the table: count the rest, format none.
    const first = Math.max(0, n - this.maxPendingRows);
    if (first > 0) {
      if (builder.count > 0) builder = this.replace(builder);
      builder.skipped += first;
    }
    builder.dropped += m.dropped;
    const cells = new Array<string>(columns.length);
    if (compact) {
      const t = m.t ?? 0;
      for (let i = first; i < n; i++) {
        const row = m.rows![i]!;
        for (let c = 0; c < columns.length; c++) cells[c] = formatValue(row[c]);
        builder.add(t, undefined, cells);
      }
    } else {
      for (let i = first; i < n; i++) {
        const r = m.records[i]!;
        for (let c = 0; c < columns.length; c++) cells[c] = formatValue(cellOf(r.value, columns[c]!));
        builder.add(r.t, r.cpu, cells);
      }
    }
    this.bound(k);
  }

  /** The open batch for this source, or a new one (after any other message, to keep the order). */
  private builderFor(runId: string, source: string, columns: string[]): RowBatchBuilder {
    const last = this.pending.at(-1);
    if (last?.kind === 'rows' && last.rows.runId === runId && last.rows.source === source && sameColumns(last.rows.columns, columns) && last.rows.count < this.maxPendingRows) return last.rows;
    const rows = new RowBatchBuilder(runId, source, columns);
    this.pending.push({ kind: 'rows', rows });
    return rows;
  }

  /** A frame larger than the table supersedes what is pending for its source: that becomes a count. */
  private replace(builder: RowBatchBuilder): RowBatchBuilder {
    const i = this.pending.findIndex((p) => p.kind === 'rows' && p.rows === builder);
    const fresh = new RowBatchBuilder(builder.runId, builder.source, builder.columns);
    fresh.skipped = builder.skipped + builder.count;
    fresh.dropped = builder.dropped;
    this.pending[i] = { kind: 'rows', rows: fresh };
    return fresh;
  }

  /** Keep at most ~maxPendingRows (plus one open batch) per source: older batches become a count. */
  private bound(k: string): void {
    let total = 0;
    const mine: number[] = [];
    for (let i = 0; i < this.pending.length; i++) {
      const p = this.pending[i]!;
      if (p.kind === 'rows' && key(p.rows.runId, p.rows.source) === k) {
        mine.push(i);
        total += p.rows.count;
      }
    }
    const drop: number[] = [];
    for (let j = 0; j < mine.length - 1; j++) {
      const p = this.pending[mine[j]!] as Extract<Pending, { kind: 'rows' }>;
      if (total - p.rows.count < this.maxPendingRows) break;
      total -= p.rows.count;
      const next = (this.pending[mine[j + 1]!] as Extract<Pending, { kind: 'rows' }>).rows;
      next.skipped += p.rows.skipped + p.rows.count;
      next.dropped += p.rows.dropped;
      drop.push(mine[j]!);
    }
    if (drop.length) this.pending = this.pending.filter((_, i) => !drop.includes(i));
  }

  private recordColumns(k: string, firstValue: Value | undefined): string[] {
    const known = this.columnsOf.get(k);
    const schema = this.schemaOf.get(k);
    if (schema && known !== schema) {
      this.columnsOf.set(k, schema);
      return schema;
    }
    if (known) return known;
    const cols = firstValue !== undefined && isStruct(firstValue) ? Object.keys(firstValue) : ['value'];
    this.columnsOf.set(k, cols);
    return cols;
  }

  private forgetRun(runId: string): void {
    for (const m of [this.columnsOf, this.schemaOf]) for (const k of m.keys()) if (k.startsWith(`${runId}\u0000`)) m.delete(k);
  }
}

function key(runId: string, source: string): string {
  return `${runId}\u0000${source}`;
}

function isStruct(v: Value): v is { [k: string]: Value } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !('$hex' in v);
}

/** A record's value in one column: a field of a struct, or the whole value in the `value` column. */
export function cellOf(v: Value, column: string): Value | undefined {
  if (isStruct(v)) return v[column];
  return column === 'value' ? v : undefined;
}

/** Rows without column names (an agent that sent none and no schema): number them. */
function widest(rows: Value[][]): string[] {
  let n = 0;
  for (const r of rows) n = Math.max(n, r.length);
  return Array.from({ length: Math.max(1, n) }, (_, i) => String(i));
}
