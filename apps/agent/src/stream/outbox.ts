import type { EventRecord, PrintkLine, RunFrameBody, ServerPayload } from '@bpfplay/protocol';
import { ascii, JsonSink } from './json-sink.js';
import { RateWindow } from './rate.js';
import { HEADER_START } from './binary-frame.js';

/** Emit one frame of a run: `type` picks the protocol schema its body is checked against at compile time. */
export type Emit = <T extends ServerPayload['type']>(type: T, body: RunFrameBody<T>) => void;
/**
 * Emit a frame (without `seq`) that is already JSON, as UTF-8 bytes valid only during the call:
 * event records are written into it as they are read, never held as objects or strings.
 */
export type EmitJson = (type: 'events', frame: Uint8Array) => void;
/**
 * Emit a binary events frame (protocol binary-events.ts) without `seq`: the header's JSON and the
 * records (each u32 LE length + bytes), both valid only during the call.
 */
export type EmitBinary = (header: string, records: Uint8Array) => void;

/** A run on a named target (the kernel matrix) says so in every frame. */
const targetField = (target: string | undefined): string =>
  target === undefined ? '' : `,"target":${JSON.stringify(target)}`;

/** What commitEvent needs of a batch: where its records are written and its counts. */
interface Batch {
  readonly sink: JsonSink;
  count: number;
  dropped: number;
}

/**
 * One source's records since the last flush, as the JSON of an events frame being written: one
 * object per record in `records` (the JSON form of events).
 */
export class EventBatch implements Batch {
  readonly sink = new JsonSink();
  count = 0;
  dropped = 0;
  private readonly start: number;

  constructor(runId: string, source: string, target?: string) {
    this.sink.bytes(
      ascii(
        `{"type":"events","runId":${JSON.stringify(runId)}${targetField(target)},"source":${JSON.stringify(source)},"records":[`,
      ),
    );
    this.start = this.sink.pos;
  }

  /** Where the next record starts (the comma before it included), to roll back to if it is refused. */
  begin(): number {
    const mark = this.sink.pos;
    if (this.count) this.sink.byte(0x2c);
    return mark;
  }

  /** The frame, finished; the batch starts over after the caller has sent it. */
  finish(): Uint8Array {
    this.sink.bytes(ascii(`],"dropped":${this.dropped}}`));
    return this.sink.view();
  }

  clear(): void {
    this.sink.reset(this.start);
    this.count = 0;
    this.dropped = 0;
  }
}

/**
 * One source's records since the last flush as a binary events frame's body: each record's u32 LE
 * length and its bytes, copied from the ring as they are. The header is written at flush.
 */
export class BinaryBatch implements Batch {
  readonly sink = new JsonSink();
  count = 0;
  dropped = 0;
  t = 0;
  /** Perf buffer records: the CPU of each, in order (ring buffers leave it empty). */
  cpus: number[] = [];
  private readonly head: string;

  constructor(runId: string, source: string, target?: string) {
    // The `seq` slot first: the agent stamps it in place (binary-frame.ts).
    this.head = `${HEADER_START}"type":"events","runId":${JSON.stringify(runId)}${targetField(target)},"source":${JSON.stringify(source)},"count":`;
  }

  header(): string {
    const cpus = this.cpus.length ? `,"cpus":[${this.cpus.join(',')}]` : '';
    return `${this.head}${this.count},"dropped":${this.dropped},"t":${JSON.stringify(this.t)}${cpus}}`;
  }

  clear(): void {
    this.sink.reset(0);
    this.count = 0;
    this.dropped = 0;
    this.cpus = [];
  }
}

interface Pending<T> {
  items: T[];
  dropped: number;
}

export interface OutboxLimits {
  maxEventsPerSec: number;
  maxPrintkPerSec: number;
  /** JSON bytes of records (events and printk lines) per second; a binary record counts its bytes + 4. */
  maxBytesPerSec: number;
  /** This run's share of the session's budgets (1 / the session's active runs). */
  rateShare?: number;
  /** Written into the events frames the outbox builds. */
  runId?: string;
  /** The run's target (`host`, `6.1`...), written into the events frames too. */
  target?: string;
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
  private readonly events = new Map<string, EventBatch>();
  private readonly binary = new Map<string, BinaryBatch>();
  private readonly eventRate: RateWindow;
  private readonly printkRate: RateWindow;
  private readonly byteRate: RateWindow;
  paused = false;
  /** Date.now() at the start of the current ring poll. */
  private pollNow = Date.now();
  readonly totals = { events: 0, printk: 0, dropped: 0 };

