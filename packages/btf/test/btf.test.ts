import { afterAll, describe, expect, it } from 'vitest';
import {
  Btf,
  BtfError,
  cTypeName,
  decodeValue,
  fieldsOf,
  helperNames,
  loadBtf,
  type BtfComposite,
} from '../src/index.js';
import { BtfBuilder } from './helpers/btf-builder.js';
import { compileBpf, requireKernelBtf, removeCompiled } from './helpers/toolchain.js';

afterAll(removeCompiled);

const vmlinuxBytes = requireKernelBtf();

describe('BTF parser on this kernel', () => {
  const btf = Btf.parse(vmlinuxBytes, { name: 'vmlinux' });

  it('finds types by name and kind, and sizes them', () => {
    const ts = btf.find('task_struct', 'struct');
    expect(ts?.kind).toBe('struct');
    expect(btf.sizeOf(ts!.id)).toBe(ts!.size);
    expect(btf.find('task_struct', 'union')).toBeUndefined();
    const u64 = btf.find('u64', 'typedef')!;
    expect(btf.resolve(u64.id)).toMatchObject({ kind: 'int', size: 8, signed: false });
    expect(btf.sizeOf(u64.id)).toBe(8);
  });

  it('writes C type text for members of real kernel structs', () => {
    const ts = btf.find('task_struct', 'struct')!;
    const typeOf = (name: string) => cTypeName(btf, ts.members.find((m) => m.name === name)!.type);
    expect(typeOf('comm')).toBe('char[16]');
    expect(typeOf('real_parent')).toBe('struct task_struct *');
    expect(typeOf('pid')).toBe('pid_t');
    expect(cTypeName(btf, btf.find('bpf_func_id', 'enum')!.id)).toBe('enum bpf_func_id');
    const fn = btf.find('bpf_prog_run_array', 'func') ?? btf.find('do_exit', 'func')!;
    expect(btf.type(fn.type).kind).toBe('func_proto');
  });

  it('names helpers from the kernel enum bpf_func_id', () => {
    const names = helperNames(btf);
    expect(names.get(1)).toBe('bpf_map_lookup_elem');
    const pwu = btf.find('bpf_func_id', 'enum')!.values.find((v) => v.name === 'BPF_FUNC_probe_write_user')!;
    expect(names.get(Number(pwu.value))).toBe('bpf_probe_write_user');
  });

  it('reads every kind the kernel uses', () => {
    const kinds = new Set<string>();
    for (const t of btf.types()) kinds.add(t.kind);
    for (const k of [
      'int',
      'ptr',
      'array',
      'struct',
      'union',
      'enum',
      'fwd',
      'typedef',
      'volatile',
      'const',
      'func',
      'func_proto',
      'var',
      'datasec',
    ]) {
      expect(kinds, `kind ${k} in vmlinux`).toContain(k);
    }
    console.log(`kinds in this vmlinux: ${[...kinds].sort().join(', ')}`);
  });
});

describe('BTF kinds clang emits', () => {
  const src = `
    #include "vmlinux.h"
    #include <bpf/bpf_helpers.h>
    #define __tagged __attribute__((btf_type_tag("user")))
    typedef int (*pg_cb_t)(void *ctx, long n);
    struct pg_holder { pg_cb_t cb; int __tagged *up; char *const cp; const char *pc; int (*arr)[4]; volatile int * restrict rp; };
    struct pg_holder h;
    enum pg_big { B1 = 1, B2 = 0xffffffffffULL } big_val;
    float f = 2.0f;
    SEC("tp/x") int prog(void *ctx) __attribute__((btf_decl_tag("entry"))) { return h.pc != 0; }
    char LICENSE[] SEC("license") = "GPL";
  `;
  const btf = loadBtf(compileBpf('kinds.bpf.c', src).bytes, { name: 'kinds.bpf.o' });

  it('covers pointers to functions, arrays, qualifiers, type tags, enum64, float, func and decl tags', () => {
    const holder = btf.find('pg_holder', 'struct')!;
    expect(fieldsOf(btf, holder.id)).toEqual([
      { name: 'cb', type: 'pg_cb_t' },
      { name: 'up', type: 'int *' },
      { name: 'cp', type: 'char * const' },
      { name: 'pc', type: 'const char *' },
      { name: 'arr', type: 'int (*)[4]' },
      { name: 'rp', type: 'volatile int * restrict' },
    ]);
    expect(cTypeName(btf, btf.find('pg_cb_t', 'typedef')!.type)).toBe('int (*)(void *, long)');
    const kinds = new Set([...btf.types()].map((t) => t.kind));
    for (const k of ['type_tag', 'enum64', 'float', 'func', 'func_proto', 'decl_tag', 'var', 'datasec', 'restrict'])
      expect(kinds).toContain(k);
    expect(btf.find('pg_big', 'enum64')!.values.map((v) => v.value)).toEqual([1n, 0xffffffffffn]);
    expect(btf.declTags(btf.find('prog', 'func')!.id)).toEqual(['entry']);
  });
});

