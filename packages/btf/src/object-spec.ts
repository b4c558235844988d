import { Btf } from './btf.js';
import { lineAt, parseBtfExt, type BtfExt, type LineInfo } from './btf-ext.js';
import { parseElf, programSymbols, type ElfFile, type ElfProgramSymbol, type ElfSection } from './elf.js';
import { decodeInsns, type BpfInsn } from './insn.js';

export interface ProgramSpec extends ElfProgramSymbol {
  insns: BpfInsn[];
}

/** A compiled BPF object (before anything is loaded): ELF, its BTF and .BTF.ext, and its programs. */
export interface ObjectSpec {
  name: string;
  elf: ElfFile;
  /** Undefined when the object was compiled without -g. */
  btf: Btf | undefined;
  ext: BtfExt | undefined;
  /** Programs and `.text` subprograms, in section then offset order. */
  programs: ProgramSpec[];
  /** The program whose instructions include byte `offset` of `section`. */
  programAt(section: string, offset: number): ProgramSpec | undefined;
  /**
   * Source line of instruction `insn` (index in 8-byte slots, as the verifier log counts) of a program:
   * what the verifier explorer needs to point at the user's code.
   */
  lineOf(program: string, insn: number): LineInfo | undefined;
}

/** Relocation types clang emits in .rel.BTF: 32-bit absolute symbol values. */
const R_BPF_64_ABS32 = 3;
const R_BPF_64_NODYLD32 = 4;

/**
 * clang writes every DATASEC variable's offset as 0 and emits a .rel.BTF entry for it; libbpf fills
 * the offsets in from the symbol table when it opens the object. Without that, every global after
 * the first of a section (the second `const volatile` knob, say) would be read and written at
 * offset 0. A copy is patched: the object's bytes are what libbpf loads and must stay as they are.
 */
function relocatedBtf(elf: ElfFile, btfSec: ElfSection): Uint8Array {
  const relocs = elf
    .relocationsFor(btfSec.index)
    .filter((r) => r.type === R_BPF_64_ABS32 || r.type === R_BPF_64_NODYLD32);
  if (!relocs.length) return btfSec.data;
  const out = new Uint8Array(btfSec.data);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (const r of relocs) {
    const sym = elf.symbols[r.symbol];
    if (!sym || r.offset + 4 > out.length) continue;
    view.setUint32(r.offset, (view.getUint32(r.offset, true) + sym.value) >>> 0, true);
  }
  return out;
}

export function openObjectSpec(bytes: Uint8Array, name = 'object'): ObjectSpec {
  const elf = parseElf(bytes);
  const btfSec = elf.section('.BTF');
  const btf = btfSec ? Btf.parse(relocatedBtf(elf, btfSec), { name }) : undefined;
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
