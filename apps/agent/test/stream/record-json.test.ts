import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeValue, layoutOf, recordLayout } from '@bpfplay/btf';
import { decodeRecord, FORMATTERS, shownOf } from '@bpfplay/protocol';
import { JsonSink } from '../../src/stream/json-sink.js';
import { recordsFixtureBtf } from './records-fixture.js';
import { compileRecordJson, recordMemory, type RecordJson } from '../../src/stream/record-json.js';

/** Run an encoder into a fresh sink: the text, or undefined when it declined the record. */
function encode(enc: RecordJson, area: Uint8Array, off: number, len: number): string | undefined {
  const sink = new JsonSink(16);
  return enc(sink, recordMemory(area), off, len) ? sink.text() : undefined;
}

const work = mkdtempSync(join(tmpdir(), 'bpfplay-record-json-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const btf = recordsFixtureBtf(work);
const struct = (name: string) => {
  const t = btf.find(name, 'struct');
  if (!t) throw new Error(`fixture has no struct ${name}`);
  return t.id;
};

function offsetOf(id: number, member: string): number {
  const t = btf.type(id);
  const m = t.kind === 'struct' ? t.members.find((x) => x.name === member) : undefined;
  if (!m) throw new Error(`no member ${member}`);
  return m.bitOffset / 8;
}

/** Bytes that reach every branch: random, mostly-zero (small 64-bit values, short strings), or printable text. */
const recordBytes = (size: number) =>
  fc.oneof(
    fc.uint8Array({ minLength: size, maxLength: size }),
    fc.uint8Array({ minLength: size, maxLength: size }).map((b) => b.map((x, i) => (i % 8 > 3 || x > 200 ? 0 : x))),
    fc.uint8Array({ minLength: size, maxLength: size }).map((b) => b.map((x) => (x % 3 === 0 ? 0 : 0x20 + (x % 95)))),
  );

/** What the generic path sends for the same bytes: the reference the JSON writer must equal. */
const reference = (id: number, bytes: Uint8Array) => JSON.stringify(decodeValue(btf, id, bytes));
const writer = (id: number) => compileRecordJson(layoutOf(btf, id));

describe('records straight to JSON: the layout as a JSON writer (the JSON form of busy rings)', () => {
  it.each(['event', 'small', 'with_bits', 'with_enum64', 'with_int128'])(
    'struct %s: the same text as JSON.stringify(decodeRecord) for any bytes',
    (name) => {
      const id = struct(name);
      const size = btf.sizeOf(id);
      const enc = writer(id);
      expect(enc, `struct ${name} should have a JSON writer`).toBeDefined();
      fc.assert(
        fc.property(recordBytes(size), fc.nat(64), (bytes, pad) => {
          // In place: the record sits at an arbitrary offset of a larger area, as in the ring.
          const area = new Uint8Array(pad + size + 7);
          area.set(bytes, pad);
          expect(encode(enc!, area, pad, size)).toBe(reference(id, bytes));
        }),
        { numRuns: 2000 },
      );
    },
  );

  it("reads only the type's size from a longer record, as decodeRecord does", () => {
    const id = struct('small');
    const bytes = new Uint8Array(btf.sizeOf(id) + 12).fill(0x41);
    expect(encode(writer(id)!, bytes, 0, bytes.length)).toBe(reference(id, bytes));
  });

  it('gives up on a record shorter than its type, so the caller can send the explanation', () => {
    const id = struct('small');
    expect(encode(writer(id)!, new Uint8Array(64), 0, 8)).toBeUndefined();
  });

  it('keeps the special cases of the decoding rules: big integers, enums, pointers, floats, text', () => {
    const id = struct('event');
    const size = btf.sizeOf(id);
    const bytes = new Uint8Array(size);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, 2n ** 64n - 1n, true);
    v.setBigInt64(8, -(2n ** 63n), true);
    // Enumerators are looked up with the enum's signedness; of two with one value, the first wins.
    v.setInt32(offsetOf(id, 'color'), 5, true);
    v.setUint8(offsetOf(id, 'tiny'), 200);
    v.setUint32(offsetOf(id, 'wide'), 0xfffffff0, true);
    v.setFloat32(offsetOf(id, 'f'), NaN, true);
    v.setFloat64(offsetOf(id, 'd'), -Infinity, true);
    v.setBigUint64(offsetOf(id, 'ptr'), 0xffff888012345678n, true);
    bytes.set(Buffer.from('a"b\\c\0'), offsetOf(id, 'comm'));
    const parsed = JSON.parse(encode(writer(id)!, bytes, 0, size)!) as Record<string, unknown>;
    expect(parsed.u64).toBe('18446744073709551615');
    expect(parsed.s64).toBe('-9223372036854775808');
    expect(parsed.color).toBe('GREEN');
    expect(parsed.tiny).toBe('TINY_B');
    expect(parsed.wide).toBe('WIDE_HUGE');
    expect([parsed.f, parsed.d]).toEqual(['NaN', '-Infinity']);
    expect(parsed.ptr).toBe('0xffff888012345678');
    expect(parsed.comm).toBe('a"b\\\\c');
    expect(parsed).toEqual(JSON.parse(reference(id, bytes)));
    v.setInt32(offsetOf(id, 'color'), -3, true);
    expect(encode(writer(id)!, bytes, 0, size)).toContain('"color":"NEGATIVE"');
  });

  it('a formatter leaves the value raw: the JSON writer writes the plain value, its readable form goes beside it', () => {
    const id = struct('small');
    const size = btf.sizeOf(id);
    // A field of struct small named like a process id: a test formatter that applies to it.
    FORMATTERS.unshift({
      name: 'test-pid',
      applies: (f) => f.parent === 'small' && f.kind === 'int' && f.size === 4,
      format: (v) => `pid ${String(v)}`,
    });
    try {
      const layout = recordLayout(btf, id);
      const formatted = layout.root.k === 'struct' ? layout.root.fields.filter((f) => f.node.fmt === 'test-pid') : [];
      expect(formatted.length).toBeGreaterThan(0);
      fc.assert(
        fc.property(recordBytes(size), (bytes) => {
          const value = decodeRecord(layout, bytes) as Record<string, unknown>;
          expect(encode(compileRecordJson(layout)!, bytes, 0, size)).toBe(JSON.stringify(value));
          const shown = shownOf(layout, bytes);
          for (const f of formatted) {
            expect(typeof value[f.name]).toBe('number');
            expect(shown?.[f.name]).toBe(`pid ${String(value[f.name])}`);
          }
        }),
        { numRuns: 200 },
      );
    } finally {
      FORMATTERS.shift();
    }
  });
});
