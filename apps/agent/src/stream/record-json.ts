import type { Btf, BtfType } from '@bpfplay/btf';
import { cString } from '@bpfplay/btf';
import { ascii, type JsonSink } from './json-sink.js';

/**
 * Ring buffer records straight to JSON bytes, read in place from the ring's mapped memory.
 *
 * `decodeValue` walks the BTF type for every record and builds an object that JSON.stringify then
 * walks again; at a few hundred thousand records a second that walk and the garbage it leaves are
 * most of the runner's time (measured: ~1.5 µs decode + GC per 40-byte record). Here a record type
 * is flattened once into a list of fixed-offset reads with the JSON text between them, and each
 * record is a loop over that list writing into a JsonSink. The text is exactly `JSON.stringify(decodeValue(...))`
 * (test/stream/record-json.test.ts checks it on random bytes); types this does not cover (bitfields,
 * enum64, odd-sized ints, nesting deeper than decodeValue allows) get no encoder and take the
 * generic path.
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
 * the record is shorter than its type, for the generic path to explain.
 */
export type RecordJson = (sink: JsonSink, mem: RecordMemory, off: number, len: number) => boolean;

const enum K {
  U8,
  I8,
  U16,
  I16,
  U32,
  I32,
  U64,
  I64,
  BOOL,
  ENUM,
  F32,
  F64,
  PTR,
  CHARS,
}

interface Op {
  k: K;
  off: number;
  /** Byte count for BOOL and CHARS. */
  n: number;
  /** JSON text written before this value. */
  pre: string;
  /** ENUM: value → JSON of the enumerator's name (the first one declared with that value). */
  names: Map<number, string> | undefined;
}

/** decodeValue's nesting guard: deeper types are decoded by the generic path. */
const MAX_DEPTH = 64;
/** A flattened record this long is unusual (a big array); the generic path is fine for it. */
const MAX_OPS = 4096;

const SIZES: Record<number, [K, K]> = { 1: [K.U8, K.I8], 2: [K.U16, K.I16], 4: [K.U32, K.I32], 8: [K.U64, K.I64] };

class Unsupported extends Error {}

/** Flattens a BTF type into ops, mirroring decodeValue's rules case by case. */
class Flattener {
  readonly ops: Op[] = [];
  pending = '';

  constructor(
    private readonly btf: Btf,
    private readonly size: number,
  ) {}

  private leaf(k: K, off: number, bytes: number, n = 0, names?: Map<number, string>): void {
    if (off + bytes > this.size) throw new Unsupported();
    if (this.ops.length >= MAX_OPS) throw new Unsupported();
    this.ops.push({ k, off, n, pre: this.pending, names });
    this.pending = '';
  }

  walk(id: number, off: number, depth: number): void {
    if (depth > MAX_DEPTH) throw new Unsupported();
    const t = this.btf.type(id);
    switch (t.kind) {
      case 'typedef':
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
      case 'var':
        return this.walk(t.type, off, depth + 1);
      case 'int': {
        if (t.bits !== t.size * 8 || t.bitOffset !== 0) throw new Unsupported();
        if (t.bool) return this.leaf(K.BOOL, off, t.size, t.size);
        const k = SIZES[t.size];
        if (!k) throw new Unsupported();
        return this.leaf(t.signed ? k[1] : k[0], off, t.size);
      }
      case 'enum': {
        const k = t.size <= 4 ? SIZES[t.size] : undefined;
        if (!k) throw new Unsupported();
        const names = new Map<number, string>();
        for (const e of t.values) if (!names.has(e.value)) names.set(e.value, JSON.stringify(e.name));
        // The ENUM op reads with the enum's own signedness, as decodeValue does.
        return this.leaf(K.ENUM, off, t.size, t.signed ? -t.size : t.size, names);
      }
      case 'float':
        if (t.size === 4) return this.leaf(K.F32, off, 4);
        if (t.size === 8) return this.leaf(K.F64, off, 8);
        throw new Unsupported();
      case 'ptr':
        return this.leaf(K.PTR, off, 8);
      case 'array': {
        if (this.isPlainChar(t.type)) return this.leaf(K.CHARS, off, t.nelems, t.nelems);
        const elemSize = this.btf.trySizeOf(t.type);
        if (elemSize === undefined) throw new Unsupported();
        this.pending += '[';
        for (let i = 0; i < t.nelems; i++) {
          if (i) this.pending += ',';
          this.walk(t.type, off + i * elemSize, depth + 1);
        }
        this.pending += ']';
        return;
      }
      case 'struct':
      case 'union': {
        this.pending += '{';
        this.members(t, off, depth, { first: true, names: new Set() });
        this.pending += '}';
        return;
      }
      default:
        throw new Unsupported();
    }
  }

  /**
   * The record's top level as one row: `[v1,v2,…]` in member order (anonymous members flattened,
   * as decodeValue does), with the member names as the columns.
   */
  row(id: number): string[] {
    const t = this.btf.resolve(id);
    const obj = { first: true, names: new Set<string>(), row: true };
    this.pending += '[';
    if (t.kind === 'struct' || t.kind === 'union') this.members(t, 0, 0, obj);
    else {
      this.walk(id, 0, 0);
      obj.names.add('value');
    }
    this.pending += ']';
    return [...obj.names];
  }

