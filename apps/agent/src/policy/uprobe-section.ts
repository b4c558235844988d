/**
 * What a uprobe or USDT section asks for, parsed the way libbpf 1.4 parses it (attach_uprobe,
 * attach_usdt), so the agent decides on the same file, function and offset libbpf would have
 * attached to. The runner then attaches to what the agent decided, never to the section text.
 *
 *   SEC("uprobe/<file>:<function>[+<offset>]")   SEC("uretprobe/<file>:<function>")
 *   SEC("usdt/<file>:<provider>:<name>")          (.s variants: sleepable, same target)
 *
 * libbpf reads the offset with `%li`: decimal, 0x hex, and — easy to miss — a leading 0 for octal
 * (`+010` is 8). A negative offset would land before the function; it is refused here rather than
 * passed on.
 */
export interface UprobeSection {
  kind: 'uprobe' | 'uretprobe';
  file: string;
  func: string;
  /** Bytes after the function's first instruction. */
  offset: number;
}

export interface UsdtSection {
  file: string;
  provider: string;
  name: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** strtol(s, 0) for the whole string, as `%li` reads it; undefined when anything is left over. */
export function parseCInteger(text: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return undefined;
  const digits = m[2]!;
  const value = /^0[xX]/.test(digits)
    ? parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits.startsWith('0')
      ? parseInt(digits.slice(1), 8)
      : Number(digits);
  return m[1] === '-' ? -value : value;
}

const FUNC = /^[A-Za-z_.$][A-Za-z0-9_.$@]*$/;

export function parseUprobeSection(section: string): Parsed<UprobeSection> {
  const s = section.startsWith('?') ? section.slice(1) : section;
  const m = /^(uprobe|uretprobe)(?:\.s)?\/([^:]*):(.*)$/.exec(s);
  if (!m) {
    return {
      ok: false,
      reason: `SEC("${section}") names no file and function; write SEC("uprobe/<file>:<function>")`,
    };
  }
  const kind = m[1] as UprobeSection['kind'];
  const file = m[2]!;
  let func = m[3]!;
  let offset = 0;
  const plus = func.lastIndexOf('+');
  if (plus >= 0) {
    const n = parseCInteger(func.slice(plus + 1));
    if (n === undefined)
      return { ok: false, reason: `"${func.slice(plus)}" in SEC("${section}") is not an offset; write +N in bytes` };
    if (n < 0) return { ok: false, reason: `SEC("${section}") asks for a negative offset, before the function` };
    func = func.slice(0, plus);
    offset = n;
  }
  if (!FUNC.test(func)) return { ok: false, reason: `"${func}" in SEC("${section}") is not a function name` };
  if (kind === 'uretprobe' && offset !== 0)
    return { ok: false, reason: `SEC("${section}"): a uretprobe fires when the function returns; it takes no offset` };
  return { ok: true, value: { kind, file, func, offset } };
}

export function parseUsdtSection(section: string): Parsed<UsdtSection> {
  const s = section.startsWith('?') ? section.slice(1) : section;
  const m = /^usdt(?:\.s)?\/([^:]+):([^:]+):([^:]+)$/.exec(s);
  if (!m)
    return {
      ok: false,
      reason: `SEC("${section}") names no file, provider and probe; write SEC("usdt/<file>:<provider>:<name>")`,
    };
  return { ok: true, value: { file: m[1]!, provider: m[2]!, name: m[3]! } };
}
