import type { Value } from '../common';
import type { LayoutNode } from './layout';

/**
 * Formatters: THE place where a decoded field is made readable beyond the plain rules (an errno
 * as `-ENOENT`, a syscall number as its name, an address as `10.0.0.1`). Add one here and every
 * output applies it the same way: the agent's JSON (`--json`, scripts, map snapshots, parameters)
 * and the browser's binary-frame decoding, because both read the one record layout, and the layout
 * says per field which formatter applies (`fmt` on a leaf node).
 *
 * How it flows:
 *   1. packages/btf layout.ts builds a record layout from BTF and asks `formatterFor(field)` for
 *      every leaf, passing what BTF knows about it (FieldContext); the first formatter whose
 *      `applies` is true is named in the node (`fmt: 'errno'`).
 *   2. read.ts (every client, and the agent itself) decodes the leaf by the plain rules and then
 *      calls `format` on that value; the agent's JSON writer (apps/agent stream/record-json.ts)
 *      does the same for any leaf with `fmt`.
 * A client that does not know a formatter named in a layout (an older web app) shows the plain
 * value. `format` gets the plain value (a number, a decimal string for integers past 2^53, a
 * string for `char` arrays, `0x…` for pointers) and must return a `Value`; it must not throw.
 */
export interface Formatter {
  /** Carried in the layout (`fmt`); never rename one that shipped, links and agents outlive it. */
  name: string;
  /** Whether this formatter applies to a field; the first one that does wins. */
  applies(field: FieldContext): boolean;
  /** The value shown, from the value the plain rules decoded. */
  format(plain: Value): Value;
}

/** What the layout builder knows about a leaf field when it picks a formatter. */
export interface FieldContext {
  /** The member's name (`ret`, `saddr`); '' for a whole record, an array element or a variable. */
  name: string;
  /** The struct or union the member is declared in (`event`), when it is a member. */
  parent?: string;
  /**
   * The type's names from the declared one down to the base type, typedefs included, qualifiers
   * dropped: `['__be32', '__u32', 'unsigned int']`, `['pid_t', '__kernel_pid_t', 'int']`.
   */
  types: string[];
  /** The layout node kind the plain rules use for it. */
  kind: LayoutNode['k'];
  /** Bytes (bits for a bitfield node); signedness for integers and enums. */
  size: number;
  signed: boolean;
}

/**
 * The formatters, in order of precedence. Empty today: each one added here changes what users
 * see for the fields it applies to, everywhere at once (issue 16 adds errno, syscall and IP ones).
 */
export const FORMATTERS: Formatter[] = [];

/** The formatter for a field, by name, or undefined (the plain rules only). */
export function formatterFor(field: FieldContext): string | undefined {
  for (const f of FORMATTERS) if (f.applies(field)) return f.name;
  return undefined;
}

/** The formatting function named in a layout node, or undefined when this build does not know it. */
export function formatterNamed(name: string): ((plain: Value) => Value) | undefined {
  return FORMATTERS.find((f) => f.name === name)?.format;
}
