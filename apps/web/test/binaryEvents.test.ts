import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeBinaryEvents, layoutColumns, RecordLayout, type ServerMessage, type Value } from '@bpfplay/protocol';
import { cellTable, deliverySummary, inboxItems, problemTexts, rowBatches } from './rows';

/**
 * Binary events frames (RunOptions.eventFormat 'binary') in the socket worker's inbox: they must
 * give the Events table exactly the rows the JSON form (record objects) of the same records gives. The
 * record is the protocol's golden one: every kind of field, its bytes and the value the agent's own
 * BTF decoder gave for them (written by the agent's btf-layout test).
 */
const golden = JSON.parse(
  readFileSync(new URL('../../../packages/protocol/test/golden/every-kind-record.json', import.meta.url), 'utf8'),
) as { layout: unknown; hex: string; value: Record<string, Value> };
const layout = RecordLayout.parse(golden.layout);
const bytes = Uint8Array.from(Buffer.from(golden.hex, 'hex'));
const columns = layoutColumns(layout);

const schema = (seq: number, withLayout = true): ServerMessage => ({
  type: 'schema',
  seq,
  runId: 'r',
  source: 'events',
  recordType: layout.typeName,
  fields: columns.map((name) => ({ name, type: '?' })),
  ...(withLayout ? { layout } : {}),
});
const binary = (seq: number, records: Uint8Array[], dropped = 0, source = 'events', cpus?: number[]) =>
  encodeBinaryEvents({ type: 'events', seq, runId: 'r', source, dropped, t: 7.25, ...(cpus ? { cpus } : {}) }, records);
/** What the agent sends for the same records in the JSON form. */
const objects = (seq: number, values: Value[], dropped = 0): ServerMessage => ({
  type: 'events',
  seq,
  runId: 'r',
  source: 'events',
  records: values.map((value) => ({ t: 7.25, value })),
  dropped,
});

/** A frame as the browser hands it with binaryType 'arraybuffer': its own ArrayBuffer. */
const asArrayBuffer = (u: Uint8Array) => u.slice().buffer;

