import { z } from 'zod';

/**
 * THE decoding model: how a BTF-typed value's raw bytes (a ring or perf buffer record, a map key
 * or value, a global) become a `Value`. @bpfplay/btf builds one layout per type from BTF, once
 * (`recordLayout`); every decoder is derived from it: `decodeRecord` (read.ts) in the browser, the
 * CLI and the agent itself (`decodeValue` is decodeRecord over the type's layout), and the agent's
 * JSON writer for busy rings. The agent sends a source's layout in its `schema` frame for clients
 * that take binary events. So changing how something prints is one edit: here (the node kinds),
 * in read.ts/scalars.ts (the rules), or in formatters.ts (readable forms such as errno names).
 *
 * The rules: integers that do not fit a double exactly as decimal strings, enums by name (the first
 * enumerator declared with that value; unknown values as numbers), `char` arrays as C strings
 * (`\xNN` for bytes that are not printable or valid UTF-8, `\\` for a backslash), pointers as
 * `0x…`, non-finite floats as "NaN"/"Infinity", anonymous struct members flattened into their
 * parent, and whatever cannot be decoded as `{ $hex, $error }`. A node with `fmt` keeps its
 * plain value; that formatter (formatters.ts) gives the readable form shown beside it (shown.ts).
 *
 * Offsets (`off`, in bytes; `bit`, in bits) are relative to the enclosing node's start: a struct's
 * fields to the struct, an array's element to the element (which sits at `off + i * stride`).
 */
export type LayoutNode =
  /** Little-endian integer of `size` bytes; `bool`: true when any byte is non-zero. */
  (
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
    /** `stack`: a bpf_get_stack() buffer of u64 frames (decode/stacks.ts says which arrays are). */
    | { k: 'array'; off: number; n: number; stride: number; elem: LayoutNode; stack?: boolean }
    /** Fields in declaration order; a repeated name keeps its first position and its last value. */
    | { k: 'struct'; off: number; fields: { name: string; node: LayoutNode }[] }
    /**
     * Not decodable: `{ $hex: the node's bytes, $error: reason }`; `size` absent = to the record's end.
     */
    | { k: 'unknown'; off: number; size?: number; reason: string }
  ) & {
    /** The formatter (formatters.ts) that gives this node's value its readable form (shown.ts). */
    fmt?: string;
  };

const nat = z.number().int().nonnegative();
const fmt = z.string().min(1).max(64).optional();
const names = z.record(z.string(), z.string());

export const LayoutNode: z.ZodType<LayoutNode> = z.lazy(() =>
  z.discriminatedUnion('k', [
    z.object({
      fmt,
      k: z.literal('int'),
      off: nat,
      size: z.number().int().min(1).max(16),
      signed: z.boolean(),
      bool: z.boolean().optional(),
    }),
    z.object({
      fmt,
      k: z.literal('bits'),
      bit: nat,
      bits: z.number().int().min(0).max(128),
      signed: z.boolean(),
      bool: z.boolean().optional(),
      names: names.optional(),
    }),
    z.object({ fmt, k: z.literal('enum'), off: nat, size: z.number().int().min(1).max(8), signed: z.boolean(), names }),
    z.object({ fmt, k: z.literal('float'), off: nat, size: z.union([z.literal(4), z.literal(8)]) }),
    z.object({ fmt, k: z.literal('ptr'), off: nat }),
    z.object({ fmt, k: z.literal('chars'), off: nat, n: nat }),
    z.object({
      fmt,
      k: z.literal('array'),
      off: nat,
      n: nat,
      stride: nat,
      elem: LayoutNode,
      stack: z.boolean().optional(),
    }),
    z.object({
      fmt,
      k: z.literal('struct'),
      off: nat,
      fields: z.array(z.object({ name: z.string(), node: LayoutNode })),
    }),
    z.object({ fmt, k: z.literal('unknown'), off: nat, size: nat.optional(), reason: z.string() }),
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
