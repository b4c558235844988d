import type { Value } from '../common';
import type { LayoutNode, RecordLayout } from './layout';
import { cString, intValue, toHex, undecodable } from './scalars';

/**
 * A record layout compiled into closures, one per node, so decoding a record is a walk over
 * prepared functions instead of a switch over the layout. Records of one binary frame share the
 * frame's ArrayBuffer, so the DataView over it is made once per frame, not once per record.
 * Measured on the 2-core bench machine for bench/bpf/burst.bpf.c's 40-byte record: ~0.3 µs a
 * record (the interpreter this replaced: ~0.5-0.7 µs).
 *
 * Positions inside a Read are absolute in that buffer; messages give them relative to the record.
 */
export interface Ctx {
  all: Uint8Array;
  view: DataView;
  /** The record is all[start, end). */
  start: number;
  end: number;
}

export type Read = (c: Ctx, base: number) => Value;

let last: Ctx | undefined;

/** The context for one record, reusing the view of the previous record's buffer when it is the same. */
export function ctxFor(bytes: Uint8Array): Ctx {
  const buf = bytes.buffer;
  if (!last || last.all.buffer !== buf) last = { all: new Uint8Array(buf), view: new DataView(buf), start: 0, end: 0 };
  last.start = bytes.byteOffset;
  last.end = bytes.byteOffset + bytes.length;
  return last;
}

/** Character codes of the string being read, reused (no array per string). */
const codes: number[] = [];

/** Plain printable ASCII (comm, most paths) straight from the bytes; anything else the full rule. */
function chars(all: Uint8Array, from: number, to: number): string {
  let end = from;
  for (; end < to; end++) {
    const b = all[end]!;
    if (b === 0) break;
    if (b < 0x20 || b > 0x7e || b === 0x5c) return cString(all.subarray(from, to));
  }
  const n = end - from;
  if (n > 64) return latin1.decode(all.subarray(from, end));
  codes.length = n;
  for (let i = 0; i < n; i++) codes[i] = all[from + i]!;
  return String.fromCharCode.apply(null, codes);
}
const latin1 = new TextDecoder('latin1');

function outside(c: Ctx, at: number, size: number): Value {
  return undecodable(c.all.subarray(at, c.end), `short buffer: ${size} bytes needed at offset ${at - c.start}`);
}

function big(all: Uint8Array, at: number, size: number, signed: boolean): bigint {
  let u = 0n;
  for (let i = size - 1; i >= 0; i--) u = (u << 8n) | BigInt(all[at + i]!);
  return signed ? BigInt.asIntN(size * 8, u) : u;
}

function small(v: DataView, at: number, size: number, signed: boolean): number {
  switch (size) {
    case 1:
      return signed ? v.getInt8(at) : v.getUint8(at);
    case 2:
      return signed ? v.getInt16(at, true) : v.getUint16(at, true);
    default:
      return signed ? v.getInt32(at, true) : v.getUint32(at, true);
  }
}

function int(size: number, signed: boolean): (c: Ctx, at: number) => Value {
  if (size === 1 || size === 2 || size === 4) return (c, at) => small(c.view, at, size, signed);
  if (size === 8) {
    return (c, at) => {
      const hi = signed ? c.view.getInt32(at + 4, true) : c.view.getUint32(at + 4, true);
      const n = hi * 4294967296 + c.view.getUint32(at, true);
      return Number.isSafeInteger(n) ? n : intValue(big(c.all, at, 8, signed));
    };
  }
  return (c, at) => intValue(big(c.all, at, size, signed));
}

/**
 * Compile a layout node; its reader takes the absolute position of the node's frame. Values are
 * always the plain rules' (raw): a node's formatter (`fmt`) gives the readable form shown beside
 * it (shown.ts), never in its place.
 */
