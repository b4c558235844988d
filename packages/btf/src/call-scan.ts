/**
 * What each program calls, read from the object's instructions before anything is loaded: helpers (by id),
 * kfuncs and bpf-to-bpf calls, each with its source line. The agent's policy refuses dangerous helpers
 * from this list with the line that calls them.
 */
import { lineAt } from './btf-ext.js';
import type { ObjectSpec, ProgramSpec } from './object-spec.js';
import { STT } from './elf.js';
import { BPF_JMP_CALL, CALL_HELPER, CALL_KFUNC, CALL_PSEUDO, type BpfInsn } from './insn.js';

export interface SourceLine {
  file: string;
  line: number;
  col: number;
  /** The line's text as clang embedded it in .BTF.ext. */
  text: string;
}

export interface ProgramCall {
  kind: 'helper' | 'kfunc' | 'subprog';
  /** Instruction index inside the program. */
  insn: number;
  /** `bpf_map_lookup_elem`, a kfunc's name, or the called subprogram's name (`helper #N` if unknown). */
  name: string;
  helperId?: number;
  location?: SourceLine;
}

export interface ProgramCalls {
  program: string;
  section: string;
  subprogram: boolean;
  insnCount: number;
  calls: ProgramCall[];
}

export function scanCalls(obj: ObjectSpec, helpers: Map<number, string>): ProgramCalls[] {
  return obj.programs.map((p) => ({
    program: p.name,
    section: p.section,
    subprogram: p.subprogram,
    insnCount: p.insns.reduce((n, i) => n + i.size / 8, 0),
    calls: p.insns.filter((i) => i.code === BPF_JMP_CALL).map((i) => describeCall(obj, p, i, helpers)),
  }));
}

function describeCall(obj: ObjectSpec, p: ProgramSpec, insn: BpfInsn, helpers: Map<number, string>): ProgramCall {
  const call = classify(obj, p, insn, helpers);
  const line = lineAt(obj.ext, p.section, insn.offset);
  if (line) call.location = { file: line.file, line: line.line, col: line.col, text: line.text };
  return call;
}

function classify(obj: ObjectSpec, p: ProgramSpec, insn: BpfInsn, helpers: Map<number, string>): ProgramCall {
  const base = { insn: insn.index };
  if (insn.src === CALL_HELPER) {
    return { ...base, kind: 'helper', helperId: insn.imm, name: helpers.get(insn.imm) ?? `helper #${insn.imm}` };
  }
  const reloc = obj.elf.relocationsFor(p.sectionIndex).find((r) => r.offset === insn.offset);
  const sym = reloc ? obj.elf.symbols[reloc.symbol] : undefined;
  // In an object file a kfunc call is `call -1` (src_reg 1) relocated against an undefined extern symbol;
  // libbpf turns it into src_reg 2 with the kernel's BTF id at load time. Accept both spellings.
  if (insn.src === CALL_KFUNC || (sym && sym.shndx === 0 && sym.name)) {
    return { ...base, kind: 'kfunc', name: sym?.name || `kfunc #${insn.imm}` };
  }
  if (insn.src === CALL_PSEUDO) {
    // Relocated against a section or function symbol: target = symbol value + (imm + 1) slots.
    // Without a relocation the target is in the same section, relative to the next instruction.
    const section = sym ? sym.shndx : p.sectionIndex;
    const target = sym ? sym.value + (insn.imm + 1) * 8 : insn.offset + (insn.imm + 1) * 8;
    const callee = obj.elf.symbols.find((s) => s.type === STT.FUNC && s.shndx === section && s.value === target);
    return { ...base, kind: 'subprog', name: callee?.name ?? `${obj.elf.sections[section]?.name ?? '?'}+${target}` };
  }
  return { ...base, kind: 'helper', helperId: insn.imm, name: `call with src_reg ${insn.src}` };
}
