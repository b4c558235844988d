/**
 * Writes raw BTF by hand, for encodings clang no longer emits (bitfields described by the INT itself,
 * without kind_flag: what old pahole produced) and for malformed input.
 */
import { KIND, type BtfKind } from '../../src/btf-types.js';

export class BtfBuilder {
  private readonly types: number[][] = [];
  private strings = '\0';

  /** For split BTF: ids continue after the base's types, string offsets after the base's strings. */
  constructor(private readonly split: { firstId: number; strBase: number } = { firstId: 1, strBase: 0 }) {}

  str(s: string): number {
    if (!s) return 0;
    const at = this.strings.indexOf(`\0${s}\0`);
    if (at >= 0) return this.split.strBase + at + 1;
    const off = this.strings.length;
    this.strings += `${s}\0`;
    return this.split.strBase + off;
  }

  /** Adds a type record; returns its id. `extra` are the u32 words after the 12-byte header. */
  add(kind: BtfKind, name: string, vlen: number, sizeOrType: number, extra: number[] = [], kflag = false): number {
    const info = ((kflag ? 1 : 0) << 31) | (KIND[kind] << 24) | vlen;
    this.types.push([this.str(name), info >>> 0, sizeOrType, ...extra]);
    return this.split.firstId + this.types.length - 1;
  }

  int(name: string, size: number, opts: { signed?: boolean; bits?: number; offset?: number } = {}): number {
    const enc = ((opts.signed ? 1 : 0) << 24) | ((opts.offset ?? 0) << 16) | (opts.bits ?? size * 8);
    return this.add('int', name, 0, size, [enc]);
  }

  struct(name: string, size: number, members: { name: string; type: number; offset: number }[], kflag = false): number {
    const words = members.flatMap((m) => [this.str(m.name), m.type, m.offset]);
    return this.add('struct', name, members.length, size, words, kflag);
  }

  build(): Uint8Array {
    const typeWords = this.types.flat();
    const strBytes = new TextEncoder().encode(this.strings);
    const out = new Uint8Array(24 + typeWords.length * 4 + strBytes.length);
    const v = new DataView(out.buffer);
    v.setUint16(0, 0xeb9f, true);
    v.setUint8(2, 1);
    v.setUint32(4, 24, true);
    v.setUint32(8, 0, true);
    v.setUint32(12, typeWords.length * 4, true);
    v.setUint32(16, typeWords.length * 4, true);
    v.setUint32(20, strBytes.length, true);
    typeWords.forEach((w, i) => v.setUint32(24 + i * 4, w >>> 0, true));
    out.set(strBytes, 24 + typeWords.length * 4);
    return out;
  }
}
