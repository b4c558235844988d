import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

/**
 * Kernel addresses → "function+0xoffset", from /proc/kallsyms. Used to show the stacks that
 * bpf_get_stackid() stores in a BPF_MAP_TYPE_STACK_TRACE map as functions instead of numbers.
 *
 * kallsyms has no symbol sizes, so an address is attributed to the nearest symbol at or below it.
 * Past the end of a text region that would name whatever came last, hence MAX_OFFSET.
 */

export interface KernelSymbol {
  name: string;
  /** `[module]` as kallsyms prints it (`bpf` for loaded BPF programs), absent for vmlinux. */
  module?: string;
}

export interface ResolvedSymbol extends KernelSymbol {
  offset: bigint;
}

/** No kernel function is this long; a larger offset means the address is in no known function. */
const MAX_OFFSET = 0x100000n;
/** Text symbols only: stacks hold return addresses, and data symbols would only mislead. */
const TEXT_TYPES = new Set(['t', 'T', 'w', 'W']);

export class KernelSymbols {
  private constructor(
    private readonly addrs: BigUint64Array,
    private readonly syms: KernelSymbol[],
    /** Why lookups fail when there are no symbols (unreadable, or addresses hidden by kptr_restrict). */
    readonly unavailable?: string,
  ) {}

  /** Parse kallsyms text (`ffffffff81000000 T _stext` or `... t name\t[module]` per line). */
  static parse(text: string): KernelSymbols {
    const rows: { addr: bigint; sym: KernelSymbol }[] = [];
    let hidden = 0;
    for (const line of text.split('\n')) {
      const m = /^([0-9a-fA-F]+) (\S) (\S+)(?:\s+\[([^\]]+)\])?/.exec(line);
      if (!m || !TEXT_TYPES.has(m[2]!)) continue;
      const addr = BigInt(`0x${m[1]!}`);
      if (addr === 0n) {
        hidden++;
        continue;
      }
      rows.push({ addr, sym: m[4] ? { name: m[3]!, module: m[4] } : { name: m[3]! } });
    }
    // Stable sort, then of several names at one address (`_stext` and a function) keep the first listed.
    rows.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    const unique = rows.filter((r, i) => i === 0 || rows[i - 1]!.addr !== r.addr);
    const why =
      unique.length > 0
        ? undefined
        : hidden > 0
          ? 'kallsyms shows every address as 0 (kernel.kptr_restrict hides them from this process)'
          : 'kallsyms has no text symbols';
    return new KernelSymbols(BigUint64Array.from(unique, (r) => r.addr), unique.map((r) => r.sym), why);
  }

  static fromFile(path = '/proc/kallsyms'): KernelSymbols {
    try {
      return KernelSymbols.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      return new KernelSymbols(new BigUint64Array(0), [], `cannot read ${path}: ${(e as Error).message}`);
    }
  }

  get size(): number {
    return this.addrs.length;
  }

  /** The symbol containing `addr`, or undefined when it is below the first or too far past the nearest. */
  lookup(addr: bigint): ResolvedSymbol | undefined {
    let lo = 0;
    let hi = this.addrs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.addrs[mid]! <= addr) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const offset = addr - this.addrs[found]!;
    if (offset >= MAX_OFFSET) return undefined;
    return { ...this.syms[found]!, offset };
  }

  /** `func+0x1a`, `func+0x1a [module]`, or the address in hex when no symbol covers it. */
  format(addr: bigint): string {
    const s = this.lookup(addr);
    if (!s) return hexAddr(addr);
    return `${s.name}+0x${s.offset.toString(16)}${s.module ? ` [${s.module}]` : ''}`;
  }
}

export const hexAddr = (addr: bigint): string => `0x${addr.toString(16)}`;

/**
 * Kernel half of the address space (x86-64, arm64: the top bit set). bpf_get_stackid() stores
 * kernel and user stacks in the same kind of map, and a user address must not be looked up in
 * kallsyms: it would land on some unrelated kernel symbol.
 */
export const isKernelAddress = (addr: bigint): boolean => addr >= 1n << 63n;

const LE = endianness() === 'LE';

/**
 * One value of a BPF_MAP_TYPE_STACK_TRACE map: u64 instruction pointers, innermost frame first,
 * zero-filled after the last frame. Kernel frames become `func+0xoff`; user frames stay hex (their
 * symbols live in each process's own binaries, which the agent does not read).
 */
export function symbolizeStack(bytes: Uint8Array, syms: KernelSymbols): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: string[] = [];
  for (let off = 0; off + 8 <= bytes.byteLength; off += 8) {
    const ip = view.getBigUint64(off, LE);
    if (ip === 0n) break;
    frames.push(isKernelAddress(ip) ? syms.format(ip) : hexAddr(ip));
  }
  return frames;
}

let cached: KernelSymbols | undefined;

/**
 * The symbols of this kernel, read once per process. A runner process serves one run and reads
 * them on its first stack snapshot, after its programs were loaded, so their `bpf_prog_*`
 * symbols are included too.
 */
export function kernelSymbols(): KernelSymbols {
  cached ??= KernelSymbols.fromFile();
  return cached;
}
