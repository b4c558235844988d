import type { LayoutNode, RecordLayout } from '@bpfplay/protocol';
import { formatterFor, isStackArray, STACK_TAG, type FieldContext } from '@bpfplay/protocol/decoding';
import type { Btf } from './btf.js';
import type { BtfMember, BtfType } from './btf-types.js';
import { safeTypeName as safeName } from './c-type.js';

/**
 * A BTF type as the protocol's record layout (packages/protocol decode/layout.ts): the one decoding
 * model every decoder reads, the agent's own (decode.ts decodeValue, the JSON writer of busy rings)
 * and the clients' (binary frames). The walk turns every static problem (no size, odd bit offset,
 * bitfield of a struct, nesting deeper than 64 levels) into an `unknown` node carrying the reason
 * the user sees, and asks the protocol's formatters (decode/formatters.ts) for every field.
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
  return { typeName, size, root: new Builder(btf).at(typeId, 0, { name: '' }) };
}

const MAX_DEPTH = 64;

/** Where a type is used: the member (or variable) name, its struct and the struct's other members, for the formatters. */
interface Use {
  name: string;
  parent?: string;
  siblings?: readonly string[];
  /** The member carries BPFPLAY_STACK (decode/stacks.ts). */
  stackTag?: boolean;
}

class Builder {
  constructor(private readonly btf: Btf) {}

  /** The node for type `id` at offset 0 of its parent's frame, `depth` levels down, with its formatter. */
  at(id: number, depth: number, use: Use, types: string[] = []): LayoutNode {
    if (depth > MAX_DEPTH)
      return { k: 'unknown', off: 0, size: this.btf.trySizeOf(id) ?? 0, reason: 'nested too deeply' };
    const t = this.btf.type(id);
    // A typedef's name is what a formatter most often keys on (__be32, pid_t).
    if (t.kind === 'typedef') return this.at(t.type, depth + 1, use, [...types, t.name]);
    if (t.kind === 'var') return this.at(t.type, depth + 1, { name: t.name }, types);
    if (t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'type_tag')
      return this.at(t.type, depth + 1, use, types);
    const node = this.plain(t, id, depth, use);
    if (node.k === 'unknown') return node;
    const field: FieldContext = {
      name: use.name,
      ...(use.parent !== undefined ? { parent: use.parent } : {}),
      ...(use.siblings !== undefined ? { siblings: use.siblings } : {}),
      types: t.name ? [...types, t.name] : types,
      kind: node.k,
      size: node.k === 'bits' ? node.bits : (this.btf.trySizeOf(id) ?? 0),
      signed: 'signed' in node ? node.signed : false,
    };
    const fmt = formatterFor(field);
    return fmt === undefined ? node : { ...node, fmt };
  }

