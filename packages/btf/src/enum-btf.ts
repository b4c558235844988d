import type { BtfEnum } from './btf-types.js';

const BTF_MAGIC = 0xeb9f;
const HEADER_LEN = 24;
const KIND_ENUM = 6;

/**
 * A BTF blob holding only `enums`, each copied whole (name, size, signedness, every enumerator):
 * a target libbpf can resolve enum CO-RE relocations against (btf_custom_path) without reading the
 * kernel's whole BTF — see apps/agent/src/load/core-btf.ts for when that gives the same answers.
 */
export function enumOnlyBtf(enums: readonly BtfEnum[]): Uint8Array {
  const utf8 = new TextEncoder();
  const strings: string[] = [''];
  let strLen = 1;
  const str = (s: string) => {
    const off = strLen;
    strings.push(s);
    strLen += utf8.encode(s).length + 1;
    return off;
  };
  const words: number[] = [];
  for (const e of enums) {
    words.push(str(e.name), ((e.signed ? 1 : 0) << 31) | (KIND_ENUM << 24) | e.values.length, e.size);
    for (const v of e.values) words.push(str(v.name), v.value);
  }
  const typeLen = words.length * 4;
  const out = new Uint8Array(HEADER_LEN + typeLen + strLen);
  const view = new DataView(out.buffer);
  view.setUint16(0, BTF_MAGIC, true);
  view.setUint8(2, 1); // version
  view.setUint8(3, 0); // flags
  view.setUint32(4, HEADER_LEN, true);
  view.setUint32(8, 0, true); // type_off
  view.setUint32(12, typeLen, true);
  view.setUint32(16, typeLen, true); // str_off
  view.setUint32(20, strLen, true);
  // Enumerator values are 32 bits whatever their sign: written as the same bits.
  words.forEach((w, i) => view.setUint32(HEADER_LEN + i * 4, w >>> 0, true));
  const text = utf8.encode(strings.join('\0') + '\0');
  out.set(text, HEADER_LEN + typeLen);
  return out;
}
