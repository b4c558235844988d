import type { BpfObject } from '@bpfplay/libbpf';
import { MAP_TYPE, PerfBufferReader, RingBufferReader } from '@bpfplay/libbpf';
import type { RecordLayout, ShownReader, Value } from '@bpfplay/protocol';
import type { Outbox } from './outbox.js';
import { ascii } from './json-sink.js';
import { recordMemory, type RecordJson, type RecordMemory } from './record-json.js';

/** The hidden ring the printk shim (apps/agent/include/bpf/bpf_helpers.h) writes each line to. */
export const PRINTK_MAP = 'bpfplay_printk';
const PRINTK_MSG_OFFSET = 16;

/** Turns a record's bytes into a value; the BTF decoder when the type is known, hex otherwise. */
export interface RecordDecoder {
  decode(source: string, bytes: Uint8Array): Value;
  /** A faster way to the same JSON text for this source's records, when there is one (record-json.ts). */
  json?(source: string): RecordJson | undefined;
  /** The readable forms of this source's records (`shown`), when any of its fields has a formatter. */
  shown?(source: string): ShownReader | undefined;
  /** Records go out as their raw bytes (RunOptions.eventFormat 'binary'); the client decodes them. */
  binary?: boolean;
  /** Each source's record layout, when its type is known. */
  layouts?: ReadonlyMap<string, RecordLayout | undefined>;
}

/** Sees the records of the sources it wants as they are sent (record-stacks.ts: stacks in records). */
export interface RecordTap {
  wants(source: string): boolean;
  observe(source: string, bytes: Uint8Array): void;
}

export interface Source {
  /** Read what the kernel wrote since the last poll; `budgetMs` bounds the time spent decoding. */
  poll(outbox: Outbox, now: number, budgetMs: number): void;
  close(): void;
}

/** Records read between two looks at the clock and the allowance. */
const CHUNK = 512;

/**
 * What a ring source reads: the kernel's ring, mapped (RingBufferReader), or the records a
 * kernel-matrix guest sent (guest/guest-ring.ts). Both hand out records in place in `bytes`.
 */
export type RingReader = Pick<
  RingBufferReader,
  'bytes' | 'size' | 'drain' | 'drainInPlace' | 'pending' | 'skip' | 'close'
>;
/** What a perf buffer source reads: the kernel's perf buffers, or a guest's samples. */
export type PerfReader = Pick<PerfBufferReader, 'consume' | 'close'>;

/** Milliseconds since attach for a kernel timestamp (bpf_ktime_get_ns and hrtime share CLOCK_MONOTONIC). */
export type KtimeToRunMs = (ktimeNs: bigint) => number;

function printkText(record: Uint8Array): string {
  const msg = record.subarray(PRINTK_MSG_OFFSET);
  let end = msg.indexOf(0);
  if (end < 0) end = msg.length;
  return Buffer.from(msg.buffer, msg.byteOffset, end).toString('utf8').replace(/\n$/, '');
}

export class PrintkSource implements Source {
  constructor(
    private readonly ring: RingReader,
    private readonly toRunMs: KtimeToRunMs,
  ) {}

  poll(outbox: Outbox): void {
    let dropped = 0;
    this.ring.drain((r) => {
      if (!outbox.admitPrintk()) {
        dropped++;
        return;
      }
      const v = new DataView(r.buffer, r.byteOffset, r.byteLength);
      outbox.pushPrintk({ t: this.toRunMs(v.getBigUint64(0, true)), cpu: v.getUint32(8, true), text: printkText(r) });
    });
    if (dropped) outbox.dropPrintk(dropped);
  }

  close(): void {
    this.ring.close();
  }
}

/**
 * A ring buffer of records, read in place and written out as JSON text. Whatever cannot be sent
 * now (over the rate limit, client backed up, or more than this tick's time budget while the ring
 * is filling up) is consumed and counted as dropped rather than left for the kernel to refuse:
 * refused records are lost without anyone counting them, dropped ones are reported.
 */
export class RingEventSource implements Source {
  private readonly mem: RecordMemory;
  private readonly fast: RecordJson | undefined;
  private readonly shown: ShownReader | undefined;

  private readonly tap: RecordTap | undefined;

  constructor(
    private readonly name: string,
    private readonly ring: RingReader,
    private readonly decoder: RecordDecoder,
    tap?: RecordTap,
  ) {
    this.mem = recordMemory(ring.bytes);
    this.fast = decoder.json?.(name);
    this.shown = decoder.shown?.(name);
    this.tap = tap?.wants(name) ? tap : undefined;
  }

