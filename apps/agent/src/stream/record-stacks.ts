import { existsSync } from 'node:fs';
import type { RecordLayout, StackProfile } from '@bpfplay/protocol';
import {
  compileNode,
  ctxFor,
  isKernelFrame,
  recordStackFields,
  symbolKey,
  frameHex,
  type Read,
} from '@bpfplay/protocol/decoding';
import { kernelSymbols, type KernelSymbols } from './ksyms.js';
import type { UserSymbols } from './usyms.js';

/** Names one frame of a record's stack: kernel frames from a kernel's symbols, user frames by pid. */
export type NameFrame = (addr: bigint, pid: number | undefined) => string;

/** Frames of this machine: kallsyms, and the user frames of allowlisted binaries by pid. */
export function hostFrameNamer(usyms: () => UserSymbols): NameFrame {
  return (addr, pid) => {
    if (isKernelFrame(addr)) return kernelSymbols().format(addr);
    if (pid === undefined) return `${frameHex(addr)} (no pid field in the record)`;
    const named = usyms().format(pid, addr);
    if (named !== undefined) return named;
    // A short-lived process (cat, true) is often gone before the next poll reads its maps.
    return existsSync(`/proc/${pid}`)
      ? frameHex(addr)
      : `${frameHex(addr)} (pid ${pid} exited before its maps were read)`;
  };
}

/**
 * Frames of a kernel-matrix guest: kernel frames from that kernel's symbols (its System.map). User
 * frames stay numbers: naming one needs the process's memory map, which lives in the guest's /proc
 * and is gone with the VM; the guest's only binaries are busybox and the loader anyway.
 */
export function guestFrameNamer(syms: () => KernelSymbols, kernel: string): NameFrame {
  return (addr) =>
    isKernelFrame(addr) ? syms().format(addr) : `${frameHex(addr)} (user frame in the ${kernel} guest: not named)`;
}

/**
 * Stacks inside ring/perf buffer records (bpf_get_stack() into a record field, the way
 * libbpf-bootstrap's profile does it; which fields count is decode/stacks.ts's rule). The runner
 * shows each record's frames by name and adds the stacks up into a flame graph: as records are
 * read, `observe` keeps each distinct stack with its count and the frames not yet named; each
 * poll `takeNames` names those (NameFrame: the host's or a guest's) for a
 * `symbols` frame sent before the records, and each map snapshot carries `profiles()`.
 */

/** Distinct (command, pid, stack) kept per source; a busier source's others are counted as `more`. */
const MAX_STACKS = 4096;
/** Names sent per run: the user frames of a long run across many processes would grow without end. */
const MAX_NAMES = 50_000;
/**
 * Time one poll may spend naming user frames (reading /proc/<pid>/maps, ELF symbols once per
 * binary, which preload() did before attach); frames left over are named at the next poll.
 */
const NAME_BUDGET_MS = 20;

interface Plan {
  fields: { off: number; n: number }[];
  field: string;
  pid?: Read;
  comm?: Read;
}

interface Sample {
  comm: string | undefined;
  pid: number | undefined;
  frames: bigint[];
  count: number;
}

interface Pending {
  addr: bigint;
  pid: number | undefined;
}

export class RecordStacks {
  private readonly plans = new Map<string, Plan>();
  private readonly samples = new Map<string, Map<string, Sample>>();
  private readonly more = new Map<string, number>();
  /** Every key named so far, with its name (sent once; the profiles reuse them). */
  private readonly names = new Map<string, string>();
  private readonly pending = new Map<string, Pending>();

  /** Sources whose layout has stack fields; undefined when none has (nothing to do per record). */
  static of(layouts: ReadonlyMap<string, RecordLayout | undefined>, nameFrame: NameFrame): RecordStacks | undefined {
    const s = new RecordStacks(nameFrame);
    for (const [source, layout] of layouts) {
      const fields = recordStackFields(layout);
      if (!fields.length || layout?.root.k !== 'struct') continue;
      const node = (name: string | undefined) =>
        layout.root.k === 'struct' && layout.root.fields.find((f) => f.name === name)?.node;
      const pidNode = node(fields[0]!.pid);
      const commNode = node(fields[0]!.comm);
      s.plans.set(source, {
        fields: fields.map((f) => ({ off: f.off, n: f.n })),
        field: fields.map((f) => f.field).join(','),
        ...(pidNode ? { pid: compileNode(pidNode) } : {}),
        ...(commNode ? { comm: compileNode(commNode) } : {}),
      });
    }
    return s.plans.size ? s : undefined;
  }

