import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ascii, JsonSink } from '../../src/stream/json-sink.js';

describe('JsonSink writes what JSON.stringify would', () => {
  it('integers: every safe integer, both signs, across the 2^32 and 10^8 boundaries', () => {
    const edges = [
      0,
      -0,
      1,
      9,
      10,
      99,
      100,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 1,
      1e8,
      1e8 - 1,
      1e8 + 1,
      1e16,
      Number.MAX_SAFE_INTEGER,
    ];
    for (const n of [...edges, ...edges.map((x) => -x)]) {
      const s = new JsonSink(1);
      s.int(n);
      expect(s.text()).toBe(JSON.stringify(n));
    }
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        const s = new JsonSink(1);
        s.int(n);
        expect(s.text()).toBe(JSON.stringify(n));
      }),
      { numRuns: 5000 },
    );
  });

  it('u32 for every width of unsigned 32-bit number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
        const s = new JsonSink(1);
        s.u32(n);
        expect(s.text()).toBe(String(n));
      }),
    );
  });

  it('grows as needed and keeps what was written; strings go out as UTF-8', () => {
    const s = new JsonSink(4);
    s.bytes(ascii('{"a":'));
    s.string(JSON.stringify('été ✓ \u{1F600}'));
    s.byte(0x2c);
    s.bytes(ascii(`"long":"${'x'.repeat(100)}"`));
    s.copy(Buffer.from('zz}'), 2, 1);
    expect(JSON.parse(s.text())).toEqual({ a: 'été ✓ \u{1F600}', long: 'x'.repeat(100) });
    const mark = s.pos;
    s.string('garbage');
    s.reset(mark);
    expect(s.view().length).toBe(mark);
  });
});
