import { readFileSync, statSync } from 'node:fs';
import { parseElf, STB, STT, type ElfFile, type ElfSymbol } from '@bpfplay/btf';

/**
 * A function in a host binary or library, found the way libbpf finds a uprobe's function
 * (elf_find_func_offset): by name in .symtab, then .dynsym; `name@VERSION` matches `name`; a weak
 * definition gives way to a global one; two different global definitions are ambiguous. The probe
 * goes at a file offset: the symbol's address translated through its section.
 */
export interface ElfFunction {
  name: string;
  /** st_value: the address objdump shows. */
  address: number;
  /** st_size in bytes (0 when the symbol does not say). */
  size: number;
  /** Where the function's first byte is in the file: what the kernel's uprobe takes. */
  fileOffset: number;
}

export type FunctionLookup = { ok: true; fn: ElfFunction } | { ok: false; reason: string };

/** Host binaries are read once per (path, size, mtime): a program with many probes on libc parses it once. */
const cache = new Map<string, { key: string; elf: ElfFile }>();

function readElf(path: string): ElfFile {
  const st = statSync(path);
  const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
  const hit = cache.get(path);
  if (hit?.key === key) return hit.elf;
  const elf = parseElf(readFileSync(path));
  if (cache.size > 16) cache.clear();
  cache.set(path, { key, elf });
  return elf;
}

function matches(sym: ElfSymbol, name: string): boolean {
  if (sym.type !== STT.FUNC && sym.type !== STT.GNU_IFUNC) return false;
  if (sym.shndx === 0 || sym.value === 0) return false;
  if (name.includes('@')) return sym.name === name;
  return sym.name === name || sym.name.startsWith(`${name}@`);
}

export function findElfFunction(path: string, name: string): FunctionLookup {
  let elf: ElfFile;
  try {
    elf = readElf(path);
  } catch (e) {
    return { ok: false, reason: `${path} cannot be read as an ELF file: ${(e as Error).message}` };
  }
  for (const table of [elf.symbols, elf.dynamicSymbols]) {
    const found = table.filter((s) => matches(s, name));
    if (!found.length) continue;
    const strong = found.filter((s) => s.bind !== STB.WEAK);
    const pick = strong.length ? strong : found;
    if (new Set(pick.map((s) => s.value)).size > 1)
      return {
        ok: false,
        reason: `${path} defines ${name} more than once (${pick.length} definitions); it is ambiguous`,
      };
    const sym = pick[0]!;
    const sec = elf.sections[sym.shndx];
    if (!sec || sym.value < sec.addr || sym.value >= sec.addr + sec.size)
      return { ok: false, reason: `${name} in ${path} points outside its section` };
    return {
      ok: true,
      fn: { name: sym.name, address: sym.value, size: sym.size, fileOffset: sym.value - sec.addr + sec.offset },
    };
  }
  return { ok: false, reason: `${path} has no function named ${name}` };
}
