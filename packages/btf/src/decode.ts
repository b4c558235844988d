/**
 * BTF-typed bytes -> the protocol's `Value`: what a ring buffer record or a map entry means, for a person.
 * Typedefs, const/volatile and type tags are transparent; anonymous struct/union members are flattened
 * into their parent (as C lets you name them); anything that cannot be decoded becomes
 * `{ $hex, $error }` in place, so one bad field never hides the rest of the record.
 */
import type { Value } from '@bpfplay/protocol';
import type { Btf } from './btf.js';
import { POINTER_SIZE } from './btf.js';
import { safeTypeName as safeName } from './c-type.js';
import type { BtfEnum, BtfEnum64, BtfInt, BtfMember, BtfType } from './btf-types.js';
import { cString, intValue, readBits, readInt, readUint, undecodable } from './decode-scalar.js';

export function decodeValue(btf: Btf, typeId: number, bytes: Uint8Array, offset = 0): Value {
  const size = btf.trySizeOf(typeId);
  const available = bytes.length - offset;
  if (size === undefined)
    return undecodable(bytes.subarray(offset), `${safeName(btf, typeId)} has no size; it cannot be decoded`);
  if (available < size) {
    return undecodable(
      bytes.subarray(offset),
      `${available} bytes, but ${safeName(btf, typeId)} needs ${size}; the record is shorter than its BTF type`,
    );
  }
  return new Decoder(btf, bytes).at(typeId, offset, 0);
}

/** Nesting guard: BTF can describe a type that contains itself only through pointers, but be defensive. */
const MAX_DEPTH = 64;

class Decoder {
  private readonly view: DataView;

  constructor(
    private readonly btf: Btf,
    private readonly bytes: Uint8Array,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  at(id: number, off: number, depth: number): Value {
    const t = this.btf.type(id);
    const size = this.btf.trySizeOf(id);
    if (size !== undefined && off + size > this.bytes.length) {
      return undecodable(
        this.bytes.subarray(off),
        `short buffer: ${safeName(this.btf, id)} needs ${size} bytes at offset ${off}`,
      );
    }
    if (depth > MAX_DEPTH) return undecodable(this.slice(off, size ?? 0), 'nested too deeply');
    switch (t.kind) {
      case 'typedef':
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
      case 'var':
        return this.at(t.type, off, depth + 1);
      case 'int':
        if (t.bits !== t.size * 8 || t.bitOffset !== 0) return this.intFromBits(t, off * 8 + t.bitOffset, t.bits);
        if (t.bool) return this.bytes.subarray(off, off + t.size).some((b) => b !== 0);
        return this.int(off, t.size, t.signed);
      case 'enum':
      case 'enum64':
        return enumValue(t, readInt(this.bytes, off, t.size, t.signed));
      case 'float':
        return this.float(t.size, off);
      case 'ptr':
        return `0x${readUint(this.bytes, off, POINTER_SIZE).toString(16)}`;
      case 'array':
        return this.array(t.type, t.nelems, off, depth);
      case 'struct':
      case 'union': {
        const obj: { [k: string]: Value } = {};
        this.members(t.members, off, depth, obj);
        return obj;
      }
      case 'datasec': {
        const obj: { [k: string]: Value } = {};
        for (const v of t.vars)
          obj[this.btf.nameOf(v.type) || `[${v.type}]`] = this.at(v.type, off + v.offset, depth + 1);
        return obj;
      }
      default:
        return undecodable(this.slice(off, size ?? 0), `${describeKind(t)} has no value to decode`);
    }
  }

  /** Plain numbers for up to 32 bits (no BigInt on the hot path of a busy ring buffer). */
  private int(off: number, size: number, signed: boolean): Value {
    const v = this.view;
    switch (size) {
      case 1:
        return signed ? v.getInt8(off) : v.getUint8(off);
      case 2:
        return signed ? v.getInt16(off, true) : v.getUint16(off, true);
      case 4:
        return signed ? v.getInt32(off, true) : v.getUint32(off, true);
      case 8:
        return intValue(signed ? v.getBigInt64(off, true) : v.getBigUint64(off, true));
      default:
        return intValue(readInt(this.bytes, off, size, signed));
    }
  }

  private slice(off: number, size: number): Uint8Array {
    return this.bytes.subarray(off, off + size);
  }

  private float(size: number, off: number): Value {
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + off, size);
    const x = size === 4 ? v.getFloat32(0, true) : size === 8 ? v.getFloat64(0, true) : undefined;
    if (x === undefined) return undecodable(this.slice(off, size), `${size}-byte floats are not supported`);
    return Number.isFinite(x) ? x : String(x);
  }

