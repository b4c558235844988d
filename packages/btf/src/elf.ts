/**
 * ELF64 little-endian reader: just what a BPF object needs (sections, symbols, REL/RELA). BPF objects are
 * relocatable files (ET_REL) written by clang for EM_BPF; the reader does not insist on the machine so it
 * can also look at other little-endian objects (e.g. a vmlinux image's .BTF section).
 */
export const SHT = { PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9, DYNSYM: 11 } as const;
export const SHF = { WRITE: 0x1, ALLOC: 0x2, EXECINSTR: 0x4 } as const;
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4, GNU_IFUNC: 10 } as const;
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;
export const EM_BPF = 247;
const SHN_UNDEF = 0;
const SHN_XINDEX = 0xffff;

export class ElfError extends Error {
  override name = 'ElfError';
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  /** File contents (empty for SHT_NOBITS such as .bss). */
  data: Uint8Array;
  /** Size in memory (for .bss this is the size, while `data` is empty). */
  size: number;
  /** sh_addr: where the section is loaded (0 in a relocatable object). */
  addr: number;
  /** sh_offset: where its bytes are in the file. */
  offset: number;
  link: number;
  info: number;
  entsize: number;
}

export interface ElfSymbol {
  index: number;
  name: string;
  type: number;
  bind: number;
  /** Section index; 0 = undefined (an `extern`, e.g. a kfunc or a __ksym). */
  shndx: number;
  value: number;
  size: number;
}

export interface ElfRelocation {
  /** Byte offset inside the section the relocations apply to. */
  offset: number;
  type: number;
  symbol: number;
  addend?: number;
}

export interface ElfRelocationSection {
  /** The REL/RELA section itself, e.g. `.reltp/syscalls/sys_enter_execve`. */
  section: ElfSection;
  /** Index of the section being relocated (sh_info). */
  target: number;
  relocations: ElfRelocation[];
}

export interface ElfFile {
  machine: number;
  type: number;
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** .dynsym: what a shared library or executable exports (stripped files have only these). */
  dynamicSymbols: ElfSymbol[];
  relocationSections: ElfRelocationSection[];
  section(name: string): ElfSection | undefined;
  /** Relocations that apply to section `index`, sorted by offset. */
  relocationsFor(index: number): ElfRelocation[];
}

function num(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`ELF: ${what} ${v} is too large`);
  return Number(v);
}

export function parseElf(bytes: Uint8Array): ElfFile {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('not an ELF file (bad magic); expected a BPF object compiled with `clang -target bpf -c`');
  }
  if (bytes[4] !== 2) throw new ElfError('ELF: only 64-bit objects are supported (EI_CLASS is not ELFCLASS64)');
  if (bytes[5] !== 1)
    throw new ElfError('ELF: only little-endian objects are supported; compile with -target bpfel (or bpf on x86)');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = v.getUint16(16, true);
  const machine = v.getUint16(18, true);
  const shoff = num(v.getBigUint64(40, true), 'e_shoff');
  const shentsize = v.getUint16(58, true);
  let shnum = v.getUint16(60, true);
  let shstrndx = v.getUint16(62, true);
  if (shoff === 0) throw new ElfError('ELF: the file has no section header table');
  if (shentsize < 64) throw new ElfError(`ELF: section header size ${shentsize} is smaller than 64`);
  // Extended numbering: the real counts live in section 0 when they do not fit in 16 bits.
  if (shnum === 0) shnum = num(v.getBigUint64(shoff + 32, true), 'section count');
  if (shstrndx === SHN_XINDEX) shstrndx = v.getUint32(shoff + 40, true);
  if (shoff + shnum * shentsize > bytes.length)
    throw new ElfError('ELF: section headers run past the end of the file (truncated?)');

  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    const stype = v.getUint32(h + 4, true);
    const offset = num(v.getBigUint64(h + 24, true), 'sh_offset');
    const size = num(v.getBigUint64(h + 32, true), 'sh_size');
    if (stype !== SHT.NOBITS && offset + size > bytes.length) {
      throw new ElfError(`ELF: section #${i} runs past the end of the file (truncated?)`);
    }
    raw.push({
      nameOff: v.getUint32(h, true),
      type: stype,
      flags: num(v.getBigUint64(h + 8, true), 'sh_flags'),
      data: stype === SHT.NOBITS ? new Uint8Array(0) : bytes.subarray(offset, offset + size),
      size,
      addr: num(v.getBigUint64(h + 16, true), 'sh_addr'),
      offset,
      link: v.getUint32(h + 40, true),
      info: v.getUint32(h + 44, true),
      entsize: num(v.getBigUint64(h + 56, true), 'sh_entsize'),
    });
  }
  const shstr = raw[shstrndx]?.data ?? new Uint8Array(0);
  const sections: ElfSection[] = raw.map((s, index) => ({
    index,
    name: cstr(shstr, s.nameOff),
    type: s.type,
    flags: s.flags,
    data: s.data,
    size: s.size,
    addr: s.addr,
    offset: s.offset,
    link: s.link,
    info: s.info,
    entsize: s.entsize,
  }));

  const symtab = sections.find((s) => s.type === SHT.SYMTAB);
  const symbols = symtab ? readSymbols(symtab, sections[symtab.link]?.data ?? new Uint8Array(0)) : [];
  const dynsym = sections.find((s) => s.type === SHT.DYNSYM);
  const dynamicSymbols = dynsym ? readSymbols(dynsym, sections[dynsym.link]?.data ?? new Uint8Array(0)) : [];
  const relocationSections = sections
    .filter((s) => s.type === SHT.REL || s.type === SHT.RELA)
    .map((s) => ({ section: s, target: s.info, relocations: readRelocations(s) }));
  const byName = new Map(sections.map((s) => [s.name, s] as const));
  const relocsByTarget = new Map<number, ElfRelocation[]>();
  for (const rs of relocationSections) {
    const list = relocsByTarget.get(rs.target) ?? [];
    list.push(...rs.relocations);
    relocsByTarget.set(
      rs.target,
      list.sort((a, b) => a.offset - b.offset),
    );
  }
  return {
    machine,
    type,
    sections,
    symbols,
    dynamicSymbols,
    relocationSections,
    section: (name) => byName.get(name),
    relocationsFor: (index) => relocsByTarget.get(index) ?? [],
  };
}