describe('inbox: binary events frames', () => {
  it('gives the same columns and cell text as the JSON form of the same records', () => {
    const short = bytes.subarray(0, 20);
    const fromJson = rowBatches(
      inboxItems([
        schema(0, false),
        objects(1, [
          golden.value,
          {
            $hex: Buffer.from(short).toString('hex'),
            $error: `20 bytes, but ${layout.typeName} needs ${layout.size}; the record is shorter than its BTF type`,
          },
        ]),
      ]),
    );
    const fromBinary = rowBatches(inboxItems([schema(0), asArrayBuffer(binary(1, [bytes, short]))]));
    expect(problemTexts(inboxItems([schema(0), asArrayBuffer(binary(1, [bytes, short]))]))).toEqual([]);
    expect(fromBinary).toHaveLength(1);
    expect(fromBinary[0]!.columns).toEqual(fromJson[0]!.columns);
    expect(cellTable(fromBinary[0]!)).toEqual(cellTable(fromJson[0]!));
    expect([...fromBinary[0]!.t]).toEqual([7.25, 7.25]);
    expect(fromBinary[0]!.cpu).toBeNull();
    // Spot checks that the comparison is about real text, not two empty tables.
    const row = Object.fromEntries(columns.map((c, i) => [c, cellTable(fromBinary[0]!)[0]![i]]));
    expect(row).toMatchObject({
      comm: 'bash',
      u64_big: '18446744073709551615',
      color: 'GREEN',
      ptr: '0xffff888012345678',
    });
  });

  it('merges binary frames of a source into one batch, adds up dropped, and keeps the order with JSON frames', () => {
    const items = inboxItems([
      schema(0),
      binary(1, [bytes], 2),
      binary(2, [bytes, bytes], 3),
      { type: 'pong', seq: 3 },
      binary(4, [bytes]),
    ]);
    expect(deliverySummary(items)).toEqual(['schema', 'rows 3 dropped 5', 'pong', 'rows 1 dropped 0']);
  });

  it('checks seq across binary and JSON frames alike', () => {
    const texts = problemTexts(
      inboxItems([schema(0), binary(1, [bytes]), binary(3, [bytes]), { type: 'pong', seq: 4 }, binary(6, [bytes])]),
    );
    expect(texts).toEqual([
      'frames 2..2 from the agent are missing; output may be incomplete',
      'frames 5..5 from the agent are missing; output may be incomplete',
    ]);
  });

  it('reports a malformed binary frame in the Log and goes on with the next one', () => {
    const good = binary(1, [bytes]);
    const cut = good.subarray(0, good.length - 3);
    const items = inboxItems([schema(0), cut, new Uint8Array([1, 2]), binary(1, [bytes])]);
    expect(problemTexts(items)).toEqual([
      expect.stringMatching(
        /^agent sent a frame this web app cannot read \(binary events frame \(\d+ bytes\): record 0 of 1: .* past the end\); are the agent and web app the same version\?$/,
      ),
      expect.stringMatching(
        /^agent sent a frame this web app cannot read \(binary events frame \(2 bytes\): shorter than its 4-byte header length\)/,
      ),
    ]);
    expect(rowBatches(items).map((b) => b.count)).toEqual([1]);
  });

  it("reports a binary frame that arrives before its source's schema, and shows its records as raw bytes", () => {
    const items = inboxItems([
      binary(0, [bytes.subarray(0, 4), bytes.subarray(4, 6)], 1, 'nameless'),
      binary(1, [bytes.subarray(0, 1)], 0, 'nameless'),
    ]);
    const texts = problemTexts(items);
    // Once per source, not once per frame.
    expect(texts).toEqual([
      expect.stringMatching(
        /^binary events of "nameless" arrived before the schema frame that says how to decode them; their records are shown as raw bytes/,
      ),
    ]);
    const [b] = rowBatches(items);
    expect(b!.columns).toEqual(['value']);
    expect(cellTable(b!)).toEqual([['0xf8c880c1'], ['0xe8fd'], ['0xf8']]);
    expect(b!.dropped).toBe(1);
  });

  it('shows records as raw bytes when the schema has no layout (no record type), as the agent would', () => {
    const noType: ServerMessage = {
      type: 'schema',
      seq: 0,
      runId: 'r',
      source: 'events',
      fields: [],
      undecodedReason: 'no struct event',
    };
    const items = inboxItems([noType, binary(1, [bytes.subarray(0, 2)])]);
    expect(problemTexts(items)).toEqual([]);
    expect(cellTable(rowBatches(items)[0]!)).toEqual([['0xf8c8']]);
  });

  it("forgets a run's layouts when it stops", () => {
    const items = inboxItems([
      schema(0),
      {
        type: 'stopped',
        seq: 1,
        runId: 'r',
        reason: 'user',
        message: 'stopped',
        durationMs: 1,
        stats: { events: 1, printk: 0, dropped: 0 },
      },
      binary(2, [bytes]),
    ]);
    expect(problemTexts(items)).toEqual([expect.stringMatching(/before the schema frame/)]);
  });

  it('decodes only the newest records of a frame larger than the table, and counts the rest', () => {
    const many = Array.from({ length: 25 }, (_, i) => Uint8Array.of(i));
    const [b] = rowBatches(inboxItems([schema(0, false), binary(1, many)], 10));
    expect(b!.count).toBe(10);
    expect(b!.skipped).toBe(15);
    expect(cellTable(b!)[0]).toEqual(['0x0f']);
  });

  it('says so when a binary message is not bytes (a socket left with binaryType "blob")', () => {
    const texts = problemTexts(inboxItems([{ size: 10 }]));
    expect(texts).toEqual([
      expect.stringMatching(/^agent sent a message of type Object, neither text nor an ArrayBuffer/),
    ]);
  });

  it('keeps the CPU of each perf buffer record', () => {
    const [b] = rowBatches(inboxItems([schema(0), binary(1, [bytes, bytes], 0, 'events', [3, 1])]));
    expect([...b!.cpu!]).toEqual([3, 1]);
  });
});