  /** The node by the plain rules, for a type that is not a typedef or qualifier. */
  private plain(t: BtfType, id: number, depth: number, use: Use): LayoutNode {
    const size = this.btf.trySizeOf(id);
    switch (t.kind) {
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
        return this.array(t.type, t.nelems, depth, use);
      case 'struct':
      case 'union': {
        const fields: { name: string; node: LayoutNode }[] = [];
        const names = memberNames(this.btf, t.members, depth);
        this.members(t.members, 0, depth, fields, { parent: t.name || use.name, names, compositeId: id });
        return { k: 'struct', off: 0, fields };
      }
      case 'datasec': {
        const fields = t.vars.map((v) => ({
          name: this.btf.nameOf(v.type) || `[${v.type}]`,
          node: at(this.at(v.type, depth + 1, { name: '' }), v.offset),
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

  private array(elemId: number, n: number, depth: number, use: Use): LayoutNode {
    if (this.isPlainChar(elemId)) return { k: 'chars', off: 0, n };
    const stride = this.btf.trySizeOf(elemId);
    if (stride === undefined)
      return { k: 'unknown', off: 0, size: 0, reason: `array of ${safeName(this.btf, elemId)}, which has no size` };
    // An element is not the member: a formatter for `saddr` applies to the array, not to each byte.
    const elem = this.at(elemId, depth + 1, { name: '', parent: use.name });
    const stack = isStackArray(use.name, elem, use.stackTag === true);
    return { k: 'array', off: 0, n, stride, elem, ...(stack ? { stack } : {}) };
  }

  /** Only `char` (through const/volatile/type_tag, not typedefs) arrays are text; `__u8[]` stays bytes. */
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
    scope: Scope,
  ): void {
    members.forEach((m, i) => {
      const mt = this.btf.resolve(m.type);
      if (m.name === '') {
        // Unnamed bitfields are padding. An anonymous struct's member indexes are its own: no tags looked up.
        if (mt.kind === 'struct' || mt.kind === 'union')
          this.members(mt.members, bitBase + m.bitOffset, depth + 1, into, {
            parent: scope.parent,
            names: scope.names,
          });
        return;
      }
      const stackTag = scope.compositeId !== undefined && this.btf.declTags(scope.compositeId, i).includes(STACK_TAG);
      into.push({ name: m.name, node: this.member(m, mt, bitBase, depth, scope, stackTag) });
    });
  }

  private member(
    m: BtfMember,
    mt: BtfType,
    bitBase: number,
    depth: number,
    scope: Scope,
    stackTag: boolean,
  ): LayoutNode {
    const parent = scope.parent;
    const siblings = scope.names.filter((n) => n !== m.name);
    const oldStyle = mt.kind === 'int' && (mt.bits !== mt.size * 8 || mt.bitOffset !== 0);
    if (m.bitfieldSize === 0 && !oldStyle) {
      if (m.bitOffset % 8 !== 0)
        return {
          k: 'unknown',
          off: 0,
          size: 0,
          reason: `member ${m.name} is at bit ${m.bitOffset}, not on a byte boundary`,
        };
      // An anonymous parent at a bit offset that is not whole bytes would be read at a fractional
      // offset; no compiler lays out structs that way.
      const use: Use = { name: m.name, parent, siblings, ...(stackTag ? { stackTag } : {}) };
      return at(this.at(m.type, depth + 1, use), (bitBase + m.bitOffset) / 8);
    }
    // Bitfield, modern encoding (size in the member, kind_flag) or old (offset and width in the INT).
    const bit = bitBase + m.bitOffset + (mt.kind === 'int' ? mt.bitOffset : 0);
    const bits = m.bitfieldSize || (mt.kind === 'int' ? mt.bits : 0);
    let node: LayoutNode;
    if (mt.kind === 'int') node = { k: 'bits', bit, bits, signed: mt.signed, ...(mt.bool ? { bool: true } : {}) };
    else if (mt.kind === 'enum' || mt.kind === 'enum64')
      node = { k: 'bits', bit, bits, signed: mt.signed, names: enumNames(mt.values) };
    else return { k: 'unknown', off: 0, size: 0, reason: `bitfield ${m.name} of ${mt.kind} cannot be decoded` };
    const fmt = formatterFor({
      name: m.name,
      parent,
      siblings,
      types: typeNames(this.btf, m.type),
      kind: 'bits',
      size: bits,
      signed: mt.signed,
    });
    return fmt === undefined ? node : { ...node, fmt };
  }
}

/** A struct's members as the formatters see them: its name and every member name, anonymous members' flattened in. */
interface Scope {
  parent: string;
  names: readonly string[];
  /** The struct's type id, for its members' decl tags (BPFPLAY_STACK). */
  compositeId?: number;
}

function memberNames(btf: Btf, members: BtfMember[], depth: number, into: string[] = []): string[] {
  for (const m of members) {
    if (m.name) into.push(m.name);
    else if (depth < MAX_DEPTH) {
      const mt = btf.resolve(m.type);
      if (mt.kind === 'struct' || mt.kind === 'union') memberNames(btf, mt.members, depth + 1, into);
    }
  }
  return into;
}

/** The names along a type's typedef chain, down to the base type's own name. */
function typeNames(btf: Btf, id: number): string[] {
  const out: string[] = [];
  for (let t = btf.type(id), n = 0; n < MAX_DEPTH; n++) {
    if (t.name) out.push(t.name);
    if (
      t.kind !== 'typedef' &&
      t.kind !== 'const' &&
      t.kind !== 'volatile' &&
      t.kind !== 'restrict' &&
      t.kind !== 'type_tag'
    )
      break;
    t = btf.type(t.type);
  }
  return out;
}

/** Value (decimal) → name; of two enumerators with one value the first declared wins. */
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
