/**
 * Type compatibility rules of libbpf's CO-RE (relo_core.c), restated: which target types may stand in for
 * the program's local types. Written from libbpf's documented semantics; the tests compare the final
 * relocation values with what libbpf itself patched into the instructions.
 */
import type { Btf } from '../btf.js';
import type { BtfType } from '../btf-types.js';
import { isAnyEnum, isComposite } from '../btf-types.js';

/** Recursion limit, as libbpf's BPF_CORE_SPEC_MAX_LEN-ish depth guard for types. */
const MAX_DEPTH = 32;

/**
 * Length of a name without its `___flavor` suffix: `task_struct___old` -> 11. The separator is the last
 * `X___Y` where X and Y are not underscores, so `__u64` and `a____b` keep their full length.
 */
export function essentialNameLength(name: string): number {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name[i + 1] === '_' && name[i + 2] === '_' && name[i + 3] === '_' && name[i + 4] !== '_') {
      return i + 1;
    }
  }
  return name.length;
}

export function essentialName(name: string): string {
  return name.slice(0, essentialNameLength(name));
}

/** Same kind, or enum vs enum64 (libbpf treats them as one kind for CO-RE). */
export function kindsCompatible(a: BtfType, b: BtfType): boolean {
  return a.kind === b.kind || (isAnyEnum(a) && isAnyEnum(b));
}

function sameEssentialName(a: string, b: string): boolean {
  return essentialName(a) === essentialName(b);
}

/** May a field of local type `localId` be read through a target field of type `targId`? */
export function fieldsAreCompatible(local: Btf, localId: number, targ: Btf, targId: number): boolean {
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const l = local.resolve(localId);
    const t = targ.resolve(targId);
    if (isComposite(l) && isComposite(t)) return true;
    if (!kindsCompatible(l, t)) return false;
    switch (l.kind) {
      case 'ptr':
      case 'float':
        return true;
      case 'fwd':
      case 'enum':
      case 'enum64': {
        const ln = essentialName(l.name);
        const tn = essentialName(t.name);
        return ln === '' || tn === '' || ln === tn;
      }
      case 'int':
        // Old-style bitfield ints (offset inside the INT) are rejected; every other int fits every other.
        return l.bitOffset === 0 && t.kind === 'int' && t.bitOffset === 0;
      case 'array':
        if (t.kind !== 'array') return false;
        localId = l.type;
        targId = t.type;
        continue;
      default:
        return false;
    }
  }
  return false;
}

/** libbpf's bpf_core_types_are_compat: used by type_exists, type_size and type_id_target. */
export function typesAreCompatible(local: Btf, localId: number, targ: Btf, targId: number, level = MAX_DEPTH): boolean {
  if (!kindsCompatible(local.type(localId), targ.type(targId))) return false;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const l = local.resolve(localId);
    const t = targ.resolve(targId);
    if (!kindsCompatible(l, t)) return false;
    switch (l.kind) {
      case 'void':
      case 'struct':
      case 'union':
      case 'enum':
      case 'enum64':
      case 'fwd':
        return true;
      case 'int':
        return l.bitOffset === 0 && t.kind === 'int' && t.bitOffset === 0;
      case 'ptr':
        if (t.kind !== 'ptr') return false;
        localId = l.type;
        targId = t.type;
        continue;
      case 'array':
        if (t.kind !== 'array') return false;
        localId = l.type;
        targId = t.type;
        continue;
      case 'func_proto': {
        if (t.kind !== 'func_proto' || l.params.length !== t.params.length) return false;
        if (level <= 0) return false;
        for (let i = 0; i < l.params.length; i++) {
          if (!typesAreCompatible(local, l.params[i]!.type, targ, t.params[i]!.type, level - 1)) return false;
        }
        localId = l.returnType;
        targId = t.returnType;
        continue;
      }
      default:
        return false;
    }
  }
  return false;
}

function namesMatch(a: string, b: string): boolean {
  return a === '' || b === '' || sameEssentialName(a, b);
}

