import { readdirSync } from 'node:fs';
import type { Btf } from '@bpfplay/btf';
import type { AttachSupport, CompletionItem, LspPosition } from '@bpfplay/protocol';
import { attachKindOf, capabilityOf } from '../attach/kinds.js';

/**
 * Completion inside `SEC("...")`: the section prefixes libbpf knows, and after a prefix the attach
 * points this kernel has — tracepoints from tracefs, raw/BTF tracepoints from the `btf_trace_*`
 * typedefs of its BTF, BTF-described functions for kprobe/fentry, syscalls, LSM hooks, iterators,
 * and the binaries uprobes may use. Families this kernel cannot serve (the capability probe said
 * so) are offered last, with the reason. clangd has nothing to say inside a string literal.
 */

type Family = 'tracepoint' | 'btf_tracepoint' | 'function' | 'syscall' | 'lsm' | 'iter' | 'uprobe' | 'none';

interface Prefix {
  text: string;
  family: Family;
  what: string;
}

const PREFIXES: Prefix[] = [
  { text: 'tracepoint/', family: 'tracepoint', what: 'a stable kernel tracepoint: tracepoint/<category>/<event>' },
  { text: 'tp/', family: 'tracepoint', what: 'a stable kernel tracepoint (short form): tp/<category>/<event>' },
  { text: 'raw_tp/', family: 'btf_tracepoint', what: 'a raw tracepoint: the event’s arguments, untyped (u64 ctx[])' },
  { text: 'raw_tracepoint/', family: 'btf_tracepoint', what: 'a raw tracepoint (long form)' },
  { text: 'tp_btf/', family: 'btf_tracepoint', what: 'a BTF tracepoint: typed arguments (BPF_PROG)' },
  { text: 'kprobe/', family: 'function', what: 'a kernel function entry' },
  { text: 'kretprobe/', family: 'function', what: 'a kernel function return' },
  { text: 'ksyscall/', family: 'syscall', what: 'a system call entry (BPF_KSYSCALL)' },
  { text: 'kretsyscall/', family: 'syscall', what: 'a system call return' },
  { text: 'fentry/', family: 'function', what: 'a kernel function entry, typed (BPF_PROG)' },
  { text: 'fexit/', family: 'function', what: 'a kernel function exit, typed, with the return value' },
  { text: 'fmod_ret/', family: 'function', what: 'modify a kernel function’s return value' },
  { text: 'lsm/', family: 'lsm', what: 'an LSM hook' },
  { text: 'iter/', family: 'iter', what: 'a BPF iterator over kernel objects' },
  { text: 'uprobe/', family: 'uprobe', what: 'a user-space function entry: uprobe/<binary>:<function>' },
  { text: 'uretprobe/', family: 'uprobe', what: 'a user-space function return' },
  { text: 'perf_event', family: 'none', what: 'a sampling perf event (the agent opens a CPU clock)' },
  { text: 'xdp', family: 'none', what: 'XDP, on the agent’s sandbox veth' },
  { text: 'tc', family: 'none', what: 'TC classifier, on the agent’s sandbox veth' },
  { text: 'socket', family: 'none', what: 'a socket filter' },
  { text: 'license', family: 'none', what: 'the program’s license string: char LICENSE[] SEC("license") = "GPL";' },
  { text: '.maps', family: 'none', what: 'BTF-defined maps: struct { ... } name SEC(".maps");' },
];

/** Most items one answer carries; the editor asks again as the user types (isIncomplete). */
const MAX_ITEMS = 200;

export interface SecCatalogSource {
  capabilities: readonly AttachSupport[];
  vmlinux(): Btf;
  uprobeBinaries: readonly string[];
  /** tracefs events folder; default /sys/kernel/tracing/events. */
  tracefsEvents?: string;
}

export class SecCatalog {
  private lists: Partial<Record<Family, string[]>> = {};

  constructor(private readonly src: SecCatalogSource) {}

