/**
 * Matching a local CO-RE spec against one candidate type of the target BTF (libbpf's
 * bpf_core_spec_match), reporting why a candidate does not fit so the explorer can say it in words.
 */
import type { Btf } from '../btf.js';
import { isAnyEnum, isComposite, type BtfType } from '../btf-types.js';
import { cTypeName } from '../c-type.js';
import { essentialName, fieldsAreCompatible, kindsCompatible, typesAreCompatible, typesMatch } from './compat.js';
import { isEnumvalBased, isFlexArray, isTypeBased, type CoreAccessor, type CoreSpec } from './spec.js';

export type MatchResult = { ok: true; spec: CoreSpec } | { ok: false; reason: string };

/** Target types with the same kind and essential name as the local root (libbpf's bpf_core_find_cands). */
export function findCandidates(local: Btf, localId: number, targ: Btf): number[] {
  const lt = local.type(localId);
  const name = essentialName(lt.name);
  if (!name) return [];
  const out: number[] = [];
  for (const id of targ.findByName(name)) if (kindsCompatible(targ.type(id), lt)) out.push(id);
  // Flavored target names (`task_struct___x`) are rare in kernel BTF but allowed, so look for them too.
  for (const id of flavoredNames(targ, name)) if (kindsCompatible(targ.type(id), lt)) out.push(id);
  return out.sort((a, b) => a - b);
}

const flavorCache = new WeakMap<Btf, Map<string, number[]>>();

/** Types whose names carry a `___flavor` suffix, indexed by essential name (built once per BTF). */
function flavoredNames(targ: Btf, name: string): number[] {
  let index = flavorCache.get(targ);
  if (!index) {
    index = new Map();
    const flavored = new Set<string>();
    for (const btf of [targ.base, targ]) for (const n of btf?.names() ?? []) if (n.includes('___')) flavored.add(n);
    for (const n of flavored) {
      const e = essentialName(n);
      if (e !== n) index.set(e, [...(index.get(e) ?? []), ...targ.findByName(n)]);
    }
    flavorCache.set(targ, index);
  }
  return index.get(name) ?? [];
}

function describe(btf: Btf, t: BtfType): string {
  return t.name ? cTypeName(btf, t.id) : `anonymous ${t.kind}`;
}

/** `targName` names the target in messages (`this kernel`, an uploaded file's name). */
export function matchSpec(local: CoreSpec, targ: Btf, targId: number, targName = targ.name): MatchResult {
  const spec: CoreSpec = { btf: targ, rootId: targId, kind: local.kind, raw: [], accessors: [], bitOffset: 0 };
  const targRoot = targ.type(targId);
  if (isTypeBased(local.kind)) {
    let why: string | undefined;
    const ok =
      local.kind === 'type_matches'
        ? typesMatch(local.btf, local.rootId, targ, targId, false, undefined, (r) => {
            why ??= r;
          })
        : typesAreCompatible(local.btf, local.rootId, targ, targId);
    if (ok) return { ok, spec };
    const verdict = local.kind === 'type_matches' ? 'does not match' : 'is not compatible with';
    return {
      ok,
      reason: `${describe(targ, targRoot)} in ${targName} ${verdict} the program's ${cTypeName(local.btf, local.rootId)}${why ? `: ${why}` : ''}`,
    };
  }
  if (isEnumvalBased(local.kind)) {
    const t = targ.resolve(targId);
    const want = local.accessors[0]!.name!;
    if (!isAnyEnum(t)) return { ok: false, reason: `${describe(targ, t)} in ${targName} is not an enum` };
    const idx = t.values.findIndex((v) => essentialName(v.name) === essentialName(want));
    if (idx < 0)
      return { ok: false, reason: `enum value \`${want}\` not found in ${describe(targ, t)} of ${targName}` };
    spec.accessors.push({ typeId: t.id, idx, name: t.values[idx]!.name });
    spec.raw.push(idx);
    return { ok: true, spec };
  }
  let id = targId;
  for (const [i, lacc] of local.accessors.entries()) {
    if (lacc.name !== undefined) {
      const found = matchMember(local, lacc, targ, id, spec, targName);
      if (!found.ok) return found;
      id = found.nextId;
      continue;
    }
    if (i === 0) {
      id = targ.resolve(id).id;
    } else {
      const t = targ.resolve(id);
      if (t.kind !== 'array')
        return {
          ok: false,
          reason: `\`${previousName(local, i)}\` is ${cTypeName(targ, t.id)} in ${targName}, not an array`,
        };
      if (!isFlexArray(targ, spec.accessors[spec.accessors.length - 1], t.nelems) && lacc.idx >= t.nelems) {
        return {
          ok: false,
          reason: `index ${lacc.idx} is out of bounds of \`${previousName(local, i)}\` (${t.nelems} elements) in ${targName}`,
        };
      }
      id = targ.resolve(t.type).id;
    }
    spec.accessors.push({ typeId: id, idx: lacc.idx });
    spec.raw.push(lacc.idx);
    const size = targ.trySizeOf(id);
    if (size === undefined) return { ok: false, reason: `${describe(targ, targ.type(id))} has no size in ${targName}` };
    spec.bitOffset += lacc.idx * size * 8;
  }
  return { ok: true, spec };
}