/**
 * libbpf's bpf_core_types_match (`bpf_core_type_matches()`): stricter than compatibility. Names must
 * agree (after typedefs, so `unsigned long` and the kernel's `long unsigned int` do NOT match), local
 * struct members must all exist in the target by name with matching types, ints must agree in size and
 * sign, arrays in length, enums in enumerator names.
 * APPROXIMATION: restated from libbpf's description, not its code. The tests check it against libbpf 1.1
 * for a struct (task_struct: no match), a struct behind pointers only (list_head) and a typedef (pid_t).
 * `why` receives the first difference found, for the explorer's message.
 */
export function typesMatch(
  local: Btf,
  localId: number,
  targ: Btf,
  targId: number,
  behindPtr = false,
  level = MAX_DEPTH,
  why?: (reason: string) => void,
): boolean {
  const fail = (reason: string) => {
    why?.(reason);
    return false;
  };
  if (level <= 0) return fail('types nest too deeply');
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const l = local.resolve(localId);
    const t = targ.resolve(targId);
    if (!namesMatch(l.name, t.name)) return fail(`\`${l.name || l.kind}\` here is \`${t.name || t.kind}\` there`);
    switch (l.kind) {
      case 'void':
        return t.kind === 'void' || fail(`void here is ${t.kind} there`);
      case 'fwd':
        if (behindPtr && t.kind !== 'fwd')
          return (
            (t.kind === 'struct' && !l.union) ||
            (t.kind === 'union' && l.union) ||
            fail(`${l.name} is a different kind there`)
          );
        return (t.kind === 'fwd' && t.union === l.union) || fail(`${l.name} is a ${t.kind} there`);
      case 'enum':
      case 'enum64': {
        if (!isAnyEnum(t)) return fail(`enum ${l.name} is a ${t.kind} there`);
        if (l.size !== t.size) return fail(`enum ${l.name} is ${l.size} bytes here, ${t.size} there`);
        const missing = l.values.find((lv) => !t.values.some((tv) => namesMatch(lv.name, tv.name)));
        return !missing || fail(`enum ${l.name} has no \`${missing.name}\` there`);
      }
      case 'struct':
      case 'union':
        if (behindPtr)
          return (
            t.kind === l.kind ||
            (t.kind === 'fwd' && t.union === (l.kind === 'union')) ||
            fail(`${l.kind} ${l.name} is a ${t.kind} there`)
          );
        if (t.kind !== l.kind) return fail(`${l.kind} ${l.name} is a ${t.kind} there`);
        for (const lm of l.members) {
          let inner: string | undefined;
          const ok = t.members.some(
            (tm) =>
              namesMatch(lm.name, tm.name) &&
              typesMatch(local, lm.type, targ, tm.type, behindPtr, level - 1, (r) => {
                inner ??= r;
              }),
          );
          if (!ok)
            return fail(
              `member \`${lm.name || '(anon)'}\` of ${l.kind} ${l.name || '(anon)'}: ${inner ?? 'not found there'}`,
            );
        }
        return true;
      case 'int':
        if (t.kind !== 'int') return fail(`${l.name} is a ${t.kind} there`);
        return (l.size === t.size && l.signed === t.signed) || fail(`${l.name} differs in size or sign there`);
      case 'ptr':
        if (t.kind !== 'ptr') return fail(`a pointer here is ${t.kind} there`);
        behindPtr = true;
        localId = l.type;
        targId = t.type;
        continue;
      case 'array':
        if (t.kind !== 'array' || l.nelems !== t.nelems) return fail(`array length differs (${l.nelems} here)`);
        localId = l.type;
        targId = t.type;
        continue;
      case 'func_proto':
        if (t.kind !== 'func_proto' || l.params.length !== t.params.length) return fail('function prototypes differ');
        for (let i = 0; i < l.params.length; i++) {
          if (!typesMatch(local, l.params[i]!.type, targ, t.params[i]!.type, behindPtr, level - 1, why)) return false;
        }
        localId = l.returnType;
        targId = t.returnType;
        continue;
      default:
        return fail(`${l.kind} cannot be matched`);
    }
  }
  return fail('types nest too deeply');
}
