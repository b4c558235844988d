/** BPF instruction decoding (kernel's struct bpf_insn, little-endian). */

export interface BpfInsn {
  /** Index in 8-byte slots from the start of the program, as libbpf and the verifier count. */
  index: number;
  /** Byte offset inside the ELF section. */
  offset: number;
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
  /** 8, or 16 for `ld_imm64` (which occupies two slots). */
  size: 8 | 16;
  /** The full 64-bit immediate of `ld_imm64`. */
  imm64?: bigint;
}

export const BPF_JMP_CALL = 0x85;
export const BPF_EXIT = 0x95;
export const BPF_LD_IMM64 = 0x18;
/** src_reg values of a call instruction. */
export const CALL_HELPER = 0;
export const CALL_PSEUDO = 1;
export const CALL_KFUNC = 2;

/** Decodes the instructions in bytes [start, end) of a section; `start` is the program's first byte. */
export function decodeInsns(data: Uint8Array, start: number, end: number): BpfInsn[] {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: BpfInsn[] = [];
  const stop = Math.min(end, data.length);
  for (let off = start; off + 8 <= stop;) {
    const code = v.getUint8(off);
    const regs = v.getUint8(off + 1);
    const insn: BpfInsn = {
      index: (off - start) / 8,
      offset: off,
      code,
      dst: regs & 0xf,
      src: regs >> 4,
      off: v.getInt16(off + 2, true),
      imm: v.getInt32(off + 4, true),
      size: 8,
    };
    if (code === BPF_LD_IMM64 && off + 16 <= stop) {
      insn.size = 16;
      insn.imm64 = (BigInt(v.getUint32(off + 12, true)) << 32n) | BigInt(v.getUint32(off + 4, true));
    }
    out.push(insn);
    off += insn.size;
  }
  return out;
}
