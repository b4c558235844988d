import type { FieldInfo } from '@bpfplay/protocol';
import type { Btf } from './btf.js';
import { cTypeName } from './c-type.js';

/**
 * Table columns for a record type: its members in order with their C type text, anonymous struct/union
 * members flattened (the same keys `decodeValue` produces). Bitfields read `unsigned int:3`.
 * A non-struct type is one column called `value`.
 */
export function fieldsOf(btf: Btf, typeId: number): FieldInfo[] {
  const t = btf.resolve(typeId);
  if (t.kind !== 'struct' && t.kind !== 'union') return [{ name: 'value', type: cTypeName(btf, typeId) }];
  return btf
    .flatMembers(t.id)
    .filter((m) => m.name !== '')
    .map((m) => {
      const mt = btf.resolve(m.type);
      const bits = m.bitfieldSize || (mt.kind === 'int' && mt.bits !== mt.size * 8 ? mt.bits : 0);
      return { name: m.name, type: bits ? `${cTypeName(btf, m.type)}:${bits}` : cTypeName(btf, m.type) };
    });
}