function readSymbols(symtab: ElfSection, strtab: Uint8Array): ElfSymbol[] {
  const d = symtab.data;
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const entsize = symtab.entsize || 24;
  const out: ElfSymbol[] = [];
  for (let i = 0, off = 0; off + 24 <= d.length; i++, off += entsize) {
    const info = v.getUint8(off + 4);
    out.push({
      index: i,
      name: cstr(strtab, v.getUint32(off, true)),
      type: info & 0xf,
      bind: info >> 4,
      shndx: v.getUint16(off + 6, true),
      value: num(v.getBigUint64(off + 8, true), 'st_value'),
      size: num(v.getBigUint64(off + 16, true), 'st_size'),
    });
  }
  return out;
}

function readRelocations(s: ElfSection): ElfRelocation[] {
  const d = s.data;
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const rela = s.type === SHT.RELA;
  const entsize = s.entsize || (rela ? 24 : 16);
  const out: ElfRelocation[] = [];
  for (let off = 0; off + (rela ? 24 : 16) <= d.length; off += entsize) {
    const info = v.getBigUint64(off + 8, true);
    const r: ElfRelocation = {
      offset: num(v.getBigUint64(off, true), 'r_offset'),
      type: Number(info & 0xffffffffn),
      symbol: Number(info >> 32n),
    };
    if (rela) r.addend = Number(v.getBigInt64(off + 16, true));
    out.push(r);
  }
  return out;
}

const utf8 = new TextDecoder('utf-8');
function cstr(table: Uint8Array, off: number): string {
  if (off >= table.length) return '';
  let end = table.indexOf(0, off);
  if (end < 0) end = table.length;
  return utf8.decode(table.subarray(off, end));
}

export interface ElfProgramSymbol {
  name: string;
  section: string;
  sectionIndex: number;
  /** Byte offset of the first instruction inside its section. */
  offset: number;
  /** Size in bytes. */
  size: number;
  /** Functions in `.text` are BPF subprograms (callees), not programs libbpf loads on their own. */
  subprogram: boolean;
}

/** FUNC symbols in executable sections, in section then offset order: the programs and subprograms. */
export function programSymbols(elf: ElfFile): ElfProgramSymbol[] {
  const out: ElfProgramSymbol[] = [];
  for (const sym of elf.symbols) {
    if (sym.type !== STT.FUNC || sym.shndx === SHN_UNDEF || sym.shndx >= elf.sections.length) continue;
    const sec = elf.sections[sym.shndx]!;
    if ((sec.flags & SHF.EXECINSTR) === 0) continue;
    out.push({
      name: sym.name,
      section: sec.name,
      sectionIndex: sec.index,
      offset: sym.value,
      size: sym.size,
      subprogram: sec.name === '.text',
    });
  }
  return out.sort((a, b) => a.sectionIndex - b.sectionIndex || a.offset - b.offset);
}
