/**
 * BTF-typed bytes -> the protocol's `Value`: what a ring buffer record, a map entry, a global or a
 * parameter means, for a person. There is one set of decoding rules, the protocol's record layout
 * (packages/protocol decode/): this builds the type's layout from BTF once (layout.ts) and decodes
 * with it, exactly as a browser decodes a binary frame with the same layout.
 */
import type { RecordLayout, Value } from '@bpfplay/protocol';
import { decodeRecord } from '@bpfplay/protocol/decoding';
import type { Btf } from './btf.js';
import { recordLayout } from './layout.js';

/** Layouts built so far, per BTF and type id: a map is snapshotted every second, its types never change. */
const layouts = new WeakMap<Btf, Map<number, RecordLayout>>();

/** The layout of type `typeId`, built on first use. */
export function layoutOf(btf: Btf, typeId: number): RecordLayout {
  let perBtf = layouts.get(btf);
  if (!perBtf) layouts.set(btf, (perBtf = new Map()));
  let l = perBtf.get(typeId);
  if (!l) perBtf.set(typeId, (l = recordLayout(btf, typeId)));
  return l;
}

/**
 * Decode `bytes` (from `offset`) as type `typeId`. Typedefs, const/volatile and type tags are
 * transparent; anonymous struct/union members are flattened into their parent (as C lets you name
 * them); anything that cannot be decoded becomes `{ $hex, $error }` in place, so one bad field
 * never hides the rest; bytes shorter than the type are not decoded at all (their hex and why).
 */
export function decodeValue(btf: Btf, typeId: number, bytes: Uint8Array, offset = 0): Value {
  return decodeRecord(layoutOf(btf, typeId), offset ? bytes.subarray(offset) : bytes);
}
