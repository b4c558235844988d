import { afterAll, describe, expect, it } from 'vitest';
import {
  cTypeName,
  decodeValue,
  fieldsOf,
  findRecordType,
  mapDefinitions,
  openObjectSpec,
  type Btf,
} from '../src/index.js';
import { compileBpf, removeCompiled } from './helpers/toolchain.js';

/** Goldens are JSON files beside the tests; `vitest -u` rewrites them (review the diff). */
const asJson = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

afterAll(removeCompiled);

const obj = openObjectSpec(compileBpf('record.bpf.c').bytes, 'record.bpf.o');
const btf = obj.btf as Btf;

/** The bytes clang laid out for the global `rec`, found through the .data DATASEC. */
function recordBytes(): { typeId: number; bytes: Uint8Array } {
  const sec = btf.find('.data', 'datasec');
  if (!sec) throw new Error('no .data DATASEC in record.bpf.o');
  const vs = sec.vars.find((v) => btf.nameOf(v.type) === 'rec');
  if (!vs) throw new Error('no variable rec in .data');
  const data = obj.elf.section('.data')!.data;
  const v = btf.type(vs.type);
  if (v.kind !== 'var') throw new Error('rec is not a VAR');
  return { typeId: v.type, bytes: data.subarray(vs.offset, vs.offset + vs.size) };
}

describe('decoding a record compiled by clang', () => {
  it('turns every kind into the value a person reads (golden)', async () => {
    const { typeId, bytes } = recordBytes();
    expect(cTypeName(btf, typeId)).toBe('struct record');
    const value = decodeValue(btf, typeId, bytes);
    await expect(asJson(value)).toMatchFileSnapshot('golden/record-value.json');
    // Spot checks that explain the golden file's intent.
    const r = value as Record<string, unknown>;
    expect(r.u64_big).toBe('18446744073709551615');
    expect(r.s64_min).toBe('-9223372036854775808');
    expect(r.comm).toBe('bash');
    expect(r.odd).toBe('a\\\\\\x01é\\xffz');
    expect(r.color).toBe('GREEN');
    expect(r.color_unknown).toBe(7);
    expect(r.color_neg).toBe('NEGATIVE');
    expect(r.wide).toBe('WIDE_HUGE');
    expect(r.ptr).toBe('0xffff888012345678');
    expect([r.bf_a, r.bf_b, r.bf_neg, r.bf_enum]).toEqual([5, 17, -3, 'GREEN']);
    expect(r.anon_x).toBe(10);
    expect(r.mac).toEqual([2, 0x42, 0xac, 0x11, 0, 2]);
  });

  it('lists the columns with C types (golden)', async () => {
    const { typeId } = recordBytes();
    const fields = fieldsOf(btf, typeId);
    await expect(asJson(fields)).toMatchFileSnapshot('golden/record-fields.json');
    expect(fields.find((f) => f.name === 'ptr')?.type).toBe('const char *');
    expect(fields.find((f) => f.name === 'comm')?.type).toBe('char[16]');
    expect(fields.find((f) => f.name === 'u64')?.type).toBe('__u64');
    expect(fields.find((f) => f.name === 'bf_a')?.type).toBe('unsigned int:3');
    expect(fields.find((f) => f.name === 'matrix')?.type).toBe('int[2][3]');
  });

  it('decodes a whole DATASEC into variables by name', () => {
    const sec = btf.find('.data', 'datasec')!;
    const value = decodeValue(btf, sec.id, obj.elf.section('.data')!.data) as Record<string, Record<string, unknown>>;
    expect(value.rec?.comm).toBe('bash');
  });

  it('shows a short record as hex with the reason instead of guessing', () => {
    const { typeId, bytes } = recordBytes();
    const v = decodeValue(btf, typeId, bytes.subarray(0, 10));
    expect(v).toEqual({
      $hex: Buffer.from(bytes.subarray(0, 10)).toString('hex'),
      $error: expect.stringContaining('10 bytes, but struct record needs'),
    });
  });

  it('reads decl tags on map variables and struct members', async () => {
    expect(btf.memberDeclTags(recordBytes().typeId, 'tagged')).toEqual(['bpfplay.unit:ns']);
    const maps = mapDefinitions(btf);
    await expect(
      asJson(
        maps.map((m) => ({
          ...m,
          varId: undefined,
          keyTypeId: m.keyTypeId && cTypeName(btf, m.keyTypeId),
          valueTypeId: m.valueTypeId && cTypeName(btf, m.valueTypeId),
        })),
      ),
    ).toMatchFileSnapshot('golden/record-maps.json');
    expect(maps.find((m) => m.name === 'latency')?.render).toBe('log2-hist');
  });

  it('finds the record type of a ring buffer: annotation first, else struct event, else says why', () => {
    expect(findRecordType(btf, 'records')).toMatchObject({ ok: true, typeName: 'struct record', source: 'annotation' });
    const none = findRecordType(btf, 'untagged');
    expect(none.ok).toBe(false);
    expect(!none.ok && none.reason).toContain('no `struct event`');
  });
});
