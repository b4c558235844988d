import { describe, expect, it } from 'vitest';
import { encodeBinaryEvents, parseBinaryEvents, parseServerMessage, RunOptions, SchemaMessage } from '../src/index.js';

const header = { type: 'events' as const, seq: 7, runId: 'r1', source: 'events', dropped: 3, t: 12.5 };
const recs = [Uint8Array.of(1, 2, 3), new Uint8Array(0), Uint8Array.from({ length: 300 }, (_, i) => i & 0xff)];

/** A frame by hand, so the tests do not only check the encoder against its own parser. */
function frame(headerJson: string, ...records: number[][]): Uint8Array {
  const h = Buffer.from(headerJson, 'utf8');
  const parts = [Buffer.alloc(4), h];
  parts[0]!.writeUInt32LE(h.length, 0);
  for (const r of records) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(r.length, 0);
    parts.push(len, Buffer.from(r));
  }
  return new Uint8Array(Buffer.concat(parts));
}

const okHeader = (count: number) => JSON.stringify({ ...header, count });

describe('binary events frames', () => {
  it('round-trips header and records through encode and parse', () => {
    const r = parseBinaryEvents(encodeBinaryEvents(header, recs));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.frame.header).toEqual({ ...header, count: 3 });
    expect(r.frame.records.map((b) => [...b])).toEqual(recs.map((b) => [...b]));
  });

  it('reads a frame laid out as the protocol comment says (u32 LE lengths, JSON header)', () => {
    const r = parseBinaryEvents(frame(okHeader(2), [0xde, 0xad], [0xbe]));
    expect(r.ok && r.frame.records.map((b) => [...b])).toEqual([[0xde, 0xad], [0xbe]]);
  });

  it('a frame inside a larger buffer (a view, as ws hands it) parses the same', () => {
    const f = encodeBinaryEvents(header, recs);
    const big = new Uint8Array(f.length + 20);
    big.set(f, 13);
    const r = parseBinaryEvents(big.subarray(13, 13 + f.length));
    expect(r.ok && r.frame.records[2]![299]).toBe(299 & 0xff);
  });

  const malformed: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /shorter than its 4-byte header length/],
    ['header length past the end', Uint8Array.of(200, 0, 0, 0, 0x7b), /header length 200 does not fit/],
    ['huge header length', Uint8Array.of(255, 255, 255, 255), /header length 4294967295 does not fit/],
    ['header not JSON', frame('{"type":'), /header is not JSON/],
    ['header not UTF-8', frame('{}').map((b, i) => (i === 4 ? 0xff : b)), /header is not JSON/],
    ['header of another message', frame(JSON.stringify({ ...header, type: 'printk', count: 0 })), /bad header: type/],
    [
      'header without seq',
      frame(JSON.stringify({ type: 'events', runId: 'r', source: 's', count: 0, dropped: 0, t: 0 })),
      /bad header: seq/,
    ],
    ['negative count', frame(JSON.stringify({ ...header, count: -1 })), /bad header: count/],
    [
      'count beyond the bytes',
      frame(okHeader(1_000_000_000), [1]),
      /header says 1000000000 records, more than the 5 bytes/,
    ],
    [
      'record length past the end',
      (() => {
        const f = frame(okHeader(1), [1, 2, 3]);
        f[f.length - 7] = 9;
        return f;
      })(),
      /record 0 of 1: 9 bytes at byte \d+, past the end/,
    ],
    [
      'record length cut off',
      frame(okHeader(2), [1, 2, 3], []).subarray(0, -2),
      /record 1 of 2: length cut off at byte \d+/,
    ],
    ['fewer records than count', frame(okHeader(4), [1], [2], [3]), /header says 4 records, more than the 15 bytes/],
    [
      'last record cut short',
      frame(okHeader(3), [1], [2], [3, 4]).subarray(0, -1),
      /record 2 of 3: 2 bytes at byte \d+, past the end/,
    ],
    ['bytes after the last record', frame(okHeader(1), [1], [2]), /5 bytes after the last of 1 records/],
  ];
  it.each(malformed)('refuses %s with a clear message, without throwing', (_name, bytes, message) => {
    const r = parseBinaryEvents(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/^binary events frame \(\d+ bytes\): /);
      expect(r.message).toMatch(message);
    }
  });

  it('never throws on random bytes or random mutations of a good frame', () => {
    const good = encodeBinaryEvents(header, recs);
    let seed = 1;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 5000; i++) {
      const b =
        i % 2
          ? Uint8Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256))
          : good.slice(0, Math.floor(rand() * (good.length + 1)));
      if (i % 4 === 0 && b.length) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      expect(() => parseBinaryEvents(b)).not.toThrow();
    }
  });
});

describe('binary events in the JSON protocol', () => {
  it('RunOptions.eventFormat takes json or binary only', () => {
    expect(RunOptions.parse({ eventFormat: 'binary' }).eventFormat).toBe('binary');
    expect(RunOptions.safeParse({ eventFormat: 'msgpack' }).success).toBe(false);
  });

  it('a schema frame may carry a layout, and a bad layout is refused', () => {
    const schema = { type: 'schema', seq: 1, runId: 'r', source: 'events', fields: [], recordType: 'struct e' };
    const layout = {
      typeName: 'struct e',
      size: 4,
      root: { k: 'struct', off: 0, fields: [{ name: 'pid', node: { k: 'int', off: 0, size: 4, signed: false } }] },
    };
    const r = parseServerMessage(JSON.stringify({ ...schema, layout }));
    expect(r.ok && r.message.type === 'schema' && r.message.layout).toEqual(layout);
    expect(
      SchemaMessage.safeParse({ ...schema, layout: { ...layout, root: { k: 'int', off: -1, size: 4, signed: false } } })
        .success,
    ).toBe(false);
    expect(SchemaMessage.safeParse({ ...schema, layout: { ...layout, root: { k: 'mystery', off: 0 } } }).success).toBe(
      false,
    );
  });
});
