/**
 * The verifier's error lines, in plain language: a one-line reason and an actionable hint for the
 * mistakes people actually make, and for everything else the kernel's own line.
 *
 * Each rule is matched against every error line; the first rule (in this order) that matches any
 * line wins. Order matters where the kernel prints two lines for one mistake: "invalid access to
 * map value, ..." is followed by "R0 min value is outside of the allowed memory range", and
 * "Unreleased reference ..." by "BPF_EXIT instruction ... would lead to reference leak".
 * The wording of each line was checked against logs captured on this kernel (test/load/golden/).
 */
import type { SourceLocation } from '@bpfplay/protocol';

export interface Explanation {
  reason: string;
  hint?: string;
  /** The kernel's line the reason was drawn from. */
  message: string;
}

export interface ReasonContext {
  /** The failing instruction without its opcode, e.g. `call bpf_skb_load_bytes#26`. */
  insnText?: string;
  /** The instruction limit from the statistics line, when the log has it. */
  insnLimit?: number;
  /** Text and source line of another instruction, e.g. where a leaked reference was taken. */
  describeInsn(insn: number): { text?: string; location?: SourceLocation };
}

type Rule = {
  re: RegExp;
  explain: (m: RegExpExecArray, ctx: ReasonContext) => { reason: string; hint?: string };
};

/** `call bpf_map_lookup_elem#1` -> `bpf_map_lookup_elem`. */
export function helperOf(insnText: string | undefined): string | undefined {
  return insnText ? /\bcall ([A-Za-z_]\w*)#/.exec(insnText)?.[1] : undefined;
}

/** What produced a `*_or_null` pointer, by the register type the verifier names. */
const NULLABLE_SOURCES: Record<string, string> = {
  map_value: 'bpf_map_lookup_elem()',
  ringbuf_mem: 'bpf_ringbuf_reserve()',
  sock: 'a socket lookup (bpf_sk_lookup_*)',
  sock_common: 'a socket lookup (bpf_skc_lookup_tcp)',
  tcp_sock: 'bpf_tcp_sock()',
  mem: 'a helper that may return NULL',
};

/** Register types as a person would say them. */
function describeType(t: string): string {
  if (t === 'scalar' || t === 'inv') return 'a plain number';
  if (t.endsWith('_or_null')) return 'a pointer that may be NULL';
  if (t === 'fp') return 'a stack pointer';
  if (t === 'ctx') return 'the program context';
  if (t === 'map_ptr') return 'a map';
  if (t === 'map_value') return 'a pointer into a map value';
  return `a ${t}`;
}

const TOO_COMPLEX_HINT =
  'Usually a loop with many iterations or many branches per iteration: the verifier checks a bounded loop ' +
  'by walking every iteration. Do less per event (keep running totals instead of re-summing), lower the ' +
  'bound, or use bpf_loop() / bpf_for_each_map_elem(), which are checked once per callback.';

const STACK_HINT =
  'A size passed with a buffer must fit that buffer: use sizeof(the destination field), not of a bigger ' +
  'struct. BPF programs have 512 bytes of stack; larger buffers belong in a per-CPU array map.';

const RELEASE_HINTS: Record<string, string> = {
  bpf_ringbuf_reserve:
    'Call bpf_ringbuf_submit() or bpf_ringbuf_discard() on every path after a successful reserve, early ' +
    'returns included — or apply filters before reserving.',
  bpf_sk_lookup_tcp: 'Call bpf_sk_release() on every path once the socket lookup succeeded.',
  bpf_sk_lookup_udp: 'Call bpf_sk_release() on every path once the socket lookup succeeded.',
  bpf_skc_lookup_tcp: 'Call bpf_sk_release() on every path once the socket lookup succeeded.',
  bpf_task_acquire: 'Call bpf_task_release() on every path.',
  bpf_cgroup_acquire: 'Call bpf_cgroup_release() on every path.',
};

