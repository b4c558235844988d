import { isPerCpuMapType, mapTypeName } from '@bpfplay/libbpf';
import type { MapEntryBytes } from '@bpfplay/libbpf';
import type { PerfReader, RingReader } from '../stream/sources.js';

/**
 * The records a guest sent for one ring buffer, held until the run's next poll in one fixed arena,
 * so the host's ring source (stream/sources.ts) reads them in place exactly as it reads a kernel
 * ring. Memory is bounded: records that arrive while the arena is full are counted as lost.
 */
export class GuestRing implements RingReader {
  readonly bytes: Uint8Array;
  private readonly offs: number[] = [];
  private readonly lens: number[] = [];
  private head = 0;
  private end = 0;
  /** Records that found no room; the run reports them as dropped. */
  overflow = 0;

  constructor(readonly size = 4 << 20) {
    this.bytes = new Uint8Array(size);
  }

  push(record: Uint8Array): void {
    if (this.end + record.length > this.size) {
      this.overflow++;
      return;
    }
    this.bytes.set(record, this.end);
    this.offs.push(this.end);
    this.lens.push(record.length);
    this.end += record.length;
  }

  pending(): number {
    return this.offs.length - this.head === 0 ? 0 : this.end - this.offs[this.head]!;
  }

  drain(fn: (record: Uint8Array) => void, max = Infinity): number {
    return this.drainInPlace((off, len) => fn(this.bytes.subarray(off, off + len)), max);
  }

  drainInPlace(fn: (offset: number, length: number) => void, max = Infinity): number {
    let n = 0;
    while (this.head < this.offs.length && n < max) {
      fn(this.offs[this.head]!, this.lens[this.head]!);
      this.head++;
      n++;
    }
    this.compact();
    return n;
  }

  skip(max = Infinity): number {
    const n = Math.min(max, this.offs.length - this.head);
    this.head += n;
    this.compact();
    return n;
  }

  /** Once everything is read the arena starts over. */
  private compact(): void {
    if (this.head < this.offs.length) return;
    this.offs.length = 0;
    this.lens.length = 0;
    this.head = 0;
    this.end = 0;
  }

  close(): void {
    this.skip();
  }
}

/** A guest's perf buffer samples and lost counts until the next poll (bounded like GuestRing). */
export class GuestPerf implements PerfReader {
  private samples: { cpu: number; data: Uint8Array }[] = [];
  private lost = 0;
  private static readonly MAX = 65536;

  push(cpu: number, data: Uint8Array): void {
    if (this.samples.length >= GuestPerf.MAX) this.lost++;
    else this.samples.push({ cpu, data: Uint8Array.from(data) });
  }

  addLost(n: number): void {
    this.lost += n;
  }

  consume(sample: (cpu: number, data: Uint8Array) => void, lost: (cpu: number, count: number) => void): void {
    const batch = this.samples;
    this.samples = [];
    for (const s of batch) sample(s.cpu, s.data);
    if (this.lost) lost(0, this.lost);
    this.lost = 0;
  }

  close(): void {
    this.samples = [];
  }
}

/**
 * A map of the guest's object as the host's snapshot code sees a map (the parts of BpfMap it reads),
 * with the entries of the guest's last snapshot.
 */
export class GuestMap {
  entriesRead: MapEntryBytes[] = [];
  more = 0;
  error?: string;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly type: number,
    readonly keySize: number,
    readonly valueSize: number,
    readonly maxEntries: number,
    readonly flags: number,
  ) {}

  get typeName(): string {
    return mapTypeName(this.type);
  }

  get perCpu(): boolean {
    return isPerCpuMapType(this.type);
  }

  entries(limit: number): { entries: MapEntryBytes[]; more: number } {
    if (this.error) throw new Error(this.error);
    return {
      entries: this.entriesRead.slice(0, limit),
      more: this.more + Math.max(0, this.entriesRead.length - limit),
    };
  }
}
