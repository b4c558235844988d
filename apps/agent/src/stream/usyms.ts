import { readFileSync, realpathSync } from 'node:fs';
import { parseElf, STT, type ElfFile, type ElfSymbol } from '@bpfplay/btf';

/**
 * User-space addresses → "function+0xoff (binary)", for the user frames of stacks
 * (bpf_get_stackid(..., BPF_F_USER_STACK)). An address means something only inside one process, so
 * the caller gives the pid the program recorded with it; /proc/<pid>/maps says which file is mapped
 * there. Only files on the agent's uprobe allowlist are read (the binaries users may probe anyway):
 * the agent does not open arbitrary files of other processes on a snippet's behalf. Everything else
 * stays an address, with the reason beside it.
 */

/** User addresses are below 2^47 (x86-64, arm64 with 48-bit VAs), so plain numbers hold them exactly. */
interface Mapping {
  start: number;
  end: number;
  fileOffset: number;
  path: string;
}

/** How long a process's maps are trusted before an address outside them makes us read them again. */
const MAPS_TTL_MS = 10_000;
/**
 * A process that was just starting when its maps were first read (its first syscalls come from
 * ld.so, before libc is mapped: a record stack of a new `python3` is like that) has them read
 * again, at most every MAPS_QUICK_MS, for MAPS_QUICK_WINDOW_MS after that first read; then the TTL
 * applies. A JIT's frames, always outside, cost at most ~20 extra reads per process.
 */
const MAPS_QUICK_MS = 100;
const MAPS_QUICK_WINDOW_MS = 2_000;

interface FileSymbols {
  elf: ElfFile;
  /** FUNC symbols by address, from .symtab or, in stripped files, .dynsym. */
  funcs: ElfSymbol[];
}

const MAPS_LINE = /^([0-9a-f]+)-([0-9a-f]+) \S+ ([0-9a-f]+) \S+ \d+\s+(\/.*)$/;

export class UserSymbols {
  private readonly files = new Map<string, FileSymbols | undefined>();
  private readonly maps = new Map<number, Mapping[] | undefined>();
  private readonly allowed: Set<string>;

  /** `allowed`: the uprobe allowlist; symlinks are resolved, as the policy does. */
  constructor(allowed: readonly string[]) {
    this.allowed = new Set(
      allowed.flatMap((p) => {
        try {
          return [p, realpathSync(p)];
        } catch {
          return [p];
        }
      }),
    );
  }

  /** When each pid's maps were read, first and last. */
  private readonly readAt = new Map<number, number>();
  private readonly firstReadAt = new Map<number, number>();

  /**
   * A process's maps are kept across snapshots (reading and parsing /proc of a browser's ~3000
   * mappings for every pid each second cost ~0.3 s here) and read again when an address falls outside
   * them and they are older than MAPS_TTL_MS: a library loaded since, or a pid that is now another
   * process. JIT code is in anonymous memory and always falls outside; the TTL keeps that cheap.
   */
  refresh(): void {}

  /** Read the allowlisted binaries' symbols now (before a run's clock starts), not at the first stack. */
  preload(): void {
    const real = new Set<string>();
    for (const path of this.allowed) {
      try {
        real.add(realpathSync(path));
      } catch {
        // A binary on the allowlist that this host lacks: nothing to read.
      }
    }
    for (const path of real) this.symbols(path);
  }

  private mappings(pid: number, reread = false): Mapping[] | undefined {
    if (reread || !this.maps.has(pid)) {
      this.readAt.set(pid, performance.now());
      if (!this.firstReadAt.has(pid)) this.firstReadAt.set(pid, performance.now());
      let list: Mapping[] | undefined;
      try {
        list = [];
        for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
          if (!line.includes(' /')) continue; // anonymous memory, [heap], [stack]: no file to name
          const m = MAPS_LINE.exec(line);
          if (m)
            list.push({
              start: parseInt(m[1]!, 16),
              end: parseInt(m[2]!, 16),
              fileOffset: parseInt(m[3]!, 16),
              path: m[4]!.replace(/ \(deleted\)$/, ''),
            });
        }
      } catch {
        list = undefined;
      }
      this.maps.set(pid, list);
    }
    return this.maps.get(pid);
  }

  private symbols(path: string): FileSymbols | undefined {
    if (!this.files.has(path)) {
      let s: FileSymbols | undefined;
      try {
        const elf = parseElf(readFileSync(path));
        const all = elf.symbols.some((x) => x.type === STT.FUNC) ? elf.symbols : elf.dynamicSymbols;
        const funcs = all.filter((x) => x.type === STT.FUNC && x.value > 0).sort((a, b) => a.value - b.value);
        s = { elf, funcs };
      } catch {
        s = undefined;
      }
      this.files.set(path, s);
    }
    return this.files.get(path);
  }

  /** `readline+0x1c (bash)`, `0x55d0c2a1 (bash)` without a symbol, or undefined when nothing is known. */
  format(pid: number | undefined, address: bigint): string | undefined {
    if (pid === undefined || pid <= 0 || address >= 1n << 53n) return undefined;
    const addr = Number(address);
    let m = containing(this.mappings(pid), addr);
    if (!m) {
      const now = performance.now();
      const age = now - (this.readAt.get(pid) ?? 0);
      const young = now - (this.firstReadAt.get(pid) ?? 0) < MAPS_QUICK_WINDOW_MS;
      if (age > MAPS_TTL_MS || (young && age > MAPS_QUICK_MS)) m = containing(this.mappings(pid, true), addr);
    }
    if (!m) return undefined;
    const base = m.path.slice(m.path.lastIndexOf('/') + 1);
    if (!this.allowed.has(m.path)) return `0x${addr.toString(16)} (${base})`;
    const file = this.symbols(m.path);
    if (!file) return `0x${addr.toString(16)} (${base})`;
    // File offset → the address the ELF's symbols use, through the section that holds that offset.
    const off = addr - m.start + m.fileOffset;
    const sec = file.elf.sections.find((s) => s.addr > 0 && off >= s.offset && off < s.offset + s.size);
    if (!sec) return `0x${addr.toString(16)} (${base})`;
    const vaddr = off - sec.offset + sec.addr;
    const sym = nearest(file.funcs, vaddr);
    return sym ? `${sym.name}+0x${(vaddr - sym.value).toString(16)} (${base})` : `0x${addr.toString(16)} (${base})`;
  }
}

/**
 * The mapping holding `addr`, by binary search: /proc lists mappings in address order, and a browser
 * or a JIT has thousands of them while a profile asks about ~10k frames a snapshot (measured: a
 * linear scan made a snapshot take 0.4 s on this machine).
 */
function containing(maps: Mapping[] | undefined, addr: number): Mapping | undefined {
  if (!maps) return undefined;
  let lo = 0;
  let hi = maps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = maps[mid]!;
    if (addr < m.start) hi = mid - 1;
    else if (addr >= m.end) lo = mid + 1;
    else return m;
  }
  return undefined;
}

/** The function containing `vaddr` (by size when the symbol has one, else the nearest below). */
function nearest(funcs: ElfSymbol[], vaddr: number): ElfSymbol | undefined {
  let lo = 0;
  let hi = funcs.length - 1;
  let found: ElfSymbol | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (funcs[mid]!.value <= vaddr) {
      found = funcs[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (!found) return undefined;
  return found.size === 0 || vaddr < found.value + found.size ? found : undefined;
}
