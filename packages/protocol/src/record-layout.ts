import { z } from 'zod';
import type { Value } from './common';

/**
 * How to turn a ring buffer record's raw bytes into a `Value`, for clients that take binary events
 * (RunOptions.eventFormat 'binary'). The agent derives it once per source from the object's BTF
 * and sends it in the `schema` frame; the client then decodes every record with `decodeRecord`,
 * giving exactly the value the agent's own BTF decoder (@bpfplay/btf decodeValue) would have sent
 * as JSON: integers that do not fit a double exactly as decimal strings, enums by name (the first
 * enumerator declared with that value; unknown values as numbers), `char` arrays as C strings
 * (`\xNN` for bytes that are not printable or valid UTF-8, `\\` for a backslash), pointers as
 * `0x…`, non-finite floats as "NaN"/"Infinity", anonymous struct members flattened into their
 * parent, and whatever cannot be decoded as `{ $hex, $error }`.
 *
 * Offsets (`off`, in bytes; `bit`, in bits) are relative to the enclosing node's start: a struct's
 * fields to the struct, an array's element to the element (which sits at `off + i * stride`).
 */
export type LayoutNode =
  /** Little-endian integer of `size` bytes; `bool`: true when any byte is non-zero. */
  | { k: 'int'; off: number; size: number; signed: boolean; bool?: boolean }
  /**
   * A bitfield: `bits` bits from bit `bit` (LE bit numbering). With `names` it is an enum bitfield;
   * with `bool` a _Bool one.
   */
  | { k: 'bits'; bit: number; bits: number; signed: boolean; bool?: boolean; names?: Record<string, string> }
  /** An enum of `size` bytes; `names` maps the decimal value to the enumerator's name. */
  | { k: 'enum'; off: number; size: number; signed: boolean; names: Record<string, string> }
  | { k: 'float'; off: number; size: 4 | 8 }
  /** A 64-bit pointer, shown as `0x…` hex. */
  | { k: 'ptr'; off: number }
  /** A `char[n]` array, shown as a C string. */
  | { k: 'chars'; off: number; n: number }
  | { k: 'array'; off: number; n: number; stride: number; elem: LayoutNode }
  /** Fields in declaration order; a repeated name keeps its first position and its last value. */
  | { k: 'struct'; off: number; fields: { name: string; node: LayoutNode }[] }
  /**
   * Not decodable: `{ $hex: the node's bytes, $error: reason }`; `size` absent = to the record's end.
   */
  | { k: 'unknown'; off: number; size?: number; reason: string };

const nat = z.number().int().nonnegative();
const names = z.record(z.string(), z.string());

export const LayoutNode: z.ZodType<LayoutNode> = z.lazy(() =>
  z.discriminatedUnion('k', [
    z.object({ k: z.literal('int'), off: nat, size: z.number().int().min(1).max(16), signed: z.boolean(), bool: z.boolean().optional() }),
    z.object({ k: z.literal('bits'), bit: nat, bits: z.number().int().min(0).max(128), signed: z.boolean(), bool: z.boolean().optional(), names: names.optional() }),
    z.object({ k: z.literal('enum'), off: nat, size: z.number().int().min(1).max(8), signed: z.boolean(), names }),
    z.object({ k: z.literal('float'), off: nat, size: z.union([z.literal(4), z.literal(8)]) }),
    z.object({ k: z.literal('ptr'), off: nat }),
    z.object({ k: z.literal('chars'), off: nat, n: nat }),
    z.object({ k: z.literal('array'), off: nat, n: nat, stride: nat, elem: LayoutNode }),
    z.object({ k: z.literal('struct'), off: nat, fields: z.array(z.object({ name: z.string(), node: LayoutNode })) }),
    z.object({ k: z.literal('unknown'), off: nat, size: nat.optional(), reason: z.string() }),
  ]),
);

/**
 * A source's record layout. `size` is the record type's size: a record shorter than that is not
 * decoded at all (its bytes come back with the reason), a longer one is decoded from its start.
 */
export const RecordLayout = z.object({
  /** The C type, e.g. `struct event`, as the reason for a short record names it. */
  typeName: z.string(),
  size: nat,
  root: LayoutNode,
});
export type RecordLayout = z.infer<typeof RecordLayout>;

/** Records from a source without a layout (no record type known): their bytes, as the agent sends them. */
export function hexValue(bytes: Uint8Array): Value {
  return { $hex: toHex(bytes) };
}

/** Decode one record's bytes (the whole record, as it came) with its source's layout. */
export function decodeRecord(layout: RecordLayout | undefined, bytes: Uint8Array): Value {
  if (!layout) return hexValue(bytes);
  if (bytes.length < layout.size) return shortRecord(layout, bytes);
  return new Reader(bytes).node(layout.root, 0);
}

/** The columns of the row form: the record's top-level field names, or `value` for a non-struct record. */
export function layoutColumns(layout: RecordLayout | undefined): string[] {
  if (!layout || layout.root.k !== 'struct') return ['value'];
  return [...new Set(layout.root.fields.map((f) => f.name))];
}

/**
 * One record as a row, its values in `layoutColumns` order (as the agent's `eventRows` form): a
 * record shorter than its type has the explanation in its first column and null in the others.
 */
export function decodeRow(layout: RecordLayout | undefined, bytes: Uint8Array, columns = layoutColumns(layout)): Value[] {
  if (!layout || layout.root.k !== 'struct') return [decodeRecord(layout, bytes)];
  if (bytes.length < layout.size) return [shortRecord(layout, bytes), ...columns.slice(1).map(() => null)];
  const v = new Reader(bytes).node(layout.root, 0) as Record<string, Value>;
  return columns.map((c) => v[c] ?? null);
}

