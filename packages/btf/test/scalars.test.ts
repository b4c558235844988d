import { describe, expect, it } from 'vitest';
import { essentialName, parseElf, ElfError, decodeValue, Btf } from '../src/index.js';
import { cString } from '@bpfplay/protocol';
import { BtfBuilder } from './helpers/btf-builder.js';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('char arrays as text', () => {
  it('stops at NUL and keeps every byte visible', () => {
    expect(cString(bytes(0x68, 0x69, 0, 0x78))).toBe('hi');
    expect(cString(bytes(0x09, 0x0a, 0x7f, 0x41))).toBe('\\x09\\x0a\\x7fA');
    expect(cString(bytes(0x5c, 0x6e))).toBe('\\\\n');
    expect(cString(new TextEncoder().encode('/tmp/día'))).toBe('/tmp/día');
    // A UTF-8 sequence cut short by the array's end, or invalid, is shown byte by byte.
    expect(cString(bytes(0x61, 0xe2, 0x82))).toBe('a\\xe2\\x82');
    expect(cString(bytes(0xc0, 0x80))).toBe('\\xc0\\x80');
  });
});

describe('flavor names (libbpf ___ suffix rule)', () => {
  it('strips only a real X___Y suffix', () => {
    expect(essentialName('task_struct___old')).toBe('task_struct');
    expect(essentialName('task_struct___2___x')).toBe('task_struct___2');
    expect(essentialName('__u64')).toBe('__u64');
    expect(essentialName('a____b')).toBe('a____b');
    expect(essentialName('foo___')).toBe('foo___');
  });
});

describe('input that is not what it claims', () => {
  it('rejects non-ELF and truncated ELF with a message saying what to pass', () => {
    expect(() => parseElf(new Uint8Array(100))).toThrow(ElfError);
    expect(() => parseElf(new Uint8Array(100))).toThrow(/clang -target bpf/);
    const head = new Uint8Array(64);
    head.set([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
    new DataView(head.buffer).setBigUint64(40, 4096n, true); // e_shoff beyond the end
    new DataView(head.buffer).setUint16(58, 64, true);
    new DataView(head.buffer).setUint16(60, 3, true);
    expect(() => parseElf(head)).toThrow(/truncated/);
  });

  it('decodes what it can and marks what it cannot, in place', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, { signed: true });
    const fwd = b.add('fwd', 'opaque', 0, 0);
    const ptr = b.add('ptr', '', 0, fwd);
    const s = b.struct('s', 16, [
      { name: 'a', type: int, offset: 0 },
      { name: 'p', type: ptr, offset: 64 },
    ]);
    const btf = Btf.parse(b.build());
    const v = new Uint8Array(16);
    v.set([0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x10, 0x20]);
    expect(decodeValue(btf, s, v)).toEqual({ a: -2, p: '0x2010' });
    expect(decodeValue(btf, fwd, v)).toMatchObject({ $error: expect.stringContaining('no size') });
  });
});
