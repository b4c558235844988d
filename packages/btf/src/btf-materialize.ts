import { BTF_KIND_NAMES, type BtfType } from './btf-types.js';

const LINKAGE = ['static', 'global', 'extern'] as const;

function linkage(n: number): 'static' | 'global' | 'extern' {
  return LINKAGE[n] ?? 'global';
}

/** Builds the object for the type record at byte `off` of the type section (layout: kernel btf.h). */
export function materialize(v: DataView, off: number, id: number, str: (off: number) => string): BtfType {
  const name = str(v.getUint32(off, true));
  const info = v.getUint32(off + 4, true);
  const kindNum = (info >>> 24) & 0x1f;
  const kflag = info >>> 31 === 1;
  const vlen = info & 0xffff;
  const sizeOrType = v.getUint32(off + 8, true);
  const p = off + 12;
  const kind = BTF_KIND_NAMES[kindNum] ?? 'void';
  switch (kind) {
    case 'void':
      return { id, name, kind };
    case 'int': {
      const enc = v.getUint32(p, true);
      const encoding = (enc >>> 24) & 0x0f;
      return {
        id,
        name,
        kind,
        size: sizeOrType,
        signed: (encoding & 1) !== 0,
        char: (encoding & 2) !== 0,
        bool: (encoding & 4) !== 0,
        bitOffset: (enc >>> 16) & 0xff,
        bits: enc & 0xff,
      };
    }
    case 'ptr':
      return { id, name, kind, type: sizeOrType };
    case 'array':
      return {
        id,
        name,
        kind,
        type: v.getUint32(p, true),
        indexType: v.getUint32(p + 4, true),
        nelems: v.getUint32(p + 8, true),
      };
    case 'struct':
    case 'union': {
      const members = new Array(vlen);
      for (let i = 0; i < vlen; i++) {
        const m = p + i * 12;
        const raw = v.getUint32(m + 8, true);
        members[i] = {
          name: str(v.getUint32(m, true)),
          type: v.getUint32(m + 4, true),
          bitOffset: kflag ? raw & 0xffffff : raw,
          bitfieldSize: kflag ? raw >>> 24 : 0,
        };
      }
      return { id, name, kind, size: sizeOrType, members };
    }
    case 'enum': {
      const values = new Array(vlen);
      for (let i = 0; i < vlen; i++) {
        const e = p + i * 8;
        const value = kflag ? v.getInt32(e + 4, true) : v.getUint32(e + 4, true);
        values[i] = { name: str(v.getUint32(e, true)), value };
      }
      return { id, name, kind, size: sizeOrType, signed: kflag, values };
    }
    case 'enum64': {
      const values = new Array(vlen);
      for (let i = 0; i < vlen; i++) {
        const e = p + i * 12;
        const u = (BigInt(v.getUint32(e + 8, true)) << 32n) | BigInt(v.getUint32(e + 4, true));
        values[i] = { name: str(v.getUint32(e, true)), value: kflag ? BigInt.asIntN(64, u) : u };
      }
      return { id, name, kind, size: sizeOrType, signed: kflag, values };
    }
    case 'fwd':
      return { id, name, kind, union: kflag };
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
      return { id, name, kind, type: sizeOrType };
    case 'func':
      return { id, name, kind, type: sizeOrType, linkage: linkage(vlen) };
    case 'func_proto': {
      const params = new Array(vlen);
      for (let i = 0; i < vlen; i++) {
        params[i] = { name: str(v.getUint32(p + i * 8, true)), type: v.getUint32(p + i * 8 + 4, true) };
      }
      return { id, name, kind, returnType: sizeOrType, params };
    }
    case 'var':
      return { id, name, kind, type: sizeOrType, linkage: linkage(v.getUint32(p, true)) };
    case 'datasec': {
      const vars = new Array(vlen);
      for (let i = 0; i < vlen; i++) {
        const s = p + i * 12;
        vars[i] = { type: v.getUint32(s, true), offset: v.getUint32(s + 4, true), size: v.getUint32(s + 8, true) };
      }
      return { id, name, kind, size: sizeOrType, vars };
    }
    case 'float':
      return { id, name, kind, size: sizeOrType };
    case 'decl_tag':
      return { id, name, kind, type: sizeOrType, componentIdx: v.getInt32(p, true) };
  }
}
