import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeValue, openObjectSpec, type Btf } from '@bpfplay/btf';
import { JsonSink } from '../../src/stream/json-sink.js';
import { compileRecordJson, compileRecordRow, recordMemory, type RecordJson } from '../../src/stream/record-json.js';

/** Run an encoder into a fresh sink: the text, or undefined when it declined the record. */
function encode(enc: RecordJson, area: Uint8Array, off: number, len: number): string | undefined {
  const sink = new JsonSink(16);
  return enc(sink, recordMemory(area), off, len) ? sink.text() : undefined;
}

const work = mkdtempSync(join(tmpdir(), 'bpfplay-record-json-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function compileFixture(): Btf {
  const out = join(work, 'records.bpf.o');
  execFileSync('/usr/bin/clang-19', [
    '-g',
    '-O2',
    '-target',
    'bpf',
    '-c',
    join(import.meta.dirname, 'fixtures/records.bpf.c'),
    '-o',
    out,
  ]);
  const btf = openObjectSpec(readFileSync(out), 'records.bpf.o').btf;
  if (!btf) throw new Error('clang produced no BTF for fixtures/records.bpf.c');
  return btf;
}

const btf = compileFixture();
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

/** What the generic path sends for the same bytes: the reference the fast path must equal. */
const reference = (id: number, bytes: Uint8Array) => JSON.stringify(decodeValue(btf, id, bytes));

describe('records straight to JSON (the fast path of the event stream)', () => {
  it.each(['event', 'small'])('struct %s: the same text as JSON.stringify(decodeValue) for any bytes', (name) => {
    const id = struct(name);
    const size = btf.sizeOf(id);
    const enc = compileRecordJson(btf, id);
    expect(enc, `struct ${name} should have a fast encoder`).toBeDefined();
    fc.assert(
      fc.property(recordBytes(size), fc.nat(64), (bytes, pad) => {
        // In place: the record sits at an arbitrary offset of a larger area, as in the ring.
        const area = new Uint8Array(pad + size + 7);
        area.set(bytes, pad);
        expect(encode(enc!, area, pad, size)).toBe(reference(id, bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it.each(['event', 'small'])('struct %s as a row: the values decodeValue gives, in its key order', (name) => {
    const id = struct(name);
    const size = btf.sizeOf(id);
    const row = compileRecordRow(btf, id)!;
    expect(row, `struct ${name} should have a row encoder`).toBeDefined();
    expect(row.columns).toEqual(Object.keys(decodeValue(btf, id, new Uint8Array(size)) as object));
    fc.assert(
      fc.property(recordBytes(size), fc.nat(64), (bytes, pad) => {
        const area = new Uint8Array(pad + size + 7);
        area.set(bytes, pad);
        const value = decodeValue(btf, id, bytes) as Record<string, unknown>;
        expect(encode(row.encode, area, pad, size)).toBe(JSON.stringify(row.columns.map((c) => value[c])));
      }),
      { numRuns: 2000 },
    );
  });

  it("reads only the type's size from a longer record, as decodeValue does", () => {
    const id = struct('small');
    const bytes = new Uint8Array(btf.sizeOf(id) + 12).fill(0x41);
    expect(encode(compileRecordJson(btf, id)!, bytes, 0, bytes.length)).toBe(reference(id, bytes));
  });

  it('gives up on a record shorter than its type, so the generic path can explain it', () => {
    const id = struct('small');
    expect(encode(compileRecordJson(btf, id)!, new Uint8Array(64), 0, 8)).toBeUndefined();
  });

  it.each(['with_bits', 'with_enum64', 'with_int128'])('leaves struct %s to decodeValue', (name) => {
    expect(compileRecordJson(btf, struct(name))).toBeUndefined();
  });

  it('keeps the special cases decodeValue defines: big integers, enums, pointers, floats, text', () => {
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
    const parsed = JSON.parse(encode(compileRecordJson(btf, id)!, bytes, 0, size)!) as Record<string, unknown>;
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
    expect(encode(compileRecordJson(btf, id)!, bytes, 0, size)).toContain('"color":"NEGATIVE"');
  });

  it('prints how much faster it is than decodeValue + JSON.stringify (figure, not asserted)', () => {
    const id = struct('small');
    const size = btf.sizeOf(id);
    const bytes = new Uint8Array(size);
    bytes.set(Buffer.from('trigger\0'), 4);
    const enc = compileRecordJson(btf, id)!;
    const mem = recordMemory(bytes);
    const sink = new JsonSink();
    const n = 200_000;
    let t0 = performance.now();
    for (let i = 0; i < n; i++) reference(id, bytes);
    const slow = performance.now() - t0;
    t0 = performance.now();
    for (let i = 0; i < n; i++) {
      if (i % 1000 === 0) sink.reset();
      enc(sink, mem, 0, size);
    }
    const fast = performance.now() - t0;
    console.log(
      `struct small: decodeValue+stringify ${Math.round(n / slow)}k/s, record-json ${Math.round(n / fast)}k/s`,
    );
  });
});