  private members(
    t: BtfType,
    off: number,
    depth: number,
    obj: { first: boolean; names: Set<string>; row?: boolean },
  ): void {
    if (t.kind !== 'struct' && t.kind !== 'union') throw new Unsupported();
    for (const m of t.members) {
      const mt = this.btf.resolve(m.type);
      if (m.name === '') {
        if (mt.kind === 'struct' || mt.kind === 'union') {
          if (m.bitOffset % 8) throw new Unsupported();
          this.members(mt, off + m.bitOffset / 8, depth + 1, obj);
        }
        continue;
      }
      const oldStyle = mt.kind === 'int' && (mt.bits !== mt.size * 8 || mt.bitOffset !== 0);
      if (m.bitfieldSize !== 0 || oldStyle || m.bitOffset % 8) throw new Unsupported();
      // A repeated name would keep its first position with the last value in an object; and
      // `__proto__` would not become a property at all. Rare enough to leave to the generic path.
      if (obj.names.has(m.name) || m.name === '__proto__') throw new Unsupported();
      obj.names.add(m.name);
      this.pending += obj.row ? (obj.first ? '' : ',') : `${obj.first ? '' : ','}${JSON.stringify(m.name)}:`;
      obj.first = false;
      this.walk(m.type, off + m.bitOffset / 8, depth + 1);
    }
  }

  /** decodeValue's rule: only `char` (through const/volatile/type_tag, not typedefs) arrays are text. */
  private isPlainChar(id: number): boolean {
    let t: BtfType = this.btf.type(id);
    while (t.kind === 'const' || t.kind === 'volatile' || t.kind === 'type_tag') t = this.btf.type(t.type);
    return t.kind === 'int' && t.size === 1 && t.name === 'char';
  }
}

/** Compile an encoder for records of BTF type `typeId`, or undefined when the generic path must do it. */
export function compileRecordJson(btf: Btf, typeId: number): RecordJson | undefined {
  return compile(btf, typeId, false)?.encode;
}

/**
 * The same as a row of values (`[v1,v2,…]`, the compact events frame), with its column names:
 * each value is what decodeValue gives for that top-level field.
 */
export function compileRecordRow(btf: Btf, typeId: number): { encode: RecordJson; columns: string[] } | undefined {
  return compile(btf, typeId, true);
}

function compile(btf: Btf, typeId: number, asRow: boolean): { encode: RecordJson; columns: string[] } | undefined {
  const size = btf.trySizeOf(typeId);
  if (size === undefined) return undefined;
  const f = new Flattener(btf, size);
  let columns: string[] = [];
  try {
    if (asRow) columns = f.row(typeId);
    else f.walk(typeId, 0, 0);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  const ops = f.ops;
  const pre = ops.map((op) => ascii(op.pre));
  const names = ops.map((op) => (op.names ? new Map([...op.names].map(([k, v]) => [k, ascii(v)])) : undefined));
  const suffix = ascii(f.pending);
  const encode: RecordJson = (sink, mem, base, len) => {
    if (len < size) return false;
    const v = mem.view;
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
          int64(sink, v.getUint32(off + 4, true), v.getUint32(off, true), false);
          break;
        case K.I64:
          int64(sink, v.getInt32(off + 4, true), v.getUint32(off, true), true);
          break;
        case K.BOOL:
          sink.bytes(anyNonZero(mem.bytes, off, op.n) ? TRUE : FALSE);
          break;
        case K.ENUM:
          enumJson(sink, v, off, op.n, names[i]!);
          break;
        case K.F32:
          floatJson(sink, v.getFloat32(off, true));
          break;
        case K.F64:
          floatJson(sink, v.getFloat64(off, true));
          break;
        case K.PTR:
          ptrJson(sink, v.getUint32(off + 4, true), v.getUint32(off, true));
          break;
        case K.CHARS:
          charsJson(sink, mem.bytes, off, op.n);
          break;
      }
    }
    sink.bytes(suffix);
    return true;
  };
  return { encode, columns };
}

const TRUE = ascii('true');
const FALSE = ascii('false');
const QUOTE = 0x22;

/** decode-scalar's intValue: a number when exact, else the decimal string. */
function int64(sink: JsonSink, hi: number, lo: number, signed: boolean): void {
  const n = hi * 4294967296 + lo;
  if (Number.isSafeInteger(n)) return sink.int(n);
  const big = (BigInt(hi) << 32n) | BigInt(lo);
  sink.string(`"${(signed ? BigInt.asIntN(64, big) : BigInt.asUintN(64, big)).toString()}"`);
}

function anyNonZero(bytes: Uint8Array, off: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (bytes[off + i] !== 0) return true;
  return false;
}

function enumJson(sink: JsonSink, v: DataView, off: number, n: number, names: Map<number, Uint8Array>): void {
  let x: number;
  switch (n) {
    case 1:
      x = v.getUint8(off);
      break;
    case -1:
      x = v.getInt8(off);
      break;
    case 2:
      x = v.getUint16(off, true);
      break;
    case -2:
      x = v.getInt16(off, true);
      break;
    case 4:
      x = v.getUint32(off, true);
      break;
    default:
      x = v.getInt32(off, true);
      break;
  }
  const name = names.get(x);
  if (name) sink.bytes(name);
  else sink.int(x);
}

function floatJson(sink: JsonSink, x: number): void {
  if (Number.isSafeInteger(x)) sink.int(x);
  else sink.string(Number.isFinite(x) ? JSON.stringify(x) : `"${String(x)}"`);
}

function ptrJson(sink: JsonSink, hi: number, lo: number): void {
  sink.string(hi ? `"0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}"` : `"0x${lo.toString(16)}"`);
}

/** cString as JSON; plain printable ASCII (comm, most paths) is copied byte for byte. */
function charsJson(sink: JsonSink, b: Uint8Array, off: number, n: number): void {
  let end = off;
  const stop = off + n;
  for (; end < stop; end++) {
    const c = b[end]!;
    if (c === 0) break;
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c)
      return sink.string(JSON.stringify(cString(b.subarray(off, stop))));
  }
  sink.byte(QUOTE);
  sink.copy(b, off, end - off);
  sink.byte(QUOTE);
}