  constructor(
    private readonly emit: Emit,
    private readonly emitJson: EmitJson,
    private readonly limits: OutboxLimits,
    private readonly emitBinary?: EmitBinary,
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

  /**
   * How many records may be queued now (0 while paused), without reserving them: a ring source
   * reads up to that many in one go, reports what it took with takeEvents, and drops the rest.
   */
  eventAllowance(): number {
    this.startPoll();
    return this.paused ? 0 : this.eventRate.available(this.pollNow);
  }

  /** Read the clock once for this poll: the byte budget is charged at that time, not per record. */
  startPoll(): void {
    this.pollNow = Date.now();
  }

  takeEvents(n: number): void {
    this.eventRate.take(n, this.pollNow);
  }

  /** Queue an admitted record, unless it does not fit this second's byte budget (then it is dropped and counted). */
  pushEvent(source: string, record: EventRecord): void {
    this.pushEventJson(source, JSON.stringify(record));
  }

  /** pushEvent for a record already serialized (`{"t":…,"value":…}`). */
  pushEventJson(source: string, json: string): void {
    this.pollNow = Date.now();
    const batch = this.batch(source);
    const mark = batch.begin();
    batch.sink.string(json);
    this.commitEvent(batch, mark);
  }

  /**
   * For sources that write records straight into the frame: `begin` gives the sink and a mark, the
   * source writes one record's JSON, `commitEvent` keeps it — or, over the byte budget, rolls the
   * sink back to the mark and counts the record as dropped.
   */
  batch(source: string): EventBatch {
    let b = this.events.get(source);
    if (!b) this.events.set(source, (b = new EventBatch(this.limits.runId ?? 'run', source, this.limits.target)));
    return b;
  }

  /** The batch of a source sent as binary events (RunOptions.eventFormat 'binary'). */
  binaryBatch(source: string): BinaryBatch {
    let b = this.binary.get(source);
    if (!b) this.binary.set(source, (b = new BinaryBatch(this.limits.runId ?? 'run', source, this.limits.target)));
    return b;
  }

  /** Keep the record written since `mark`, or drop it (over the byte budget); true if kept. */
  commitEvent(batch: Batch, mark: number): boolean {
    // The clock read once per poll (eventAllowance): a clock read per record costs more than the record.
    if (!this.byteRate.tryTake(batch.sink.pos - mark, this.pollNow)) {
      batch.sink.reset(mark);
      batch.dropped++;
      this.totals.dropped++;
      return false;
    }
    batch.count++;
    this.totals.events++;
    return true;
  }

  dropEvents(source: string, n: number): void {
    if (n <= 0) return;
    (this.binary.get(source) ?? this.batch(source)).dropped += n;
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

  /** Records (printk lines and events) the last flush sent: how full frames are (runner/host-run.ts paces by it). */
  lastFlushRecords = 0;

  /** Send what accumulated since the last flush; true if a frame went out. */
  flush(): boolean {
    if (this.paused) return false;
    let sent = false;
    let records = this.printk.items.length;
    if (this.printk.items.length || this.printk.dropped) {
      this.emit('printk', { lines: this.printk.items, dropped: this.printk.dropped });
      this.printk.items = [];
      this.printk.dropped = 0;
      sent = true;
    }
    for (const b of this.events.values()) {
      if (!b.count && !b.dropped) continue;
      records += b.count;
      this.emitJson('events', b.finish());
      b.clear();
      sent = true;
    }
    for (const b of this.binary.values()) {
      if (!b.count && !b.dropped) continue;
      records += b.count;
      this.emitBinary?.(b.header(), b.sink.view());
      b.clear();
      sent = true;
    }
    this.lastFlushRecords = records;
    return sent;
  }
}
