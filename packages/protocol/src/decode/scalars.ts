import type { Value } from '../common';

/**
 * The scalar rules of the decoding model (read.ts), in one place: how bytes become hex, how an
 * integer wider than a double is written, how a `char` array becomes text, and what a value that
 * cannot be decoded looks like.
 */

export const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

export function undecodable(bytes: Uint8Array, why: string): Value {
  return { $hex: toHex(bytes), $error: why };
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A number when exact, else the decimal string. */
export function intValue(v: bigint): Value {
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A char array as text, the agent's rule: stop at the first NUL, keep valid UTF-8, show other
 * non-printable bytes as `\xNN` and a backslash as `\\`.
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
      } else out += `\\x${HEX[b]}`;
    }
  }
  return out;
}