function helperHint(name: string): string {
  const general =
    'Each program type has its own list of helpers (see `man 7 bpf-helpers`, or `bpftool feature probe`).';
  if (name.startsWith('bpf_skb_'))
    return `${general} In XDP use bpf_xdp_load_bytes() / bpf_xdp_store_bytes() or direct packet access (data, data_end); sk_buff helpers need a tc or socket program.`;
  if (name.startsWith('bpf_xdp_')) return `${general} bpf_xdp_* helpers work only in XDP programs.`;
  if (name === 'bpf_get_stackid' || name === 'bpf_get_stack')
    return `${general} Stack helpers are for tracing programs (tracepoint, raw_tp, tp_btf, perf_event, uprobe).`;
  if (name === 'bpf_get_current_task_btf')
    return `${general} In a tracepoint or raw_tp program use bpf_get_current_task() with BPF_CORE_READ().`;
  return general;
}

const RULES: Rule[] = [
  {
    re: /^R(\d+) invalid mem access '(\w+)_or_null'/,
    explain: (m) => {
      const source = NULLABLE_SOURCES[m[2] ?? ''];
      return {
        reason: source
          ? `pointer may be NULL: the result of ${source} is used without a NULL check`
          : `pointer may be NULL: R${m[1]} is used without a NULL check`,
        hint: 'Test it first — `if (!ptr) return 0;` — the verifier allows the access only on the path where the pointer was checked.',
      };
    },
  },
  {
    re: /^R(\d+) invalid mem access '(scalar|inv)'/,
    explain: () => ({
      reason: 'memory read through a plain number: the verifier does not know this value as a pointer',
      hint:
        'Kernel pointers from bpf_get_current_task() or from tracepoint fields must be read with ' +
        'BPF_CORE_READ() or bpf_probe_read_kernel(); plain `a->b` works only on pointers the verifier ' +
        'tracks (the context, map values, BTF pointers in tp_btf programs).',
    }),
  },
  {
    re: /^infinite loop detected at insn (\d+)/,
    explain: () => ({
      reason: 'infinite loop: the verifier came back to the top of a loop in exactly the same state',
      hint:
        'Something the loop condition depends on must change on every path through the body — a `continue` ' +
        'that skips the increment is the usual cause. Prefer `for (i = 0; i < N; i++)` with a constant N, or bpf_loop().',
    }),
  },
  {
    re: /^back-edge from insn (\d+) to (\d+)/,
    explain: () => ({
      reason: 'loop not allowed: this load may not jump backwards (loops need kernel 5.3+ and CAP_BPF)',
      hint: 'Unroll the loop (`#pragma unroll` with a constant bound) or use bpf_loop().',
    }),
  },
  {
    re: /^BPF program is too large\. Processed (\d+) insn/,
    explain: (m, ctx) => ({
      reason: `program too complex for the verifier: it gave up after walking ${m[1]} instructions (limit ${ctx.insnLimit ?? 1000000})`,
      hint: TOO_COMPLEX_HINT,
    }),
  },
  {
    re: /^The sequence of (\d+) jumps is too complex/,
    explain: (m) => ({
      reason: `program too complex for the verifier: ${m[1]} branches were left to check on one path`,
      hint: TOO_COMPLEX_HINT,
    }),
  },
  {
    re: /^combined stack size of (\d+) calls is (\d+)\. Too large/,
    explain: (m) => ({
      reason: `stack too large: ${m[2]} bytes across ${m[1]} nested calls, the limit is 512`,
      hint: 'Move big buffers and structs into a per-CPU array map used as scratch space.',
    }),
  },
  {
    // Bounds: "invalid{ write to, read from, indirect access to, ...} stack R1 off=-128 size=148".
    re: /^invalid ?(write to|read from|indirect access to|indirect read from|indirect write to)? stack R(\d+) off=(-?\d+) size=(\d+)/,
    explain: (m) => {
      const [off, size] = [Number(m[3]), Number(m[4])];
      const past = off + size;
      const where =
        past > 0 ? `, ${past} bytes past the end of the stack frame` : off < -512 ? ', below the 512-byte stack' : '';
      return {
        reason: `stack access out of bounds: ${size} bytes at fp${off} (R${m[2]})${where}`,
        hint: STACK_HINT,
      };
    },
  },
  {
    re: /^invalid (?:unbounded )?variable-offset (?:read from|write to|indirect access to) stack/,
    explain: () => ({
      reason: 'stack access out of bounds: an index into a stack buffer is not bounded',
      hint: `Clamp the index (\`if (i >= sizeof(buf)) return 0;\`) right before using it. ${STACK_HINT}`,
    }),
  },
  {
    re: /^invalid stack off=(-?\d+) size=(\d+)/,
    explain: (m) => ({ reason: `stack access out of bounds: ${m[2]} bytes at fp${m[1]}`, hint: STACK_HINT }),
  },
  {
    // Uninitialised bytes, "off -16+4 size 16" (a space, not "="). Root may read them since 6.x,
    // so on this kernel only unprivileged loads see it.
    re: /^invalid (?:indirect )?read from stack (?:R\d+ )?off -?\d+\+-?\d+ size \d+/,
    explain: () => ({
      reason: 'stack read of bytes that were never written',
      hint: 'Initialise the whole buffer or struct before passing it on (`struct key k = {};` also zeroes the padding).',
    }),
  },
  {
    re: /^R0 !read_ok/,
    explain: () => ({
      reason: 'no return value: the program exits without setting R0',
      hint: 'Declare the program `int` and `return 0;` on every path; a `void` program or a bare `return;` leaves R0 unset.',
    }),
  },
  {
    re: /^R(\d+) !read_ok/,
    explain: (m) => ({
      reason: `register R${m[1]} is read before anything was written to it`,
      hint: 'Usually inline asm, or a value kept in R1-R5 across a helper call (calls overwrite them).',
    }),
  },
  {
    re: /^program of this type cannot use helper (\w+)#(\d+)/,
    explain: (m) => ({ reason: `helper ${m[1]}() is not allowed in this program type`, hint: helperHint(m[1] ?? '') }),
  },
  {
    re: /^unknown func (\w+)#(\d+)/,
    explain: (m) => ({
      reason: `helper ${m[1]}() is unknown to this kernel or not allowed in this program type`,
      hint: helperHint(m[1] ?? ''),
    }),
  },
  {
    re: /^helper call might sleep in a non-sleepable prog/,
    explain: (_m, ctx) => ({
      reason: `${helperOf(ctx.insnText) ?? 'this helper'}() may sleep, and this program type must not`,
      hint: 'Use the non-sleeping variant (bpf_probe_read_user() instead of bpf_copy_from_user()) or a sleepable section such as uprobe.s/.',
    }),
  },
  {
    re: /^Unreleased reference id=(\d+) alloc_insn=(\d+)/,
    explain: (m, ctx) => {
      const taken = ctx.describeInsn(Number(m[2]));
      const helper = helperOf(taken.text);
      const what = helper ? `what ${helper}() returned` : 'a reference taken by the program';
      const at = taken.location ? ` (line ${taken.location.line})` : '';
      return {
        reason: `reference leak: ${what}${at} is not released on every path out of the program`,
        hint: (helper && RELEASE_HINTS[helper]) ?? 'Release it on every path before returning, early returns included.',
      };
    },
  },
  {
    re: /^BPF_EXIT instruction .*would lead to reference leak/,
    explain: () => ({
      reason: 'reference leak: a reference is not released on every path out of the program',
      hint: 'Release it (bpf_ringbuf_submit/discard, bpf_sk_release, ...) on every path before returning.',
    }),
  },
  {
    re: /^invalid access to map value, value_size=(\d+) off=(-?\d+) size=(\d+)/,
    explain: (m) => ({
      reason: `out-of-bounds access to a map value: ${m[3]} bytes at offset ${m[2]} of a ${m[1]}-byte value`,
      hint: 'Check an index against the number of elements before using it (`if (i >= N) return 0;` — not `i > N`).',
    }),
  },
  {
    re: /^R(\d+) (?:min|max) value is outside of the allowed memory range|^R(\d+) unbounded memory access/,
    explain: () => ({
      reason: 'index may be out of bounds: the verifier cannot prove it stays inside the object',
      hint: 'Clamp the index with an explicit check right before the access (`if (i >= N) return 0;`).',
    }),
  },
  {
    re: /^invalid access to packet, off=(-?\d+) size=(\d+)/,
    explain: (m) => ({
      reason: `packet read without a bounds check: ${m[2]} bytes at offset ${m[1]} may lie past data_end`,
      hint: 'Compare with data_end before reading: `if ((void *)(eth + 1) > data_end) return XDP_PASS;`.',
    }),
  },
  {
    re: /^R(\d+) type=(\S+) expected=(.+)$/,
    explain: (m, ctx) => {
      const helper = helperOf(ctx.insnText);
      const arg = helper ? `argument ${m[1]} of ${helper}()` : `argument R${m[1]}`;
      const wantsPointer = /\bfp\b|map_key|map_value|mem/.test(m[3] ?? '');
      return {
        reason: `${arg} has the wrong type: it is ${describeType(m[2] ?? '')}, the helper wants ${wantsPointer ? 'a pointer' : m[3]}`,
        hint:
          m[2] === 'scalar' && wantsPointer
            ? 'Pass the address of the value (`&key`), not the value itself.'
            : (m[2] ?? '').endsWith('_or_null')
              ? 'Check the pointer for NULL before passing it on.'
              : 'Check the helper signature in `man 7 bpf-helpers`.',
      };
    },
  },
  {
    re: /^div by zero/,
    explain: () => ({
      reason: 'division by the constant zero',
      hint: 'The kernel refuses only a literal 0 divisor; divide by a value you checked (a register holding 0 yields 0 at run time).',
    }),
  },
  {
    re: /cannot call GPL-restricted function from non-GPL compatible program/,
    explain: (_m, ctx) => ({
      reason: `${helperOf(ctx.insnText) ?? 'this helper'}() is GPL-only, and the program's license is not GPL-compatible`,
      hint: 'Declare a GPL-compatible license: `char LICENSE[] SEC("license") = "Dual BSD/GPL";`.',
    }),
  },
  {
    re: /^invalid bpf_context access off=(\d+) size=(\d+)/,
    explain: (m) => ({
      reason: `invalid read of the program context: ${m[2]} bytes at offset ${m[1]}`,
      hint: 'Read only the fields of the context struct for this program type; follow pointers inside it with BPF_CORE_READ().',
    }),
  },
  {
    re: /^At program exit the register R0 (?:has|is) (.*)/,
    explain: (m) => ({
      reason: `return value not allowed for this program type: R0 ${m[1]}`,
      hint: 'Return one of the values this program type accepts (e.g. XDP_PASS, 0 or 1).',
    }),
  },
  {
    re: /^math between (\w+) pointer and register with unbounded min value/,
    explain: (m) => ({
      reason: `pointer arithmetic with an unbounded value on a ${m[1]} pointer`,
      hint: 'Clamp the offset (e.g. `off &= MASK` or `if (off >= N) return 0;`) before adding it to the pointer.',
    }),
  },
  {
    re: /^dereference of modified (\w+) ptr/,
    explain: (m) => ({
      reason: `access through a modified ${m[1]} pointer`,
      hint: 'Read context fields at fixed offsets from the original ctx pointer.',
    }),
  },
  {
    re: /^R(\d+) leaks addr/,
    explain: () => ({
      reason: 'a kernel address would leak to user space',
      hint: 'Store values, not pointers, in maps and events.',
    }),
  },
  {
    re: /^unreachable insn (\d+)/,
    explain: () => ({
      reason: 'unreachable instruction in the program',
      hint: 'Usually from inline asm or a missing return at the end of a function.',
    }),
  },
  {
    re: /^the call stack of (\d+) frames is too deep/,
    explain: (m) => ({
      reason: `calls nested too deep (${m[1]} frames; the limit is 8)`,
      hint: 'Inline small functions or flatten the call chain.',
    }),
  },
];

const MAX_MESSAGE = 300;

function cap(line: string): string {
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE)}…` : line;
}

/** `lines` are the verifier's error lines in log order (noise already removed). */
export function explain(lines: string[], ctx: ReasonContext): Explanation {
  for (const rule of RULES) {
    for (const line of lines) {
      const m = rule.re.exec(line);
      if (m) return { ...rule.explain(m, ctx), message: cap(line) };
    }
  }
  const first = lines[0] ?? '';
  return {
    reason: first
      ? `the verifier rejected the program: ${cap(first)}`
      : 'the verifier rejected the program without saying why',
    hint: "The kernel's line is shown as it was printed; the full log above it shows the path the verifier took to get there.",
    message: cap(first),
  };
}
