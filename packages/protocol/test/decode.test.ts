import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cString, decodeRecord, layoutColumns, RecordLayout, shownOf, shownReader, type Value } from '../src/index.js';

/**
 * test/golden/every-kind-record.json is written by the agent's btf-layout test from a record
 * clang compiled (packages/btf/test/fixtures/record.bpf.c: every BTF kind, bitfields, enums,
 * anonymous members, nested arrays) with the agent's layout and its BTF decoder's value. Here the
 * protocol's decoder, on its own, must give that value from those bytes.
 */
const golden = JSON.parse(readFileSync(new URL('golden/every-kind-record.json', import.meta.url), 'utf8')) as {
  layout: unknown;
  hex: string;
  value: Value;
};
const layout = RecordLayout.parse(golden.layout);
const bytes = new Uint8Array(Buffer.from(golden.hex, 'hex'));

describe('decodeRecord', () => {
  it("decodes the every-kind record to the agent decoder's value (golden)", () => {
    expect(decodeRecord(layout, bytes)).toEqual(golden.value);
    const v = golden.value as Record<string, Value>;
    // What the golden is about, spelled out.
    expect(v.u64_big).toBe('18446744073709551615');
    expect(v.color_unknown).toBe(7);
    expect(v.bf_neg).toBe(-3);
    expect(v.bf_enum).toBe('GREEN');
    expect(v.anon_y).toBe(-20);
    expect(v.odd).toBe('a\\\\\\x01é\\xffz');
  });

  it("a table's columns are the record's top-level fields, anonymous members flattened", () => {
    const cols = layoutColumns(layout);
    expect(cols[0]).toBe('s8');
    expect(cols).toContain('anon_x');
    expect(cols).toEqual(Object.keys(golden.value as object));
  });

  it('a record shorter than its type is shown as hex with the reason, never read past its end', () => {
    expect(decodeRecord(layout, bytes.subarray(0, 3))).toEqual({
      $hex: golden.hex.slice(0, 6),
      $error: '3 bytes, but struct record needs 208; the record is shorter than its BTF type',
    });
  });

  it('a layout that points past the record explains instead of throwing', () => {
    const bad = RecordLayout.parse({
      typeName: 'struct x',
      size: 2,
      root: {
        k: 'struct',
        off: 0,
        fields: [
          { name: 'a', node: { k: 'int', off: 8, size: 4, signed: false } },
          { name: 'b', node: { k: 'bits', bit: 100, bits: 3, signed: false } },
          { name: 'c', node: { k: 'chars', off: 1, n: 50 } },
          { name: 'd', node: { k: 'unknown', off: 0, reason: 'why' } },
        ],
      },
    });
    expect(decodeRecord(bad, Uint8Array.of(0x41, 0x42))).toEqual({
      a: { $hex: '', $error: 'short buffer: 4 bytes needed at offset 8' },
      b: { $hex: '', $error: 'bitfield of 3 bits at bit 100 is outside the buffer' },
      c: 'B',
      d: { $hex: '4142', $error: 'why' },
    });
  });

  it("strings follow the agent's C-string rule", () => {
    expect(cString(Uint8Array.of(0x61, 0x5c, 0x0a, 0xe2, 0x82, 0xac, 0xc3, 0, 0x62))).toBe('a\\\\\\x0a€\\xc3');
  });

  it('a node with a formatter keeps its plain value; its readable form is beside it; an unknown formatter has none', () => {
    const marked = (fmt: string) =>
      RecordLayout.parse({
        typeName: 'struct e',
        size: 8,
        root: {
          k: 'struct',
          off: 0,
          fields: [
            { name: 'ret', node: { k: 'int', off: 0, size: 4, signed: true, fmt } },
            { name: 'n', node: { k: 'int', off: 4, size: 4, signed: false } },
          ],
        },
      });
    const bytes = Uint8Array.of(0xfe, 0xff, 0xff, 0xff, 7, 0, 0, 0);
    expect(decodeRecord(marked('ret-errno'), bytes)).toEqual({ ret: -2, n: 7 });
    expect(shownOf(marked('ret-errno'), bytes)).toEqual({ ret: '-ENOENT' });
    // A value the formatter has no name for: nothing beside it.
    expect(shownOf(marked('ret-errno'), Uint8Array.of(3, 0, 0, 0, 7, 0, 0, 0))).toBeUndefined();
    // An older client that does not know a formatter named in a newer agent's layout.
    expect(decodeRecord(marked('not-in-this-build'), bytes)).toEqual({ ret: -2, n: 7 });
    expect(shownReader(marked('not-in-this-build'))).toBeUndefined();
    // A record shorter than its type is explained by decodeRecord, not named.
    expect(shownOf(marked('ret-errno'), bytes.subarray(0, 4))).toBeUndefined();
  });

  it('formatted members inside a nested struct or array show as the container with them replaced', () => {
    const layout = RecordLayout.parse({
      typeName: 'struct e',
      size: 12,
      root: {
        k: 'struct',
        off: 0,
        fields: [
          { name: 'pid', node: { k: 'int', off: 0, size: 4, signed: false } },
          {
            name: 'conn',
            node: {
              k: 'struct',
              off: 4,
              fields: [
                { name: 'saddr', node: { k: 'int', off: 0, size: 4, signed: false, fmt: 'ipv4' } },
                { name: 'n', node: { k: 'int', off: 4, size: 2, signed: false } },
              ],
            },
          },
          {
            name: 'sigs',
            node: {
              k: 'array',
              off: 10,
              n: 2,
              stride: 1,
              elem: { k: 'int', off: 0, size: 1, signed: false, fmt: 'signal' },
            },
          },
        ],
      },
    });
    const bytes = Uint8Array.of(1, 0, 0, 0, 10, 0, 0, 1, 5, 0, 9, 0);
    expect(decodeRecord(layout, bytes)).toEqual({ pid: 1, conn: { saddr: 0x0100000a, n: 5 }, sigs: [9, 0] });
    expect(shownOf(layout, bytes)).toEqual({ conn: { saddr: '10.0.0.1', n: 5 }, sigs: ['SIGKILL', 0] });
  });
});
