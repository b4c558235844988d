import {
  KIND,
  BTF_KIND_NAMES,
  isModifierOrTypedef,
  type BtfKind,
  type BtfMember,
  type BtfType,
  type BtfTypeOf,
} from './btf-types.js';
import { StringTable } from './string-table.js';
import { materialize } from './btf-materialize.js';

const BTF_MAGIC = 0xeb9f;
/** Pointer size of the BPF target (and of every 64-bit kernel the playground runs on). */
export const POINTER_SIZE = 8;

export class BtfError extends Error {
  override name = 'BtfError';
}

export interface BtfParseOptions {
  /** Shown in messages, e.g. `vmlinux` or an uploaded file's name. */
  name?: string;
  /** Base BTF for split BTF (kernel modules: /sys/kernel/btf/<module> on top of vmlinux). */
  base?: Btf;
}

/**
 * Raw BTF: header, type section and string section. Parsing only records where each type starts (one pass
 * over the type section); a type becomes an object the first time someone asks for it, and the name index
 * is built on the first lookup by name. That keeps vmlinux (~5 MB, ~150k types) well under the 150 ms budget.
 */
export class Btf {
  readonly name: string;
  readonly base: Btf | undefined;
  readonly strings: StringTable;
  /** First type id defined by this BTF (1 + base's last id for split BTF, else 1). */
  readonly startId: number;
  private readonly view: DataView;
  private readonly offsets: Uint32Array;
  private readonly cache: (BtfType | undefined)[];
  private nameIndex: { heads: Map<string, number>; prev: Int32Array } | undefined;
  private tagIndex: Map<number, { componentIdx: number; value: string }[]> | undefined;
  private readonly strBase: number;

  static parse(bytes: Uint8Array, options: BtfParseOptions = {}): Btf {
    return new Btf(bytes, options);
  }