  /**
   * Items for `SEC("<typed>` when the cursor's line ends in an open SEC string; undefined when
   * it does not (then clangd answers).
   */
  complete(linePrefix: string, pos: LspPosition): { items: CompletionItem[]; isIncomplete: boolean } | undefined {
    const m = /\bSEC\(\s*"([^"\\]*)$/.exec(linePrefix);
    if (!m) return undefined;
    const typed = m[1]!;
    const range = { start: { line: pos.line, character: pos.character - typed.length }, end: pos };
    const prefix = PREFIXES.filter((p) => p.text.endsWith('/') && typed.startsWith(p.text)).sort(
      (a, b) => b.text.length - a.text.length,
    )[0];
    if (!prefix) {
      const items = PREFIXES.filter((p) => p.text.startsWith(typed)).map((p) => this.prefixItem(p, range));
      return { items, isIncomplete: false };
    }
    const rest = typed.slice(prefix.text.length);
    const names = this.targets(prefix.family);
    const matched: string[] = [];
    let more = false;
    // Sorted lists: the matches of a prefix are one run, found by binary search.
    for (let i = lowerBound(names, rest); i < names.length && names[i]!.startsWith(rest); i++) {
      if (matched.length >= MAX_ITEMS) {
        more = true;
        break;
      }
      matched.push(names[i]!);
    }
    const support = this.support(prefix.text);
    const items = matched.map((n): CompletionItem => ({
      label: prefix.text + n,
      kind: 'section',
      detail: support.supported ? prefix.what : `not on this kernel: ${support.reason ?? 'unsupported'}`,
      insertText: prefix.text + n,
      range,
      sortText: `${support.supported ? 0 : 1}${n}`,
    }));
    return { items, isIncomplete: more };
  }

  private prefixItem(p: Prefix, range: CompletionItem['range']): CompletionItem {
    const s = this.support(p.text);
    return {
      label: p.text,
      kind: 'section',
      detail: s.supported ? p.what : `not on this kernel: ${s.reason ?? 'unsupported'}`,
      ...(s.hint ? { documentation: s.hint } : {}),
      insertText: p.text,
      range,
      sortText: `${s.supported ? 0 : 1}${p.text}`,
    };
  }

  private support(prefix: string): { supported: boolean; reason?: string; hint?: string } {
    if (prefix === 'license' || prefix === '.maps') return { supported: true };
    const family = capabilityOf(attachKindOf(prefix.replace(/\/$/, '')));
    const cap = this.src.capabilities.find((c) => c.kind === family);
    if (!cap) return { supported: true };
    return {
      supported: cap.supported,
      ...(cap.reason ? { reason: cap.reason } : {}),
      ...(cap.hint ? { hint: cap.hint } : {}),
    };
  }

  /** The attach points of a family, sorted; read once (tracefs, ~150k BTF types in ~50 ms). */
  targets(family: Family): string[] {
    const cached = this.lists[family];
    if (cached) return cached;
    let list: string[] = [];
    switch (family) {
      case 'tracepoint':
        list = tracepoints(this.src.tracefsEvents ?? '/sys/kernel/tracing/events');
        break;
      case 'uprobe':
        list = this.src.uprobeBinaries.map((b) => `${b}:`);
        break;
      case 'none':
        break;
      default:
        list = btfNames(this.src.vmlinux(), family);
    }
    list = [...new Set(list)].sort();
    this.lists[family] = list;
    return list;
  }
}

function tracepoints(dir: string): string[] {
  const out: string[] = [];
  let cats: string[];
  try {
    cats = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return out; // no tracefs here: tracepoints are simply not offered
  }
  for (const cat of cats) {
    try {
      for (const e of readdirSync(`${dir}/${cat}`, { withFileTypes: true }))
        if (e.isDirectory()) out.push(`${cat}/${e.name}`);
    } catch {
      // a category that vanished (a module unloaded) while listing
    }
  }
  return out;
}

function btfNames(btf: Btf, family: Exclude<Family, 'tracepoint' | 'uprobe' | 'none'>): string[] {
  const out: string[] = [];
  for (let id = 1; id < btf.typeCount; id++) {
    const kind = btf.kindOf(id);
    if (family === 'btf_tracepoint') {
      if (kind !== 'typedef') continue;
      const n = btf.nameOf(id);
      if (n.startsWith('btf_trace_')) out.push(n.slice('btf_trace_'.length));
      continue;
    }
    if (kind !== 'func') continue;
    const n = btf.nameOf(id);
    if (family === 'function') out.push(n);
    else if (family === 'syscall' && n.startsWith('__x64_sys_')) out.push(n.slice('__x64_sys_'.length));
    else if (family === 'lsm' && n.startsWith('bpf_lsm_')) out.push(n.slice('bpf_lsm_'.length));
    else if (family === 'iter' && n.startsWith('bpf_iter_') && isIterTarget(btf, id))
      out.push(n.slice('bpf_iter_'.length));
  }
  return out;
}

/**
 * An iterator target is declared by DEFINE_BPF_ITER_FUNC as `bpf_iter_<target>(struct
 * bpf_iter_meta *meta, ...)`; other bpf_iter_* functions (open-coded iterators' _new/_next, the
 * iterator machinery itself) take something else first.
 */
function isIterTarget(btf: Btf, funcId: number): boolean {
  try {
    const fn = btf.typeOfKind(funcId, 'func');
    const proto = btf.typeOfKind(fn.type, 'func_proto');
    const first = proto.params[0];
    if (!first) return false;
    const ptr = btf.resolve(first.type);
    return ptr.kind === 'ptr' && btf.resolve(ptr.type).name === 'bpf_iter_meta';
  } catch {
    return false;
  }
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
