/**
 * The number libbpf patches into the instruction for one relocation, computed from a matched spec
 * (libbpf's bpf_core_calc_relo). `undefined` spec means "no candidate matched".
 */
import { isAnyEnum, isComposite } from '../btf-types.js';
import { isEnumvalBased, isFieldBased, type CoreSpec } from './spec.js';
import type { CoreReloKind } from '../btf-ext.js';

export type CalcResult =
  | { ok: true; value: number }
  /** libbpf "poisons" the instruction: loading fails only if the program can reach it. */
  | { ok: false; poison: true; reason: string }
  | { ok: false; poison: false; reason: string };

export function calcRelocation(kind: CoreReloKind, spec: CoreSpec | undefined): CalcResult {
  if (isFieldBased(kind)) return calcField(kind, spec);
  if (isEnumvalBased(kind)) {
    if (kind === 'enumval_exists') return { ok: true, value: spec ? 1 : 0 };
    if (!spec) return { ok: false, poison: true, reason: 'enum value does not exist' };
    const acc = spec.accessors[0]!;
    const t = spec.btf.type(acc.typeId);
    if (!isAnyEnum(t)) return { ok: false, poison: false, reason: 'not an enum' };
    return { ok: true, value: Number(t.values[acc.idx]!.value) };
  }
  // Type-based relocations resolve to 0 when no target type exists; that is an answer, not a failure.
  if (!spec) return { ok: true, value: 0 };
  switch (kind) {
    case 'type_id_target':
    case 'type_id_local':
      return { ok: true, value: spec.rootId };
    case 'type_exists':
    case 'type_matches':
      return { ok: true, value: 1 };
    case 'type_size': {
      const size = spec.btf.trySizeOf(spec.rootId);
      return size === undefined ? { ok: false, poison: false, reason: 'type has no size' } : { ok: true, value: size };
    }
    default:
      return { ok: false, poison: false, reason: `unsupported relocation kind ${kind}` };
  }
}

function calcField(kind: CoreReloKind, spec: CoreSpec | undefined): CalcResult {
  if (kind === 'field_exists') return { ok: true, value: spec ? 1 : 0 };
  if (!spec) return { ok: false, poison: true, reason: 'field does not exist' };
  const { btf } = spec;
  const acc = spec.accessors[spec.accessors.length - 1]!;
  if (acc.name === undefined) {
    // An array element (or the root itself): offset and size only.
    const size = btf.trySizeOf(acc.typeId);
    if (size === undefined) return { ok: false, poison: false, reason: 'element has no size' };
    if (kind === 'field_byte_offset') return { ok: true, value: Math.floor(spec.bitOffset / 8) };
    if (kind === 'field_byte_size') return { ok: true, value: size };
    return { ok: false, poison: false, reason: `${kind} cannot be applied to an array element` };
  }
  const parent = btf.type(acc.typeId);
  if (!isComposite(parent)) return { ok: false, poison: false, reason: 'internal: member of a non-struct' };
  const member = parent.members[acc.idx]!;
  const mt = btf.resolve(member.type);
  const bitOff = spec.bitOffset;
  let bitSize = member.bitfieldSize;
  let byteSize: number;
  let byteOff: number;
  if (bitSize > 0) {
    // Smallest aligned load (1, 2, 4, 8 bytes) that covers the bitfield.
    byteSize = 'size' in mt ? mt.size : 0;
    if (byteSize <= 0) return { ok: false, poison: false, reason: 'bitfield of a type without a size' };
    byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) return { ok: false, poison: false, reason: 'bitfield cannot be read with one 64-bit load' };
      byteSize *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    }
  } else {
    const size = btf.trySizeOf(mt.id);
    if (size === undefined) return { ok: false, poison: false, reason: 'field has no size' };
    byteSize = size;
    byteOff = Math.floor(bitOff / 8);
    bitSize = byteSize * 8;
  }
  switch (kind) {
    case 'field_byte_offset':
      return { ok: true, value: byteOff };
    case 'field_byte_size':
      return { ok: true, value: byteSize };
    case 'field_signed':
      return { ok: true, value: (isAnyEnum(mt) && mt.signed) || (mt.kind === 'int' && mt.signed) ? 1 : 0 };
    // Little-endian formulas: shift the loaded word left then right to isolate the bitfield.
    case 'field_lshift_u64':
      return { ok: true, value: 64 - (bitOff + bitSize - byteOff * 8) };
    case 'field_rshift_u64':
      return { ok: true, value: 64 - bitSize };
    default:
      return { ok: false, poison: false, reason: `unsupported relocation kind ${kind}` };
  }
}