  poll(outbox: Outbox, now: number, budgetMs: number): void {
    if (this.decoder.binary) return this.pollBinary(outbox, now, budgetMs);
    const allowance = outbox.eventAllowance();
    const batch = outbox.batch(this.name);
    const sink = batch.sink;
    const head = ascii(`{"t":${JSON.stringify(now)},"value":`);
    const shown = this.shown;
    const push = (off: number, len: number) => {
      const mark = batch.begin();
      sink.bytes(head);
      // No writer (a layout it does not flatten) or a record shorter than its type: the decoded value.
      if (!this.fast?.(sink, this.mem, off, len)) {
        sink.string(JSON.stringify(this.decoder.decode(this.name, this.ring.bytes.subarray(off, off + len))));
      }
      const names = shown?.(this.ring.bytes.subarray(off, off + len));
      if (names) sink.string(`,"shown":${JSON.stringify(names)}`);
      sink.byte(0x7d);
      if (outbox.commitEvent(batch, mark)) this.tap?.observe(this.name, this.ring.bytes.subarray(off, off + len));
    };
    this.drain(outbox, allowance, push, budgetMs);
  }

  /** Binary events: each record's bytes copied from the ring into the frame, nothing decoded. */
  private pollBinary(outbox: Outbox, now: number, budgetMs: number): void {
    // Backpressure (the client or the agent behind): the kernel's ring is the buffer. Records stay
    // there while it has room and are read once the pressure ends; past half full they are dropped
    // and counted, as after a late poll. Measured at 1 M records/s on the busy 2-core bench machine:
    // a pause of a poll or two happened ~10-20 times a second, and dropping the ring each time lost
    // ~20% of the records although the pipeline kept up on average. (JSON events keep dropping at
    // once, as they always have.)
    if (outbox.paused && this.ring.pending() <= this.ring.size / 2) return;
    const allowance = outbox.eventAllowance();
    const batch = outbox.binaryBatch(this.name);
    batch.t = now;
    const sink = batch.sink;
    const bytes = this.ring.bytes;
    this.drain(
      outbox,
      allowance,
      (off, len) => {
        const mark = sink.pos;
        sink.record(bytes, off, len);
        if (outbox.commitEvent(batch, mark)) this.tap?.observe(this.name, bytes.subarray(off, off + len));
      },
      budgetMs,
    );
  }

  /** Read up to `allowance` records within the time budget, then drop what must not wait (see the class comment). */
  private drain(outbox: Outbox, allowance: number, push: (off: number, len: number) => void, budgetMs: number): void {
    const deadline = performance.now() + budgetMs;
    let taken = 0;
    while (taken < allowance) {
      const n = this.ring.drainInPlace(push, Math.min(CHUNK, allowance - taken));
      taken += n;
      if (n < CHUNK || performance.now() >= deadline) break;
    }
    outbox.takeEvents(taken);
    // Out of allowance: the rest of this second's records are dropped anyway. Out of time: keep
    // the backlog for the next tick while the ring can absorb it, drop it once it cannot.
    if (taken >= allowance || this.ring.pending() > this.ring.size / 2) outbox.dropEvents(this.name, this.ring.skip());
  }

  close(): void {
    this.ring.close();
  }
}

export class PerfEventSource implements Source {
  private readonly shown: ShownReader | undefined;
  private readonly tap: RecordTap | undefined;

  constructor(
    private readonly name: string,
    private readonly reader: PerfReader,
    private readonly decoder: RecordDecoder,
    tap?: RecordTap,
  ) {
    this.shown = decoder.shown?.(name);
    this.tap = tap?.wants(name) ? tap : undefined;
  }

  poll(outbox: Outbox, now: number): void {
    let dropped = 0;
    const binary = this.decoder.binary ? outbox.binaryBatch(this.name) : undefined;
    if (binary) binary.t = now;
    outbox.startPoll();
    this.reader.consume(
      (cpu, data) => {
        if (!outbox.admitEvent()) {
          dropped++;
          return;
        }
        this.tap?.observe(this.name, data);
        if (!binary) {
          const shown = this.shown?.(data);
          const value = this.decoder.decode(this.name, data);
          return outbox.pushEvent(this.name, { t: now, cpu, value, ...(shown ? { shown } : {}) });
        }
        const mark = binary.sink.pos;
        binary.sink.record(data, 0, data.length);
        if (outbox.commitEvent(binary, mark)) binary.cpus.push(cpu);
      },
      (_cpu, lost) => (dropped += lost),
    );
    outbox.dropEvents(this.name, dropped);
  }

  close(): void {
    this.reader.close();
  }
}

/** One source per ring buffer / perf event array of a loaded object; the printk ring is its own kind. */
export function openSources(obj: BpfObject, decoder: RecordDecoder, toRunMs: KtimeToRunMs, tap?: RecordTap): Source[] {
  const out: Source[] = [];
  for (const m of obj.maps()) {
    if (m.type === MAP_TYPE.ringbuf) {
      const ring = new RingBufferReader(m.fd, m.maxEntries);
      out.push(
        m.name === PRINTK_MAP ? new PrintkSource(ring, toRunMs) : new RingEventSource(m.name, ring, decoder, tap),
      );
    } else if (m.type === MAP_TYPE.perf_event_array) {
      out.push(new PerfEventSource(m.name, new PerfBufferReader(m.fd, 64), decoder, tap));
    }
  }
  return out;
}

/** Until BTF decoding knows the record type, the user still sees the bytes. */
export const hexDecoder: RecordDecoder = {
  decode: (_source, bytes) => ({ $hex: Buffer.from(bytes).toString('hex') }),
};
