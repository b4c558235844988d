import {
  decodeRecord,
  layoutColumns,
  namedFrames,
  parseBinaryEvents,
  parseServerMessage,
  shownReader,
  type BinaryEventsFrame,
  type RecordLayout,
  type ServerMessage,
  type ServerMessageOf,
  type Value,
} from '@bpfplay/protocol';
import { FRAME_SEPARATOR, formatValue } from './format';
import { RowBatchBuilder, sameColumns, withRaw, type RowBatch } from './rowBatch';

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

/** The first column of records from a run with several targets: which target sent them. */
export const TARGET_COLUMN = 'target';

/** Records kept while the page has not taken them: the Events table keeps this many per source anyway. */
export const DEFAULT_PENDING_ROWS = 50_000;

type Pending =
  | { kind: 'message'; message: ServerMessage }
  | { kind: 'problem'; text: string }
  | { kind: 'rows'; rows: RowBatchBuilder };

/**
 * Where the frames of one connection arrive (in the socket worker, or on the page when there is
 * no worker): each is checked against the protocol and its `seq`, events become rows of cell text,
 * and everything waits until the page takes it. The page asks for binary events (records as raw
 * bytes, decoded here with the layout of their schema frame); JSON events frames (the form
 * scripts read) are shown too, through the same cells. Consecutive events frames of a source merge into
 * one batch, so a page that is busy for a while receives one batch, not hundreds of frames; rows
 * beyond what the table keeps are counted and not formatted.
 */
export class Inbox {
  private pending: Pending[] = [];
  private lastSeq = -1;
  /** Columns per run and source, for events sent as record objects (from the schema, else the first record). */
  private readonly columnsOf = new Map<string, string[]>();
  private readonly schemaOf = new Map<string, string[]>();
  /** Per run and source, from its schema frame: how binary events records decode, and their columns. */
  private readonly layoutOf = new Map<string, { layout: RecordLayout | undefined; columns: string[] }>();
  /** Sources whose binary events came before their schema (reported once). */
  private readonly noSchema = new Set<string>();
  /** Per run and source, from its schema: fields holding bpf_get_stack() frames, shown by name. */
  private readonly stacksOf = new Map<string, StackCells>();
  /** Per run: the frame names of its `symbols` frames (protocol decode/stacks.ts symbolKey → name). */
  private readonly names = new Map<string, Map<string, string>>();

  constructor(private readonly maxPendingRows = DEFAULT_PENDING_ROWS) {}

  get isEmpty(): boolean {
    return this.pending.length === 0;
  }

  /** One WebSocket message: JSON text, or a binary events frame (an ArrayBuffer; a view of one in tests). */
  frame(raw: unknown): void {
    if (typeof raw !== 'string') return this.binary(raw);
    const r = parseServerMessage(raw);
    if (!r.ok) return this.unreadable(r.message);
    const m = r.message;
    this.sequence(m.seq);
    if (m.type === 'events') return this.events(m);
    // Names are only for the cells made here: the agent sends them before the records holding the frames.
    if (m.type === 'symbols') {
      let names = this.names.get(m.runId);
      if (!names) this.names.set(m.runId, (names = new Map()));
      for (const [k, v] of Object.entries(m.names)) names.set(k, v);
      return;
    }
    if (m.type === 'schema') {
      const k = key(m.runId, m.source);
      if (m.fields.length > 0)
        this.schemaOf.set(
          k,
          m.fields.map((f) => f.name),
        );
      this.layoutOf.set(k, { layout: m.layout, columns: layoutColumns(m.layout) });
      if (m.stacks?.length) {
        let names = this.names.get(m.runId);
        if (!names) this.names.set(m.runId, (names = new Map()));
        this.stacksOf.set(k, { fields: m.stacks, names });
      }
    }
    // A target of a run with several may end while the others still send records decoded with these layouts.
    if (m.type === 'stopped' && m.target === undefined) this.forgetRun(m.runId);
    this.pending.push({ kind: 'message', message: m });
  }

  private unreadable(why: string): void {
    this.pending.push({
      kind: 'problem',
      text: `agent sent a frame this web app cannot read (${why}); are the agent and web app the same version?`,
    });
  }

  /** Binary and JSON frames share one sequence: a gap is reported whichever kind it falls between. */
  private sequence(seq: number): void {
    if (this.lastSeq >= 0 && seq !== this.lastSeq + 1)
      this.pending.push({
        kind: 'problem',
        text: `frames ${this.lastSeq + 1}..${seq - 1} from the agent are missing; output may be incomplete`,
      });
    this.lastSeq = seq;
  }

