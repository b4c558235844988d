import type { Btf } from './btf.js';
import { BtfError } from './btf.js';

/**
 * `.BTF.ext`: per-section tables that clang writes next to `.BTF`. Offsets (`insnOff`) are byte offsets
 * inside the ELF section as clang wrote them; libbpf divides by 8 at load time. Strings (section names,
 * file names, source lines, CO-RE access specs) live in the `.BTF` string table.
 */
export const CORE_RELO_KINDS = [
  'field_byte_offset',
  'field_byte_size',
  'field_exists',
  'field_signed',
  'field_lshift_u64',
  'field_rshift_u64',
  'type_id_local',
  'type_id_target',
  'type_exists',
  'type_size',
  'enumval_exists',
  'enumval_value',
  'type_matches',
] as const;
export type CoreReloKind = (typeof CORE_RELO_KINDS)[number];

export interface FuncInfo {
  insnOff: number;
  typeId: number;
}

export interface LineInfo {
  insnOff: number;
  file: string;
  line: number;
  col: number;
  /** The source line's text as clang embedded it (without the newline). */
  text: string;
}

export interface CoreReloRecord {
  insnOff: number;
  /** Root type id in the object's BTF. */
  typeId: number;
  /** Raw access spec, e.g. `0:55:1`. */
  spec: string;
  kind: CoreReloKind;
}

export interface BtfExt {
  /** Section name -> records sorted by insnOff. */
  funcInfo: Map<string, FuncInfo[]>;
  lineInfo: Map<string, LineInfo[]>;
  coreRelos: Map<string, CoreReloRecord[]>;
}

const BTF_MAGIC = 0xeb9f;

export function parseBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  if (bytes.length < 24) throw new BtfError(`.BTF.ext: ${bytes.length} bytes is too short for its header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint16(0, true) !== BTF_MAGIC) throw new BtfError('.BTF.ext: bad magic; expected 0xeb9f');
  const hdrLen = v.getUint32(4, true);
  const table = (offAt: number) => {
    if (hdrLen < offAt + 8) return undefined;
    const off = hdrLen + v.getUint32(offAt, true);
    const len = v.getUint32(offAt + 4, true);
    if (len === 0) return undefined;
    if (off + len > bytes.length) throw new BtfError('.BTF.ext: a table runs past the end of the section (truncated?)');
    return { off, len };
  };
  const ext: BtfExt = { funcInfo: new Map(), lineInfo: new Map(), coreRelos: new Map() };
  readTable(v, btf, table(8), 8, ext.funcInfo, (o) => ({
    insnOff: v.getUint32(o, true),
    typeId: v.getUint32(o + 4, true),
  }));
  readTable(v, btf, table(16), 16, ext.lineInfo, (o) => {
    const lineCol = v.getUint32(o + 12, true);
    return {
      insnOff: v.getUint32(o, true),
      file: btf.str(v.getUint32(o + 4, true)),
      text: btf.str(v.getUint32(o + 8, true)),
      line: lineCol >>> 10,
      col: lineCol & 0x3ff,
    };
  });
  readTable(
    v,
    btf,
    table(24),
    16,
    ext.coreRelos,
    (o) => {
      const kindNum = v.getUint32(o + 12, true);
      const kind = CORE_RELO_KINDS[kindNum];
      if (!kind)
        throw new BtfError(`.BTF.ext: unknown CO-RE relocation kind ${kindNum}; this object is newer than the parser`);
      return {
        insnOff: v.getUint32(o, true),
        typeId: v.getUint32(o + 4, true),
        spec: btf.str(v.getUint32(o + 8, true)),
        kind,
      };
    },
    false,
  );
  return ext;
}

function readTable<T extends { insnOff: number }>(
  v: DataView,
  btf: Btf,
  where: { off: number; len: number } | undefined,
  minRec: number,
  out: Map<string, T[]>,
  read: (off: number) => T,
  sort = true,
): void {
  if (!where) return;
  const end = where.off + where.len;
  const recSize = v.getUint32(where.off, true);
  if (recSize < minRec) throw new BtfError(`.BTF.ext: record size ${recSize} is smaller than ${minRec}`);
  let p = where.off + 4;
  while (p + 8 <= end) {
    const section = btf.str(v.getUint32(p, true));
    const n = v.getUint32(p + 4, true);
    p += 8;
    if (p + n * recSize > end) throw new BtfError(`.BTF.ext: records of section ${section} run past their table`);
    const list = out.get(section) ?? [];
    for (let i = 0; i < n; i++, p += recSize) list.push(read(p));
    // CO-RE records keep file order: libbpf numbers them ("relo #N") by their position in the section.
    out.set(section, sort ? list.sort((a, b) => a.insnOff - b.insnOff) : list);
  }
}

/**
 * The line_info record covering the instruction at byte `insnOff` of `section`: the last record at or
 * before it (a record holds until the next one, as in the verifier's and llvm-objdump's output).
 */
export function lineAt(ext: BtfExt | undefined, section: string, insnOff: number): LineInfo | undefined {
  const list = ext?.lineInfo.get(section);
  if (!list?.length) return undefined;
  let lo = 0;
  let hi = list.length - 1;
  if (list[0]!.insnOff > insnOff) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (list[mid]!.insnOff <= insnOff) lo = mid;
    else hi = mid - 1;
  }
  return list[lo];
}
