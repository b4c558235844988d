/**
 * What each program calls, read from the object's instructions before anything is loaded: helpers (by id),
 * kfuncs and bpf-to-bpf calls, each with its source line. The agent's policy refuses dangerous helpers
 * from this list with the line that calls them.
 */
import { lineAt } from './btf-ext.js';
import type { ObjectSpec, ProgramSpec } from './object-spec.js';
import type { Btf } from './btf.js';
import { essentialName } from './co-re/compat.js';
import { STB, STT, type ElfSymbol } from './elf.js';
import { BPF_JMP_CALL, CALL_HELPER, CALL_KFUNC, CALL_PSEUDO, type BpfInsn } from './insn.js';

export interface SourceLine {
  file: string;
  line: number;
  col: number;
  /** The line's text as clang embedded it in .BTF.ext. */
  text: string;
}

export interface ProgramCall {
  /** `invalid`: a call instruction the kernel cannot mean anything by (src_reg other than 0, 1, 2). */
  kind: 'helper' | 'kfunc' | 'subprog' | 'invalid';
  /** Instruction index inside the program. */
  insn: number;
  /**
   * `bpf_map_lookup_elem`, a kfunc's name as the kernel will resolve it, or the called subprogram's
   * name (`helper #N` if unknown, `kfunc #N` for a raw id no BTF names).
   */
  name: string;
  helperId?: number;
  /** How a kfunc call was resolved; `resolved` false means the name could not be established. */
  kfunc?: KfuncCall;
  location?: SourceLine;
}

export interface KfuncCall {
  /**
   * `extern`: the call is relocated against an undefined symbol, which libbpf resolves by name (any
   * call instruction so relocated becomes a kfunc call, whatever its bytes say). `btf-id`: the bytes
   * already are a kfunc call (src_reg 2) carrying a BTF id, which libbpf passes to the kernel as is.
   */
  via: 'extern' | 'btf-id';
  btfId?: number;
  /** `off` of a raw kfunc call: 0 is vmlinux, anything else an index into the fd array of module BTFs. */
  btfSlot?: number;
  resolved: boolean;
}

export interface ProgramCalls {
  program: string;
  section: string;
  subprogram: boolean;
  insnCount: number;
  calls: ProgramCall[];
}

/**
 * `kernel` is the BTF the kernel resolves raw kfunc ids against (vmlinux): without it a raw kfunc
 * call stays unresolved, which the policy refuses.
 */
export function scanCalls(obj: ObjectSpec, helpers: Map<number, string>, kernel?: Btf): ProgramCalls[] {
  return obj.programs.map((p) => ({
    program: p.name,
    section: p.section,
    subprogram: p.subprogram,
    insnCount: p.insns.reduce((n, i) => n + i.size / 8, 0),
    calls: p.insns
      .filter((i) => i.code === BPF_JMP_CALL)
      .map((i) => located(obj, p, i, classify(obj, p, i, helpers, kernel))),
  }));
}

/** The call with the source line its instruction was compiled from, when the object has line info. */
function located(obj: ObjectSpec, p: ProgramSpec, insn: BpfInsn, call: ProgramCall): ProgramCall {
  const line = lineAt(obj.ext, p.section, insn.offset);
  if (line) call.location = { file: line.file, line: line.line, col: line.col, text: line.text };
  return call;
}

/** An undefined global or weak symbol: an `extern` libbpf resolves against the kernel at load time. */
function isExtern(sym: ElfSymbol): boolean {
  return sym.shndx === 0 && sym.name !== '' && (sym.bind === STB.GLOBAL || sym.bind === STB.WEAK);
}

/**
 * What the kernel will call, decided the way libbpf rewrites the instruction (bpf_program__record_reloc,
 * bpf_object__relocate_data): a relocation against an extern comes first, whatever src_reg the bytes
 * carry — `.quad sym + 0x85` in inline asm makes a "helper 0" that libbpf turns into a kfunc call.
 * The extern's name is resolved as libbpf does, without its `___flavor` suffix. A raw kfunc call
 * (src_reg 2) is named through the kernel's BTF by its id.
 */
function classify(
  obj: ObjectSpec,
  p: ProgramSpec,
  insn: BpfInsn,
  helpers: Map<number, string>,
  kernel: Btf | undefined,
): ProgramCall {
  const base = { insn: insn.index };
  const reloc = obj.elf.relocationsFor(p.sectionIndex).find((r) => r.offset === insn.offset);
  const sym = reloc ? obj.elf.symbols[reloc.symbol] : undefined;
  if (sym && isExtern(sym)) {
    return { ...base, kind: 'kfunc', name: essentialName(sym.name), kfunc: { via: 'extern', resolved: true } };
  }
  if (insn.src === CALL_KFUNC) {
    const kfunc: KfuncCall = { via: 'btf-id', btfId: insn.imm, btfSlot: insn.off, resolved: false };
    if (insn.off !== 0) return { ...base, kind: 'kfunc', name: `kfunc #${insn.imm} of module BTF #${insn.off}`, kfunc };
    const t = kernel?.hasType(insn.imm) ? kernel.type(insn.imm) : undefined;
    if (t?.kind !== 'func' || !t.name) return { ...base, kind: 'kfunc', name: `kfunc #${insn.imm}`, kfunc };
    return { ...base, kind: 'kfunc', name: t.name, kfunc: { ...kfunc, resolved: true } };
  }
  if (insn.src === CALL_HELPER) {
    return { ...base, kind: 'helper', helperId: insn.imm, name: helpers.get(insn.imm) ?? `helper #${insn.imm}` };
  }
  if (insn.src === CALL_PSEUDO) {
    // Relocated against a section or function symbol: target = symbol value + (imm + 1) slots.
    // Without a relocation the target is in the same section, relative to the next instruction.
    const section = sym ? sym.shndx : p.sectionIndex;
    const target = sym ? sym.value + (insn.imm + 1) * 8 : insn.offset + (insn.imm + 1) * 8;
    const callee = obj.elf.symbols.find((s) => s.type === STT.FUNC && s.shndx === section && s.value === target);
    return { ...base, kind: 'subprog', name: callee?.name ?? `${obj.elf.sections[section]?.name ?? '?'}+${target}` };
  }
  return { ...base, kind: 'invalid', name: `call with src_reg ${insn.src}` };
}