  private array(elemId: number, n: number, off: number, depth: number): Value {
    if (this.isPlainChar(elemId)) return cString(this.slice(off, n));
    const elemSize = this.btf.trySizeOf(elemId);
    if (elemSize === undefined)
      return undecodable(new Uint8Array(0), `array of ${safeName(this.btf, elemId)}, which has no size`);
    const out: Value[] = [];
    for (let i = 0; i < n; i++) out.push(this.at(elemId, off + i * elemSize, depth + 1));
    return out;
  }

  /**
   * Only `char` (and const/volatile char) arrays are text. `unsigned char`/`__u8` arrays are usually bytes
   * (addresses, hashes), so they stay arrays of numbers.
   */
  private isPlainChar(id: number): boolean {
    let t: BtfType = this.btf.type(id);
    while (t.kind === 'const' || t.kind === 'volatile' || t.kind === 'type_tag') t = this.btf.type(t.type);
    return t.kind === 'int' && t.size === 1 && t.name === 'char';
  }

  private members(members: BtfMember[], off: number, depth: number, into: { [k: string]: Value }): void {
    for (const m of members) {
      const mt = this.btf.resolve(m.type);
      if (m.name === '') {
        // Anonymous struct/union: its members belong to the parent. Unnamed bitfields are padding.
        if (mt.kind === 'struct' || mt.kind === 'union')
          this.members(mt.members, off + m.bitOffset / 8, depth + 1, into);
        continue;
      }
      into[m.name] = this.member(m, mt, off, depth);
    }
  }

  private member(m: BtfMember, mt: BtfType, off: number, depth: number): Value {
    const oldStyle = mt.kind === 'int' && (mt.bits !== mt.size * 8 || mt.bitOffset !== 0);
    if (m.bitfieldSize === 0 && !oldStyle) {
      if (m.bitOffset % 8 !== 0)
        return undecodable(new Uint8Array(0), `member ${m.name} is at bit ${m.bitOffset}, not on a byte boundary`);
      return this.at(m.type, off + m.bitOffset / 8, depth + 1);
    }
    // Bitfield, modern encoding (size in the member, kind_flag) or old (offset and width in the INT).
    const bitOff = off * 8 + m.bitOffset + (mt.kind === 'int' ? mt.bitOffset : 0);
    const bits = m.bitfieldSize || (mt.kind === 'int' ? mt.bits : 0);
    if (mt.kind === 'int') return this.intFromBits(mt, bitOff, bits);
    if (mt.kind === 'enum' || mt.kind === 'enum64') return enumValue(mt, readBits(this.bytes, bitOff, bits, mt.signed));
    return undecodable(new Uint8Array(0), `bitfield ${m.name} of ${mt.kind} cannot be decoded`);
  }

  private intFromBits(t: BtfInt, bitOff: number, bits: number): Value {
    if (bits === 0 || bitOff + bits > this.bytes.length * 8)
      return undecodable(new Uint8Array(0), `bitfield of ${bits} bits at bit ${bitOff} is outside the buffer`);
    const v = readBits(this.bytes, bitOff, bits, t.signed);
    return t.bool ? v !== 0n : intValue(v);
  }
}

function enumValue(t: BtfEnum | BtfEnum64, v: bigint): Value {
  for (const e of t.values) if (BigInt(e.value) === v) return e.name;
  return intValue(v);
}

function describeKind(t: BtfType): string {
  return t.name ? `${t.kind} ${t.name}` : t.kind;
}