export function compileNode(n: LayoutNode): Read {
  switch (n.k) {
    case 'int': {
      const { off, size } = n;
      if (n.bool) {
        return (c, base) => {
          const at = base + off;
          if (at + size > c.end) return outside(c, at, size);
          for (let i = 0; i < size; i++) if (c.all[at + i] !== 0) return true;
          return false;
        };
      }
      const read = int(size, n.signed);
      return (c, base) => {
        const at = base + off;
        return at + size > c.end ? outside(c, at, size) : read(c, at);
      };
    }
    case 'bits': {
      const { bit, bits, signed, names, bool } = n;
      return (c, base) => {
        const rel = (base - c.start) * 8 + bit;
        if (bits === 0 || rel + bits > (c.end - c.start) * 8)
          return undecodable(new Uint8Array(0), `bitfield of ${bits} bits at bit ${rel} is outside the buffer`);
        const first = Math.floor(rel / 8);
        const word = big(c.all, c.start + first, Math.ceil((rel + bits) / 8) - first, false);
        const u = (word >> BigInt(rel - first * 8)) & ((1n << BigInt(bits)) - 1n);
        const v = signed ? BigInt.asIntN(bits, u) : u;
        if (names) return names[v.toString()] ?? intValue(v);
        return bool ? v !== 0n : intValue(v);
      };
    }
    case 'enum': {
      const { off, size, signed, names } = n;
      return (c, base) => {
        const at = base + off;
        if (at + size > c.end) return outside(c, at, size);
        if (size === 1 || size === 2 || size === 4) {
          const v = small(c.view, at, size, signed);
          return names[v] ?? v;
        }
        const v = big(c.all, at, size, signed);
        return names[v.toString()] ?? intValue(v);
      };
    }
    case 'float': {
      const { off, size } = n;
      return (c, base) => {
        const at = base + off;
        if (at + size > c.end) return outside(c, at, size);
        const x = size === 4 ? c.view.getFloat32(at, true) : c.view.getFloat64(at, true);
        return Number.isFinite(x) ? x : String(x);
      };
    }
    case 'ptr': {
      const { off } = n;
      return (c, base) => {
        const at = base + off;
        if (at + 8 > c.end) return outside(c, at, 8);
        const hi = c.view.getUint32(at + 4, true);
        const lo = c.view.getUint32(at, true);
        return hi ? `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}` : `0x${lo.toString(16)}`;
      };
    }
    case 'chars': {
      const { off, n: len } = n;
      return (c, base) => {
        const at = Math.min(base + off, c.end);
        return chars(c.all, at, Math.min(at + len, c.end));
      };
    }
    case 'array': {
      const { off, n: count, stride } = n;
      const elem = compileNode(n.elem);
      return (c, base) => {
        const out: Value[] = new Array(count);
        const start = base + off;
        for (let i = 0; i < count; i++) out[i] = elem(c, start + i * stride);
        return out;
      };
    }
    case 'struct': {
      const { off } = n;
      const names = n.fields.map((f) => f.name);
      const reads = n.fields.map((f) => compileNode(f.node));
      // Every record of a struct gets its keys in one order: cloning a template object gives them
      // all one hidden class at once, cheaper than growing a fresh object key by key.
      const template: { [k: string]: Value } = {};
      for (const name of names) template[name] = null;
      return (c, base) => {
        const obj = { ...template };
        const start = base + off;
        for (let i = 0; i < reads.length; i++) obj[names[i]!] = reads[i]!(c, start);
        return obj;
      };
    }
    case 'unknown': {
      const { off, size, reason } = n;
      return (c, base) => {
        const at = Math.min(base + off, c.end);
        return undecodable(c.all.subarray(at, size === undefined ? c.end : Math.min(at + size, c.end)), reason);
      };
    }
  }
}

/** Records from a source without a layout (no record type known): their bytes, as the agent sends them. */
export function hexValue(bytes: Uint8Array): Value {
  return { $hex: toHex(bytes) };
}

/** Compiled once per layout object (a client keeps the one from the schema frame). */
const compiled = new WeakMap<RecordLayout, Read>();

function readerOf(layout: RecordLayout): Read {
  let r = compiled.get(layout);
  if (!r) compiled.set(layout, (r = compileNode(layout.root)));
  return r;
}

/** Decode one record's bytes (the whole record, as it came) with its source's layout. */
export function decodeRecord(layout: RecordLayout | undefined, bytes: Uint8Array): Value {
  if (!layout) return hexValue(bytes);
  if (bytes.length < layout.size) return shortRecord(layout, bytes);
  const c = ctxFor(bytes);
  return readerOf(layout)(c, c.start);
}

/** A table's columns for a layout's records: the record's top-level field names, or `value` for a non-struct record. */
export function layoutColumns(layout: RecordLayout | undefined): string[] {
  if (!layout || layout.root.k !== 'struct') return ['value'];
  return [...new Set(layout.root.fields.map((f) => f.name))];
}

function shortRecord(layout: RecordLayout, bytes: Uint8Array): Value {
  return undecodable(
    bytes,
    `${bytes.length} bytes, but ${layout.typeName} needs ${layout.size}; the record is shorter than its BTF type`,
  );
}