describe('old-style bitfields (offset and width in the INT, no kind_flag)', () => {
  // struct old { unsigned int a:3; unsigned int b:5; int c:4; }, as pre-kind_flag pahole wrote it.
  const b = new BtfBuilder();
  const a3 = b.int('unsigned int', 4, { bits: 3 });
  const b5 = b.int('unsigned int', 4, { bits: 5 });
  const c4 = b.int('int', 4, { bits: 4, signed: true });
  const old = b.struct('old', 4, [
    { name: 'a', type: a3, offset: 0 },
    { name: 'b', type: b5, offset: 3 },
    { name: 'c', type: c4, offset: 8 },
  ]);
  // The same layout with kind_flag: bitfield size in the member's top 8 bits.
  const u32 = b.int('unsigned int', 4);
  const s32 = b.int('int', 4, { signed: true });
  const neu = b.struct(
    'new',
    4,
    [
      { name: 'a', type: u32, offset: (3 << 24) | 0 },
      { name: 'b', type: u32, offset: (5 << 24) | 3 },
      { name: 'c', type: s32, offset: (4 << 24) | 8 },
    ],
    true,
  );
  const btf = Btf.parse(b.build(), { name: 'handmade' });
  // a=5, b=17, c=-3  ->  bits: 101 | 10001 << 3 | 1101 << 8
  const word = 5 | (17 << 3) | (0b1101 << 8);
  const bytes = new Uint8Array([word & 0xff, word >> 8, 0, 0]);

  it('decodes both encodings to the same values', () => {
    expect(decodeValue(btf, old, bytes)).toEqual({ a: 5, b: 17, c: -3 });
    expect(decodeValue(btf, neu, bytes)).toEqual({ a: 5, b: 17, c: -3 });
    expect((btf.type(neu) as BtfComposite).members.map((m) => m.bitfieldSize)).toEqual([3, 5, 4]);
    expect(fieldsOf(btf, old).map((f) => f.type)).toEqual(['unsigned int:3', 'unsigned int:5', 'int:4']);
  });

  it('rejects what is not BTF with a message that says what was expected', () => {
    expect(() => Btf.parse(new Uint8Array(40))).toThrow(BtfError);
    expect(() => Btf.parse(new Uint8Array(40))).toThrow(/expected raw BTF/);
    const truncated = b.build().subarray(0, 40);
    expect(() => Btf.parse(truncated)).toThrow(/truncated/);
  });
});

describe('split BTF (kernel modules on top of vmlinux)', () => {
  it('continues type ids and string offsets from the base', () => {
    const base = new BtfBuilder();
    const int = base.int('int', 4, { signed: true });
    const baseBytes = base.build();
    const baseBtf = Btf.parse(baseBytes, { name: 'base' });
    const split = new BtfBuilder({ firstId: baseBtf.typeCount, strBase: baseBtf.strings.size });
    const pair = split.struct('pair', 8, [
      { name: 'a', type: int, offset: 0 },
      { name: 'b', type: int, offset: 32 },
    ]);
    const mod = Btf.parse(split.build(), { name: 'module', base: baseBtf });
    expect(pair).toBe(2);
    expect(mod.typeCount).toBe(3);
    expect(cTypeName(mod, pair)).toBe('struct pair');
    expect(mod.findByName('int')).toEqual([int]);
    expect(decodeValue(mod, pair, new Uint8Array([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]))).toEqual({ a: 1, b: -1 });
  });
});
