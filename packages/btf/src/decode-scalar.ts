/** Scalar pieces of value decoding: integers wider than 2^53, C strings, bitfields. */

export function readUint(bytes: Uint8Array, off: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]!);
  return v;
}

export function readInt(bytes: Uint8Array, off: number, size: number, signed: boolean): bigint {
  const u = readUint(bytes, off, size);
  return signed ? BigInt.asIntN(size * 8, u) : u;
}

/** `bits` bits starting at absolute bit `bitOff` of `bytes` (little-endian bit numbering, as on x86/BPF). */
export function readBits(bytes: Uint8Array, bitOff: number, bits: number, signed: boolean): bigint {
  const first = Math.floor(bitOff / 8);
  const last = Math.ceil((bitOff + bits) / 8);
  const word = readUint(bytes, first, last - first);
  const v = (word >> BigInt(bitOff - first * 8)) & ((1n << BigInt(bits)) - 1n);
  return signed ? BigInt.asIntN(bits, v) : v;
}

/** Integers beyond 2^53, char arrays as text, undecodable bytes: one rule for the agent's decoder and the clients' (packages/protocol). */
export { cString, intValue, undecodable } from '@bpfplay/protocol';
