/**
 * What a program's SEC() name means for attaching it. The prefixes follow libbpf's section table;
 * the playground needs the family (to check this kernel supports it) and how to attach it.
 */
export type AttachKind =
  | 'tracepoint'
  | 'raw_tp'
  | 'tp_btf'
  | 'kprobe'
  | 'kretprobe'
  | 'ksyscall'
  | 'uprobe'
  | 'uretprobe'
  | 'usdt'
  | 'fentry'
  | 'fexit'
  | 'fmod_ret'
  | 'lsm'
  | 'iter'
  | 'perf_event'
  | 'xdp'
  | 'tc'
  | 'socket'
  | 'flow_dissector'
  | 'cgroup'
  | 'struct_ops'
  | 'syscall'
  | 'other';

const PREFIXES: [string, AttachKind][] = [
  ['tracepoint/', 'tracepoint'],
  ['tp/', 'tracepoint'],
  ['raw_tracepoint.w/', 'raw_tp'],
  ['raw_tp.w/', 'raw_tp'],
  ['raw_tracepoint/', 'raw_tp'],
  ['raw_tp/', 'raw_tp'],
  ['tp_btf/', 'tp_btf'],
  ['kprobe.multi', 'kprobe'],
  ['kretprobe.multi', 'kretprobe'],
  ['kprobe', 'kprobe'],
  ['kretprobe', 'kretprobe'],
  ['ksyscall', 'ksyscall'],
  ['kretsyscall', 'ksyscall'],
  ['uprobe', 'uprobe'],
  ['uretprobe', 'uretprobe'],
  ['usdt', 'usdt'],
  ['fentry', 'fentry'],
  ['fexit', 'fexit'],
  ['fmod_ret', 'fmod_ret'],
  ['lsm', 'lsm'],
  ['iter', 'iter'],
  ['perf_event', 'perf_event'],
  ['xdp', 'xdp'],
  ['tcx', 'tc'],
  ['tc', 'tc'],
  ['classifier', 'tc'],
  ['action', 'tc'],
  ['socket', 'socket'],
  ['flow_dissector', 'flow_dissector'],
  ['cgroup', 'cgroup'],
  ['sockops', 'cgroup'],
  ['struct_ops', 'struct_ops'],
  ['syscall', 'syscall'],
];

export function attachKindOf(section: string): AttachKind {
  for (const [prefix, kind] of PREFIXES) {
    if (prefix.endsWith('/') ? section.startsWith(prefix) : startsWithWord(section, prefix)) return kind;
  }
  return 'other';
}

/** `tc` matches `tc`, `tc/ingress`, `tc.s` but not `tcp...`; `cgroup` also covers `cgroup_skb/...`. */
function startsWithWord(section: string, word: string): boolean {
  if (!section.startsWith(word)) return false;
  const next = section[word.length];
  return next === undefined || next === '/' || next === '.' || (word === 'cgroup' && next === '_');
}

/** The family a capability probe answers for (a kretprobe works when kprobes do). */
export function capabilityOf(kind: AttachKind): string {
  switch (kind) {
    case 'kretprobe':
    case 'ksyscall':
      return 'kprobe';
    case 'uretprobe':
    case 'usdt':
      return 'uprobe';
    case 'fexit':
    case 'fmod_ret':
      return 'fentry';
    default:
      return kind;
  }
}

/** What to write instead when a family is missing on this kernel. */
export const ALTERNATIVES: Partial<Record<string, string>> = {
  kprobe:
    'use SEC("tracepoint/...") (stable), SEC("raw_tp/...") or SEC("tp_btf/...") (typed arguments) for the same event',
  fentry: 'use SEC("tp_btf/...") for typed arguments at a tracepoint, or SEC("tracepoint/...")',
  lsm: 'LSM programs cannot run here; trace the same path with a tracepoint',
  uprobe: 'uprobes need the uprobe PMU; trace the syscalls the program makes with tracepoints instead',
};
