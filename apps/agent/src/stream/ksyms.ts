import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { frameHex, isKernelFrame } from '@bpfplay/protocol/decoding';

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
  offset: number;
}

/** No kernel function is this long; a larger offset means the address is in no known function. */
const MAX_OFFSET = 0x100000;

const TWO_32 = 2 ** 32;
const NL = 0x0a;
const TAB = 0x09;
const SPACE = 0x20;
const LOWER = 0x20;

/** `t`/`T` (text) and `w`/`W` (weak, here always functions): stacks hold return addresses only. */
const isTextType = (c: number | undefined) => c !== undefined && ((c | LOWER) === 0x74 || (c | LOWER) === 0x77);

/**
 * kallsyms is ~5 MB and ~120k text symbols here; the kernel takes ~0.2 s to produce it. Parsing
 * it into strings and BigInts took another ~0.5 s (mostly allocation and GC) and stalled a run's
 * first stack snapshot, so the bytes are scanned in place (~0.15 s): addresses become two 32-bit
 * halves in typed arrays, and a name is decoded only when a lookup lands on it.
 */
export class KernelSymbols {
  private constructor(
    private readonly data: Buffer,
    private readonly hi: Uint32Array,
    private readonly lo: Uint32Array,
    /** Per symbol: name start, name end, module start, module end (module end = start: none). */
    private readonly spans: Uint32Array,
    /** Why lookups fail when there are no symbols (unreadable, or addresses hidden by kptr_restrict). */
    readonly unavailable?: string,
  ) {}

  /** Parse kallsyms (`ffffffff81000000 T _stext` or `... t name\t[module]` per line). */
  static parse(input: string | Buffer): KernelSymbols {
    const data = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
    const his: number[] = [];
    const los: number[] = [];
    const spans: number[] = [];
    let hidden = 0;
    for (let i = 0; i < data.length;) {
      let eol = data.indexOf(NL, i);
      if (eol < 0) eol = data.length;
      let hi = 0;
      let lo = 0;
      let j = i;
      for (; j < eol && data[j] !== SPACE; j++) {
        const c = data[j]!;
        const d = c <= 0x39 ? c - 0x30 : (c | LOWER) - 0x57;
        if (d < 0 || d > 15) break;
        hi = ((hi << 4) | (lo >>> 28)) >>> 0;
        lo = ((lo << 4) | d) >>> 0;
      }
      if (j > i && data[j] === SPACE && isTextType(data[j + 1]) && data[j + 2] === SPACE) {
        const nameStart = j + 3;
        let nameEnd = nameStart;
        while (nameEnd < eol && data[nameEnd] !== TAB && data[nameEnd] !== SPACE) nameEnd++;
        // `\t[module]` after the name (modules and BPF programs: `[bpf]`).
        let modStart = eol;
        let modEnd = eol;
        if (data[nameEnd] === TAB && data[nameEnd + 1] === 0x5b) {
          modStart = modEnd = nameEnd + 2;
          while (modEnd < eol && data[modEnd] !== 0x5d) modEnd++;
        }
        if (hi === 0 && lo === 0) hidden++;
        else if (nameEnd > nameStart) {
          his.push(hi);
          los.push(lo);
          spans.push(nameStart, nameEnd, modStart, modEnd);
        }
      }
      i = eol + 1;
    }
    // Sort by address; Array#sort is stable, so of several names at one address (`_stext` and a
    // function) the first listed comes first and is the one kept.
    const order = Array.from(his.keys()).sort((a, b) => his[a]! - his[b]! || los[a]! - los[b]!);
    const keep = order.filter((x, k) => k === 0 || his[x] !== his[order[k - 1]!] || los[x] !== los[order[k - 1]!]);
    const hiOut = new Uint32Array(keep.length);
    const loOut = new Uint32Array(keep.length);
    const spansOut = new Uint32Array(keep.length * 4);
    for (let k = 0; k < keep.length; k++) {
      const x = keep[k]!;
      hiOut[k] = his[x]!;
      loOut[k] = los[x]!;
      for (let f = 0; f < 4; f++) spansOut[k * 4 + f] = spans[x * 4 + f]!;
    }
    const why =
      keep.length > 0
        ? undefined
        : hidden > 0
          ? 'kallsyms shows every address as 0 (kernel.kptr_restrict hides them from this process)'
          : 'kallsyms has no text symbols';
    return new KernelSymbols(data, hiOut, loOut, spansOut, why);
  }

  static fromFile(path = '/proc/kallsyms'): KernelSymbols {
    try {
      return KernelSymbols.parse(readFileSync(path));
    } catch (e) {
      return KernelSymbols.none(`cannot read ${path}: ${(e as Error).message}`);
    }
  }

  /** No symbols, and why (every lookup fails; `format` gives hex). */
  static none(why: string): KernelSymbols {
    const none = new Uint32Array(0);
    return new KernelSymbols(Buffer.alloc(0), none, none, none, why);
  }

  get size(): number {
    return this.hi.length;
  }

  private symbol(k: number): KernelSymbol {
    const [ns, ne, ms, me] = this.spans.subarray(k * 4, k * 4 + 4);
    const name = this.data.toString('utf8', ns, ne);
    return me! > ms! ? { name, module: this.data.toString('utf8', ms, me) } : { name };
  }

  /** The symbol containing `addr`, or undefined when it is below the first or too far past the nearest. */
  lookup(addr: bigint): ResolvedSymbol | undefined {
    if (addr < 0n || addr >= 1n << 64n) return undefined;
    const ahi = Number(addr >> 32n);
    const alo = Number(addr & 0xffffffffn);
    let lo = 0;
    let hi = this.hi.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const mhi = this.hi[mid]!;
      if (mhi < ahi || (mhi === ahi && this.lo[mid]! <= alo)) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const offset = (ahi - this.hi[found]!) * TWO_32 + (alo - this.lo[found]!);
    if (offset >= MAX_OFFSET) return undefined;
    return { ...this.symbol(found), offset };
  }

  /** `func+0x1a`, `func+0x1a [module]`, or the address in hex when no symbol covers it. */
  format(addr: bigint): string {
    const s = this.lookup(addr);
    if (!s) return hexAddr(addr);
    return `${s.name}+0x${s.offset.toString(16)}${s.module ? ` [${s.module}]` : ''}`;
  }
}

export const hexAddr = frameHex;

/**
 * Kernel half of the address space (protocol decode/stacks.ts). bpf_get_stackid() stores kernel
 * and user stacks in the same kind of map, and a user address must not be looked up in kallsyms:
 * it would land on some unrelated kernel symbol.
 */
export const isKernelAddress = isKernelFrame;

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
