import {
  BPF_EXIT,
  BPF_JMP_CALL,
  BPF_LD_IMM64,
  resolveCoreRelocations,
  type Btf,
  type BpfInsn,
  type ObjectSpec,
  type ProgramCalls,
} from '@bpfplay/btf';

/**
 * Instructions a kernel cannot reach once libbpf has applied the object's CO-RE relocations for it.
 *
 * Why: a program written for many kernels guards what only some kernels have behind a CO-RE check —
 * `if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_snprintf)) … else bpf_trace_printk(…)`,
 * as the playground's own bpf_printk does. libbpf patches the check into a constant and the verifier,
 * which follows constants, never visits the other branch; a privileged load then removes it. The
 * policy judges what the kernel will execute, so a call that is dead on a target is not that
 * target's call: the host refuses bpf_trace_printk, but not in a branch only Linux < 5.13 takes.
 *
 * The analysis is deliberately smaller than the verifier's: constants flow only through registers
 * (mov, ld_imm64, the usual ALU ops), through CO-RE enum-value immediates resolved against the
 * target's BTF, and meet to "unknown" where paths disagree; a branch is pruned only when both operands are
 * known. Anything it cannot follow (spills, calls, loads) is unknown, so it can only find *less*
 * dead code than the verifier will, never more: a call it calls dead is one the kernel cannot run.
 */

/** Per program name: the indexes (in 8-byte slots) of instructions no path reaches on this target. */
export type DeadCode = Map<string, Set<number>>;

const CLS_ALU = 0x04;
const CLS_JMP = 0x05;
const CLS_JMP32 = 0x06;
const CLS_ALU64 = 0x07;
const CLS_STX = 0x03;
const MODE_ATOMIC = 0xc0;
const SRC_X = 0x08;
const MASK64 = (1n << 64n) - 1n;

type Regs = (bigint | null)[]; // r0..r10: a known value (unsigned 64-bit), or null for unknown

/** Relocated immediates (mov/ld_imm64) per program and instruction, as libbpf will patch them on `btf`. */
function patchedImmediates(obj: ObjectSpec, btf: Btf): Map<string, Map<number, bigint | null>> {
  const out = new Map<string, Map<number, bigint | null>>();
  for (const r of resolveCoreRelocations(obj, [{ name: 'target', btf }])) {
    const res = r.results[0];
    // A relocation that fails is poisoned by libbpf (an invalid call): nothing is known after it.
    // Only enum-value checks become constants here: their rule (an enumerator of that name in an
    // enum of that name) leaves no room between this resolver and libbpf's, and a pruned branch is a
    // refused call the kernel might otherwise run. Field and type relocations stay unknown.
    const trusted = r.kind === 'enumval_exists' || r.kind === 'enumval_value';
    const v =
      trusted && res?.ok && res.value !== undefined && !res.poisoned ? BigInt.asUintN(64, BigInt(res.value)) : null;
    let m = out.get(r.program);
    if (!m) out.set(r.program, (m = new Map()));
    m.set(r.insn, v);
  }
  return out;
}

const u64 = (v: bigint) => v & MASK64;
const s64 = (v: bigint) => BigInt.asIntN(64, v);

function alu(op: number, a: bigint, b: bigint, is64: boolean): bigint | null {
  const w = is64 ? 64 : 32;
  const shift = Number(b & BigInt(w - 1));
  let r: bigint;
  switch (op) {
    case 0x00:
      r = a + b;
      break; // add
    case 0x10:
      r = a - b;
      break; // sub
    case 0x20:
      r = a * b;
      break; // mul
    case 0x40:
      r = a | b;
      break; // or
    case 0x50:
      r = a & b;
      break; // and
    case 0x60:
      r = a << BigInt(shift);
      break; // lsh
    case 0x70:
      r = BigInt.asUintN(w, a) >> BigInt(shift);
      break; // rsh
    case 0x80:
      r = -a;
      break; // neg
    case 0xa0:
      r = a ^ b;
      break; // xor
    case 0xb0:
      r = b;
      break; // mov
    case 0xc0:
      r = BigInt.asIntN(w, a) >> BigInt(shift);
      break; // arsh
    default:
      return null; // div, mod, end (byte swaps): not needed to follow a CO-RE check
  }
  return is64 ? u64(r) : BigInt.asUintN(32, r);
}

/** The outcome of a conditional jump on known operands; null when the opcode is not a comparison. */
function compare(op: number, a: bigint, b: bigint, is32: boolean): boolean | null {
  const ua = is32 ? BigInt.asUintN(32, a) : a;
  const ub = is32 ? BigInt.asUintN(32, b) : b;
  const sa = is32 ? BigInt.asIntN(32, a) : s64(a);
  const sb = is32 ? BigInt.asIntN(32, b) : s64(b);
  switch (op) {
    case 0x10:
      return ua === ub;
    case 0x20:
      return ua > ub;
    case 0x30:
      return ua >= ub;
    case 0x40:
      return (ua & ub) !== 0n;
    case 0x50:
      return ua !== ub;
    case 0x60:
      return sa > sb;
    case 0x70:
      return sa >= sb;
    case 0xa0:
      return ua < ub;
    case 0xb0:
      return ua <= ub;
    case 0xc0:
      return sa < sb;
    case 0xd0:
      return sa <= sb;
    default:
      return null;
  }
}

