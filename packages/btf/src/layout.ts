import type { Btf } from './btf.js';
import type { BtfMember, BtfType } from './btf-types.js';
import { safeTypeName as safeName } from './c-type.js';
import type { LayoutNode, RecordLayout } from '@bpfplay/protocol';

/**
 * A record type's layout for binary events (protocol record-layout.ts): the client decodes the raw
 * bytes with it and must get exactly what @bpfplay/btf decodeValue gives. So this walks the BTF the
 * way decodeValue's Decoder does, case by case, with the same depth counting (a type nested deeper
 * than 64 levels is "nested too deeply" at the same place), and turns every static failure
 * (no size, odd bit offset, bitfield of a struct) into an `unknown` node carrying decodeValue's
 * own message. apps/agent/test/stream/btf-layout.test.ts checks the equality on random bytes.
 */
export function recordLayout(btf: Btf, typeId: number): RecordLayout {
  const typeName = safeName(btf, typeId);
  const size = btf.trySizeOf(typeId);
  if (size === undefined)
    return {
      typeName,
      size: 0,
      root: { k: 'unknown', off: 0, reason: `${typeName} has no size; it cannot be decoded` },
    };
  return { typeName, size, root: new Builder(btf).at(typeId, 0) };
}

const MAX_DEPTH = 64;

class Builder {
  constructor(private readonly btf: Btf) {}

  /** The node for type `id` at offset 0 of its parent's frame, `depth` levels down (as Decoder.at counts). */
  at(id: number, depth: number): LayoutNode {
    const t = this.btf.type(id);
    const size = this.btf.trySizeOf(id);
    if (depth > MAX_DEPTH) return { k: 'unknown', off: 0, size: size ?? 0, reason: 'nested too deeply' };
    switch (t.kind) {
      case 'typedef':
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
      case 'var':
        return this.at(t.type, depth + 1);
      case 'int':
        if (t.bits !== t.size * 8 || t.bitOffset !== 0)
          return { k: 'bits', bit: t.bitOffset, bits: t.bits, signed: t.signed, ...(t.bool ? { bool: true } : {}) };
        if (t.bool) return { k: 'int', off: 0, size: t.size, signed: false, bool: true };
        return { k: 'int', off: 0, size: t.size, signed: t.signed };
      case 'enum':
      case 'enum64':
        return { k: 'enum', off: 0, size: t.size, signed: t.signed, names: enumNames(t.values) };
      case 'float':
        if (t.size === 4 || t.size === 8) return { k: 'float', off: 0, size: t.size };
        return { k: 'unknown', off: 0, size: t.size, reason: `${t.size}-byte floats are not supported` };
      case 'ptr':
        return { k: 'ptr', off: 0 };
      case 'array':
        return this.array(t.type, t.nelems, depth);
      case 'struct':
      case 'union': {
        const fields: { name: string; node: LayoutNode }[] = [];
        this.members(t.members, 0, depth, fields);
        return { k: 'struct', off: 0, fields };
      }
      case 'datasec': {
        const fields = t.vars.map((v) => ({
          name: this.btf.nameOf(v.type) || `[${v.type}]`,
          node: at(this.at(v.type, depth + 1), v.offset),
        }));
        return { k: 'struct', off: 0, fields };
      }
      default:
        return {
          k: 'unknown',
          off: 0,
          size: size ?? 0,
          reason: `${t.name ? `${t.kind} ${t.name}` : t.kind} has no value to decode`,
        };
    }
  }

  private array(elemId: number, n: number, depth: number): LayoutNode {
    if (this.isPlainChar(elemId)) return { k: 'chars', off: 0, n };
    const stride = this.btf.trySizeOf(elemId);
    if (stride === undefined)
      return { k: 'unknown', off: 0, size: 0, reason: `array of ${safeName(this.btf, elemId)}, which has no size` };
    return { k: 'array', off: 0, n, stride, elem: this.at(elemId, depth + 1) };
  }

  /** decodeValue's rule: only `char` (through const/volatile/type_tag, not typedefs) arrays are text. */
  private isPlainChar(id: number): boolean {
    let t: BtfType = this.btf.type(id);
    while (t.kind === 'const' || t.kind === 'volatile' || t.kind === 'type_tag') t = this.btf.type(t.type);
    return t.kind === 'int' && t.size === 1 && t.name === 'char';
  }

  /** Members into `into`, anonymous structs/unions flattened with their offset (`bitBase`, in bits). */
  private members(
    members: BtfMember[],
    bitBase: number,
    depth: number,
    into: { name: string; node: LayoutNode }[],
  ): void {
    for (const m of members) {
      const mt = this.btf.resolve(m.type);
      if (m.name === '') {
        if (mt.kind === 'struct' || mt.kind === 'union')
          this.members(mt.members, bitBase + m.bitOffset, depth + 1, into);
        continue;
      }
      into.push({ name: m.name, node: this.member(m, mt, bitBase, depth) });
    }
  }

  private member(m: BtfMember, mt: BtfType, bitBase: number, depth: number): LayoutNode {
    const oldStyle = mt.kind === 'int' && (mt.bits !== mt.size * 8 || mt.bitOffset !== 0);
    if (m.bitfieldSize === 0 && !oldStyle) {
      if (m.bitOffset % 8 !== 0)
        return {
          k: 'unknown',
          off: 0,
          size: 0,
          reason: `member ${m.name} is at bit ${m.bitOffset}, not on a byte boundary`,
        };
      // An anonymous parent at a bit offset that is not whole bytes: decodeValue would read at a
      // fractional offset; no compiler lays out structs that way.
      return at(this.at(m.type, depth + 1), (bitBase + m.bitOffset) / 8);
    }
    const bit = bitBase + m.bitOffset + (mt.kind === 'int' ? mt.bitOffset : 0);
    const bits = m.bitfieldSize || (mt.kind === 'int' ? mt.bits : 0);
    if (mt.kind === 'int') return { k: 'bits', bit, bits, signed: mt.signed, ...(mt.bool ? { bool: true } : {}) };
    if (mt.kind === 'enum' || mt.kind === 'enum64')
      return { k: 'bits', bit, bits, signed: mt.signed, names: enumNames(mt.values) };
    return { k: 'unknown', off: 0, size: 0, reason: `bitfield ${m.name} of ${mt.kind} cannot be decoded` };
  }
}

/** Value (decimal) → name; of two enumerators with one value the first declared wins, as in decodeValue. */
function enumNames(values: { name: string; value: number | bigint }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of values) {
    const k = BigInt(e.value).toString();
    if (!Object.hasOwn(out, k)) out[k] = e.name;
  }
  return out;
}

/** The same node moved `off` bytes into its parent (bit nodes move by bits). */
function at(node: LayoutNode, off: number): LayoutNode {
  if (off === 0) return node;
  if (node.k === 'bits') return { ...node, bit: node.bit + off * 8 };
  return { ...node, off: node.off + off };
}
