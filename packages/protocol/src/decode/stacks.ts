import type { Value } from '../common';
import type { LayoutNode, RecordLayout } from './layout';

/**
 * Stacks inside records: THE rule for which record field holds a `bpf_get_stack()` buffer, and how
 * its frames are named and keyed. The layout builder (packages/btf layout.ts) marks such an array
 * node `stack: true`; the agent symbolizes its frames (kallsyms; user frames of allowlisted
 * binaries), sends the names in `symbols` frames and adds the stacks up into a flame graph; the
 * web app and the CLI show each record's frames by name.
 *
 * A field is a stack when it is an array of 8-byte unsigned integers (`__u64`, `u64`, `unsigned
 * long`) and either its name says so — `stack`, `kstack`, `ustack`, `kern_stack`, `kernel_stack`,
 * `user_stack` (libbpf-bootstrap's profile uses `kstack`/`ustack`) — or it carries the annotation
 * BPFPLAY_STACK (apps/agent/include/bpfplay.h) for any other name. The buffer holds instruction
 * pointers innermost first; the kernel zero-fills what bpf_get_stack() did not write, so the first
 * zero ends the stack. Kernel or user is decided per frame by the address (kernel addresses have the
 * top bit set on x86-64 and arm64), so one rule serves `kstack`, `ustack` and a mixed `stack`.
 */
export const STACK_FIELD = /^((k|kern|kernel|u|usr|user)_?)?stack$/i;

/** BTF decl tag of BPFPLAY_STACK on a record member. */
export const STACK_TAG = 'bpfplay.stack';

/**
 * Which field of a record or key says whose stack it is (user frames are named per process) and
 * which one names the command, in the order tools name them. `tgid` wins over `pid`: user frames
 * belong to the process, and libbpf-tools' `pid` is often the thread.
 */
export const PID_FIELD = /^(tgid|pid)$/;
export const COMM_FIELD = /^(comm|name|task|command)$/;

/** Whether an array field is a stack buffer (see STACK_FIELD); `elem` is the element's layout node. */
export function isStackArray(name: string, elem: LayoutNode, tagged: boolean): boolean {
  return elem.k === 'int' && elem.size === 8 && !elem.signed && !elem.bool && (tagged || STACK_FIELD.test(name));
}

/** A stack field of a record: where its u64 frames are, and which fields say whose it is. */
export interface RecordStackField {
  field: string;
  /** Byte offset in the record and number of u64 slots. */
  off: number;
  n: number;
  /** The record's pid/tgid field and command field, when it has them. */
  pid?: string;
  comm?: string;
}

/** The stack fields of a record layout (top-level members only, as tools lay them out). */
export function recordStackFields(layout: RecordLayout | undefined): RecordStackField[] {
  if (!layout || layout.root.k !== 'struct') return [];
  const fields = layout.root.fields;
  const pid =
    fields.find((f) => f.name === 'tgid' && f.node.k === 'int')?.name ??
    fields.find((f) => PID_FIELD.test(f.name) && f.node.k === 'int')?.name;
  const comm = fields.find((f) => COMM_FIELD.test(f.name) && f.node.k === 'chars')?.name;
  const out: RecordStackField[] = [];
  for (const f of fields) {
    const n = f.node;
    if (n.k !== 'array' || !n.stack || n.stride !== 8) continue;
    out.push({ field: f.name, off: n.off, n: n.n, ...(pid ? { pid } : {}), ...(comm ? { comm } : {}) });
  }
  return out;
}

/** Kernel half of the address space (x86-64, arm64): such a frame is named from kallsyms, never per process. */
export const isKernelFrame = (addr: bigint): boolean => addr >= 1n << 63n;

/** A frame's address as the names of a `symbols` frame key it: `0x…` lowercase hex. */
export const frameHex = (addr: bigint): string => `0x${addr.toString(16)}`;

/**
 * The key a frame's name is sent and looked up under: a kernel frame's address alone (one kernel),
 * a user frame's prefixed with its pid (`1234:0x55d0…`: an address means something in one process).
 */
export function symbolKey(addr: bigint, pid: number | undefined): string {
  return isKernelFrame(addr) || pid === undefined ? frameHex(addr) : `${pid}:${frameHex(addr)}`;
}

/**
 * A decoded stack field (an array of numbers, or decimal strings past 2^53) as its frames' addresses,
 * innermost first, up to the first zero.
 */
export function stackAddresses(v: Value): bigint[] {
  if (!Array.isArray(v)) return [];
  const out: bigint[] = [];
  for (const x of v) {
    let a: bigint;
    try {
      a = typeof x === 'number' || typeof x === 'string' ? BigInt(x) : 0n;
    } catch {
      a = 0n;
    }
    if (a === 0n) break;
    out.push(a);
  }
  return out;
}

/**
 * A record's stack field by name, innermost first: each frame's name from `names` (the run's
 * `symbols` frames so far), else its address. `pid`: the record's pid/tgid value.
 */
export function namedFrames(v: Value, pid: Value | undefined, names: ReadonlyMap<string, string>): string[] {
  const p = typeof pid === 'number' ? pid : typeof pid === 'string' && /^\d+$/.test(pid) ? Number(pid) : undefined;
  return stackAddresses(v).map((a) => names.get(symbolKey(a, p)) ?? frameHex(a));
}