  private binary(raw: unknown): void {
    const bytes =
      raw instanceof ArrayBuffer
        ? new Uint8Array(raw)
        : ArrayBuffer.isView(raw)
          ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)
          : null;
    if (!bytes) {
      const what = typeof raw === 'object' && raw !== null ? (raw.constructor?.name ?? 'object') : typeof raw;
      this.pending.push({
        kind: 'problem',
        text: `agent sent a message of type ${what}, neither text nor an ArrayBuffer (the WebSocket's binaryType must be "arraybuffer"); message ignored`,
      });
      return;
    }
    const r = parseBinaryEvents(bytes);
    if (!r.ok) return this.unreadable(r.message);
    this.sequence(r.frame.header.seq);
    this.binaryEvents(r.frame);
  }

  /** Records decoded with the layout of their schema frame, into the cell text the JSON rows give. */
  private binaryEvents({ header: h, records }: BinaryEventsFrame): void {
    const k = key(h.runId, h.source);
    let known = this.layoutOf.get(k);
    if (!known) {
      // Without a layout the bytes are all there is: shown as hex (as the agent shows a record without a type), never dropped.
      known = { layout: undefined, columns: ['value'] };
      if (!this.noSchema.has(k)) {
        this.noSchema.add(k);
        this.pending.push({
          kind: 'problem',
          text: `binary events of "${h.source}" arrived before the schema frame that says how to decode them; their records are shown as raw bytes (expected only for an object built without BTF; otherwise are the agent and web app the same version?)`,
        });
      }
    }
    const { layout, columns } = known;
    const { builder, first } = this.rowsFor(h.runId, h.source, columns, records.length, h.dropped, h.target);
    const cells = new Array<string>(builder.columns.length);
    const at = builder.columns.length - columns.length;
    if (at) cells[0] = h.target!;
    // Undefined for a layout without formatted fields: then nothing is read twice.
    const shown = shownReader(layout);
    const stacks = this.stacksOf.get(k);
    for (let i = first; i < records.length; i++) {
      cellsOf(decodeRecord(layout, records[i]!), columns, cells, at, stacks, shown?.(records[i]!));
      builder.add(h.t, h.cpus?.[i], cells);
    }
    this.bound(k);
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
    const columns = this.recordColumns(k, m.records[0]?.value);
    const n = m.records.length;
    const { builder, first } = this.rowsFor(m.runId, m.source, columns, n, m.dropped, m.target);
    const cells = new Array<string>(builder.columns.length);
    const at = builder.columns.length - columns.length;
    if (at) cells[0] = m.target!;
    for (let i = first; i < n; i++) {
      const r = m.records[i]!;
      cellsOf(r.value, columns, cells, at, this.stacksOf.get(k), r.shown);
      builder.add(r.t, r.cpu, cells);
    }
    this.bound(k);
  }

  /** Where a frame's `n` records go, and the first worth formatting: only the newest rows of a huge frame can survive in the table (the rest are counted). */
  private rowsFor(
    runId: string,
    source: string,
    columns: string[],
    n: number,
    dropped: number,
    target: string | undefined,
  ): { builder: RowBatchBuilder; first: number } {
    // Records of a run with several targets say where they came from in their first column.
    let builder = this.builderFor(runId, source, target === undefined ? columns : [TARGET_COLUMN, ...columns], target);
    const first = Math.max(0, n - this.maxPendingRows);
    if (first > 0) {
      if (builder.count > 0) builder = this.replace(builder);
      builder.skipped += first;
    }
    builder.dropped += dropped;
    return { builder, first };
  }

  /** The open batch for this source, or a new one (after any other message, to keep the order). */
  private builderFor(runId: string, source: string, columns: string[], target: string | undefined): RowBatchBuilder {
    const last = this.pending.at(-1);
    if (
      last?.kind === 'rows' &&
      last.rows.runId === runId &&
      last.rows.source === source &&
      last.rows.target === target &&
      sameColumns(last.rows.columns, columns) &&
      last.rows.count < this.maxPendingRows
    )
      return last.rows;
    const rows = new RowBatchBuilder(runId, source, columns, target);
    this.pending.push({ kind: 'rows', rows });
    return rows;
  }

  /** A frame larger than the table supersedes what is pending for its source: that becomes a count. */
  private replace(builder: RowBatchBuilder): RowBatchBuilder {
    const i = this.pending.findIndex((p) => p.kind === 'rows' && p.rows === builder);
    const fresh = new RowBatchBuilder(builder.runId, builder.source, builder.columns, builder.target);
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
    const mine = (k: string) => k.startsWith(`${runId}\u0000`);
    for (const m of [this.columnsOf, this.schemaOf, this.layoutOf, this.stacksOf])
      for (const k of m.keys()) if (mine(k)) m.delete(k);
    this.names.delete(runId);
    for (const k of this.noSchema) if (mine(k)) this.noSchema.delete(k);
  }
}

/** A source's stack fields (its schema's `stacks`) and its run's frame names. */
interface StackCells {
  fields: readonly { field: string; pid?: string | undefined }[];
  names: ReadonlyMap<string, string>;
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

/**
 * A record's cells, as text, in `columns` order: the fields of a struct, or (a record shorter than
 * its type, a non-struct type, no layout) the whole value in the first column. A field with a
 * readable form (`shown`: `-ENOENT`, `openat`, `10.0.0.1`) shows it, its raw value kept for the hover.
 */
function cellsOf(
  v: Value,
  columns: readonly string[],
  into: string[],
  at = 0,
  stacks?: StackCells,
  shown?: { [field: string]: Value },
): void {
  if (isStruct(v)) {
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!;
      const raw = formatValue(v[col]);
      const s = shown?.[col];
      into[at + c] = s === undefined ? raw : withRaw(formatValue(s), raw);
    }
    // A stack's frames by name, innermost first, as a backtrace reads.
    for (const f of stacks?.fields ?? []) {
      const c = columns.indexOf(f.field);
      if (c >= 0)
        into[at + c] = namedFrames(v[f.field]!, f.pid ? v[f.pid] : undefined, stacks!.names).join(FRAME_SEPARATOR);
    }
    return;
  }
  into[at] = formatValue(v);
  for (let c = 1; c < columns.length; c++) into[at + c] = '';
}
