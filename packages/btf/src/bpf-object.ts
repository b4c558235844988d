import { Btf } from './btf.js';
import { lineAt, parseBtfExt, type BtfExt, type LineInfo } from './btf-ext.js';
import { parseElf, programSymbols, type ElfFile, type ElfProgramSymbol } from './elf.js';
import { decodeInsns, type BpfInsn } from './insn.js';

export interface BpfProgram extends ElfProgramSymbol {
  insns: BpfInsn[];
}

/** A compiled BPF object (before anything is loaded): ELF, its BTF and .BTF.ext, and its programs. */
export interface BpfObject {
  name: string;
  elf: ElfFile;
  /** Undefined when the object was compiled without -g. */
  btf: Btf | undefined;
  ext: BtfExt | undefined;
  /** Programs and `.text` subprograms, in section then offset order. */
  programs: BpfProgram[];
  /** The program whose instructions include byte `offset` of `section`. */
  programAt(section: string, offset: number): BpfProgram | undefined;
  /**
   * Source line of instruction `insn` (index in 8-byte slots, as the verifier log counts) of a program:
   * what the verifier explorer needs to point at the user's code.
   */
  lineOf(program: string, insn: number): LineInfo | undefined;
}

export function openBpfObject(bytes: Uint8Array, name = 'object'): BpfObject {
  const elf = parseElf(bytes);
  const btfSec = elf.section('.BTF');
  const btf = btfSec ? Btf.parse(btfSec.data, { name }) : undefined;
  const extSec = elf.section('.BTF.ext');
  const ext = btf && extSec ? parseBtfExt(extSec.data, btf) : undefined;
  const programs = programSymbols(elf).map((p) => {
    const data = elf.sections[p.sectionIndex]!.data;
    // clang sets st_size on BPF functions; fall back to "up to the section's end" for hand-made objects.
    const end = p.size > 0 ? p.offset + p.size : data.length;
    return { ...p, insns: decodeInsns(data, p.offset, end) };
  });
  const programAt = (section: string, offset: number) =>
    programs.find((p) => p.section === section && offset >= p.offset && offset < p.offset + Math.max(p.size, 8));
  const lineOf = (program: string, insn: number) => {
    const p = programs.find((x) => x.name === program);
    return p ? lineAt(ext, p.section, p.offset + insn * 8) : undefined;
  };
  return { name, elf, btf, ext, programs, programAt, lineOf };
}