  private constructor(private readonly nameFrame: NameFrame) {}

  wants(source: string): boolean {
    return this.plans.has(source);
  }

  /** One record of `source` (its bytes as the program wrote them). */
  observe(source: string, bytes: Uint8Array): void {
    const plan = this.plans.get(source);
    if (!plan) return;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const frames: bigint[] = [];
    for (const f of plan.fields) {
      for (let i = 0; i < f.n && f.off + 8 * i + 8 <= bytes.byteLength; i++) {
        const a = view.getBigUint64(f.off + 8 * i, true);
        if (a === 0n) break;
        frames.push(a);
      }
    }
    const c = plan.pid || plan.comm ? ctxFor(bytes) : undefined;
    const pidValue = c && plan.pid ? plan.pid(c, c.start) : undefined;
    const pid = typeof pidValue === 'number' && pidValue > 0 ? pidValue : undefined;
    const commValue = c && plan.comm ? plan.comm(c, c.start) : undefined;
    const comm = typeof commValue === 'string' ? commValue : undefined;
    for (const a of frames) {
      const key = symbolKey(a, pid);
      if (!this.names.has(key) && !this.pending.has(key) && this.names.size + this.pending.size < MAX_NAMES)
        this.pending.set(key, { addr: a, pid });
    }
    let bySig = this.samples.get(source);
    if (!bySig) this.samples.set(source, (bySig = new Map()));
    // User frames mean something per process; kernel-only stacks of one command merge across pids.
    const userPid = frames.some((a) => !isKernelFrame(a)) ? pid : undefined;
    const sig = `${comm ?? ''}\0${userPid ?? ''}\0${frames.join(',')}`;
    const s = bySig.get(sig);
    if (s) s.count++;
    else if (bySig.size < MAX_STACKS) bySig.set(sig, { comm, pid: userPid, frames, count: 1 });
    else this.more.set(source, (this.more.get(source) ?? 0) + 1);
  }

  /** Names of the frames seen since the last call, within the time budget; undefined when none. */
  takeNames(budgetMs = NAME_BUDGET_MS): Record<string, string> | undefined {
    if (!this.pending.size) return undefined;
    const deadline = performance.now() + budgetMs;
    const out: Record<string, string> = {};
    let any = false;
    for (const [key, p] of this.pending) {
      const user = !isKernelFrame(p.addr);
      if (user && performance.now() > deadline) break;
      const name = this.nameFrame(p.addr, p.pid);
      this.pending.delete(key);
      this.names.set(key, name);
      out[key] = name;
      any = true;
    }
    return any ? out : undefined;
  }

  /**
   * A flame graph's samples per source: root first, the command, then user frames, then kernel
   * frames (bpf_get_stack() stores the innermost frame first), each record weighing 1.
   */
  profiles(): StackProfile[] {
    const out: StackProfile[] = [];
    for (const [source, bySig] of this.samples) {
      const plan = this.plans.get(source)!;
      const merged = new Map<string, { frames: string[]; value: number }>();
      for (const s of bySig.values()) {
        const named = (a: bigint) => this.names.get(symbolKey(a, s.pid)) ?? frameHex(a);
        const user = s.frames
          .filter((a) => !isKernelFrame(a))
          .reverse()
          .map(named);
        const kernel = s.frames.filter(isKernelFrame).reverse().map(named);
        const path = [...(s.comm !== undefined ? [s.comm] : []), ...user, ...kernel];
        if (user.length + kernel.length === 0) path.push('[no stack]');
        const key = path.join(';');
        const m = merged.get(key);
        if (m) m.value += s.count;
        else merged.set(key, { frames: path, value: s.count });
      }
      const samples = [...merged.values()].sort((a, b) => b.value - a.value);
      const more = this.more.get(source);
      out.push({
        name: source,
        records: { source, field: plan.field },
        unit: 'records',
        samples,
        ...(more ? { more } : {}),
      });
    }
    return out;
  }
}
