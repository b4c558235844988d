/** Scalar pieces of value decoding: integers wider than 2^53, C strings, bitfields. */
import type { Value } from '@bpfplay/protocol';

/** Integers that fit a JS number exactly stay numbers; larger ones become decimal strings. */
export function intValue(v: bigint): Value {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

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

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A char array as text: stops at the first NUL, keeps valid UTF-8 (file names), and shows every other
 * non-printable byte as `\xNN` so nothing is hidden. A backslash is written `\\` to keep that unambiguous.
 */
export function cString(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0) break;
    if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else {
      const n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      const seq = n ? bytes.subarray(i, i + n) : undefined;
      let ch: string | undefined;
      if (seq && seq.length === n && !seq.includes(0)) {
        try {
          ch = strictUtf8.decode(seq);
        } catch {
          ch = undefined;
        }
      }
      if (ch !== undefined) {
        out += ch;
        i += n - 1;
      } else {
        out += `\\x${b.toString(16).padStart(2, '0')}`;
      }
    }
  }
  return out;
}

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function undecodable(bytes: Uint8Array, why: string): Value {
  return { $hex: hex(bytes), $error: why };
}
