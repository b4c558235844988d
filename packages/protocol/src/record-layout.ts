import { z } from 'zod';

/**
 * How to turn a ring buffer record's raw bytes into a `Value`, for clients that take binary events
 * (RunOptions.eventFormat 'binary'). The agent derives it once per source from the object's BTF
 * and sends it in the `schema` frame; the client then decodes every record with `decodeRecord`,
 * giving exactly the value the agent's own BTF decoder (@bpfplay/btf decodeValue) would have sent
 * as JSON: integers that do not fit a double exactly as decimal strings, enums by name (the first
 * enumerator declared with that value; unknown values as numbers), `char` arrays as C strings
 * (`\xNN` for bytes that are not printable or valid UTF-8, `\\` for a backslash), pointers as
 * `0x…`, non-finite floats as "NaN"/"Infinity", anonymous struct members flattened into their
 * parent, and whatever cannot be decoded as `{ $hex, $error }`.
 *
 * Offsets (`off`, in bytes; `bit`, in bits) are relative to the enclosing node's start: a struct's
 * fields to the struct, an array's element to the element (which sits at `off + i * stride`).
 */
export type LayoutNode =
  /** Little-endian integer of `size` bytes; `bool`: true when any byte is non-zero. */
  | { k: 'int'; off: number; size: number; signed: boolean; bool?: boolean }
  /**
   * A bitfield: `bits` bits from bit `bit` (LE bit numbering). With `names` it is an enum bitfield;
   * with `bool` a _Bool one.
   */
  | { k: 'bits'; bit: number; bits: number; signed: boolean; bool?: boolean; names?: Record<string, string> }
  /** An enum of `size` bytes; `names` maps the decimal value to the enumerator's name. */
  | { k: 'enum'; off: number; size: number; signed: boolean; names: Record<string, string> }
  | { k: 'float'; off: number; size: 4 | 8 }
  /** A 64-bit pointer, shown as `0x…` hex. */
  | { k: 'ptr'; off: number }
  /** A `char[n]` array, shown as a C string. */
  | { k: 'chars'; off: number; n: number }
  | { k: 'array'; off: number; n: number; stride: number; elem: LayoutNode }
  /** Fields in declaration order; a repeated name keeps its first position and its last value. */
  | { k: 'struct'; off: number; fields: { name: string; node: LayoutNode }[] }
  /**
   * Not decodable: `{ $hex: the node's bytes, $error: reason }`; `size` absent = to the record's end.
   */
  | { k: 'unknown'; off: number; size?: number; reason: string };

const nat = z.number().int().nonnegative();
const names = z.record(z.string(), z.string());

export const LayoutNode: z.ZodType<LayoutNode> = z.lazy(() =>
  z.discriminatedUnion('k', [
    z.object({
      k: z.literal('int'),
      off: nat,
      size: z.number().int().min(1).max(16),
      signed: z.boolean(),
      bool: z.boolean().optional(),
    }),
    z.object({
      k: z.literal('bits'),
      bit: nat,
      bits: z.number().int().min(0).max(128),
      signed: z.boolean(),
      bool: z.boolean().optional(),
      names: names.optional(),
    }),
    z.object({ k: z.literal('enum'), off: nat, size: z.number().int().min(1).max(8), signed: z.boolean(), names }),
    z.object({ k: z.literal('float'), off: nat, size: z.union([z.literal(4), z.literal(8)]) }),
    z.object({ k: z.literal('ptr'), off: nat }),
    z.object({ k: z.literal('chars'), off: nat, n: nat }),
    z.object({ k: z.literal('array'), off: nat, n: nat, stride: nat, elem: LayoutNode }),
    z.object({ k: z.literal('struct'), off: nat, fields: z.array(z.object({ name: z.string(), node: LayoutNode })) }),
    z.object({ k: z.literal('unknown'), off: nat, size: nat.optional(), reason: z.string() }),
  ]),
);

/**
 * A source's record layout. `size` is the record type's size: a record shorter than that is not
 * decoded at all (its bytes come back with the reason), a longer one is decoded from its start.
 */
export const RecordLayout = z.object({
  /** The C type, e.g. `struct event`, as the reason for a short record names it. */
  typeName: z.string(),
  size: nat,
  root: LayoutNode,
});
export type RecordLayout = z.infer<typeof RecordLayout>;
