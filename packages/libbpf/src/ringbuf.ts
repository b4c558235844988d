import { c, koffi } from './native.js';
import { LibbpfError } from './errors.js';
import { errno } from './native.js';

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
const MAP_FAILED = 0xffffffffffffffffn;
const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const HDR = 8;
/** Records consumed between two writes of the consumer position. */
const PUBLISH_EVERY = 64;

let pageSize: number | undefined;
function page(): number {
  pageSize ??= c.sysconf(30 /* _SC_PAGESIZE */);
  return pageSize;
}

function readPos(v: DataView): number {
  // Positions are u64 byte counters; 2^53 bytes of ring traffic will not happen in one run.
  return v.getUint32(0, true) + v.getUint32(4, true) * 0x100000000;
}

/**
 * Reads a BPF ring buffer map by mapping its pages, like libbpf's ring_buffer__consume but without
 * one FFI callback per record (≈1 µs each through koffi): the consumer loop runs in JS over the
 * mapped data, and the caller drains on its own timer. The data area is mapped twice back to back by
 * the kernel, so a record that wraps is still contiguous.
 */
export class RingBufferReader {
  private consumerPtr: bigint | null;
  private producerPtr: bigint | null;
  private readonly consumer: DataView;
  private readonly producer: DataView;
  /** The data area, mapped twice back to back: a record at `offset` is contiguous even when it wraps. */
  readonly bytes: Uint8Array;
  readonly view: DataView;
  private readonly mask: number;
  private readonly producerLen: number;

  constructor(
    readonly fd: number,
    readonly size: number,
  ) {
    const ps = page();
    const cons = c.mmap(null, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (cons === MAP_FAILED) throw new LibbpfError('mmap ring buffer consumer page', errno());
    this.producerLen = ps + 2 * size;
    const prod = c.mmap(null, this.producerLen, PROT_READ, MAP_SHARED, fd, ps);
    if (prod === MAP_FAILED) {
      const e = errno();
      c.munmap(cons, ps);
      throw new LibbpfError('mmap ring buffer data', e);
    }
    this.consumerPtr = cons;
    this.producerPtr = prod;
    this.consumer = new DataView(koffi.view(cons, ps));
    const prodBuf = koffi.view(prod, this.producerLen);
    this.producer = new DataView(prodBuf, 0, 8);
    this.bytes = new Uint8Array(prodBuf, ps, 2 * size);
    this.view = new DataView(prodBuf, ps, 2 * size);
    this.mask = size - 1;
  }

  /** Bytes written by the producer and not yet consumed. */
  pending(): number {
    return readPos(this.producer) - readPos(this.consumer);
  }

  /**
   * Hand each committed record to `fn` (a view valid only during the call), stopping after `max`
   * records so one busy ring cannot starve the others. Returns the number of records seen.
   */
  drain(fn: (record: Uint8Array) => void, max = Infinity): number {
    return this.drainInPlace((off, len) => fn(this.bytes.subarray(off, off + len)), max);
  }

  /**
   * Like drain, without allocating: `fn` gets the offset and length of each record in `bytes` /
   * `view` (the mapped data area), valid only during the call. At a million records a second a
   * subarray per record is most of the garbage the consumer makes.
   */
  drainInPlace(fn: (offset: number, length: number) => void, max = Infinity): number {
    return this.walk(fn, max);
  }

  /**
   * Consume committed records without reading them (the caller is over its budget and counts them
   * as dropped), so the producer finds room again. Returns the number of records skipped.
   */
  skip(max = Infinity): number {
    return this.walk(undefined, max);
  }

  private walk(fn: ((offset: number, length: number) => void) | undefined, max: number): number {
    if (this.consumerPtr === null) return 0;
    let cons = readPos(this.consumer);
    const prod = readPos(this.producer);
    let n = 0;
    let unpublished = 0;
    while (cons < prod && n < max) {
      const off = cons % this.size;
      const hdr = this.view.getUint32(off & this.mask, true);
      if (hdr & BUSY) break;
      const len = hdr & 0x3fffffff;
      if (!(hdr & DISCARD)) {
        fn?.(off + HDR, len);
        n++;
      }
      cons += (len + HDR + 7) & ~7;
      // Publishing the position is a write to a shared page; batching it keeps the loop in JS
      // cheap while still freeing space for the producer during a long drain.
      if (++unpublished === PUBLISH_EVERY) {
        this.writeConsumer(cons);
        unpublished = 0;
      }
    }
    if (unpublished) this.writeConsumer(cons);
    return n;
  }

  private writeConsumer(pos: number): void {
    this.consumer.setUint32(0, pos >>> 0, true);
    this.consumer.setUint32(4, Math.floor(pos / 0x100000000), true);
  }

  close(): void {
    if (this.consumerPtr !== null) c.munmap(this.consumerPtr, page());
    if (this.producerPtr !== null) c.munmap(this.producerPtr, this.producerLen);
    this.consumerPtr = this.producerPtr = null;
  }
}
