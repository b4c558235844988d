/**
 * The abuse catalogue: snippets a hostile or careless participant could send, each with what the
 * agent must answer. Helper, kfunc and program-type cases are generated from the default policy, so
 * every rule in policy/policy.ts is exercised and a new rule is tested by being added.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Btf } from '@bpfplay/btf';
import type { RunOptions } from '@bpfplay/protocol';
import { instructions } from '../harness/objdump.js';
import { DEFAULT_POLICY } from '../../src/policy/policy.js';
import type { RunOutcome } from './driver.js';

export interface AbuseCase {
  group: string;
  name: string;
  files: Record<string, string>;
  options?: RunOptions;
  /** undefined when the agent answered as it must; otherwise what went wrong, as a sentence. */
  check(o: RunOutcome): string | undefined;
}

const HEAD = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n';
const LICENSE = 'char LICENSE[] SEC("license") = "GPL";\n';

const lineOf = (src: string, needle: string) => src.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** Text that must never reach a client: first lines of host files the include tricks aim at. */
export const HOST_SECRETS = [/root:[^\n]*:0:0:/, /^root:\*?\$/m, /BPFPLAY_TOKEN/];

function leaked(o: RunOutcome): string | undefined {
  const text = JSON.stringify(o.messages);
  const hit = HOST_SECRETS.find((re) => re.test(text));
  return hit ? `host file content reached the client (${hit})` : undefined;
}

/** The run must be refused by `rule`, naming `program` and the source line `line` of `file`. */
function refusedBy(rule: string, program: string, file: string, line: number, extra?: RegExp) {
  return (o: RunOutcome): string | undefined => {
    if (o.stopped?.reason !== 'refused') return `expected a refusal (${rule}), got ${describeEnd(o)}`;
    const v = o.refused?.violations.find((x) => x.rule === rule && x.program === program);
    if (!v) return `no ${rule} violation for ${program}: ${JSON.stringify(o.refused?.violations)}`;
    if (v.location?.file !== file || v.location.line !== line)
      return `${rule} names ${JSON.stringify(v.location)}, expected ${file}:${line}`;
    if (!v.message.includes(`${file}:${line}`)) return `the message does not say where: ${v.message}`;
    if (extra && !extra.test(v.message)) return `the message does not match ${extra}: ${v.message}`;
    if (o.messages.some((m) => m.type === 'loaded')) return 'the object was loaded despite the refusal';
    return undefined;
  };
}

export function describeEnd(o: RunOutcome): string {
  if (o.error) return `error ${o.error.code}: ${o.error.message}`;
  if (o.stopped) return `stopped (${o.stopped.reason}): ${o.stopped.message.split('\n')[0]}`;
  return `no answer (${o.messages.map((m) => m.type).join(', ')})`;
}

function compileFails(pattern: RegExp) {
  return (o: RunOutcome): string | undefined => {
    const leak = leaked(o);
    if (leak) return leak;
    if (o.stopped?.reason !== 'compile-error')
      return `expected a compile error matching ${pattern}, got ${describeEnd(o)}`;
    const said = [o.stopped.message, ...(o.compiled?.diagnostics.map((d) => d.message) ?? [])].join('\n');
    return pattern.test(said) ? undefined : `the compile error does not match ${pattern}: ${o.stopped.message}`;
  };
}

function endsWith(reason: string, pattern: RegExp) {
  return (o: RunOutcome): string | undefined => {
    const leak = leaked(o);
    if (leak) return leak;
    if (o.stopped?.reason !== reason) return `expected stopped (${reason}) matching ${pattern}, got ${describeEnd(o)}`;
    return pattern.test(o.stopped.message) ? undefined : `stop message does not match ${pattern}: ${o.stopped.message}`;
  };
}

function protocolError(pattern: RegExp) {
  return (o: RunOutcome): string | undefined => {
    if (!o.error) return `expected a protocol error, got ${describeEnd(o)}`;
    return pattern.test(o.error.message) ? undefined : `error does not match ${pattern}: ${o.error.message}`;
  };
}

/** One program per denied helper, called through a generic pointer so any signature compiles. */
function helperCases(tag: string): AbuseCase[] {
  return Object.keys(DEFAULT_POLICY.deniedHelpers).map((helper, i) => {
    const prog = `${tag}h${i}`;
    const src = `${HEAD}
SEC("tp/syscalls/sys_enter_getpid")
int ${prog}(void *ctx)
{
	long (*f)(long, long, long, long, long) = (void *)${helper};
	return f((long)ctx, 0, 0, 0, 0);
}
${LICENSE}`;
    return {
      group: 'denied helper',
      name: helper,
      files: { 'h.bpf.c': src },
      check: refusedBy('helper-denied', prog, 'h.bpf.c', lineOf(src, 'return f('), new RegExp(helper)),
    };
  });
}

