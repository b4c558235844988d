/**
 * A CO-RE access spec (`0:55:1`) walked over a BTF: the accessors libbpf keeps (named members and array
 * indices; anonymous struct/union hops only appear in the raw spec) and the accumulated bit offset.
 */
import type { Btf } from '../btf.js';
import { isAnyEnum, isComposite } from '../btf-types.js';
import type { CoreReloKind } from '../btf-ext.js';

export interface CoreAccessor {
  /** For a member: the struct/union holding it; for an array index: the element type; for [0]: the root. */
  typeId: number;
  idx: number;
  /** Member or enumerator name; undefined for array indices (and the root's). */
  name?: string;
}

export interface CoreSpec {
  btf: Btf;
  rootId: number;
  kind: CoreReloKind;
  raw: number[];
  accessors: CoreAccessor[];
  bitOffset: number;
}

export class CoreSpecError extends Error {
  override name = 'CoreSpecError';
}

export function isFieldBased(kind: CoreReloKind): boolean {
  return kind.startsWith('field_');
}
export function isTypeBased(kind: CoreReloKind): boolean {
  return kind.startsWith('type_');
}
export function isEnumvalBased(kind: CoreReloKind): boolean {
  return kind.startsWith('enumval_');
}

/** Is the array accessed at `arrayAcc` the last member of its struct (a flexible array, any index goes)? */
export function isFlexArray(btf: Btf, parent: CoreAccessor | undefined, nelems: number): boolean {
  if (nelems !== 0 || !parent?.name) return false;
  const t = btf.type(parent.typeId);
  return isComposite(t) && parent.idx === t.members.length - 1;
}

/** libbpf's bpf_core_parse_spec, on the program's own BTF. Throws CoreSpecError when the spec is invalid. */
export function parseLocalSpec(btf: Btf, rootId: number, specText: string, kind: CoreReloKind): CoreSpec {
  const raw = specText.split(':').map((s) => Number(s));
  if (!specText || raw.some((n) => !Number.isInteger(n) || n < 0))
    throw new CoreSpecError(`invalid access spec "${specText}"`);
  const spec: CoreSpec = { btf, rootId, kind, raw, accessors: [], bitOffset: 0 };
  if (isTypeBased(kind)) {
    if (raw.length !== 1 || raw[0] !== 0)
      throw new CoreSpecError(`type relocation with spec "${specText}" (expected "0")`);
    return spec;
  }
  let t = btf.resolve(rootId);
  let id = t.id;
  if (isEnumvalBased(kind)) {
    if (!isAnyEnum(t) || raw.length !== 1)
      throw new CoreSpecError(`enum value relocation on ${t.kind} with spec "${specText}"`);
    const v = t.values[raw[0]!];
    if (!v) throw new CoreSpecError(`enumerator #${raw[0]} does not exist in enum ${t.name}`);
    spec.accessors.push({ typeId: id, idx: raw[0]!, name: v.name });
    return spec;
  }
  if (!isFieldBased(kind)) throw new CoreSpecError(`unknown relocation kind ${kind}`);
  const first = raw[0]!;
  spec.accessors.push({ typeId: id, idx: first });
  spec.bitOffset = first * btf.sizeOf(id) * 8;
  for (let i = 1; i < raw.length; i++) {
    t = btf.resolve(id);
    id = t.id;
    const idx = raw[i]!;
    if (isComposite(t)) {
      const m = t.members[idx];
      if (!m) throw new CoreSpecError(`member #${idx} does not exist in ${t.kind} ${t.name || '(anon)'}`);
      spec.bitOffset += m.bitOffset;
      if (m.name) spec.accessors.push({ typeId: id, idx, name: m.name });
      id = m.type;
    } else if (t.kind === 'array') {
      const elem = btf.resolve(t.type);
      const flex = isFlexArray(btf, spec.accessors[spec.accessors.length - 1], t.nelems);
      if (!flex && idx >= t.nelems) throw new CoreSpecError(`index ${idx} is out of bounds of an array of ${t.nelems}`);
      id = elem.id;
      spec.accessors.push({ typeId: id, idx });
      spec.bitOffset += idx * btf.sizeOf(id) * 8;
    } else {
      throw new CoreSpecError(`access #${i} of "${specText}" goes into ${t.kind}, which has no members`);
    }
  }
  return spec;
}

/**
 * The access as the user wrote it: `task_struct->real_parent`, `task_struct->se.vruntime`,
 * `task_struct->comm[2]`, `iphdr[1].ttl`; `struct task_struct` for type relocations; `enum x::NAME`.
 */
export function formatAccess(spec: CoreSpec): string {
  const { btf } = spec;
  const root = btf.type(spec.rootId);
  const rootName = root.name || '(anon)';
  if (isTypeBased(spec.kind)) return `${kindWord(btf, spec.rootId)}${rootName}`;
  if (isEnumvalBased(spec.kind)) return `${kindWord(btf, spec.rootId)}${rootName}::${spec.accessors[0]?.name ?? '?'}`;
  let out = rootName;
  const first = spec.accessors[0]?.idx ?? 0;
  let sep = '->';
  if (first !== 0) {
    out += `[${first}]`;
    sep = '.';
  }
  for (const acc of spec.accessors.slice(1)) {
    if (acc.name === undefined) {
      out += `[${acc.idx}]`;
    } else {
      out += `${sep}${acc.name}`;
    }
    sep = '.';
  }
  return out;
}

function kindWord(btf: Btf, id: number): string {
  const t = btf.type(id);
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'enum') return `${t.kind} `;
  if (t.kind === 'enum64') return 'enum ';
  return '';
}
