import type { BpfObject } from '@bpfplay/libbpf';
import { MAP_TYPE, PerfBufferReader, RingBufferReader } from '@bpfplay/libbpf';
import type { Value } from '@bpfplay/protocol';
import type { Outbox } from './outbox.js';

/** The hidden ring the printk shim (apps/agent/include/bpf/bpf_helpers.h) writes each line to. */
export const PRINTK_MAP = 'bpfplay_printk';
const PRINTK_MSG_OFFSET = 16;

/** Turns a record's bytes into a value; the BTF decoder when the type is known, hex otherwise. */
export interface RecordDecoder {
  decode(source: string, bytes: Uint8Array): Value;
}

export interface Source {
  poll(outbox: Outbox, now: number): void;
  close(): void;
}

/** Milliseconds since attach for a kernel timestamp (bpf_ktime_get_ns and hrtime share CLOCK_MONOTONIC). */
export type KtimeToRunMs = (ktimeNs: bigint) => number;

function printkText(record: Uint8Array): string {
  const msg = record.subarray(PRINTK_MSG_OFFSET);
  let end = msg.indexOf(0);
  if (end < 0) end = msg.length;
  return Buffer.from(msg.buffer, msg.byteOffset, end).toString('utf8').replace(/\n$/, '');
}

class PrintkSource implements Source {
  constructor(
    private readonly ring: RingBufferReader,
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

class RingEventSource implements Source {
  constructor(
    private readonly name: string,
    private readonly ring: RingBufferReader,
    private readonly decoder: RecordDecoder,
  ) {}

  poll(outbox: Outbox, now: number): void {
    let dropped = 0;
    this.ring.drain((r) => {
      if (!outbox.admitEvent()) {
        dropped++;
        return;
      }
      outbox.pushEvent(this.name, { t: now, value: this.decoder.decode(this.name, r) });
    });
    outbox.dropEvents(this.name, dropped);
  }

  close(): void {
    this.ring.close();
  }
}

class PerfEventSource implements Source {
  constructor(
    private readonly name: string,
    private readonly reader: PerfBufferReader,
    private readonly decoder: RecordDecoder,
  ) {}

  poll(outbox: Outbox, now: number): void {
    let dropped = 0;
    this.reader.consume(
      (cpu, data) => {
        if (!outbox.admitEvent()) {
          dropped++;
          return;
        }
        outbox.pushEvent(this.name, { t: now, cpu, value: this.decoder.decode(this.name, data) });
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
export function openSources(obj: BpfObject, decoder: RecordDecoder, toRunMs: KtimeToRunMs): Source[] {
  const out: Source[] = [];
  for (const m of obj.maps()) {
    if (m.type === MAP_TYPE.ringbuf) {
      const ring = new RingBufferReader(m.fd, m.maxEntries);
      out.push(m.name === PRINTK_MAP ? new PrintkSource(ring, toRunMs) : new RingEventSource(m.name, ring, decoder));
    } else if (m.type === MAP_TYPE.perf_event_array) {
      out.push(new PerfEventSource(m.name, new PerfBufferReader(m.fd, 64), decoder));
    }
  }
  return out;
}

/** Until BTF decoding knows the record type, the user still sees the bytes. */
export const hexDecoder: RecordDecoder = {
  decode: (_source, bytes) => ({ $hex: Buffer.from(bytes).toString('hex') }),
};