function kfuncCases(tag: string): AbuseCase[] {
  return Object.keys(DEFAULT_POLICY.deniedKfuncs).map((kfunc, i) => {
    const prog = `${tag}k${i}`;
    // A ___flavor of its own: vmlinux.h from bpftool 7.5 declares every kfunc with its real prototype, and libbpf
    // resolves the flavored name to the kfunc all the same — so this is also the "renamed extern" case.
    const src = `${HEAD}
extern long ${kfunc}___abuse(long a, long b) __ksym;
SEC("tp/syscalls/sys_enter_getpid")
int ${prog}(void *ctx)
{
	return ${kfunc}___abuse((long)ctx, 0);
}
${LICENSE}`;
    return {
      group: 'denied kfunc',
      name: kfunc,
      files: { 'k.bpf.c': src },
      check: refusedBy('kfunc-denied', prog, 'k.bpf.c', lineOf(src, `return ${kfunc}___abuse(`), new RegExp(kfunc)),
    };
  });
}

/** A section for each denied family, and families the agent does not know at all. */
const DENIED_SECTIONS: Record<string, string> = {
  lsm: 'lsm/bprm_check_security',
  fmod_ret: 'fmod_ret/do_sys_openat2',
  struct_ops: 'struct_ops/ssthresh',
  syscall: 'syscall',
  cgroup: 'cgroup_skb/ingress',
  'raw_tp.w': 'raw_tp.w/bpf_test_finish',
};
const UNKNOWN_SECTIONS = [
  'sk_lookup',
  'freplace/handler',
  'sk_msg',
  'sk_skb/stream_parser',
  'netfilter',
  'lsm_cgroup/socket_bind',
  'lwt_in',
  'sk_reuseport',
  'lirc_mode2',
];

function kindCases(tag: string): AbuseCase[] {
  const make = (section: string, rule: string, i: number): AbuseCase => {
    const prog = `${tag}t${i}`;
    const src = `${HEAD}
SEC("${section}")
int ${prog}(void *ctx)
{
	return 0;
}
${LICENSE}`;
    return {
      group: 'denied program type',
      name: `SEC("${section}")`,
      files: { 't.bpf.c': src },
      check: refusedBy(rule, prog, 't.bpf.c', lineOf(src, 'SEC("' + section)),
    };
  };
  const denied = Object.keys(DEFAULT_POLICY.deniedKinds).map((kind, i) => {
    const section = DENIED_SECTIONS[kind];
    if (!section)
      throw new Error(
        `policy denies "${kind}" but the abuse suite has no example section for it: add one to DENIED_SECTIONS`,
      );
    return make(section, 'program-type-denied', i);
  });
  // Families only the packet lab loads: a Run (what the abuse suite sends) must be refused.
  const labOnly = Object.keys(DEFAULT_POLICY.packetLabKinds).map((kind, i) =>
    make(kind, 'program-type-packet-lab-only', 50 + i),
  );
  return [...denied, ...labOnly, ...UNKNOWN_SECTIONS.map((s, i) => make(s, 'program-type-not-allowed', 100 + i))];
}

