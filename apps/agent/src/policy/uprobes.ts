import { realpathSync } from 'node:fs';
import type { ProgramCalls } from '@bpfplay/btf';
import type { Violation } from '@bpfplay/protocol';
import { resolveTargetFile } from '../attach/target-file.js';
import { findElfFunction, type ElfFunction } from './elf-function.js';
import type { ProgramLocator } from './locate.js';
import type { Policy } from './policy.js';
import { policyKindOf } from './kind.js';
import { parseUprobeSection, parseUsdtSection } from './uprobe-section.js';

/**
 * Uprobes change the code of every process that maps the probed file: the kernel writes a breakpoint
 * over the instruction at the probed offset. An offset inside an instruction corrupts it for all of
 * them (seen: a victim program computing a wrong result), and with libc allowed that is nearly every
 * process on the host. So the agent decides everything about a uprobe before load:
 *   - the file, resolved like a loader would (attach/target-file.ts), must be on the allowlist;
 *   - the function must exist in it; the offset must lie inside the function;
 *   - the probed address must be the start of an instruction, which only decoding the function from
 *     its entry can tell (verifyProbePoints, llvm-objdump in the compile sandbox, as bpftrace does),
 *     and that instruction must be one that survives being probed (not `syscall`);
 * and the runner attaches to exactly the decided (file, offset), never to the section text.
 */
export interface UprobeTarget {
  kind: 'uprobe';
  program: string;
  retprobe: boolean;
  /** The real path of the probed file. */
  path: string;
  fn: ElfFunction;
  /** Bytes after the function's entry. */
  offset: number;
  /** What bpf_program__attach_uprobe takes. */
  fileOffset: number;
  /** `/usr/lib/x86_64-linux-gnu/libc.so.6:malloc+4`, for messages and the `attached` frame. */
  display: string;
}

export interface UsdtTarget {
  kind: 'usdt';
  program: string;
  path: string;
  provider: string;
  name: string;
  display: string;
}

export type ProbeTarget = UprobeTarget | UsdtTarget;

export interface UprobeCheck {
  violations: Violation[];
  /** Program name → what the runner attaches it to. */
  targets: Record<string, ProbeTarget>;
}

function allowedFiles(policy: Policy): Set<string> {
  const out = new Set<string>();
  for (const b of policy.uprobeBinaries) {
    try {
      out.add(realpathSync(b));
    } catch {
      // An allowlisted file that is not on this host allows nothing.
    }
  }
  return out;
}

export function checkUprobes(programs: ProgramCalls[], policy: Policy, locate?: ProgramLocator): UprobeCheck {
  const violations: Violation[] = [];
  const targets: Record<string, ProbeTarget> = {};
  const allowed = allowedFiles(policy);
  const list = policy.uprobeBinaries.join(', ') || '(none)';
  for (const p of programs) {
    if (p.subprogram) continue;
    const kind = policyKindOf(p.section);
    if (kind !== 'uprobe' && kind !== 'uretprobe' && kind !== 'usdt') continue;
    const loc = locate?.(p.section, p.program);
    const at = loc ? ` at ${loc.file}:${loc.line}` : '';
    const refuse = (rule: string, why: string) =>
      violations.push({
        rule,
        program: p.program,
        message: `${p.program}${at}: ${why}`,
        ...(loc ? { location: loc } : {}),
      });

    const usdt = kind === 'usdt' ? parseUsdtSection(p.section) : undefined;
    const uprobe = kind === 'usdt' ? undefined : parseUprobeSection(p.section);
    const parsed = usdt ?? uprobe!;
    if (!parsed.ok) {
      refuse('uprobe-target', `${parsed.reason}; the file must be on the agent's uprobe allowlist: ${list}`);
      continue;
    }
    const named = parsed.value.file;
    const file = resolveTargetFile(named);
    if (!file.ok) {
      refuse('uprobe-target', `SEC("${p.section}") names ${named}: ${file.reason}`);
      continue;
    }
    const { realPath } = file.file;
    if (!allowed.has(realPath)) {
      const shown = realPath !== named ? `${named} (${realPath})` : realPath;
      refuse('uprobe-target', `attaches to ${shown}, which is not on the agent's uprobe allowlist: ${list}`);
      continue;
    }
    if (usdt?.ok) {
      const { provider, name } = usdt.value;
      targets[p.program] = {
        kind: 'usdt',
        program: p.program,
        path: realPath,
        provider,
        name,
        display: `${realPath}:${provider}:${name}`,
      };
      continue;
    }
    if (!uprobe?.ok) continue;
    const { func, offset } = uprobe.value;
    const fn = findElfFunction(realPath, func);
    if (!fn.ok) {
      refuse('uprobe-target', fn.reason);
      continue;
    }
    if (offset > 0 && offset >= fn.fn.size) {
      refuse(
        'uprobe-offset',
        fn.fn.size
          ? `${func}+${offset} is past the end of ${func}, which is ${fn.fn.size} bytes long; probe inside the function`
          : `${func} in ${realPath} has no size in its symbol, so no offset inside it can be checked; probe its entry (${func} without +N)`,
      );
      continue;
    }
    targets[p.program] = {
      kind: 'uprobe',
      program: p.program,
      retprobe: uprobe.value.kind === 'uretprobe',
      path: realPath,
      fn: fn.fn,
      offset,
      fileOffset: fn.fn.fileOffset + offset,
      display: `${realPath}:${func}${offset ? `+${offset}` : ''}`,
    };
  }
  return { violations, targets };
}

