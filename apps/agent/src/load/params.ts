import type { Btf } from '@bpfplay/btf';
import { cTypeName, decodeValue } from '@bpfplay/btf';
import type { ParamValue, Value } from '@bpfplay/protocol';

export interface ParamInfo {
  name: string;
  /** C type, e.g. `const volatile pid_t`. */
  type: string;
  value: Value;
  offset: number;
  size: number;
  typeId: number;
}

/**
 * libbpf-tools' knobs are `const volatile`: volatile keeps clang from folding the compiled-in value,
 * which is what makes setting it before load meaningful. Other .rodata (format strings of
 * bpf_printk or BPF_SEQ_PRINTF, plain consts) is not a parameter.
 */
function isVolatile(btf: Btf, id: number): boolean {
  for (let t = btf.type(id), n = 0; n < 16; n++) {
    if (t.kind === 'volatile') return true;
    if (t.kind !== 'const' && t.kind !== 'typedef' && t.kind !== 'restrict' && t.kind !== 'type_tag') return false;
    t = btf.type(t.type);
  }
  return false;
}

/**
 * The `const volatile` globals of a program (libbpf-tools' knobs such as `targ_pid`): the variables
 * of its .rodata section, with the values compiled in. Variables our headers define are not listed.
 */
export function listParams(btf: Btf, rodata: Uint8Array | undefined): ParamInfo[] {
  const sec = btf.find('.rodata', 'datasec');
  if (!sec) return [];
  const out: ParamInfo[] = [];
  for (const vs of sec.vars) {
    const v = btf.type(vs.type);
    if (v.kind !== 'var' || !isVolatile(btf, v.type)) continue;
    const bytes = rodata?.subarray(vs.offset, vs.offset + vs.size) ?? new Uint8Array(vs.size);
    out.push({
      name: v.name,
      type: cTypeName(btf, v.type),
      value: decodeValue(btf, v.type, bytes),
      offset: vs.offset,
      size: vs.size,
      typeId: v.type,
    });
  }
  return out;
}

function encode(btf: Btf, p: ParamInfo, value: ParamValue): Uint8Array | string {
  const t = btf.resolve(p.typeId);
  const out = new Uint8Array(p.size);
  const dv = new DataView(out.buffer);
  if (t.kind === 'int' || t.kind === 'enum' || t.kind === 'enum64') {
    let n: bigint;
    if (typeof value === 'boolean') n = value ? 1n : 0n;
    else if (typeof value === 'number') {
      if (!Number.isInteger(value)) return `${p.name} is ${p.type}: ${value} is not an integer`;
      n = BigInt(value);
    } else if (t.kind !== 'int') {
      const e = t.values.find((x) => x.name === value);
      if (!e) return `${p.name} is ${p.type}: "${value}" is not one of ${t.values.map((x) => x.name).join(', ')}`;
      n = BigInt(e.value);
    } else if (/^-?(0x[0-9a-f]+|\d+)$/i.test(value.trim())) n = BigInt(value.trim());
    else return `${p.name} is ${p.type}: "${value}" is not a number`;
    const bits = BigInt(p.size * 8);
    const signed = t.kind === 'int' ? t.signed : t.signed;
    const min = signed ? -(1n << (bits - 1n)) : 0n;
    const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    if (n < min || n > max) return `${p.name} is ${p.type}: ${n} is out of range ${min}..${max}`;
    const u = BigInt.asUintN(Number(bits), n);
    for (let i = 0; i < p.size; i++) dv.setUint8(i, Number((u >> BigInt(8 * i)) & 0xffn));
    return out;
  }
  if (t.kind === 'array' && typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length >= p.size)
      return `${p.name} is ${p.type}: "${value}" needs ${bytes.length + 1} bytes with its NUL, it has ${p.size}`;
    out.set(bytes);
    return out;
  }
  if (t.kind === 'float' && typeof value === 'number') {
    if (p.size === 8) dv.setFloat64(0, value, true);
    else dv.setFloat32(0, value, true);
    return out;
  }
  return `${p.name} is ${p.type}; a ${typeof value} cannot be written to it`;
}

/**
 * Write parameter values into .rodata before load (libbpf's initial value view). Returns a warning
 * per value that could not be applied; the run goes on with the compiled-in value.
 */
export function writeParams(btf: Btf, rodata: Uint8Array, values: Record<string, ParamValue>): string[] {
  const params = listParams(btf, rodata);
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const p = params.find((x) => x.name === name);
    if (!p) {
      const known = params.map((x) => x.name).join(', ') || 'none';
      warnings.push(`no const volatile parameter named ${name} (parameters: ${known})`);
      continue;
    }
    const bytes = encode(btf, p, value);
    if (typeof bytes === 'string') warnings.push(`${bytes}; keeping the compiled-in value`);
    else rodata.set(bytes, p.offset);
  }
  return warnings;
}