function includeCases(): AbuseCase[] {
  const notFound = /file not found|Could not find/;
  const c = (
    name: string,
    files: Record<string, string>,
    check = compileFails(notFound),
    options?: RunOptions,
  ): AbuseCase => ({
    group: 'include trick',
    name,
    files,
    check,
    ...(options ? { options } : {}),
  });
  return [
    c('#include "/etc/shadow"', { 'a.bpf.c': '#include "/etc/shadow"\n' }),
    c('#include </etc/passwd>', { 'a.bpf.c': '#include </etc/passwd>\n' }),
    c('%:include (digraph)', { 'a.bpf.c': '%:include "/etc/shadow"\n' }),
    c(
      '??=include (trigraph)',
      { 'a.bpf.c': '??=include "/etc/shadow"\n' },
      compileFails(/trigraph|expected|file not found/),
    ),
    c('.incbin in inline asm', { 'a.bpf.c': 'asm(".incbin \\"/etc/passwd\\"");\n' }),
    c('#embed', { 'a.bpf.c': 'const char d[] = {\n#embed "/etc/passwd"\n};\n' }),
    c('../ path', { 'a.bpf.c': '#include "../../../../../../etc/passwd"\n' }),
    c('absolute path into the repo', { 'a.bpf.c': `#include "${process.cwd()}/package.json"\n` }),
    c('/proc/self/environ', { 'a.bpf.c': '#include "/proc/self/environ"\n' }),
    c('/proc/1/cmdline', { 'a.bpf.c': '#include "/proc/1/cmdline"\n' }),
    c('/root/.bash_history', { 'a.bpf.c': '#include "/root/.bash_history"\n' }),
    c('#pragma GCC dependency', { 'a.bpf.c': '#pragma GCC dependency "/etc/shadow"\n' }),
    c('include via a header', { 'a.bpf.c': '#include "evil.h"\n', 'evil.h': '#include "/etc/shadow"\n' }),
    c(
      '__has_include of a host file',
      {
        'a.bpf.c': `${HEAD}#if __has_include("/etc/passwd") || __has_include(</etc/hostname>)\n#error host files are visible\n#endif\nSEC("tp/syscalls/sys_enter_getpid") int hi(void *c) { return 0; }\n${LICENSE}`,
      },
      endsWith('finished', /compile-only/),
      { mode: 'compile' },
    ),
    c('/dev/zero (endless device)', { 'a.bpf.c': '#include "/dev/zero"\n' }, endsWith('attach-error', /no programs/)),
    c('file name with ../', { '../x.bpf.c': 'int x;' }, protocolError(/file names|\.\./)),
    c('file name with /etc/', { '/etc/x.bpf.c': 'int x;' }, protocolError(/file names/)),
    c('file name that climbs via a folder', { 'a/../../x.bpf.c': 'int x;' }, protocolError(/file names/)),
    c(
      'file name of a symlink-like path',
      { 'x.h -> /etc/shadow': '', 'a.bpf.c': '#include "x.h"\n' },
      protocolError(/file names/),
    ),
  ];
}

function macroBomb(levels: number): string {
  const lines = ['#define A0 x'];
  for (let i = 1; i <= levels; i++) lines.push(`#define A${i} A${i - 1} A${i - 1}`);
  return `${lines.join('\n')}\nint y = sizeof(#A${levels});\n`;
}

function bombCases(): AbuseCase[] {
  const limit = /limit|was stopped|more than/;
  return [
    {
      group: 'compile bomb',
      name: 'exponential macros (2^30 tokens)',
      files: { 'b.bpf.c': macroBomb(30) },
      check: compileFails(limit),
    },
    {
      group: 'compile bomb',
      name: 'exponential nested expression',
      files: {
        'b.bpf.c': `${Array.from({ length: 30 }, (_, i) => (i === 0 ? '#define B0 1' : `#define B${i} (B${i - 1}+B${i - 1})`)).join('\n')}\nint y = B29;\n`,
      },
      check: compileFails(limit),
    },
    {
      group: 'compile bomb',
      name: 'include recursion',
      files: { 'b.bpf.c': '#include "r.h"\n', 'r.h': '#include "r.h"\n' },
      check: compileFails(/nested too deeply/),
    },
    {
      group: 'compile bomb',
      name: 'mutual include recursion',
      files: { 'b.bpf.c': '#include "p.h"\n', 'p.h': '#include "q.h"\n', 'q.h': '#include "p.h"\n' },
      check: compileFails(/nested too deeply/),
    },
    {
      group: 'compile bomb',
      name: 'huge initialised array (object over the file size limit)',
      files: { 'b.bpf.c': 'char big[1 << 27] = {1};\n' },
      check: compileFails(/write a file over/),
    },
    {
      group: 'compile bomb',
      name: 'deep bracket nesting',
      files: { 'b.bpf.c': `int y = ${'('.repeat(20000)}1${')'.repeat(20000)};\n` },
      check: compileFails(/nesting|bracket|too deeply|limit/),
    },
  ];
}

