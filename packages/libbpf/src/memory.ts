import { c, koffi } from './native.js';
import { checkPtr } from './errors.js';

/**
 * A block of C heap memory with an owner. libbpf keeps raw pointers we hand it (the object's ELF
 * bytes, verifier log buffers) well after the call returns, so they cannot be Node Buffers that the GC
 * may move or free: they live here until the object that uses them is closed.
 */
export class NativeBuffer {
  private ptr: bigint | null;

  private constructor(
    ptr: bigint,
    readonly size: number,
  ) {
    this.ptr = ptr;
  }

  static alloc(size: number): NativeBuffer {
    return new NativeBuffer(checkPtr('calloc', c.calloc(1, Math.max(1, size))), size);
  }

  static from(bytes: Uint8Array): NativeBuffer {
    const b = NativeBuffer.alloc(bytes.length);
    c.memcpy(b.address, bytes, bytes.length);
    return b;
  }

  get address(): bigint {
    if (this.ptr === null) throw new Error('native buffer used after free');
    return this.ptr;
  }

  /** A copy of the bytes up to the first NUL, as UTF-8 (log buffers are C strings). */
  readCString(): string {
    const view = new Uint8Array(koffi.view(this.address, this.size));
    let end = view.indexOf(0);
    if (end < 0) end = view.length;
    return Buffer.from(view.subarray(0, end)).toString('utf8');
  }

  /** The memory as bytes, valid until free(). */
  view(): Uint8Array {
    return new Uint8Array(koffi.view(this.address, this.size));
  }

  clear(): void {
    new Uint8Array(koffi.view(this.address, this.size)).fill(0);
  }

  free(): void {
    if (this.ptr !== null) c.free(this.ptr);
    this.ptr = null;
  }
}