  private constructor(bytes: Uint8Array, options: BtfParseOptions) {
    this.name = options.name ?? 'BTF';
    this.base = options.base;
    const where = `BTF ${this.name}`;
    if (bytes.length < 24) throw new BtfError(`${where}: ${bytes.length} bytes is too short for a BTF header`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const magic = view.getUint16(0, true);
    if (magic !== BTF_MAGIC) {
      const hint = magic === 0x9feb ? ' (big-endian BTF is not supported)' : '';
      throw new BtfError(
        `${where}: bad magic 0x${magic.toString(16)}${hint}; expected raw BTF (0xeb9f), e.g. /sys/kernel/btf/vmlinux or an object's .BTF section`,
      );
    }
    const hdrLen = view.getUint32(4, true);
    const typeOff = hdrLen + view.getUint32(8, true);
    const typeLen = view.getUint32(12, true);
    const strOff = hdrLen + view.getUint32(16, true);
    const strLen = view.getUint32(20, true);
    if (typeOff + typeLen > bytes.length || strOff + strLen > bytes.length) {
      throw new BtfError(
        `${where}: sections run past the end of the data (${bytes.length} bytes); the file is truncated`,
      );
    }
    this.view = new DataView(bytes.buffer, bytes.byteOffset + typeOff, typeLen);
    this.strings = new StringTable(bytes.subarray(strOff, strOff + strLen));
    this.strBase = this.base ? this.base.strBase + this.base.strings.size : 0;
    this.startId = this.base ? this.base.typeCount : 1;
    this.offsets = scanTypeOffsets(this.view, where);
    this.cache = new Array<BtfType | undefined>(this.offsets.length);
  }

  /** Number of type ids including void (id 0) and the base's types, like libbpf's btf__type_cnt. */
  get typeCount(): number {
    return this.startId + this.offsets.length;
  }

  str(off: number): string {
    if (off < this.strBase && this.base) return this.base.str(off);
    return this.strings.get(off - this.strBase);
  }

  hasType(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.typeCount;
  }

  type(id: number): BtfType {
    if (id === 0) return { id: 0, name: '', kind: 'void' };
    if (id < this.startId) {
      if (this.base && id > 0) return this.base.type(id);
      throw new BtfError(`BTF ${this.name}: type id ${id} does not exist`);
    }
    const local = id - this.startId;
    const cached = this.cache[local];
    if (cached) return cached;
    const off = this.offsets[local];
    if (off === undefined)
      throw new BtfError(`BTF ${this.name}: type id ${id} does not exist (last id is ${this.typeCount - 1})`);
    const t = materialize(this.view, off, id, (o) => this.str(o));
    this.cache[local] = t;
    return t;
  }

  /** The type with `kind` checked; throws naming both kinds when it differs. */
  typeOfKind<K extends BtfKind>(id: number, kind: K): BtfTypeOf<K> {
    const t = this.type(id);
    if (t.kind !== kind) throw new BtfError(`BTF ${this.name}: type [${id}] is ${t.kind}, expected ${kind}`);
    return t as BtfTypeOf<K>;
  }

  /** Kind without building the type object (used by candidate scans over all of vmlinux). */
  kindOf(id: number): BtfKind {
    if (id === 0) return 'void';
    if (id < this.startId) return this.base ? this.base.kindOf(id) : 'void';
    const off = this.offsets[id - this.startId];
    if (off === undefined) throw new BtfError(`BTF ${this.name}: type id ${id} does not exist`);
    return BTF_KIND_NAMES[(this.view.getUint32(off + 4, true) >>> 24) & 0x1f] ?? 'void';
  }

  nameOf(id: number): string {
    if (id === 0) return '';
    if (id < this.startId) return this.base ? this.base.nameOf(id) : '';
    const off = this.offsets[id - this.startId];
    if (off === undefined) return '';
    return this.str(this.view.getUint32(off, true));
  }

  /** Ids of all types called `name` (optionally of one kind), in id order; base types first. */
  findByName(name: string, kind?: BtfKind): number[] {
    const { heads, prev } = this.ensureNameIndex();
    const own: number[] = [];
    for (let i = heads.get(name) ?? -1; i >= 0; i = prev[i]!) own.push(this.startId + i);
    own.reverse();
    const all = this.base ? [...this.base.findByName(name), ...own] : own;
    return kind === undefined ? all : all.filter((id) => this.kindOf(id) === kind);
  }

  /** Every distinct type name this BTF defines (not the base's), from the name index. */
  names(): IterableIterator<string> {
    return this.ensureNameIndex().heads.keys();
  }

  /** The first type called `name` of `kind`, or undefined. */
  find<K extends BtfKind>(name: string, kind: K): BtfTypeOf<K> | undefined {
    const id = this.findByName(name, kind)[0];
    return id === undefined ? undefined : (this.type(id) as BtfTypeOf<K>);
  }

  /** Skips typedef, const, volatile, restrict and type_tag (libbpf's skip_mods_and_typedefs). */
  resolve(id: number): BtfType {
    let t = this.type(id);
    for (let depth = 0; isModifierOrTypedef(t); depth++) {
      if (depth > 64) throw new BtfError(`BTF ${this.name}: typedef/modifier loop at [${id}]`);
      t = this.type(t.type);
    }
    return t;
  }

  /** Size in bytes of a type (libbpf's btf__resolve_size); throws for types without a size. */
  sizeOf(id: number): number {
    const size = this.trySizeOf(id);
    if (size === undefined) {
      const t = this.resolve(id);
      throw new BtfError(`BTF ${this.name}: type [${id}] (${t.kind}${t.name ? ` ${t.name}` : ''}) has no size`);
    }
    return size;
  }

  trySizeOf(id: number): number | undefined {
    let t = this.type(id);
    let mult = 1;
    for (let depth = 0; depth < 64; depth++) {
      switch (t.kind) {
        case 'int':
        case 'struct':
        case 'union':
        case 'enum':
        case 'enum64':
        case 'float':
        case 'datasec':
          return mult * t.size;
        case 'ptr':
          return mult * POINTER_SIZE;
        case 'array':
          mult *= t.nelems;
          t = this.type(t.type);
          break;
        case 'typedef':
        case 'volatile':
        case 'const':
        case 'restrict':
        case 'type_tag':
        case 'var':
          t = this.type(t.type);
          break;
        default:
          return undefined;
      }
    }
    return undefined;
  }

  /**
   * Values of the decl tags on a type, variable or function (`componentIdx` -1) or on one of its members or
   * parameters (`componentIdx` = member index), in BTF order. E.g. `["bpfplay.record:event"]`.
   */
  declTags(id: number, componentIdx = -1): string[] {
    const own = this.ensureTagIndex().get(id) ?? [];
    const mine = own.filter((t) => t.componentIdx === componentIdx).map((t) => t.value);
    return this.base && id < this.startId ? [...this.base.declTags(id, componentIdx), ...mine] : mine;
  }

  /** Decl tags of member `memberName` of a struct/union (anonymous members are searched too). */
  memberDeclTags(compositeId: number, memberName: string): string[] {
    const t = this.resolve(compositeId);
    if (t.kind !== 'struct' && t.kind !== 'union') return [];
    for (const [i, m] of t.members.entries()) {
      if (m.name === memberName) return this.declTags(t.id, i);
      if (m.name === '') {
        const inner = this.memberDeclTags(m.type, memberName);
        if (inner.length) return inner;
      }
    }
    return [];
  }

  /** All types this BTF defines (not the base's), in id order. */
  *types(): IterableIterator<BtfType> {
    for (let id = this.startId; id < this.typeCount; id++) yield this.type(id);
  }

  /** Members of a struct/union with anonymous struct/union members flattened into their parent. */
  flatMembers(id: number): BtfMember[] {
    const t = this.resolve(id);
    if (t.kind !== 'struct' && t.kind !== 'union') return [];
    const out: BtfMember[] = [];
    for (const m of t.members) {
      const mt = m.name === '' ? this.resolve(m.type) : undefined;
      if (mt && (mt.kind === 'struct' || mt.kind === 'union')) {
        for (const inner of this.flatMembers(mt.id)) out.push({ ...inner, bitOffset: inner.bitOffset + m.bitOffset });
      } else {
        out.push(m);
      }
    }
    return out;
  }

  /**
   * name -> last id with that name, plus a per-id link to the previous id of the same name: one Map entry
   * per distinct name and no per-name arrays (measured: ~35% faster than Map<string, number[]> on vmlinux).
   */
  private ensureNameIndex(): { heads: Map<string, number>; prev: Int32Array } {
    if (this.nameIndex) return this.nameIndex;
    const heads = new Map<string, number>();
    const prev = new Int32Array(this.offsets.length).fill(-1);
    for (let i = 0; i < this.offsets.length; i++) {
      const nameOff = this.view.getUint32(this.offsets[i]!, true);
      if (nameOff === 0) continue;
      const name = this.str(nameOff);
      const head = heads.get(name);
      if (head !== undefined) prev[i] = head;
      heads.set(name, i);
    }
    this.nameIndex = { heads, prev };
    return this.nameIndex;
  }

  private ensureTagIndex(): Map<number, { componentIdx: number; value: string }[]> {
    if (this.tagIndex) return this.tagIndex;
    const index = new Map<number, { componentIdx: number; value: string }[]>();
    for (let i = 0; i < this.offsets.length; i++) {
      const off = this.offsets[i]!;
      if (((this.view.getUint32(off + 4, true) >>> 24) & 0x1f) !== KIND.decl_tag) continue;
      const target = this.view.getUint32(off + 8, true);
      const entry = {
        componentIdx: this.view.getInt32(off + 12, true),
        value: this.str(this.view.getUint32(off, true)),
      };
      const list = index.get(target);
      if (list) list.push(entry);
      else index.set(target, [entry]);
    }
    this.tagIndex = index;
    return index;
  }
}

/** One pass over the type section recording where each type record starts. */
function scanTypeOffsets(view: DataView, where: string): Uint32Array {
  let offsets = new Uint32Array(Math.max(16, view.byteLength >>> 4));
  let n = 0;
  let off = 0;
  while (off < view.byteLength) {
    if (off + 12 > view.byteLength) throw new BtfError(`${where}: type section ends inside type #${n + 1}`);
    if (n === offsets.length) {
      const grown = new Uint32Array(offsets.length * 2);
      grown.set(offsets);
      offsets = grown;
    }
    offsets[n++] = off;
    const info = view.getUint32(off + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    off += 12 + trailingBytes(kind, vlen, where, n);
  }
  return offsets.slice(0, n);
}

function trailingBytes(kind: number, vlen: number, where: string, id: number): number {
  switch (kind) {
    case KIND.int:
    case KIND.var:
    case KIND.decl_tag:
      return 4;
    case KIND.array:
      return 12;
    case KIND.struct:
    case KIND.union:
    case KIND.datasec:
    case KIND.enum64:
      return 12 * vlen;
    case KIND.enum:
    case KIND.func_proto:
      return 8 * vlen;
    case KIND.ptr:
    case KIND.fwd:
    case KIND.typedef:
    case KIND.volatile:
    case KIND.const:
    case KIND.restrict:
    case KIND.func:
    case KIND.float:
    case KIND.type_tag:
      return 0;
    default:
      throw new BtfError(`${where}: type [${id}] has unknown kind ${kind}; this BTF is newer than the parser`);
  }
}