function shortRecord(layout: RecordLayout, bytes: Uint8Array): Value {
  return undecodable(bytes, `${bytes.length} bytes, but ${layout.typeName} needs ${layout.size}; the record is shorter than its BTF type`);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

function undecodable(bytes: Uint8Array, why: string): Value {
  return { $hex: toHex(bytes), $error: why };
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A number when exact, else the decimal string. */
function intValue(v: bigint): Value {
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A char array as text, the agent's rule: stop at the first NUL, keep valid UTF-8, show other
 * non-printable bytes as `\xNN` and a backslash as `\\`.
 */
export function cString(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0) break;
    if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else {
      const n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      const seq = n ? bytes.subarray(i, i + n) : undefined;
      let ch: string | undefined;
      if (seq && seq.length === n && !seq.includes(0)) {
        try {
          ch = strictUtf8.decode(seq);
        } catch {
          ch = undefined;
        }
      }
      if (ch !== undefined) {
        out += ch;
        i += n - 1;
      } else out += `\\x${HEX[b]}`;
    }
  }
  return out;
}

/** Walks a layout over one record. Reads past the record's end give the "outside" explanation, never an exception. */
class Reader {
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fits(off: number, size: number): boolean {
    return off + size <= this.bytes.length;
  }

  node(n: LayoutNode, base: number): Value {
    switch (n.k) {
      case 'int': {
        const off = base + n.off;
        if (!this.fits(off, n.size)) return this.outside(off, n.size);
        if (n.bool) {
          for (let i = 0; i < n.size; i++) if (this.bytes[off + i] !== 0) return true;
          return false;
        }
        return this.int(off, n.size, n.signed);
      }
      case 'bits': {
        const bit = base * 8 + n.bit;
        if (n.bits === 0 || bit + n.bits > this.bytes.length * 8) return undecodable(new Uint8Array(0), `bitfield of ${n.bits} bits at bit ${bit} is outside the buffer`);
        const v = this.readBits(bit, n.bits, n.signed);
        if (n.names) return n.names[v.toString()] ?? intValue(v);
        return n.bool ? v !== 0n : intValue(v);
      }
      case 'enum': {
        const off = base + n.off;
        if (!this.fits(off, n.size)) return this.outside(off, n.size);
        const v = n.size <= 4 ? this.small(off, n.size, n.signed) : this.big(off, n.size, n.signed);
        const name = n.names[String(v)];
        return name ?? (typeof v === 'number' ? v : intValue(v));
      }
      case 'float': {
        const off = base + n.off;
        if (!this.fits(off, n.size)) return this.outside(off, n.size);
        const x = n.size === 4 ? this.view.getFloat32(off, true) : this.view.getFloat64(off, true);
        return Number.isFinite(x) ? x : String(x);
      }
      case 'ptr': {
        const off = base + n.off;
        if (!this.fits(off, 8)) return this.outside(off, 8);
        const hi = this.view.getUint32(off + 4, true);
        const lo = this.view.getUint32(off, true);
        return hi ? `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}` : `0x${lo.toString(16)}`;
      }
      case 'chars': {
        const off = base + n.off;
        return cString(this.bytes.subarray(off, off + n.n));
      }
      case 'array': {
        const out: Value[] = [];
        const start = base + n.off;
        for (let i = 0; i < n.n; i++) out.push(this.node(n.elem, start + i * n.stride));
        return out;
      }
      case 'struct': {
        const obj: { [k: string]: Value } = {};
        const start = base + n.off;
        for (const f of n.fields) obj[f.name] = this.node(f.node, start);
        return obj;
      }
      case 'unknown': {
        const off = base + n.off;
        return undecodable(this.bytes.subarray(off, n.size === undefined ? undefined : off + n.size), n.reason);
      }
    }
  }

  private outside(off: number, size: number): Value {
    return undecodable(this.bytes.subarray(off), `short buffer: ${size} bytes needed at offset ${off}`);
  }

  private small(off: number, size: number, signed: boolean): number {
    const v = this.view;
    switch (size) {
      case 1: return signed ? v.getInt8(off) : v.getUint8(off);
      case 2: return signed ? v.getInt16(off, true) : v.getUint16(off, true);
      case 4: return signed ? v.getInt32(off, true) : v.getUint32(off, true);
      default: return Number(this.big(off, size, signed));
    }
  }

  private big(off: number, size: number, signed: boolean): bigint {
    let u = 0n;
    for (let i = size - 1; i >= 0; i--) u = (u << 8n) | BigInt(this.bytes[off + i]!);
    return signed ? BigInt.asIntN(size * 8, u) : u;
  }

  private int(off: number, size: number, signed: boolean): Value {
    if (size === 1 || size === 2 || size === 4) return this.small(off, size, signed);
    if (size === 8) {
      const hi = signed ? this.view.getInt32(off + 4, true) : this.view.getUint32(off + 4, true);
      const n = hi * 4294967296 + this.view.getUint32(off, true);
      if (Number.isSafeInteger(n)) return n;
    }
    return intValue(this.big(off, size, signed));
  }

  private readBits(bitOff: number, bits: number, signed: boolean): bigint {
    const first = Math.floor(bitOff / 8);
    const last = Math.ceil((bitOff + bits) / 8);
    const word = this.big(first, last - first, false);
    const v = (word >> BigInt(bitOff - first * 8)) & ((1n << BigInt(bits)) - 1n);
    return signed ? BigInt.asIntN(bits, v) : v;
  }
}