function mapCases(tag: string): AbuseCase[] {
  const map = (name: string, def: string, use = '') => {
    const src = `${HEAD}
${def}
SEC("tp/syscalls/sys_enter_getpid")
int ${tag}m_${name.slice(0, 6)}(void *ctx)
{
	${use}
	return 0;
}
${LICENSE}`;
    return src;
  };
  const quota = (name: string) => endsWith('quota', new RegExp(`map memory quota.*${name}`));
  return [
    {
      group: 'map memory',
      name: 'hash map of 2^28 entries (2 GiB)',
      files: {
        'm.bpf.c': map(
          'huge',
          'struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1 << 28); __type(key, u32); __type(value, u32); } huge SEC(".maps");',
        ),
      },
      check: quota('huge'),
    },
    {
      group: 'map memory',
      name: 'array with 4 GiB of values',
      files: {
        'm.bpf.c': map(
          'arr',
          'struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1 << 20); __type(key, u32); __type(value, char[4096]); } arr SEC(".maps");',
        ),
      },
      check: quota('arr'),
    },
    {
      group: 'map memory',
      name: 'per-CPU array (1 GiB × CPUs)',
      files: {
        'm.bpf.c': map(
          'pcpu',
          'struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1 << 18); __type(key, u32); __type(value, char[4096]); } pcpu SEC(".maps");',
        ),
      },
      check: quota('pcpu'),
    },
    {
      group: 'map memory',
      name: 'ring buffer of 1 GiB',
      files: {
        'm.bpf.c': map(
          'ring',
          'struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 30); } ring SEC(".maps");',
        ),
      },
      check: quota('ring'),
    },
    {
      group: 'map memory',
      name: '1 GiB of global variables (.bss)',
      files: { 'm.bpf.c': map('bss', 'char big[1UL << 30];', 'big[5] = 1;') },
      check: quota('bss'),
    },
    {
      group: 'map memory',
      name: 'max_entries 0xffffffff',
      files: {
        'm.bpf.c': map(
          'max',
          'struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 0xffffffff); __type(key, u64); __type(value, u64); } maxed SEC(".maps");',
        ),
      },
      check: quota('maxed'),
    },
  ];
}

/** `count` programs from a few lines of macros (the snippet stays far under the size limit). */
export function manyPrograms(prefix: string, count: 4096 | 1024 | 64): string {
  const top = { 64: 'P64(0)', 1024: 'P256(0) P256(1) P256(2) P256(3)', 4096: 'P1024(0) P1024(1) P1024(2) P1024(3)' }[
    count
  ];
  return `${HEAD}
#define P(n) SEC("tp/syscalls/sys_enter_getpid") int ${prefix}##n(void *c) { return 0; }
#define P4(n) P(n##0) P(n##1) P(n##2) P(n##3)
#define P16(n) P4(n##0) P4(n##1) P4(n##2) P4(n##3)
#define P64(n) P16(n##0) P16(n##1) P16(n##2) P16(n##3)
#define P256(n) P64(n##0) P64(n##1) P64(n##2) P64(n##3)
#define P1024(n) P256(n##0) P256(n##1) P256(n##2) P256(n##3)
${top}
${LICENSE}`;
}

function programCountCases(tag: string): AbuseCase[] {
  return [
    {
      group: 'program count',
      name: '4096 programs',
      files: { 'p.bpf.c': manyPrograms(`${tag}n`, 4096) },
      check: endsWith('refused', /too-many-programs: the object has 4096 programs/),
    },
    {
      group: 'program count',
      name: '1024 programs',
      files: { 'p.bpf.c': manyPrograms(`${tag}n`, 1024) },
      check: endsWith('refused', /too-many-programs: the object has 1024 programs/),
    },
  ];
}

/**
 * The holes of issue 11 that live in the kernel path, as an attacker wrote them: kfuncs disguised as
 * raw bytes or as a relocated "helper 0", pinning (of a map and of a map-in-map template), uprobes
 * inside an instruction or on a `syscall`, and an inner map template past the map-memory quota.
 */
