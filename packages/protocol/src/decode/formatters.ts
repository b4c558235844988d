import type { Value } from '../common';
import { nameOfNumber, type NumberKind } from '../number-names';
import type { LayoutNode } from './layout';

/**
 * Formatters: THE place where a decoded field gets a readable form beyond the plain rules (an
 * errno as `-ENOENT`, a syscall number as `openat`, an address as `10.0.0.1`). The decoded value
 * itself stays raw everywhere (scripts, lesson checks and gallery expectations compare numbers);
 * the readable form is shown beside it: the agent's JSON records carry it in `shown`, the CLI's
 * table prints it, the web app shows it with the raw value on hover.
 *
 * How it flows:
 *   1. packages/btf layout.ts builds a record layout from BTF and asks `formatterFor(field)` for
 *      every field, passing what BTF knows about it (FieldContext); the first formatter whose
 *      `applies` is true is named in the node (`fmt: 'errno'`). So the choice is made once per
 *      field, from its name and C type, the way Inspektor Gadget's formatters choose.
 *   2. shown.ts reads a record's formatted fields (every client, and the agent for JSON records)
 *      and calls `format` on each plain value.
 * A client that does not know a formatter named in a layout (an older web app) shows the plain
 * value. `format` gets the plain value (a number, a decimal string for integers past 2^53, an
 * array for arrays) and returns the readable form, or undefined when the value has none (an errno
 * number no header names, a `ret` that is a file descriptor); it must not throw.
 */
export interface Formatter {
  /** Carried in the layout (`fmt`); never rename one that shipped, links and agents outlive it. */
  name: string;
  /** Whether this formatter applies to a field; the first one that does wins. */
  applies(field: FieldContext): boolean;
  /** The value shown, from the value the plain rules decoded; undefined: show the plain value. */
  format(plain: Value): Value | undefined;
}

/** What the layout builder knows about a field when it picks a formatter. */
export interface FieldContext {
  /** The member's name (`ret`, `saddr`); '' for a whole record, an array element or a variable. */
  name: string;
  /** The struct or union the member is declared in (`event`), when it is a member. */
  parent?: string;
  /** The names of the other members of that struct (a `flags` beside a `fname` is open()'s). */
  siblings?: readonly string[];
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

const isInt = (f: FieldContext) => f.kind === 'int' || f.kind === 'bits';
const named = (f: FieldContext, re: RegExp) => re.test(f.name.toLowerCase());
const typed = (f: FieldContext, ...names: string[]) => f.types.some((t) => names.includes(t));

/**
 * Member names that hold an address (`saddr`, `daddr_v6`, `src_ip`, the kernel's `skc_rcv_saddr`);
 * the family (v4/v6) comes from the size.
 */
const ADDR =
  /^((skc|sk|inet)_(rcv_)?)?(s|d|src|dst|source|dest|l|r|local|remote|peer|client|server)?_?(ip|addr|address)(_?v?[46])?$/;
const FILE_NAME = /^(fname|filename|file|path|pathname)$/;
/** A raw_syscalls tracepoint's context (trace_event_raw_sys_enter/exit), or a record copied from one. */
const SYSCALL_CONTEXT = /^trace_event_raw_sys_(enter|exit)$/;

/** A formatter that names numbers of one kind (number-names.ts). */
function naming(name: NumberKind, applies: (f: FieldContext) => boolean): Formatter {
  return { name, applies, format: (v) => nameOfNumber(name, v) };
}

/**
 * The formatters, in order of precedence. Each one changes what users see for the fields it
 * applies to, everywhere at once; the golden test of the choices is packages/btf/test/formatters.test.ts.
 * The `gadget_*` typedefs are Inspektor Gadget's: a program that declares a field with one of them
 * says what it holds, whatever its name.
 */
export const FORMATTERS: Formatter[] = [
  // Network byte order first: a __be16 named like a port, a __be32 or 4-byte field named like an address.
  naming('port-be', (f) => isInt(f) && typed(f, '__be16') && named(f, /port$/)),
  naming('ipv4', (f) => named(f, ADDR) && !named(f, /v6$/) && f.size === 4 && (f.kind === 'int' || f.kind === 'array')),
  naming(
    'ipv6',
    (f) => named(f, ADDR) && !named(f, /v4$/) && f.size === 16 && (f.kind === 'int' || f.kind === 'array'),
  ),
  naming('errno', (f) => isInt(f) && (typed(f, 'gadget_errno') || named(f, /^(errno|err|error)$/))),
  // getaddrinfo()'s codes are not errnos (EAI_NONAME is -2): a field that holds one says so by its name.
  naming('eai', (f) => isInt(f) && f.signed && named(f, /^(eai|gai_?(err|error|ret|status))$/)),
  // A return value is -errno only when negative and signed: a fd or a count stays a number.
  naming('ret-errno', (f) => isInt(f) && f.signed && named(f, /^(ret|retval|rc|return_value)$/)),
  naming(
    'syscall',
    (f) =>
      isInt(f) &&
      (typed(f, 'gadget_syscall') ||
        named(f, /^(syscall(_?(id|nr|no))?|sys_?nr|sysno|nr_syscall)$/) ||
        // raw_syscalls' `long id` beside `unsigned long args[6]` (sys_enter) or `long ret` (sys_exit).
        (f.name === 'id' && (SYSCALL_CONTEXT.test(f.parent ?? '') || !!f.siblings?.includes('args')))),
  ),
  naming('signal', (f) => isInt(f) && (typed(f, 'gadget_signal') || named(f, /^(sig|signal|signo|signum|sig_?num)$/))),
  // `__be16 protocol` (skb->protocol) is an ethertype, not an IP protocol.
  naming(
    'ipproto',
    (f) => isInt(f) && !typed(f, '__be16') && named(f, /^(proto|protocol|ip_?proto|l4_?proto|ipproto)$/),
  ),
  naming(
    'open-flags',
    (f) =>
      isInt(f) &&
      (named(f, /^(o_?flags|open_?flags)$/) ||
        (f.name === 'flags' && !!f.siblings?.some((s) => FILE_NAME.test(s.toLowerCase())))),
  ),
  naming('af', (f) => isInt(f) && named(f, /^(family|af|sa_family|skc?_family|ss_family)$/)),
];

/** The formatter for a field, by name, or undefined (the plain rules only). */
export function formatterFor(field: FieldContext): string | undefined {
  for (const f of FORMATTERS) if (f.applies(field)) return f.name;
  return undefined;
}

/** The formatting function named in a layout node, or undefined when this build does not know it. */
export function formatterNamed(name: string): ((plain: Value) => Value | undefined) | undefined {
  return FORMATTERS.find((f) => f.name === name)?.format;
}
