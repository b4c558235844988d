import type { LayoutNode, RecordLayout } from '@bpfplay/protocol';
import { compileNode, ctxFor, type Ctx, type Read } from '@bpfplay/protocol/decoding';
import { ascii, type JsonSink } from './json-sink.js';

/**
 * A record layout (the one decoding model, packages/protocol decode/) as a JSON writer: ring buffer
 * records straight to JSON bytes, read in place from the ring's mapped memory, for the JSON form
 * of events (`--json`, scripts).
 *
 * Decoding a record to a `Value` and then JSON.stringify walks every record twice and leaves an
 * object per record for the GC; at a few hundred thousand records a second that is most of the
 * runner's time (measured: ~1.5 µs decode + GC per 40-byte record). Here the layout is flattened
 * once into fixed-offset leaves with the JSON text between them, and a record is a loop over the
 * leaves writing into a JsonSink. No decoding rule lives here: a leaf is written directly only
 * where the text is the bytes' plain rendering (integers up to 32 bits and 64-bit ones that fit a
 * double: their digits; `char` arrays of printable ASCII: their bytes); every other leaf is the
 * protocol's own reader for that node, serialized. (Formatters do not change the value: their
 * readable forms go beside it, in the record's `shown`, written by the source.) The output is
 * `JSON.stringify(decodeRecord(layout, bytes))`, byte for byte (test/stream/record-json.test.ts).
 */

/** Where a record lives: the ring's data area (or a single record), seen two ways, made once. */
export interface RecordMemory {
  view: DataView;
  bytes: Uint8Array;
}

export function recordMemory(bytes: Uint8Array): RecordMemory {
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/**
 * Write the JSON of the record of `len` bytes at `off` into `sink`; false (nothing written) when
 * the record is shorter than its type, for the caller to write decodeRecord's explanation.
 */
export type RecordJson = (sink: JsonSink, mem: RecordMemory, off: number, len: number) => boolean;

const enum K {
  U8,
  I8,
  U16,
  I16,
  U32,
  I32,
  /** 64-bit integer: its digits when it fits a double, otherwise the protocol's reader. */
  I64,
  U64,
  CHARS,
  /** Any other leaf: the protocol's reader, JSON.stringify'd. */
  READ,
}

interface Op {
  k: K;
  /** Byte offset from the record's start. */
  off: number;
  /** CHARS: the array's length. */
  n: number;
  /** JSON text written before this value. */
  pre: string;
  /** READ (and the slow cases of I64 and CHARS): the protocol's reader of this node at offset 0. */
  read: Read | undefined;
}

/** A flattened record this long is unusual (a big array); JSON.stringify of decodeRecord is fine for it. */
const MAX_OPS = 4096;

const INTS: Record<number, [K, K]> = { 1: [K.U8, K.I8], 2: [K.U16, K.I16], 4: [K.U32, K.I32], 8: [K.U64, K.I64] };

class Unsupported extends Error {}

class Flattener {
  readonly ops: Op[] = [];
  pending = '';

  private leaf(k: K, off: number, n: number, read: Read | undefined): void {
    if (this.ops.length >= MAX_OPS) throw new Unsupported();
    this.ops.push({ k, off, n, pre: this.pending, read });
    this.pending = '';
  }

  walk(node: LayoutNode, base: number): void {
    const off = node.k === 'bits' ? base : base + node.off;
    if (node.k === 'bits' || node.k === 'unknown' || node.k === 'enum' || node.k === 'float')
      return this.leaf(K.READ, base, 0, compileNode(node));
    switch (node.k) {
      case 'ptr':
        return this.leaf(K.READ, base, 0, compileNode(node));
      case 'int': {
        const k = INTS[node.size];
        if (node.bool || !k) return this.leaf(K.READ, base, 0, compileNode(node));
        return this.leaf(node.signed ? k[1] : k[0], off, 0, compileNode({ ...node, off: 0 }));
      }
      case 'chars':
        return this.leaf(K.CHARS, off, node.n, compileNode({ ...node, off: 0 }));
      case 'array':
        this.pending += '[';
        for (let i = 0; i < node.n; i++) {
          if (i) this.pending += ',';
          this.walk(node.elem, off + i * node.stride);
        }
        this.pending += ']';
        return;
      case 'struct': {
        // decodeRecord keeps a repeated name's first position and last value; `__proto__` would
        // not become a property at all. Rare: JSON.stringify of decodeRecord does those.
        const names = new Set<string>();
        this.pending += '{';
        node.fields.forEach((f, i) => {
          if (names.has(f.name) || f.name === '__proto__') throw new Unsupported();
          names.add(f.name);
          this.pending += `${i ? ',' : ''}${JSON.stringify(f.name)}:`;
          this.walk(f.node, off);
        });
        this.pending += '}';
        return;
      }
    }
  }
}

/** The JSON writer for a layout's records, or undefined when JSON.stringify(decodeRecord(...)) must do it. */
export function compileRecordJson(layout: RecordLayout): RecordJson | undefined {
  const f = new Flattener();
  try {
    f.walk(layout.root, 0);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  const { size } = layout;
  const ops = f.ops;
  const pre = ops.map((op) => ascii(op.pre));
  const suffix = ascii(f.pending);
  return (sink, mem, base, len) => {
    if (len < size) return false;
    const v = mem.view;
    // The protocol's readers take positions in the whole buffer; made lazily, most records need none.
    let c: Ctx | undefined;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const off = base + op.off;
      sink.bytes(pre[i]!);
      switch (op.k) {
        case K.U8:
          sink.u32(v.getUint8(off));
          break;
        case K.I8:
          sink.int(v.getInt8(off));
          break;
        case K.U16:
          sink.u32(v.getUint16(off, true));
          break;
        case K.I16:
          sink.int(v.getInt16(off, true));
          break;
        case K.U32:
          sink.u32(v.getUint32(off, true));
          break;
        case K.I32:
          sink.int(v.getInt32(off, true));
          break;
        case K.U64:
        case K.I64: {
          const hi = op.k === K.I64 ? v.getInt32(off + 4, true) : v.getUint32(off + 4, true);
          const n = hi * 4294967296 + v.getUint32(off, true);
          if (Number.isSafeInteger(n)) sink.int(n);
          else sink.string(readJson(op, (c ??= ctxFor(mem.bytes.subarray(base, base + len)))));
          break;
        }
        case K.CHARS:
          if (!asciiChars(sink, mem.bytes, off, op.n))
            sink.string(readJson(op, (c ??= ctxFor(mem.bytes.subarray(base, base + len)))));
          break;
        case K.READ:
          sink.string(readJson(op, (c ??= ctxFor(mem.bytes.subarray(base, base + len)))));
          break;
      }
    }
    sink.bytes(suffix);
    return true;
  };
}

/** A leaf as the protocol's reader decodes it, as JSON. */
function readJson(op: Op, c: Ctx): string {
  return JSON.stringify(op.read!(c, c.start + op.off));
}

const QUOTE = 0x22;

/** A `char` array of plain printable ASCII up to its NUL, copied byte for byte; false for anything else. */
function asciiChars(sink: JsonSink, b: Uint8Array, off: number, n: number): boolean {
  let end = off;
  const stop = off + n;
  for (; end < stop; end++) {
    const c = b[end]!;
    if (c === 0) break;
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  sink.byte(QUOTE);
  sink.copy(b, off, end - off);
  sink.byte(QUOTE);
  return true;
}
