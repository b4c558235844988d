/**
 * The BTF type model. Kinds carry the names the kernel's btf.h uses (lower case), so a reader can map a
 * value in this file straight to `BTF_KIND_*` and bpftool's output.
 */

/** Numeric `BTF_KIND_*` values, index = kind number. */
export const BTF_KIND_NAMES = [
  'void',
  'int',
  'ptr',
  'array',
  'struct',
  'union',
  'enum',
  'fwd',
  'typedef',
  'volatile',
  'const',
  'restrict',
  'func',
  'func_proto',
  'var',
  'datasec',
  'float',
  'decl_tag',
  'type_tag',
  'enum64',
] as const;
export type BtfKind = (typeof BTF_KIND_NAMES)[number];

export const KIND = {
  void: 0,
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  func_proto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  decl_tag: 17,
  type_tag: 18,
  enum64: 19,
} as const satisfies Record<BtfKind, number>;

interface Base {
  id: number;
  /** Empty string for anonymous types. */
  name: string;
}

export interface BtfVoid extends Base {
  kind: 'void';
}
export interface BtfInt extends Base {
  kind: 'int';
  size: number;
  signed: boolean;
  char: boolean;
  bool: boolean;
  /** Old-style bitfield encoding: bit offset and width stored in the INT itself. */
  bitOffset: number;
  bits: number;
}
export interface BtfPtr extends Base {
  kind: 'ptr';
  type: number;
}
export interface BtfArray extends Base {
  kind: 'array';
  type: number;
  indexType: number;
  nelems: number;
}
export interface BtfMember {
  name: string;
  type: number;
  /** Bit offset from the start of the containing struct/union. */
  bitOffset: number;
  /** Non-zero only with kind_flag set (the modern bitfield encoding); the old encoding keeps it in the INT. */
  bitfieldSize: number;
}
export interface BtfComposite extends Base {
  kind: 'struct' | 'union';
  size: number;
  members: BtfMember[];
}
export interface BtfEnumValue {
  name: string;
  value: number;
}
export interface BtfEnum extends Base {
  kind: 'enum';
  size: number;
  signed: boolean;
  values: BtfEnumValue[];
}
export interface BtfEnum64Value {
  name: string;
  value: bigint;
}
export interface BtfEnum64 extends Base {
  kind: 'enum64';
  size: number;
  signed: boolean;
  values: BtfEnum64Value[];
}
export interface BtfFwd extends Base {
  kind: 'fwd';
  union: boolean;
}
export interface BtfRef extends Base {
  kind: 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag';
  type: number;
}
export interface BtfFunc extends Base {
  kind: 'func';
  type: number;
  linkage: 'static' | 'global' | 'extern';
}
export interface BtfParam {
  name: string;
  type: number;
}
export interface BtfFuncProto extends Base {
  kind: 'func_proto';
  returnType: number;
  params: BtfParam[];
}
export interface BtfVar extends Base {
  kind: 'var';
  type: number;
  linkage: 'static' | 'global' | 'extern';
}
export interface BtfVarSecinfo {
  type: number;
  offset: number;
  size: number;
}
export interface BtfDatasec extends Base {
  kind: 'datasec';
  size: number;
  vars: BtfVarSecinfo[];
}
export interface BtfFloat extends Base {
  kind: 'float';
  size: number;
}
export interface BtfDeclTag extends Base {
  kind: 'decl_tag';
  type: number;
  /** -1: the tag is on the type/var/func itself; otherwise the member or parameter index. */
  componentIdx: number;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfPtr
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfEnum64
  | BtfFwd
  | BtfRef
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;

/** The member of BtfType whose `kind` admits K (struct and union share one interface). */
export type BtfTypeOf<K extends BtfKind> = BtfType extends infer T
  ? T extends { kind: infer TK }
    ? K extends TK
      ? T
      : never
    : never
  : never;

export function isComposite(t: BtfType): t is BtfComposite {
  return t.kind === 'struct' || t.kind === 'union';
}

export function isAnyEnum(t: BtfType): t is BtfEnum | BtfEnum64 {
  return t.kind === 'enum' || t.kind === 'enum64';
}

/** Kinds that only qualify or rename another type; "transparent" for sizes, values and CO-RE. */
export function isModifierOrTypedef(t: BtfType): t is BtfRef {
  return (
    t.kind === 'typedef' ||
    t.kind === 'volatile' ||
    t.kind === 'const' ||
    t.kind === 'restrict' ||
    t.kind === 'type_tag'
  );
}