function previousName(local: CoreSpec, i: number): string {
  for (let j = i - 1; j >= 0; j--) {
    const n = local.accessors[j]?.name;
    if (n) return n;
  }
  return local.btf.nameOf(local.rootId);
}

type MemberResult = { ok: true; nextId: number } | { ok: false; reason: string };

/** Finds local member `lacc` in target composite `targId` by exact name, descending into anonymous members. */
function matchMember(
  local: CoreSpec,
  lacc: CoreAccessor,
  targ: Btf,
  targId: number,
  spec: CoreSpec,
  targName: string,
): MemberResult {
  const lt = local.btf.type(lacc.typeId);
  if (!isComposite(lt)) return { ok: false, reason: `internal: accessor on ${lt.kind}` };
  const lm = lt.members[lacc.idx]!;
  const t = targ.resolve(targId);
  if (!isComposite(t))
    return { ok: false, reason: `${describe(targ, t)} in ${targName} has no fields (looking for \`${lm.name}\`)` };
  const found = searchMember(local.btf, lm.name, lm.type, targ, t.id, spec);
  if (found === 'incompatible') {
    return {
      ok: false,
      reason: `field \`${lm.name}\` of ${describe(targ, t)} has type ${memberTypeText(targ, t.id, lm.name)} in ${targName}, incompatible with the program's ${cTypeName(local.btf, lm.type)}`,
    };
  }
  if (found === undefined)
    return { ok: false, reason: `field \`${lm.name}\` not found in ${describe(targ, t)} of ${targName}` };
  return { ok: true, nextId: found };
}

function memberTypeText(targ: Btf, compositeId: number, name: string): string {
  const m = targ.flatMembers(compositeId).find((x) => x.name === name);
  return m ? cTypeName(targ, m.type) : '?';
}

/** Returns the member's type id, 'incompatible' when the name matched but the type did not, or undefined. */
function searchMember(
  local: Btf,
  name: string,
  localType: number,
  targ: Btf,
  targId: number,
  spec: CoreSpec,
): number | 'incompatible' | undefined {
  const t = targ.resolve(targId);
  if (!isComposite(t)) return undefined;
  for (const [i, m] of t.members.entries()) {
    spec.bitOffset += m.bitOffset;
    spec.raw.push(i);
    if (m.name === '') {
      const found = searchMember(local, name, localType, targ, m.type, spec);
      if (found !== undefined) return found;
    } else if (m.name === name) {
      if (!fieldsAreCompatible(local, localType, targ, m.type)) return 'incompatible';
      spec.accessors.push({ typeId: t.id, idx: i, name: m.name });
      return m.type;
    }
    spec.bitOffset -= m.bitOffset;
    spec.raw.pop();
  }
  return undefined;
}