/** One decoded instruction of a host function (llvm-objdump's address and text). */
export interface DecodedInstruction {
  address: number;
  text: string;
}

/** The instructions of [from, to) of a file, decoded from `from` (compile/host-disasm.ts). */
export type FunctionDecoder = (path: string, from: number, to: number) => Promise<DecodedInstruction[]>;

/**
 * Instructions a uprobe must never replace, although the kernel accepts the probe: the kernel runs
 * the probed instruction out of line, and these do not survive that. Measured on this 6.18 kernel: a
 * uprobe on a `syscall` instruction (libc's getpid+5) kills every process that reaches it with
 * SIGSEGV. Software interrupts, traps and halts belong to the same family; `<unknown>` is an
 * undecodable byte sequence, which is never probed either.
 */
const UNSAFE_TO_PROBE =
  /^(?:(?:lock|rep\w*|notrack|bnd|data16|addr32)\s+)*(syscall|sysenter|sysexit\w*|sysret\w*|int|int1|int3|into|icebp|ud0\w*|ud1\w*|ud2\w*|hlt|iret\w*|<unknown>|\(bad\))(?=\s|$)/;

/**
 * Where the kernel will write its breakpoint (the function's entry for a uretprobe too) must be the
 * start of an instruction that survives being probed. The function is decoded from its entry, a
 * linear sweep, exact for compiler-generated x86 code which keeps no data inside functions; a
 * function that cannot be decoded is refused, never assumed fine.
 */
export async function verifyProbePoints(
  targets: Record<string, ProbeTarget>,
  decode: FunctionDecoder,
  locate?: ProgramLocator,
  sectionOf?: (program: string) => string,
): Promise<Violation[]> {
  const out: Violation[] = [];
  for (const t of Object.values(targets)) {
    if (t.kind !== 'uprobe') continue;
    const loc = sectionOf ? locate?.(sectionOf(t.program), t.program) : undefined;
    const at = loc ? ` at ${loc.file}:${loc.line}` : '';
    const refuse = (message: string) =>
      out.push({ rule: 'uprobe-offset', program: t.program, message, ...(loc ? { location: loc } : {}) });
    let insns: DecodedInstruction[];
    try {
      // A symbol without a size: its first instruction is all an entry probe needs (x86: ≤ 15 bytes).
      insns = await decode(t.path, t.fn.address, t.fn.address + Math.max(t.fn.size, 16));
    } catch (e) {
      refuse(
        `${t.program}${at}: ${t.display} could not be checked (${(e as Error).message}); probe the function's entry instead`,
      );
      continue;
    }
    const want = t.fn.address + t.offset;
    const insn = insns.find((i) => i.address === want);
    if (!insn) {
      const near = insns
        .filter((i) => i.address > t.fn.address && Math.abs(i.address - want) <= 16)
        .map((i) => `+${i.address - t.fn.address}`);
      refuse(
        `${t.program}${at}: ${t.display} is inside an instruction of ${t.fn.name}, not at its start; a probe there would corrupt that instruction in every process that runs ${t.path}. ` +
          `Instructions near it start at ${near.length ? near.join(', ') : '(none found)'}`,
      );
      continue;
    }
    const unsafe = UNSAFE_TO_PROBE.exec(insn.text);
    if (unsafe)
      refuse(
        `${t.program}${at}: ${t.display} is a \`${insn.text}\` instruction, which a uprobe must not replace: the kernel runs the probed instruction out of line, and ${unsafe[1]} does not survive that (measured: a probe on syscall kills the process with SIGSEGV). Probe another instruction of ${t.fn.name}`,
      );
  }
  return out;
}