function holeCases(tag: string): AbuseCase[] {
  const SIGNAL_TASK =
    'extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type, u64 value) __ksym;\n';
  const keep = 'void *keep[] = { &bpf_send_signal_task };\n';
  const vmlinux = Btf.parse(readFileSync('/sys/kernel/btf/vmlinux'), { name: 'vmlinux' });
  const kfuncId = vmlinux.findByName('bpf_send_signal_task', 'func')[0]!;
  // A call instruction with src_reg 2 (BPF_PSEUDO_KFUNC_CALL) and the kfunc's BTF id as imm.
  const rawCall = `0x${((BigInt(kfuncId) << 32n) | 0x2085n).toString(16)}`;
  const kfunc = (name: string, prog: string, asm: string): AbuseCase => {
    const src = `${HEAD}${SIGNAL_TASK}
SEC("tp/syscalls/sys_enter_getpid")
int ${prog}(void *ctx)
{
	asm volatile(${asm} ::: "memory");
	return 0;
}
${keep}${LICENSE}`;
    return {
      group: 'kfunc in disguise',
      name,
      files: { 'k.bpf.c': src },
      check: refusedBy('kfunc-denied', prog, 'k.bpf.c', lineOf(src, 'asm volatile'), /bpf_send_signal_task/),
    };
  };

  const pinned = (name: string, map: string, def: string): AbuseCase => {
    const src = `${HEAD}${def}
SEC("tp/syscalls/sys_enter_getpid")
int ${tag}pp_${map.slice(-4)}(void *ctx) { return bpf_map_lookup_elem(&${map}, &(u32){0}) != 0; }
${LICENSE}`;
    return {
      group: 'pinning',
      name,
      files: { 'pin.bpf.c': src },
      check: (o) => {
        if (o.stopped?.reason !== 'refused') return `expected a refusal (map-pinning), got ${describeEnd(o)}`;
        const v = o.refused?.violations.find((x) => x.rule === 'map-pinning');
        if (!v) return `no map-pinning violation: ${JSON.stringify(o.refused?.violations)}`;
        if (v.location?.file !== 'pin.bpf.c') return `map-pinning names ${JSON.stringify(v.location)}`;
        if (o.messages.some((m) => m.type === 'loaded')) return 'the object was loaded despite the refusal';
        if (existsSync(`/sys/fs/bpf/${map}`)) return `/sys/fs/bpf/${map} exists after the run`;
        return undefined;
      },
    };
  };
  const pinMap = `${tag}pin`;
  const pinInner = `${tag}pini`;

  const uprobe = (name: string, prog: string, section: string, pattern: RegExp): AbuseCase => {
    const src = `${HEAD}
SEC("${section}")
int ${prog}(void *ctx) { return 0; }
${LICENSE}`;
    return {
      group: 'uprobe offset',
      name,
      files: { 'u.bpf.c': src },
      check: refusedBy('uprobe-offset', prog, 'u.bpf.c', lineOf(src, 'SEC("'), pattern),
    };
  };
  const readline = instructions('/usr/bin/bash', 'readline');
  const longInsn = readline.findIndex((x, k) => k + 1 < readline.length && readline[k + 1]!.offset - x.offset > 1);
  const mid = readline[longInsn]!.offset + 1;
  const syscall = instructions('/usr/lib/x86_64-linux-gnu/libc.so.6', 'getpid').find((x) => x.text === 'syscall');

  const inner = `${tag}inq`;
  return [
    kfunc('bpf_send_signal_task as raw bytes with its BTF id', `${tag}kraw`, `".quad ${rawCall}"`),
    kfunc('"helper 0" relocated against a __ksym extern', `${tag}krel`, '".quad bpf_send_signal_task + 0x85"'),
    pinned(
      'LIBBPF_PIN_BY_NAME on a map',
      pinMap,
      `struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, u32); __uint(pinning, LIBBPF_PIN_BY_NAME); } ${pinMap} SEC(".maps");`,
    ),
    pinned(
      'LIBBPF_PIN_BY_NAME on a map-in-map inner template',
      pinInner,
      `struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 1); __type(key, u32); __array(values, struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, u32); __uint(pinning, LIBBPF_PIN_BY_NAME); }); } ${pinInner} SEC(".maps");`,
    ),
    uprobe(
      `bash readline+${mid} (inside an instruction)`,
      `${tag}umid`,
      `uprobe//bin/bash:readline+${mid}`,
      /inside an instruction/,
    ),
    ...(syscall
      ? [
          uprobe(
            `libc.so.6 getpid+${syscall.offset} (its syscall instruction)`,
            `${tag}usys`,
            `uprobe/libc.so.6:getpid+${syscall.offset}`,
            /`syscall` instruction/,
          ),
        ]
      : []),
    {
      group: 'inner map quota',
      name: 'ARRAY_OF_MAPS with a 512 MiB inner template',
      files: {
        'mim.bpf.c': `${HEAD}struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 1); __type(key, u32); __array(values, struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1 << 19); __uint(key_size, 4); __uint(value_size, 1024); }); } ${inner} SEC(".maps");
SEC("tp/syscalls/sys_enter_getpid")
int ${tag}inqp(void *ctx) { return bpf_map_lookup_elem(&${inner}, &(u32){0}) != 0; }
${LICENSE}`,
      },
      check: endsWith('quota', new RegExp(`map memory quota.*${inner}\\.inner \\(array\\) 514\\.0 MiB`)),
    },
  ];
}

/** Every case of the catalogue; `tag` prefixes program names so leftovers can be found in the kernel. */
export function abuseCases(tag: string): AbuseCase[] {
  return [
    ...helperCases(tag),
    ...kfuncCases(tag),
    ...kindCases(tag),
    ...includeCases(),
    ...bombCases(),
    ...mapCases(tag),
    ...programCountCases(tag),
    ...holeCases(tag),
  ];
}