function meet(into: Regs | undefined, from: Regs): { regs: Regs; changed: boolean } {
  if (!into) return { regs: [...from], changed: true };
  let changed = false;
  const regs = into.map((v, i) => {
    if (v !== null && v !== from[i]) {
      changed = true;
      return null;
    }
    return v;
  });
  return { regs, changed };
}

/** One program's reachable instruction indexes, with CO-RE immediates as `patched` says. */
function reachable(insns: BpfInsn[], patched: Map<number, bigint | null> | undefined): Set<number> {
  const at = new Map(insns.map((i) => [i.index, i]));
  const entry = new Map<number, Regs>();
  const work: number[] = [];
  const flow = (idx: number, regs: Regs) => {
    if (!at.has(idx)) return;
    const m = meet(entry.get(idx), regs);
    if (!m.changed) return;
    entry.set(idx, m.regs);
    work.push(idx);
  };
  if (insns.length) flow(insns[0]!.index, new Array<bigint | null>(11).fill(null));
  while (work.length) {
    const idx = work.pop()!;
    const insn = at.get(idx)!;
    const regs = [...entry.get(idx)!];
    const next = idx + insn.size / 8;
    const cls = insn.code & 0x07;
    const op = insn.code & 0xf0;
    const imm = BigInt.asUintN(64, BigInt(insn.imm));
    if (insn.code === BPF_LD_IMM64) {
      // src 0 is a plain 64-bit constant; the others are map fds/values, BTF ids…: unknown numbers.
      const relo = patched?.has(idx) ? patched.get(idx)! : insn.imm64;
      regs[insn.dst] = insn.src === 0 && relo !== undefined ? u64(relo) : null;
      flow(next, regs);
    } else if (cls === CLS_ALU || cls === CLS_ALU64) {
      const is64 = cls === CLS_ALU64;
      const k = patched?.has(idx) ? patched.get(idx)! : is64 ? imm : BigInt.asUintN(32, BigInt(insn.imm));
      const b = insn.code & SRC_X ? regs[insn.src]! : k;
      const a = regs[insn.dst]!;
      // mov ignores the destination's old value; every other op needs it known.
      regs[insn.dst] = b === null || (op !== 0xb0 && a === null) || insn.off !== 0 ? null : alu(op, a ?? 0n, b, is64);
      flow(next, regs);
    } else if (cls === CLS_JMP || cls === CLS_JMP32) {
      if (insn.code === BPF_EXIT) continue;
      if (insn.code === BPF_JMP_CALL) {
        for (let r = 0; r <= 5; r++) regs[r] = null;
        flow(next, regs);
        continue;
      }
      if (op === 0x00) {
        // ja: JMP's offset is `off`; JMP32's (gotol) is `imm`
        flow(next + (cls === CLS_JMP32 ? insn.imm : insn.off), regs);
        continue;
      }
      const a = regs[insn.dst]!;
      const b = insn.code & SRC_X ? regs[insn.src]! : imm;
      const taken = a !== null && b !== null ? compare(op, a, b, cls === CLS_JMP32) : null;
      if (taken !== false) flow(next + insn.off, regs);
      if (taken !== true) flow(next, regs);
    } else {
      // Loads write their destination (legacy packet loads r0 and the caller-saved registers);
      // atomics with BPF_FETCH write their source register (cmpxchg writes r0).
      if (cls === 0x01) regs[insn.dst] = null;
      if (cls === 0x00) for (let r = 0; r <= 5; r++) regs[r] = null;
      if (cls === CLS_STX && (insn.code & 0xe0) === MODE_ATOMIC) {
        regs[insn.src] = null;
        regs[0] = null;
      }
      flow(next, regs);
    }
  }
  return new Set(entry.keys());
}

/** Per program, the instructions dead on the kernel whose BTF is `btf` (only programs that have any). */
export function deadCode(obj: ObjectSpec, btf: Btf): DeadCode {
  const patched = patchedImmediates(obj, btf);
  const out: DeadCode = new Map();
  for (const p of obj.programs) {
    const live = reachable(p.insns, patched.get(p.name));
    const dead = new Set(p.insns.map((i) => i.index).filter((i) => !live.has(i)));
    if (dead.size) out.set(p.name, dead);
  }
  return out;
}

/** The calls a kernel can reach: each program's calls without those in its dead code on `btf`. */
export function reachableCalls<P extends ProgramCalls>(programs: P[], obj: ObjectSpec, btf: Btf): P[] {
  const dead = deadCode(obj, btf);
  return programs.map((p) => ({ ...p, calls: p.calls.filter((c) => !dead.get(p.program)?.has(c.insn)) }));
}
